"""MathJax 3's TeX dialect as data (generated from MathJax itself) and the rules this book adds to it."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

TABLE_FILE = Path(__file__).with_name("mathjax_table.json")
REGENERATE = "python tools/mathjax_table.py"


@dataclass(frozen=True)
class Entry:
    """A command or environment MathJax accepts: its package, and what TeX said of it as this book renders it."""

    name: str
    package: str
    tex_error: Optional[str]  # None: typesets in LaTeX here; else the error TeX gave for MathJax's own sample


_DATA = json.loads(TABLE_FILE.read_text(encoding="utf-8"))
MATHJAX_VERSION: str = _DATA["mathjax"]
COMMANDS = {k: Entry(k, v["package"], v.get("tex_error")) for k, v in _DATA["commands"].items()}
ARGUMENTS = {k: v["args"] for k, v in _DATA["commands"].items() if v.get("args")}  # braced arguments it takes
ENVIRONMENTS = {k: Entry(k, v["package"], v.get("tex_error")) for k, v in _DATA["environments"].items()}
COLORS: dict[str, str] = _DATA["colors"]  # MathJax's named colours and the CSS names -> RRGGBB
UNICODE_COMMANDS: dict[str, str] = _DATA["unicode"]  # a character -> the MathJax command that prints it
DELIMITER_CHARS = frozenset(_DATA["delimiters"]["chars"])  # what may follow \left, \right, \middle
DELIMITER_COMMANDS = frozenset(_DATA["delimiters"]["commands"])
del _DATA
# How many times TeX typesets an argument of a command (\phantom: once per math style); measured by
# tools/branching.py. Nested, the counts multiply: the parser bounds the product.
BRANCHING: dict[str, int] = json.loads(TABLE_FILE.with_name("branching.json").read_text(encoding="utf-8"))

# Handled by the formula parser itself (numbering, references, macros, structure), whatever the table says;
# and words MathJax reads as part of another command (\root 3\of x).
STRUCTURAL = frozenset("label tag notag nonumber eqref ref begin end newcommand renewcommand def let require of "
                       "setCounter".split())
# The blog's own command (from its MathJax configuration): \setCounter{24} before a post's first equation
# makes it (25), continuing the numbers of an earlier post of the series.

# Refused whatever MathJax allows: they define things TeX would keep (environments), or mean something only
# in a web page. Post-local \newcommand, \def and \let are expanded in Python and never reach TeX.
REFUSED: dict[str, str] = {
    "newenvironment": "defines an environment (only \\newcommand, \\def and \\let are expanded)",
    "renewenvironment": "defines an environment (only \\newcommand, \\def and \\let are expanded)",
    "mmlToken": "writes raw MathML",
    "Newextarrow": "defines a command",
    "mathtoolsset": "changes settings",
    "definecolor": "defines a colour",
    "DeclarePairedDelimiter": "defines a command",
}

# MathJax's web-page wrappers: only one argument carries math; the others (a CSS class, a URL, a tooltip)
# have no meaning on paper. name -> (number of arguments, index of the one kept).
UNWRAP: dict[str, tuple[int, int]] = {
    "class": (2, 1), "style": (2, 1), "cssId": (2, 1), "href": (2, 1), "mathtip": (2, 0), "texttip": (2, 0),
}

# Text-size switches: MathJax sizes math with them, LaTeX ignores them in math (with a warning): dropped.
SIZE_SWITCHES = frozenset("tiny Tiny scriptsize small normalsize large Large LARGE huge Huge".split())

# Commands whose (first) argument is text, not math: Chinese inside them needs no \text{} of its own.
TEXT_ARGUMENT = frozenset("text textrm textup textnormal textit textbf textsf texttt hbox mbox fbox tag".split())
# Commands whose argument is a name (a label), kept exactly as written.
NAME_ARGUMENT = frozenset("label eqref ref".split())

# Display environments that stand on their own (never inside other math) and how they are numbered:
# 'rows' numbers each line, 'one' gives the whole display one number.
DISPLAY_ENVIRONMENTS: dict[str, str] = {
    "equation": "one", "multline": "one",
    "align": "rows", "gather": "rows", "eqnarray": "rows", "flalign": "rows", "alignat": "rows",
    "xalignat": "rows", "xxalignat": "rows",
}
# Colour commands: their colour arguments (after an optional [model]) become RRGGBB tokens.
COLOR_COMMANDS = frozenset("color textcolor colorbox fcolorbox rowcolor cellcolor columncolor".split())

# MathJax's font switches that LaTeX has only as commands with an argument: {\frak A} -> {\mathfrak{A}}.
FONT_SWITCHES = {"frak": "mathfrak", "scr": "mathscr", "bbFont": "mathbb", "oldstyle": "mathrm"}
# Plain TeX's matrix macros, which MathJax accepts and amsmath forbids: \pmatrix{a&b\cr c&d}.
PLAIN_MATRICES = {"matrix": "matrix", "pmatrix": "pmatrix", "cases": "cases", "array": "matrix",
                  "eqalign": "aligned", "eqalignno": "aligned", "leqalignno": "aligned", "displaylines": "gathered"}
# Text-only logos MathJax also sets in math.
LOGOS = frozenset(["TeX", "LaTeX"])
# \enclose{notation}{x}: MathJax's notations, as the nearest LaTeX form (None: the content, unmarked).
ENCLOSE = {"box": "boxed", "roundedbox": "boxed", "circle": "boxed", "updiagonalstrike": "cancel",
           "downdiagonalstrike": "bcancel", "top": "overline", "bottom": "underline", "horizontalstrike": None,
           "verticalstrike": None, "left": None, "right": None, "actuarial": None, "radical": "sqrt",
           "longdiv": None, "madruwb": None, "phasorangle": None, "updiagonalarrow": "cancel"}

# Commands this book's parser writes itself (defined in styles/sbmathjax.sty), never taken from a post.
OWN_COMMANDS = frozenset(["sbcolorbbox", "textbackslash", "textasciicircum", "textasciitilde"])

# LaTeX packages a formula's commands need, loaded only when a formula of the book uses one of them
# (each package costs time in every TeX pass). In loading order: arydshln must come after colortbl.
LATEX_PACKAGES: dict[str, frozenset[str]] = {
    "cancel": frozenset("cancel bcancel xcancel cancelto".split()),
    "braket": frozenset("bra ket braket set Bra Ket Braket Set ketbra Ketbra".split()),
    "mathrsfs": frozenset("mathscr mathbfscr symscr symbfscr".split()),
    "upgreek": frozenset("""upalpha upbeta upgamma updelta upepsilon upvarepsilon upzeta upeta uptheta upvartheta
        upiota upkappa uplambda upmu upnu upxi uppi upvarpi uprho upvarrho upsigma upvarsigma uptau upupsilon
        upphi upvarphi upchi uppsi upomega Upgamma Updelta Uptheta Uplambda Upxi Uppi Upsigma Upupsilon Upphi
        Uppsi Upomega""".split()),
    "centernot": frozenset(["centernot"]),
    "colortbl": frozenset("rowcolor cellcolor columncolor".split()),
    "arydshln": frozenset("hdashline cdashline".split()),
    "mhchem": frozenset("ce pu".split()),
}
PACKAGE_OPTIONS = {"mhchem": "version=4"}


def packages_for(commands: set[str]) -> list[str]:
    """The optional LaTeX packages these commands need, in loading order."""
    return [pkg for pkg, names in LATEX_PACKAGES.items() if names & commands]


def display_environment(name: str) -> Optional[tuple[str, bool]]:
    """(base name, starred) for a stand-alone display environment such as align*; None for anything else."""
    base, starred = (name[:-1], True) if name.endswith("*") else (name, False)
    return (base, starred) if base in DISPLAY_ENVIRONMENTS and name in ENVIRONMENTS else None


def is_environment(name: str) -> bool:
    return name in ENVIRONMENTS


def command_problem(name: str, strict_tex: bool = True) -> Optional[str]:
    """Why \\name cannot reach TeX, or None. With strict_tex False only MathJax's own verdict counts
    (used when the table itself is being made)."""
    if name in REFUSED:
        return f"formula uses \\{name}, which {REFUSED[name]}"
    if name in OWN_COMMANDS:
        return None
    entry = COMMANDS.get(name)
    if entry is None:
        return f"formula uses \\{name}, which MathJax does not know either"
    if strict_tex and entry.tex_error is not None and name not in UNWRAP:
        return f"formula uses \\{name} (MathJax {entry.package}), which has no LaTeX equivalent here"
    return None


def environment_problem(name: str, strict_tex: bool = True) -> Optional[str]:
    entry = ENVIRONMENTS.get(name)
    if entry is None:
        return f"formula uses environment {name}, which MathJax does not know either"
    if strict_tex and entry.tex_error is not None:
        return f"formula uses environment {name} (MathJax {entry.package}), which has no LaTeX equivalent here"
    return None


def color_hex(name: str) -> Optional[str]:
    """A colour as MathJax reads it: one of its named colours, a CSS name (any case) or #rgb/#rrggbb."""
    name = name.strip()
    if name in COLORS:
        return COLORS[name]
    if name.lower() in COLORS:
        return COLORS[name.lower()]
    digits = name[1:] if name.startswith("#") else ""
    if len(digits) in (3, 6) and all(c in "0123456789abcdefABCDEF" for c in digits):
        return (digits if len(digits) == 6 else "".join(c * 2 for c in digits)).upper()
    return None
