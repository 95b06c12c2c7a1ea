"""The book model → what the converters are given: LaTeX for TeX, pandoc's AST for the EPUB."""
