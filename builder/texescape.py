"""Escaping as data: the prose escape table and the math whitelist every dump string passes through."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

# Prose: each character that means something to TeX, and what prints it.
PROSE_ESCAPES: dict[str, str] = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "%": r"\%",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    "\u00a0": "~",
    "\t": " ",
    # Keep TeX ligatures from joining punctuation the writer did not join.
    "-": "-{}",
    "`": r"\textasciigrave{}",
    "'": r"\textquotesingle{}",
    '"': r"\textquotedbl{}",
}
_PROSE_RE = re.compile("|".join(re.escape(k) for k in PROSE_ESCAPES))


def escape(text: str) -> str:
    """Any string -> LaTeX that prints exactly that string."""
    return _PROSE_RE.sub(lambda m: PROSE_ESCAPES[m.group(0)], text)


def escape_verbatim(text: str) -> str:
    """Source shown as code: escaped, and breakable after any character so it never overflows."""
    return "".join(escape(ch) + (r"\allowbreak{}" if ch in " ,;=+-)(" else "") for ch in text)


def escape_code(line: str) -> str:
    """A line of program code: every character printed as is, spaces kept, breakable anywhere."""
    out = []
    for ch in line:
        if ch == " ":
            out.append(r"\ ")
        else:
            out.append(escape(ch) + r"\allowbreak{}")
    return "".join(out)


URL_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789:/._-?=&+,;@!*()'")


def url_target(url: str) -> str:
    """An address for \\href: anything TeX could read as a command is percent-encoded, and % escaped."""
    encoded = "".join(ch if ch in URL_SAFE or (ch == "%" and re.match(r"[0-9A-Fa-f]{2}", url[i + 1:i + 3]))
                      else "".join(f"%{b:02X}" for b in ch.encode("utf-8")) for i, ch in enumerate(url))
    return encoded.replace("%", r"\%").replace("&", r"\&")


def escape_url(url: str) -> str:
    """The printed address: escaped, with a break allowed after each / . - _ ? = &."""
    return "".join(escape(ch) + (r"\allowbreak{}" if ch in "/.-_?=&" else "") for ch in url)


# Math: commands and environments a formula may use (all defined by the styles' packages).
MATH_COMMANDS: frozenset[str] = frozenset("""
alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa varkappa lambda mu nu xi omicron pi varpi
rho varrho sigma varsigma tau upsilon phi varphi chi psi omega
Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega varGamma varDelta varTheta varLambda varXi varPi varSigma
varUpsilon varPhi varPsi varOmega
frac dfrac tfrac cfrac sqrt binom dbinom tbinom over choose
left right big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr Biggl Biggr middle
mathbb mathcal mathrm mathbf mathit mathsf mathtt mathfrak mathscr boldsymbol bm pmb mathnormal
text textrm textbf textit textsf texttt textnormal mbox operatorname mathop mathbin mathrel mathord mathpunct
limits nolimits displaystyle textstyle scriptstyle scriptscriptstyle
hat widehat tilde widetilde bar vec dot ddot dddot breve check acute grave overline underline overbrace underbrace
overset underset stackrel xrightarrow xleftarrow overrightarrow overleftarrow overleftrightarrow
log ln lg exp sin cos tan cot sec csc arcsin arccos arctan sinh cosh tanh coth min max sup inf lim liminf limsup
det arg ker dim deg gcd hom Pr mod bmod pmod
cdots ldots dots dotsb dotsc dotsm dotsi vdots ddots cdot
quad qquad hspace hphantom vphantom phantom enspace thinspace negthinspace
begin end label eqref ref tag notag nonumber
top bot intercal infty partial nabla sum prod coprod int iint iiint oint bigcup bigcap bigoplus bigotimes bigvee
bigwedge bigsqcup
in notin ni subset subseteq supset supseteq subsetneq supsetneq sqsubset sqsubseteq
leq geq le ge neq ne approx sim simeq cong equiv propto ll gg triangleq doteq asymp prec succ preceq succeq
lesssim gtrsim leqslant geqslant
times div pm mp circ bullet otimes oplus ominus odot oslash ast star wedge vee cap cup setminus sqcap sqcup
Vert vert lVert rVert lvert rvert langle rangle lfloor rfloor lceil rceil backslash mid nmid parallel perp
to rightarrow leftarrow Rightarrow Leftarrow Leftrightarrow leftrightarrow iff implies impliedby mapsto
longrightarrow longleftarrow Longrightarrow Longleftarrow longmapsto uparrow downarrow Uparrow Downarrow
updownarrow nearrow searrow swarrow nwarrow hookrightarrow rightharpoonup rightharpoondown leftharpoonup leftharpoondown
rightleftharpoons leftrightharpoons
forall exists nexists neg lnot land lor emptyset varnothing angle triangle square Box Diamond
hbar ell Re Im wp aleph prime surd
boxed not colon
color textcolor
hline cline multicolumn arraystretch
""".split())

MATH_SYMBOL_COMMANDS: frozenset[str] = frozenset(r", ; : ! \ { } | % # & _ $ ".split() + [" "])

MATH_ENVIRONMENTS: frozenset[str] = frozenset("""
matrix pmatrix bmatrix Bmatrix vmatrix Vmatrix smallmatrix cases dcases array aligned alignedat gathered split
subarray align align* gather gather* multline multline* equation equation* eqnarray eqnarray* CD
""".split())

# Commands whose first argument is a label name (rewritten per post so labels never clash).
LABEL_COMMANDS = ("label", "eqref", "ref")
TOKEN_RE = re.compile(r"\\([A-Za-z]+)|\\(.)|([{}$])|(\^\^)|(%)|(#)", re.S)
LABEL_ARG_RE = re.compile(r"\\(label|eqref|ref)\s*\{([^{}]*)\}")
REQUIRE_RE = re.compile(r"\\require\s*\{[A-Za-z]*\}")
# MathJax accepts text-size commands in math; LaTeX does not: they are dropped, the group kept.
SIZE_RE = re.compile(r"\\(tiny|scriptsize|footnotesize|small|normalsize|large|Large|LARGE|huge|Huge)(?![A-Za-z])\s*")
# MathJax's \color{red}{x} colours only x; LaTeX's \color is a switch: \textcolor means what the writer meant.
COLOR_RE = re.compile(r"\\color\s*\{([A-Za-z!0-9]+)\}\s*\{")
ARRAY_RE = re.compile(r"\\begin\{array\}\s*\{([^{}]*)\}(.*?)\\end\{array\}", re.S)
SAFE_LABEL_RE = re.compile(r"[^A-Za-z0-9:._-]")
CJK_IN_MATH_RE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef\U00020000-\U0003134f]+")


@dataclass(frozen=True)
class MathCheck:
    source: str  # the formula, labels rewritten, ready for TeX
    problem: Optional[str]  # why it cannot be given to TeX, or None


def _widen_array(m: re.Match) -> str:
    """MathJax lets an array row have more cells than its column spec; LaTeX stops. Add columns."""
    spec, body = m.group(1), m.group(2)
    columns = len(re.findall(r"[lcr]|p\{[^}]*\}", spec))
    rows = re.split(r"\\\\(?:\[[^\]]*\])?", body)
    widest = max((row.count("&") - row.count("\\&") + 1 for row in rows), default=1)
    if widest > columns:
        spec += "c" * (widest - columns)
    return f"\\begin{{array}}{{{spec}}}{body}\\end{{array}}"


def label_name(prefix: str, name: str) -> str:
    return f"{prefix}:{SAFE_LABEL_RE.sub('-', name.strip())}"


def check_math(source: str, label_prefix: str) -> MathCheck:
    """Whitelist a formula: known commands only, balanced braces, \\left/\\right and environments."""
    src = mathjax_compat(source)
    depth = 0
    lr = 0
    envs: list[str] = []
    for m in TOKEN_RE.finditer(src):
        name, symbol, brace, caret, percent, hash_ = m.groups()
        if caret:
            return MathCheck(source, "formula uses '^^' character codes")
        if percent:
            return MathCheck(source, "formula contains an unescaped '%'")
        if hash_:
            return MathCheck(source, "formula contains an unescaped '#'")
        if brace == "{":
            depth += 1
        elif brace == "}":
            depth -= 1
            if depth < 0:
                return MathCheck(source, "formula has an unmatched '}'")
        elif brace == "$":
            return MathCheck(source, "formula contains an unclosed or nested '$'")
        elif symbol is not None:
            if symbol not in MATH_SYMBOL_COMMANDS:
                return MathCheck(source, f"formula uses unknown command \\{symbol}")
        elif name:
            if name not in MATH_COMMANDS:
                return MathCheck(source, f"formula uses unknown command \\{name}")
            if name == "left":
                lr += 1
            elif name == "right":
                lr -= 1
                if lr < 0:
                    return MathCheck(source, "formula has \\right without \\left")
            elif name in ("begin", "end"):
                env = re.match(r"\s*\{([A-Za-z*]+)\}", src[m.end():])
                if not env or env.group(1) not in MATH_ENVIRONMENTS:
                    what = env.group(1) if env else "?"
                    return MathCheck(source, f"formula uses unknown environment {what}")
                if name == "begin":
                    envs.append(env.group(1))
                elif not envs or envs.pop() != env.group(1):
                    return MathCheck(source, f"formula has \\end{{{env.group(1)}}} without its \\begin")

    if depth:
        return MathCheck(source, "formula has unbalanced braces")
    if lr:
        return MathCheck(source, "formula has \\left without \\right")
    if envs:
        return MathCheck(source, f"formula has \\begin{{{envs[-1]}}} without its \\end")
    rewritten = LABEL_ARG_RE.sub(lambda m: f"\\{m.group(1)}{{{label_name(label_prefix, m.group(2))}}}", src)
    return MathCheck(rewritten, None)


def mathjax_compat(source: str, for_latex: bool = True) -> str:
    """What MathJax accepts and LaTeX (or pandoc's MathML) does not, rewritten to mean the same."""
    src = ARRAY_RE.sub(_widen_array, SIZE_RE.sub("", REQUIRE_RE.sub("", source)))
    if for_latex:
        src = COLOR_RE.sub(lambda m: f"\\textcolor{{{m.group(1)}}}{{", src)
    else:  # texmath (pandoc's MathML) knows no rules in array column specs nor \hline
        src = re.sub(r"\\hline\s*", "", re.sub(r"(\\begin\{array\}\s*\{)([^{}]*)\}",
                                                lambda m: m.group(1) + m.group(2).replace("|", "") + "}", src))
    return _wrap_cjk(src)


TEXT_ARG_RE = re.compile(r"\\(text|textrm|textbf|textit|mbox|operatorname|mathrm)\s*\{")


def _wrap_cjk(src: str) -> str:
    """Chinese written straight into a formula goes into \\text{…} (TeX's math fonts have no such glyphs);
    Chinese already inside a text argument is left alone."""
    out, pos = [], 0
    for m in TEXT_ARG_RE.finditer(src):
        if m.start() < pos:
            continue
        depth, end = 1, m.end()
        while end < len(src) and depth:
            depth += {"{": 1, "}": -1}.get(src[end], 0) if src[end - 1] != "\\" else 0
            end += 1
        out.append(CJK_IN_MATH_RE.sub(lambda c: f"\\text{{{c.group(0)}}}", src[pos:m.start()]))
        out.append(src[m.start():end])
        pos = end
    out.append(CJK_IN_MATH_RE.sub(lambda c: f"\\text{{{c.group(0)}}}", src[pos:]))
    return "".join(out)
