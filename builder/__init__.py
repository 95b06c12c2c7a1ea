"""Book compiler: scraped blog dumps -> typeset PDF (XeLaTeX) and EPUB (pandoc)."""
__version__ = "0.1.0"
