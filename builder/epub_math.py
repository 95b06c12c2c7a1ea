"""Equation numbers as the PDF's amsmath gives them, and each formula's TeX as pandoc's MathML wants it."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from .model import Book, DisplayMath, Location
from .texescape import check_math, mathjax_compat

# Environments whose every line gets its own number (multline has one number, so it counts as one line).
ROW_ENV_RE = re.compile(r"^\s*\\begin\{(align|gather|eqnarray|flalign)(\*?)\}(.*)\\end\{\1\2\}\s*$", re.S)
TAG_RE = re.compile(r"\\tag(\*?)\s*\{([^{}]*)\}")
NONUMBER_RE = re.compile(r"\\(?:nonumber|notag)(?![A-Za-z])")
LABEL_RE = re.compile(r"\\label\s*\{([^{}]*)\}")
REF_RE = re.compile(r"\\(eqref|ref)\s*\{([^{}]*)\}")
# What the row splitter must see: environments (as one token, braces included), `\\`, escapes, braces, `&`.
ROW_TOKEN_RE = re.compile(r"\\(begin|end)\s*\{[^{}]*\}|\\\\(\s*\[[^\]]*\])?|\\.|[{}&]", re.S)


@dataclass
class Line:
    """One numbered line of a display (a whole formula, or one row of align/gather)."""

    tex: str  # without \label, \tag, \nonumber: those become the number beside it
    ref: Optional[str] = None  # what \ref prints: "3.1", or a \tag's text
    shown: str = ""  # what stands beside the line: "(3.1)", "(*)", or a \tag*'s text as it is
    anchor: str = ""


@dataclass
class Display:
    env: str  # "" for one formula, else align, gather*, …: numbered line by line
    lines: list[Line]
    seps: list[str] = field(default_factory=list)  # the `\\` between rows, verbatim


def split_rows(body: str) -> tuple[list[str], list[str]]:
    """Rows at the top level of an environment: `\\` inside braces or a nested aligned/matrix does not count."""
    rows, seps, depth, last = [], [], 0, 0
    for m in ROW_TOKEN_RE.finditer(body):
        tok = m.group(0)
        if m.group(1):
            depth += 1 if m.group(1) == "begin" else -1
        elif tok in "{}":
            depth += 1 if tok == "{" else -1
        elif tok.startswith("\\\\") and depth == 0:
            rows.append(body[last:m.start()])
            seps.append(tok)
            last = m.end()
    rows.append(body[last:])
    return rows, seps


def top_level_amps(row: str) -> int:
    depth = count = 0
    for m in ROW_TOKEN_RE.finditer(row):
        tok = m.group(0)
        if m.group(1):
            depth += 1 if m.group(1) == "begin" else -1
        elif tok in "{}":
            depth += 1 if tok == "{" else -1
        elif tok == "&" and depth == 0:
            count += 1
    return count


def strip_numbering(tex: str) -> str:
    return NONUMBER_RE.sub("", LABEL_RE.sub("", TAG_RE.sub("", tex)))


# Whitelisted forms that pandoc's texmath cannot read, each as an equivalent it can.
TEXMATH_FORMS = [(re.compile(p + r"(?![A-Za-z])"), r) for p, r in [
    (r"\\cfrac", r"\\dfrac"), (r"\\[dt]binom", r"\\binom"), (r"\\hphantom", r"\\phantom"),
    (r"\\mathnormal", r"\\mathit"), (r"\\textnormal", r"\\text"), (r"\\thinspace", r"\\,"),
    (r"\\negthinspace", r"\\!"), (r"\\textcolor", r"\\color"), (r"(\\(?:begin|end)\s*\{)dcases", r"\1cases"),
    (r"(\\(?:begin|end)\s*\{)subarray", r"\1array")]]
OVER_RE = re.compile(r"\\over(?![A-Za-z])")
VPHANTOM_RE = re.compile(r"\\vphantom\s*\{")


def _group_bounds(tex: str, at: int) -> tuple[int, int]:
    """(index of the `{` opening the group around position `at`, index after its `}`); (-1, len) at top level."""
    depth, start = 0, -1
    for i in range(at - 1, -1, -1):
        if tex[i] in "{}" and (i == 0 or tex[i - 1] != "\\"):
            depth += 1 if tex[i] == "}" else -1
            if depth < 0:
                start = i
                break
    depth, end = 0, len(tex)
    for i in range(at, len(tex)):
        if tex[i] in "{}" and tex[i - 1] != "\\":
            depth += 1 if tex[i] == "{" else -1
            if depth < 0:
                end = i + 1
                break
    return start, end


def texmath_forms(tex: str) -> str:
    for pattern, replacement in TEXMATH_FORMS:
        tex = pattern.sub(replacement, tex)
    while m := VPHANTOM_RE.search(tex):  # height only: nothing to show
        tex = tex[:m.start()] + tex[_group_bounds(tex, m.end())[1]:]
    while m := OVER_RE.search(tex):  # {a \over b} -> {\frac{a}{b}}
        start, end = _group_bounds(tex, m.start())
        inner_end = end - 1 if start >= 0 else end
        tex = (tex[:start + 1] + f"\\frac{{{tex[start + 1:m.start()]}}}{{{tex[m.end():inner_end]}}}"
               + tex[inner_end:])
    return tex


def mathml_tex(tex: str) -> str:
    """MathJax-only forms rewritten (texmath knows neither \\require nor amscd's CD, nor \\over)."""
    return cd_to_array(mathjax_compat(texmath_forms(tex), for_latex=False)).strip()


class Numbering:
    """Every display formula's numbers and every label's target, counted per chapter as the PDF counts them:
    one number per line of align/gather/eqnarray, one per equation or multline, none for starred forms or
    lines with \\nonumber, a \\tag's text instead of a number; formulas the whitelist refuses get none."""

    def __init__(self, book: Book):
        self.displays: dict[int, Display] = {}  # id(block) -> its lines
        self.targets: dict[tuple[str, str], Line] = {}  # (post id, label) -> the line it names
        self.warnings: list[tuple[Location, str]] = []
        for chapter in book.chapters():
            counter = {"n": 0, "tags": 0}
            for block in chapter.post.blocks:
                if isinstance(block, DisplayMath) and check_math(block.source, chapter.post.id).problem is None:
                    self.displays[id(block)] = self._display(block, chapter.number, chapter.post.id, counter)

    def _display(self, block: DisplayMath, chapter: int, post_id: str, counter: dict) -> Display:
        env = ROW_ENV_RE.match(block.source)
        rows, seps = split_rows(env.group(3)) if env else ([block.source], [])
        display = Display(env.group(1) + env.group(2) if env else "", [], seps)
        for row in rows:
            line = Line(strip_numbering(row))
            tag = TAG_RE.search(row)
            if tag:
                counter["tags"] += 1
                line.ref, line.anchor = tag.group(2).strip(), f"eq-{chapter}-t{counter['tags']}"
                line.shown = line.ref if tag.group(1) else f"({line.ref})"
            elif block.numbered and not NONUMBER_RE.search(row):
                counter["n"] += 1
                line.ref, line.anchor = f"{chapter}.{counter['n']}", f"eq-{chapter}-{counter['n']}"
                line.shown = f"({line.ref})"
            for label in LABEL_RE.findall(row):
                if line.ref is None:
                    self.warnings.append((block.loc, f"\\label{{{label.strip()}}} on a line without a number; "
                                                     "references to it print (??)"))
                else:
                    self.targets[(post_id, label.strip())] = line  # the last one wins, as in LaTeX
            display.lines.append(line)
        return display

    def target(self, post_id: str, label: str) -> Optional[Line]:
        return self.targets.get((post_id, label.strip()))

    def resolve_refs(self, tex: str, post_id: str) -> str:
        """\\eqref{x} -> (3.1) as text inside the formula: MathML has no cross-references."""
        def repl(m: re.Match) -> str:
            line = self.target(post_id, m.group(2))
            ref = line.ref if line else "??"
            return f"\\text{{{'(' + ref + ')' if m.group(1) == 'eqref' else ref}}}"
        return REF_RE.sub(repl, tex)

    def inline_tex(self, source: str, post_id: str) -> str:
        """An inline \\tag prints after the formula, as MathJax (and the PDF) print it."""
        tex = TAG_RE.sub(lambda m: f"\\qquad\\text{{{m.group(2) if m.group(1) else '(' + m.group(2) + ')'}}}",
                         source)
        return mathml_tex(self.resolve_refs(NONUMBER_RE.sub("", LABEL_RE.sub("", tex)), post_id))

    def display_tex(self, block: DisplayMath, post_id: str) -> tuple[str, Display]:
        """The formula for pandoc; lines of align/gather carry their numbers in a last column, so each
        number stands level with its line."""
        display = self.displays[id(block)]
        if not display.env:
            return mathml_tex(self.resolve_refs(display.lines[0].tex, post_id)), display
        # Refs first: mathjax_compat would put a Chinese label name into \text{}.
        rows = [mathml_tex(self.resolve_refs(line.tex, post_id)) for line in display.lines]
        if any(line.shown for line in display.lines):
            width = max(top_level_amps(r) for r in rows)
            rows = [r + "&" * (width - top_level_amps(r)) + f"&\\qquad\\text{{{line.shown}}}" if line.shown else r
                    for r, line in zip(rows, display.lines)]
        body = "".join(r + (display.seps[i] if i < len(display.seps) else "") for i, r in enumerate(rows))
        return f"\\begin{{{display.env}}}{body}\\end{{{display.env}}}", display


CD_RE = re.compile(r"\\begin\{CD\}(.*?)\\end\{CD\}", re.S)
CD_ARROW_RE = re.compile(r"@([><])([^><]*)[><]([^><]*)[><]|@([VA])([^VA]*)[VA]([^VA]*)[VA]|@=|@\||@\.")


def cd_to_array(tex: str) -> str:
    """amscd's CD (MathJax's \\require{AMScd}) as an array of arrows, which pandoc's MathML can draw."""
    def arrow(m: re.Match) -> str:
        if m.group(1):
            out = "\\longrightarrow" if m.group(1) == ">" else "\\longleftarrow"
            if m.group(2).strip():
                out = f"\\overset{{{m.group(2)}}}{{{out}}}"
            if m.group(3).strip():
                out = f"\\underset{{{m.group(3)}}}{{{out}}}"
            return out
        if m.group(4):
            out = "\\downarrow" if m.group(4) == "V" else "\\uparrow"
            left, right = m.group(5).strip(), m.group(6).strip()
            return (f"{{\\scriptstyle {left}}}" if left else "") + out + (f"{{\\scriptstyle {right}}}" if right else "")
        return {"@=": "=", "@|": "\\|", "@.": ""}[m.group(0)]

    def table(m: re.Match) -> str:
        rows = []
        for row in re.split(r"\\\\", m.group(1)):
            cells, last = [], 0
            vertical = all(not t.strip() for t in CD_ARROW_RE.split(row)[::7] if t is not None)
            for a in CD_ARROW_RE.finditer(row):
                if not vertical:
                    cells.append(row[last:a.start()].strip())
                cells.append(arrow(a))
                last = a.end()
            if not vertical:
                cells.append(row[last:].strip())
            rows.append(" & & ".join(cells) if vertical else " & ".join(cells))
        width = max(r.count("&") for r in rows) + 1
        return "\\begin{array}{" + "c" * width + "}" + " \\\\ ".join(rows) + "\\end{array}"
    return CD_RE.sub(table, tex)
