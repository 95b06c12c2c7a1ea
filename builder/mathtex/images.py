"""A formula as XeLaTeX sets it for an image: its box, measured and shipped as a page."""
from __future__ import annotations

import re
from dataclasses import dataclass

COLOUR_RE = re.compile(r"\\(?:color|textcolor|colorbox|fcolorbox)\b")


# Set each formula in a box, say its size on the terminal (the log), and ship the box as a page of its own
# (preview's tightpage: the page is the box, plus the border). A display with numbered lines is set in its
# amsmath environment in a measure as wide as the formula and two of its widest number, so the numbers stand
# at the right of their lines, as in the PDF; vsplit takes away the empty line and skip TeX puts above it.
MACROS = r"""
\makeatletter
\newbox\sbimgbox \newdimen\sbimgwd
\typeout{sbimgsize:\f@size}
\newcommand\sbimgout[1]{\typeout{sbimg:#1:\the\ht\sbimgbox:\the\dp\sbimgbox:\the\wd\sbimgbox}%
  \begin{preview}\box\sbimgbox\end{preview}}
\newcommand\sbimgdisplay{\hsize=\sbimgwd \parindent=0pt \abovedisplayskip=0pt \belowdisplayskip=0pt
  \abovedisplayshortskip=0pt \belowdisplayshortskip=0pt \predisplaypenalty=0 \noindent}
\newcommand\sbimgsplit{{\splittopskip=0pt \vbadness=10000 \setbox0=\vsplit\sbimgbox to 0pt}%
  \setbox\sbimgbox=\vbox{\unvbox\sbimgbox}}
\makeatother
"""


@dataclass(frozen=True)
class FormulaTex:
    """What TeX is given for one image: `$…$` (inline), `$\\displaystyle…$`, or an environment whose lines
    carry their numbers (`numbered`: then `measure` is the formula without them and `widest` its widest number)."""

    tex: str
    display: bool
    numbered: bool = False
    measure: str = ""
    widest: str = ""

    @property
    def colour(self) -> bool:
        return bool(COLOUR_RE.search(self.tex))

    def source(self, key: str) -> str:
        if not self.numbered:
            return f"\\setbox\\sbimgbox=\\hbox{{%\n{self.tex}%\n}}\\sbimgout{{{key}}}"
        return (f"\\setbox\\sbimgbox=\\hbox{{%\n{self.measure}%\n}}\\sbimgwd=\\wd\\sbimgbox\n"
                f"\\setbox\\sbimgbox=\\hbox{{{self.widest}}}\\sbimgwd=\\dimexpr\\sbimgwd+2\\wd\\sbimgbox+4em\\relax\n"
                f"\\setbox\\sbimgbox=\\vbox{{\\sbimgdisplay\n{self.tex}\n}}\\sbimgsplit\\sbimgout{{{key}}}")
