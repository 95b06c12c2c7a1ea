"""Equation numbers as the PDF's amsmath gives them, for renderers that must print them themselves (EPUB)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Optional

from builder.mathtex.formula import AMSMATH_FORM, EQREF, Formula
from builder.mathtex.lexer import Token
from builder.mathtex.texmath import formula_tex

CELL_SEP = Token("&", "&")


@dataclass
class Line:
    """One numbered line of a display (a whole formula, or one row of align/gather)."""

    ref: Optional[str] = None  # what \ref prints: "3.1", or a \tag's text
    shown: str = ""  # what stands beside the line: "(3.1)", or a \tag*'s text as it is
    anchor: str = ""


@dataclass
class Numbering:
    """Every display formula's numbers and every label's target, counted per chapter as the PDF counts
    them: one number per line of align/gather/eqnarray, one per equation, multline or labelled $$, none for
    starred forms or lines with \\nonumber, a \\tag's text instead of a number; formulas shown as source
    get none. Built from (chapter number, post id, formulas in order) for every chapter."""

    lines: dict[int, list[Line]] = field(default_factory=dict)  # id(formula) -> a Line per row
    targets: dict[tuple[str, str], Line] = field(default_factory=dict)  # (post id, label) -> its line
    warnings: list[tuple[object, str]] = field(default_factory=list)

    @classmethod
    def count(cls, chapters: Iterable[tuple[int, str, Iterable[Formula]]]) -> Numbering:
        numbering = cls()
        for chapter, post_id, formulas in chapters:
            counter = {"n": 0, "tags": 0}
            for formula in formulas:
                if formula.counter is not None:  # the blog's \setCounter{N}: numbers go on from N
                    counter["n"] = formula.counter
                if formula.display and formula.ok:
                    numbering._display(formula, chapter, post_id, counter)
        return numbering

    def _display(self, formula: Formula, chapter: int, post_id: str, counter: dict) -> None:
        mode = formula.numbering
        lines: list[Line] = []
        one: Optional[Line] = None  # the display's single number ('one'), given to its last line
        for _k, row in enumerate(formula.rows):
            line = Line()
            if row.tag is not None:
                counter["tags"] += 1
                line.ref, line.anchor = row.tag_text, f"eq-{chapter}-t{counter['tags']}"
                line.shown = line.ref if row.tag_star else f"({line.ref})"
            elif mode == "rows" and not row.nonumber:
                counter["n"] += 1
                line.ref, line.anchor = f"{chapter}.{counter['n']}", f"eq-{chapter}-{counter['n']}"
                line.shown = f"({line.ref})"
            lines.append(line)
        if mode == "one" and not any(line.ref for line in lines) and not any(r.nonumber for r in formula.rows):
            counter["n"] += 1
            one = lines[-1]
            one.ref, one.anchor, one.shown = f"{chapter}.{counter['n']}", f"eq-{chapter}-{counter['n']}", ""
            one.shown = f"({one.ref})"
        numbered = next((line for line in reversed(lines) if line.ref), None)
        for row, line in zip(formula.rows, lines):
            target = line if line.ref or mode != "one" else numbered
            for label in row.labels:
                if target is None or target.ref is None:
                    self.warnings.append((formula.loc, f"\\label{{{label}}} on a line without a number; "
                                                       "references to it print (??)"))
                else:
                    self.targets[(post_id, label.strip())] = target  # the last one wins, as in LaTeX
        self.lines[id(formula)] = lines

    def target(self, post_id: str, label: str) -> Optional[Line]:
        return self.targets.get((post_id, label.strip()))

    def ref_text(self, post_id: str):
        """What a reference prints in this post: (3.1) for \\eqref, 3.1 for \\ref, (??) when unknown."""
        def ref(kind: str, label: str) -> str:
            line = self.target(post_id, label)
            text = line.ref if line and line.ref is not None else "??"  # targets all have a ref
            return f"({text})" if kind == EQREF else text
        return ref

    def inline_tex(self, formula: Formula, post_id: str) -> str:
        """An inline formula; its \\tag prints after it, as MathJax (and the PDF) print it."""
        row = formula.rows[0]
        tex = formula_tex(row.tokens, self.ref_text(post_id))
        if row.tag is not None:
            tex += rf"\qquad\text{{{row.tag_text if row.tag_star else '(' + row.tag_text + ')'}}}"
        return tex

    def display_tex(self, formula: Formula, post_id: str) -> tuple[str, list[Line], str]:
        """(the formula for pandoc, its lines, the number to set beside it). Lines of align/gather carry
        their numbers in a last column, so each stands level with its line (the stylesheet moves that column
        to the right edge); a display with one line has its number returned to be set beside it."""
        lines = self.lines[id(formula)]
        ref = self.ref_text(post_id)
        if not formula.env or formula.env == "equation":  # one line (lines without an environment are
            return formula_tex(formula.rows[0].tokens, ref), lines, lines[0].shown  # gathered by the parser)
        if formula.env == "multline":  # one number for the display, beside it
            body = "\\\\ ".join(formula_tex(row.tokens, ref) for row in formula.rows)
            return f"\\begin{{multline}}{body}\\end{{multline}}", lines, next((l.shown for l in lines if l.shown), "")
        # texmath numbers nothing (the numbers are ours) and knows fewer environments than amsmath.
        env = AMSMATH_FORM.get(formula.env, formula.env)
        rows = [formula_tex(row.tokens, ref) for row in formula.rows]
        shown = [line.shown for line in lines]
        if any(shown):  # every row gets the number cell (empty if it has none), so it is always the last one
            width = max(_top_level_amps(row.tokens) for row in formula.rows)
            width += width % 2  # an even column count: texmath sets align's right|left pairs tight only then
            rows = [r + "&" * (width - _top_level_amps(row.tokens)) + (f"&\\qquad\\text{{{s}}}" if s else "&")
                    for r, row, s in zip(rows, formula.rows, shown)]
        args = formula_tex(formula.env_args, ref) if formula.env_args else ""
        body = "\\\\ ".join(rows)
        return f"\\begin{{{env}}}{args}{body}\\end{{{env}}}", lines, ""


def _top_level_amps(tokens) -> int:
    depth = count = 0
    for tok in tokens:
        if tok.kind in ("{", "begin"):
            depth += 1
        elif tok.kind in ("}", "end"):
            depth -= 1
        elif tok == CELL_SEP and depth == 0:
            count += 1
    return count
