"""Book model -> LaTeX: one chapter file per post and the assembly file, through jinja templates."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Optional

from pylatex import Command
from pylatex.base_classes import Options
from pylatex.utils import NoEscape

from builder.config.settings import Config
from builder.config.styles import style_dirs
from builder.mathtex import Formula
from builder.mathtex import latex as mlatex
from builder.mathtex.latex import label_name
from builder.model.book import Book, Chapter, Post, post_formulas
from builder.model.content import (
    Block,
    CodeBlock,
    DisplayMath,
    Figure,
    Heading,
    Inline,
    ListBlock,
    Location,
    Logo,
    Math,
    Paragraph,
    Table,
    Text,
    Url,
    content_key,
)
from builder.model.diagnostics import Diagnostic
from builder.render.latex.blocks import TexFigures, code_tex, figure_tex, table_tex
from builder.render.latex.templates import template_env
from builder.render.latex.texescape import (
    escape,
    escape_prose,
    escape_url,
    escape_verbatim,
    join_pieces,
    url_target,
)
from builder.render.presentation import contents_date, opening, plain_text, statement_parts, title_punctuation
from builder.series.index import TermMarker
from builder.series.links import LinkTable
from builder.text.typography import cjk_latin_boundary, cjk_punctuation

# Marker comments in chapter files: `%@f3` ends the line of the post's formula 3 (a display's first line;
# `%@/f3` its last), `%@b5` starts block 5, `%@t` ends the title's line. A TeX error's line leads back to
# what caused it (builder/build/diagnosis.py), even in chapter files this build did not rewrite.
MARK = "%@"


@dataclass
class RenderReport:
    """What rendering had to degrade, with locations."""

    warnings: list[Diagnostic] = field(default_factory=list)
    by_post: dict[str, list[Diagnostic]] = field(default_factory=dict)  # each chapter's own


# Where a title over two lines should break (\sbtitlebreak): after `：` `，` `？` `！` inside it, before a dash
# or a bracketed part of four characters or more (not before a part number such as （一）).
TITLE_BREAK_RE = re.compile(r"(?<=[：，？！])(?!$)|(?<=.)(?=——|（[^）]{4,}）)")


def title_breaks(tex: str) -> str:
    return TITLE_BREAK_RE.sub(r"\\sbtitlebreak{}", tex)


class ChapterRenderer:
    """Renders one chapter; prose goes through the escaper, formulas through the math module. What TeX
    rejected before (`rejected`: digest -> TeX's error) is shown as source, or set plainly (a block)."""

    def __init__(self, chapter: Chapter, part_title: str, marker: TermMarker, report: RenderReport,
                 links: Optional[LinkTable] = None, rejected: Optional[dict[str, str]] = None,
                 figures: Optional[TexFigures] = None):
        self.links, self.figures = links, figures
        self.chapter = chapter
        self.post = chapter.post
        self.part_title = part_title
        self.marker = marker
        self.report = report
        self.prefix = self.post.id
        self.rejected = rejected or {}
        # Digests of blocks and titles cost time: looked up only when TeX has rejected one.
        self.blocks_rejected = any(not k.startswith("f:") for k in self.rejected)
        formulas = list(post_formulas(self.post))
        self.keys = {id(f): key for key, f in formulas}
        self.labels = {label for _, f in formulas if f.ok for label in f.labels}
        self.plain = False  # a block TeX rejected: its formulas as source, no index entries or links

    def warn(self, loc: Location, message: str) -> None:
        self.report.warnings.append(Diagnostic(loc, message))

    # formulas ----------------------------------------------------------------
    def _source(self, formula: Formula, loc: Location, reason: Optional[str]) -> str:
        if reason:
            self.warn(loc, f"{reason}; shown as source")
        if formula.display:
            return r"\sbmathsourcedisplay{" + escape_verbatim(formula.source) + "}"
        return r"\sbmathsource{" + escape_verbatim("$" + formula.source + "$") + "}"

    def _checked(self, formula: Formula, loc: Location, tex: str) -> Optional[str]:
        """Why this formula must be shown as source, or None; its notes are recorded."""
        if not formula.ok:
            return formula.problem
        error = self.rejected.get(formula_digest(tex))
        if error:
            return f"TeX rejected the formula ({error})"
        for note in formula.notes:
            self.warn(loc, note)
        for kind, label in formula.refs():
            if label not in self.labels:
                self.warn(loc, f"\\{kind}{{{label}}}: no formula in this post has that label; printed as ??")
        return None

    def math(self, formula: Formula, loc: Location, space_follows: bool = False) -> str:
        if formula.empty:  # `$\require{AMScd}$`, macro definitions, \setCounter: nothing to print
            return mlatex.counter(formula)
        tex = inline_tex(self.post, formula) if formula.ok else ""
        reason = self._checked(formula, loc, tex)
        if reason or self.plain:
            return self._source(formula, loc, reason)
        # On a line of its own with its marker; the `%` ends keep TeX from seeing the line breaks, and `{}`
        # keeps a space after the formula that TeX would skip at the start of the next line.
        return (f"{mlatex.counter(formula)}%\n{tex}{MARK}{self.keys.get(id(formula), '')}\n"
                + ("{}" if space_follows else ""))

    def display(self, block: DisplayMath) -> str:
        formula = block.formula
        key = self.keys.get(id(formula), "")
        tex = display_tex(self.post, block) if formula.ok else ""
        reason = self._checked(formula, block.loc, tex)
        if reason or self.plain:
            return self._source(formula, block.loc, reason)
        first, _, rest = tex.partition("\n")
        marked = f"{first}{MARK}{key}\n{rest}{MARK}/{key}" if rest else f"{tex}{MARK}{key}"
        return mlatex.counter(formula) + marked

    # inline ------------------------------------------------------------------
    def inlines(self, inlines: tuple[Inline, ...], loc: Location, seen: Optional[set[str]] = None,
                index: bool = True) -> str:
        """Inline pieces on lines for TeX; `seen`: the terms indexed so far (None in a title: no entries)."""
        out: list[str] = []
        index = index and not self.plain
        for k, piece in enumerate(inlines):
            following = inlines[k + 1] if k + 1 < len(inlines) else None
            out += getattr(self, f"inline_{piece.KIND}")(piece, following, loc, seen, index)
        return join_pieces(out)

    def inline_text(self, piece: Text, following: Optional[Inline], loc: Location, seen: Optional[set[str]],
                    index: bool) -> list[str]:
        out = []
        prose = cjk_punctuation(piece.text)
        segments = self.links.split(prose, self.post.id) if self.links and index else [(prose, None)]
        for segment, cited in segments:
            if cited is not None:  # a title in 《》 that is a chapter of this book: a link
                out.append(rf"\sbcite{{{label_name(cited.post.id, 'chapter')}}}{{{escape(segment)}}}")
            elif not index or seen is None:  # titles (seen is None) go to the contents: no breaks
                out.append(escape_prose(segment) if seen is not None else escape(segment))
            else:
                marked = self.marker.split(segment, seen)
                for j, (text, term) in enumerate(marked):
                    out.append(escape_prose(text))
                    if term is not None:
                        out.append(r"\index{" + term.entry(escape(term.text)) + "}")
                        after = next((t[0] for t, _ in marked[j + 1:] if t), "")
                        if not after and isinstance(following, Math):
                            after = "math"
                        if cjk_latin_boundary(term.text[-1], after):  # `ODE\index{…}篇` keeps its space
                            out.append(r"\CJKecglue ")
        return out

    def inline_math(self, piece: Math, following: Optional[Inline], loc: Location, seen: Optional[set[str]],
                    index: bool) -> list[str]:
        space_follows = isinstance(following, Text) and following.text[:1].isspace()
        return [self.math(piece.formula, loc, space_follows)]

    def inline_logo(self, piece: Logo, *_) -> list[str]:
        return ["\\" + piece.name + "{}"]

    def inline_url(self, piece: Url, *_) -> list[str]:
        return [rf"\href{{{url_target(piece.url)}}}{{\sburl{{{escape_url(piece.url)}}}}}"]

    def title_tex(self, inlines: tuple[Inline, ...], loc: Location) -> tuple[str, str]:
        """(typeset title, plain-text bookmark) for a title that may contain math; one line, no markers."""
        inlines = title_punctuation(inlines)
        pieces = []
        for piece in inlines:
            if isinstance(piece, Math):
                formula = piece.formula
                tex = inline_tex(self.post, formula) if formula.ok else ""
                reason = self._checked(formula, loc, tex)
                pieces.append("" if formula.empty else self._source(formula, loc, reason) if reason or self.plain
                              else tex)
            elif isinstance(piece, Text):
                pieces.append(title_breaks(self.inlines((piece,), loc, index=False)))
            else:
                pieces.append(self.inlines((piece,), loc, index=False))
        return "".join(pieces), escape(plain_text(inlines))

    # blocks ------------------------------------------------------------------
    def rejected_unit(self, kind: str, content) -> Optional[str]:
        """TeX's error on a block ('b') or a title ('t') it rejected before, or None."""
        return self.rejected.get(unit_digest(kind, content)) if self.blocks_rejected else None

    def block(self, block, seen: set[str]) -> str:
        """A block; one TeX rejected before is set plainly (formulas as source, no index, no links)."""
        error = self.rejected_unit("b", block)
        if not error:
            return self._block(block, seen)
        self.warn(block.loc, f"TeX rejected this {type(block).__name__.lower()} ({error}); set plainly")
        self.plain = True
        try:
            return self._block(block, set())
        finally:
            self.plain = False

    def _block(self, block: Block, seen: set[str]) -> str:
        return getattr(self, f"block_{block.KIND}")(block, seen)

    def block_paragraph(self, block: Paragraph, seen: set[str]) -> str:
        statement = statement_parts(block)
        if statement:
            name, body = statement
            return Command("sbstatement", arguments=[NoEscape(escape(name)),
                           NoEscape(self.inlines(body, block.loc, seen))]).dumps()
        return self.inlines(block.inlines, block.loc, seen)

    def block_heading(self, block: Heading, seen: set[str]) -> str:
        return Command("section", arguments=NoEscape(self.section_title(block))).dumps()

    def block_figure(self, block: Figure, seen: set[str]) -> str:
        return figure_tex(block, self.figures, self.warn)

    def block_display(self, block: DisplayMath, seen: set[str]) -> str:
        return self.display(block)

    def block_code(self, block: CodeBlock, seen: set[str]) -> str:
        return code_tex(block)

    def block_table(self, block: Table, seen: set[str]) -> str:
        return table_tex(block)

    def block_list(self, block: ListBlock, seen: set[str]) -> str:
        items = "\n".join(r"  \item " + self.inlines(item, block.loc, seen) for item in block.items)
        label = "(\\arabic*)" if block.style == "paren" else "\\arabic*、"
        return f"\\begin{{enumerate}}[label={label},leftmargin=2em]\n" + items + "\n\\end{enumerate}"

    def section_title(self, block: Heading) -> str:
        """A section's title for \\section and the contents: typeset, and plain for the bookmark."""
        tex, plain = self.title_tex(block.inlines, block.loc)
        return rf"\texorpdfstring{{{tex}}}{{{plain}}}"

    # chapter -----------------------------------------------------------------
    def title(self) -> tuple[str, str]:
        """The post's title (typeset, plain for the bookmark); one TeX rejected before is set plainly."""
        post = self.post
        error = self.rejected_unit("t", post.title_inlines)
        if error:
            self.warn(post.loc, f"TeX rejected the title ({error}); set plainly")
        self.plain = bool(error)
        try:
            return self.title_tex(post.title_inlines, post.loc)
        finally:
            self.plain = False

    def heading(self) -> str:
        tex, plain = self.title()
        return Command("chapter", arguments=NoEscape(tex),
                       options=Options(NoEscape(rf"\texorpdfstring{{{tex}}}{{{plain}}}"))).dumps() + f"{MARK}t"

    def toc_entries(self) -> list[tuple[str, str]]:
        """('chapter'|'section', contents title) as the chapter file gives them to TeX."""
        entries = [("chapter", self.title()[0])]
        for block in self.post.blocks:
            if isinstance(block, Heading):
                self.plain = bool(self.rejected_unit("b", block))
                entries.append(("section", self.section_title(block)))
                self.plain = False
        return entries

    def context(self) -> dict:
        post = self.post
        heading = self.heading()
        said = opening(self.chapter, self.part_title)
        seen: set[str] = set()
        body = []
        for i, b in enumerate(post.blocks):
            # A formula belongs to the paragraph around it: no blank line, so no new indented paragraph.
            glue = "\n" if isinstance(b, DisplayMath) or (i and isinstance(post.blocks[i - 1], DisplayMath)
                                                          and isinstance(b, Paragraph)) else "\n\n"
            body.append((glue if i else "") + f"{MARK}b{i}\n" + self.block(b, seen))
        return {
            # File names only: a line moving in the dump must not rewrite this chapter.
            "sources": ", ".join(dict.fromkeys(s.path for s in post.sources)),
            "heading": heading,
            "anchor": label_name(post.id, "chapter"),
            "series_line": escape(said.series_line),
            "date": escape(said.date),
            "readers": escape(said.readers),
            "body": "".join(body),
            "note": escape(said.closing_note),
        }


def formula_digest(tex: str) -> str:
    """What TeX's verdict on a formula is remembered by: its LaTeX (builder/build/diagnosis.py)."""
    return "f:" + hashlib.sha256(tex.encode("utf-8")).hexdigest()[:24]


def unit_digest(kind: str, content) -> str:
    """What TeX's verdict on a block ('b') or a title ('t') is remembered by: its content."""
    return kind + ":" + hashlib.sha256(content_key(content).encode("utf-8")).hexdigest()[:24]


def inline_tex(post: Post, formula: Formula) -> str:
    """An inline formula's LaTeX, exactly as the chapter gives it to TeX."""
    return mlatex.inline(formula, post.id)


def display_tex(post: Post, block: DisplayMath) -> str:
    """A display formula's LaTeX, exactly as the chapter gives it to TeX (its index names it in \\sbfit)."""
    return mlatex.display(block.formula, post.id, f"{post.id}:{post.blocks.index(block)}")


def render_chapters(book: Book, cfg: Config, marker: TermMarker, report: RenderReport,
                    rejected: Optional[dict[str, str]] = None, only: Optional[set[str]] = None,
                    figures: Optional[TexFigures] = None) -> dict[str, str]:
    """post id -> chapter .tex text, for every chapter of the book (or the ids in `only`)."""
    env = template_env(style_dirs(cfg))
    template = env.get_template("chapter.tex.jinja")
    links = LinkTable(book)
    out = {}
    for part in book.parts:
        for chapter in part.chapters:
            if only is not None and chapter.post.id not in only:
                continue
            renderer = ChapterRenderer(chapter, part.title, marker, report, links, rejected, figures)
            said = len(report.warnings)
            out[chapter.post.id] = template.render(**renderer.context())
            report.by_post[chapter.post.id] = report.warnings[said:]
    return out


def overview_row(chapter: Chapter, part_title: str, rejected: Optional[dict[str, str]] = None) -> dict:
    """One line of a part's opening overview: chapter label, title, date."""
    tex, _ = ChapterRenderer(chapter, part_title, TermMarker([]), RenderReport(), rejected=rejected).title()
    return {"label": label_name(chapter.post.id, "chapter"), "title": tex, "date": escape(contents_date(chapter.post))}


def toc_titles(book: Book, rejected: Optional[dict[str, str]] = None) -> dict[str, list[tuple[str, str]]]:
    """post id -> its contents entries, as the chapter files set them (for the seeded contents)."""
    out = {}
    for part in book.parts:
        for chapter in part.chapters:
            out[chapter.post.id] = ChapterRenderer(chapter, part.title, TermMarker([]), RenderReport(),
                                                   rejected=rejected).toc_entries()
    return out
