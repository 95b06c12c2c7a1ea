"""The one math module: every formula parsed once (MathJax 3's TeX dialect) into a typed Formula."""
from builder.mathtex.formula import EQREF, REF, Formula, Row, parse
from builder.mathtex.macros import MacroTable

__all__ = ["EQREF", "REF", "Formula", "MacroTable", "Row", "parse"]
