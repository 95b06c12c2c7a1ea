"""The EPUB edition for readers without MathML (Kindle, Kobo): every formula an image set by XeLaTeX."""
from __future__ import annotations

import base64
import dataclasses

from builder.mathtex import EQREF, REF, Formula
from builder.mathtex import latex as mlatex
from builder.mathtex.formula import AMSMATH_FORM, INNER_FORM
from builder.mathtex.images import FormulaTex
from builder.mathtex.lexer import CHAR, CLOSE, CS, OPEN, Token, strip_spaces
from builder.mathtex.numbering import Line
from builder.model.content import Location
from builder.render.epub.document import EpubRender, _str


class ImageEpubRender(EpubRender):
    """EpubRender with each formula an image: the TeX the PDF gives XeLaTeX (references resolved to their
    numbers), each left as a placeholder that fill() replaces once the whole book's images are set."""

    edition = "images"

    def __post_init__(self) -> None:
        super().__post_init__()
        self.pending: list[tuple[dict, FormulaTex, Formula, Location]] = []  # placeholder, TeX, formula, place
        self.images = 0

    def _resolved(self, formula: Formula, post_id: str) -> Formula:
        """The formula with each \\ref and \\eqref replaced by the number it prints."""
        ref = self.numbers.ref_text(post_id)

        def tokens(toks):
            out: list[Token] = []
            for tok in toks:
                if tok.kind in (EQREF, REF):
                    out += [Token(CS, "textup"), Token(OPEN, "{"), Token(CHAR, ref(tok.kind, tok.text)),
                            Token(CLOSE, "}")]
                else:
                    out.append(tok)
            return tuple(out)
        return dataclasses.replace(formula, rows=tuple(dataclasses.replace(r, tokens=tokens(r.tokens))
                                                       for r in formula.rows))

    def _placeholder(self, tex: FormulaTex, formula: Formula, loc: Location) -> dict:
        node: dict = {"t": "Str", "c": ""}  # filled in by fill(), once the images exist
        self.pending.append((node, tex, formula, loc))
        self.emitted.append(tex.tex)
        return node

    def inline_formula(self, formula: Formula, post_id: str, loc: Location) -> dict:
        return self._placeholder(FormulaTex(mlatex.inline(self._resolved(formula, post_id), post_id), False),
                                 formula, loc)

    def display_formula(self, formula: Formula, post_id: str, loc: Location) -> tuple[dict, list[Line], str]:
        lines = self.numbers.lines[id(formula)]
        if formula.empty:  # only definitions: nothing to print
            return _str(""), lines, ""
        shown = [line.shown for line in lines]
        resolved = self._resolved(formula, post_id)
        rows = resolved.rows
        args = mlatex.tex(resolved.env_args, post_id)
        if formula.env and len(rows) > 1 and sum(map(bool, shown)) > 0 and formula.numbering == "rows":
            # Numbers at the right of their lines, in the image: amsmath sets them, as in the PDF.
            env = AMSMATH_FORM.get(formula.env, formula.env) + "*"
            body = "\n".join(mlatex.tex(strip_spaces(r.tokens), post_id) + (rf"\tag*{{{s}}}" if s else r"\notag")
                             + mlatex.tex(r.end, post_id) for r, s in zip(rows, shown))
            inner = INNER_FORM.get(formula.env) or "gathered"
            plain = "".join(mlatex.tex(r.tokens, post_id) + mlatex.tex(r.end, post_id) for r in rows)
            tex = FormulaTex(f"\\begin{{{env}}}{args}\n{body}\n\\end{{{env}}}", True, numbered=True,
                             measure=f"$\\displaystyle\\begin{{{inner}}}{args}{plain}\\end{{{inner}}}$",
                             widest="\\normalfont " + max(filter(None, shown), key=len))
            return self._placeholder(tex, formula, loc), lines, ""
        if formula.env and formula.env != "equation":
            inner = INNER_FORM.get(formula.env) or "gathered"
            body = "".join(mlatex.tex(r.tokens, post_id) + mlatex.tex(r.end, post_id) for r in rows)
            math = f"\\begin{{{inner}}}{args}{body}\\end{{{inner}}}"
        else:
            math = mlatex.tex(strip_spaces(rows[0].tokens), post_id)
        beside = next((s for s in shown if s), "")  # one number: set beside the image, as text
        return self._placeholder(FormulaTex(f"$\\displaystyle {math}$", True), formula, loc), lines, beside

    def fill(self, shown: list[tuple[bytes, float, float, float] | str]) -> None:
        """Each pending formula's image, in the order of `pending`: (its PNG, width, height and depth in ems of
        the text), or the error TeX gave for it (then it is shown as source)."""
        for (node, tex, formula, loc), image in zip(self.pending, shown):
            if isinstance(image, str):
                self.emitted.remove(tex.tex)  # counted again as shown as source
                node.clear()
                node.update(self.refused(dataclasses.replace(formula, problem=f"TeX rejected the formula ({image})"),
                                         loc))
                continue
            png, width, height, depth = image
            self.images += 1
            alt = " ".join(formula.source.split())
            uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
            # Sized in ems of the text, its baseline on the line's. A display is as wide as its own measure, in a
            # line of its own whose baseline is the formula's: its number, beside it, stands on that baseline.
            size = f"width:{width:.3f}em" if tex.display else f"height:{height:.3f}em"
            style = f"{size};vertical-align:{-depth:.3f}em"
            picture = {"t": "Image", "c": [["", ["math", "display" if tex.display else "inline"], [["style", style]]],
                                           [_str(alt)], [uri, ""]]}
            node.clear()
            node.update({"t": "Span", "c": [["", ["math-display"], []], [picture]]} if tex.display else picture)
