"""The book model → chapters/*.tex and book.tex, through the jinja templates in styles/."""
