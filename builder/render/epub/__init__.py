"""The book model → pandoc's JSON AST of the EPUB (formulas as MathML or as images)."""
