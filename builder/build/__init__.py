"""The ordered build: the book model read once, each output through one lifecycle, TeX driven to a good PDF."""
