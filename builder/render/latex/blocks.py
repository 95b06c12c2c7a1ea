"""Code blocks, tables of text cells and figures as LaTeX: kept together at page breaks, fitted to the text block."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Optional

from builder.model.content import CodeBlock, Figure, FigureImage, Location, Table
from builder.render.latex.texescape import escape, escape_code, escape_prose
from builder.text.typography import cjk_punctuation, display_width

CODE_KEEP_WHOLE = 5  # a code block of this many lines or fewer is never split across pages

CODE_KEEP_ENDS = 2  # nor are the first and the last two lines of a longer one


def code_tex(block: CodeBlock) -> str:
    """Code lines, escaped; no page break leaves one or two lines of a block alone at a page's foot or head."""
    n = len(block.lines)
    out = []
    for k, line in enumerate(block.lines):
        keep = k and (n <= CODE_KEEP_WHOLE or k < CODE_KEEP_ENDS or k > n - CODE_KEEP_ENDS)
        body = line.lstrip(" ")
        out.append((r"\sbcodekeep" if keep else "") + rf"\sbcodeline{{{len(line) - len(body)}}}{{{escape_code(body)}}}")
    return "\\begin{sbcode}\n" + "\n".join(out) + "\n\\end{sbcode}"


TABLE_LINE = 72  # half-width characters a table may hold across the text block before it wraps its cells

TABLE_WIDE_CELL = 16  # columns with a cell this wide wrap (X columns); narrower ones keep their width

TABLE_PAGE_ROWS = 30  # a longer table is set to break across pages (longtable), a shorter one never does


def table_tex(table: Table) -> str:
    """A table of text cells, booktabs style (a rule under the head row if it has one): at its natural width
    when it fits, else full width with the columns of long cells wrapping (tabularx X), so no cell runs into
    the margin."""
    widths = [max(display_width(row[k]) for row in table.rows) for k in range(len(table.rows[0]))]
    wide = sum(widths) + 3 * len(widths) > TABLE_LINE
    spec = "".join(">{\\raggedright\\arraybackslash}X" if wide and w >= TABLE_WIDE_CELL else "l" for w in widths)
    if wide and "X" not in spec:
        spec = ">{\\raggedright\\arraybackslash}X" * len(widths)
    rows = [" & ".join(escape_prose(cjk_punctuation(cell)) for cell in row) + r" \\" for row in table.rows]
    head, body = (rows[0] + r"\midrule", rows[1:]) if table.head else (rows[0], rows[1:])
    if len(table.rows) > TABLE_PAGE_ROWS:  # may break across pages, its head row repeated on each
        env, width = ("xltabular", r"{\linewidth}") if wide else ("longtable", "")
        if table.head:
            head += r"\endfirsthead" + "\n" + r"\toprule " + head + r"\endhead"
        return "\n".join([rf"\begingroup\small\begin{{{env}}}{width}{{{spec}}}\toprule", head, *body,
                          rf"\bottomrule\end{{{env}}}\endgroup"])
    env, width = ("tabularx", r"{\linewidth}") if wide else ("tabular", "")
    return "\n".join([r"\begin{sbtable}", rf"\begin{{{env}}}{width}{{{spec}}}\toprule", head, *body,
                      rf"\bottomrule\end{{{env}}}", r"\end{sbtable}"])


def figure_tex(block: Figure, figures: Optional[TexFigures], warn: Callable[[Location, str], None]) -> str:
    """A figure: the image the book's images/ folder gives it (\\sbimage, scaled to fit), else the placeholder
    (\\sbfigure); the same caption either way."""
    caption = escape(cjk_punctuation(block.caption))
    if block.image is not None and figures is not None:
        name, problem = figures.file(block.image)
        if name:
            return rf"\sbimage{{{name}}}{{{caption}}}"
        warn(Location(block.image.path, 0), problem)
    return rf"\sbfigure{{{caption}}}"


@dataclass
class TexFigures:
    """What TeX includes for each image (by digest): a file under build/tex, or why the placeholder stays."""

    names: dict[str, str] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)

    def file(self, image: FigureImage) -> tuple[str, str]:
        """(the name TeX includes, or "", why not)."""
        return self.names.get(image.digest, ""), self.problems.get(image.digest, "")
