"""Book model -> EPUB 3 through pandoc: the AST is built in Python (no Markdown escaping to get wrong)."""
from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Optional

from builder.config.settings import Config
from builder.mathtex import EQREF, Formula
from builder.mathtex.numbering import Line, Numbering
from builder.model.book import Book, Chapter
from builder.model.content import (
    CodeBlock,
    DisplayMath,
    Figure,
    FigureImage,
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
)
from builder.model.diagnostics import Diagnostic
from builder.render.presentation import (
    block_numbers,
    book_source,
    contents_date,
    opening,
    statement_parts,
    title_punctuation,
)
from builder.series.links import LinkTable
from builder.text.numerals import zh_numeral
from builder.text.typography import CJK, cjk_punctuation

# Pandoc's JSON AST rather than Markdown: text, titles and TeX reach pandoc as data, so no `*`, `$`, `<` or
# `[` in a post can turn into markup, and formulas arrive exactly as the model holds them.
API_VERSION = [1, 23, 1, 1]


# XeLaTeX (xeCJK) drops a space between two Chinese characters; so does the EPUB.
CJK_SPACE_RE = re.compile(rf"(?<=[{CJK}])[ \t\n]+(?=[{CJK}])")

SEP = "\u3000"  # between 第一章 and the title: an ideographic space, not a Latin one


def _attr(ident: str = "", classes: tuple[str, ...] = ()) -> list:
    return [ident, list(classes), []]


def _words(text: str) -> list:
    """Str/Space inlines; a space between Latin words stays, one between Chinese characters goes."""
    out: list = []
    for i, part in enumerate(re.split(r"[ \t\n]+", CJK_SPACE_RE.sub("", text))):
        if i:
            out.append({"t": "Space"})
        if part:
            out.append({"t": "Str", "c": part})
    return out


def _str(text: str) -> dict:
    return {"t": "Str", "c": text}


def _span(classes: tuple[str, ...], inlines: list, ident: str = "") -> dict:
    return {"t": "Span", "c": [_attr(ident, classes), inlines]}


def _link(classes: tuple[str, ...], inlines: list, url: str) -> dict:
    return {"t": "Link", "c": [_attr(classes=classes), inlines, [url, ""]]}


def _para(inlines: list) -> dict:
    return {"t": "Para", "c": inlines}


def _table(table: Table) -> dict:
    """A pandoc Table of plain-text cells, with its head row if it has one (as the PDF sets it)."""
    def row(cells) -> list:
        return [_attr(), [[_attr(), {"t": "AlignDefault"}, 1, 1, [{"t": "Plain", "c": _words(cjk_punctuation(c))}]]
                          for c in cells]]
    columns = [[{"t": "AlignDefault"}, {"t": "ColWidthDefault"}] for _ in table.rows[0]]
    return {"t": "Table", "c": [_attr(classes=("sbtable",)), [None, []], columns,
                                [_attr(), [row(r) for r in table.rows[:table.head]]],
                                [[_attr(), 0, [], [row(r) for r in table.rows[table.head:]]]],
                                [_attr(), []]]}


def _div(classes: tuple[str, ...], blocks: list, ident: str = "") -> dict:
    return {"t": "Div", "c": [_attr(ident, classes), blocks]}


@dataclass
class EpubRender:
    """State while turning one book into a pandoc document."""

    book: Book
    edition: ClassVar[str] = ""  # "" for MathML; the image edition's name
    warnings: list[Diagnostic] = field(default_factory=list)
    formulas: dict[str, Location] = field(default_factory=dict)  # TeX given to pandoc (spaces collapsed) -> place
    emitted: list[str] = field(default_factory=list)  # every formula given to pandoc, in order
    as_source: int = 0  # formulas the whitelist refused, printed as code
    # A figure's image as the EPUB takes it: (a data: URI, or "" and why not); without it, placeholders.
    figure_uri: Optional[Callable[[FigureImage], tuple[str, str]]] = None

    def __post_init__(self) -> None:
        self.links = LinkTable(self.book)
        self.numbers = Numbering.count(
            (c.number, c.post.id, [f for b in c.post.blocks for f in b.formulas()]) for c in self.book.chapters())
        self.warnings.extend(Diagnostic(loc if isinstance(loc, Location) else None, message)
                             for loc, message in self.numbers.warnings)

    def check_refs(self, formula: Formula, post_id: str, loc: Location) -> None:
        for kind, label in formula.refs():
            if self.numbers.target(post_id, label) is None:
                self.warnings.append(Diagnostic(loc, f"\\{kind}{{{label}}}: no numbered formula in this post has "
                                           "that label; printed as (??)"))

    def formula(self, tex: str, display: bool, loc: Location) -> dict:
        self.formulas[" ".join(tex.split())] = loc  # pandoc echoes it with its own line breaks
        self.emitted.append(tex)
        return {"t": "Math", "c": [{"t": "DisplayMath" if display else "InlineMath"}, tex]}

    def refused(self, formula: Formula, loc: Location) -> dict:
        """A formula that cannot be typeset: shown as its source, in monospace, as the PDF does."""
        self.warnings.append(Diagnostic(loc, f"{formula.problem}; shown as source"))
        self.as_source += 1
        fence = "$$" if formula.display else "$"
        return {"t": "Code", "c": [_attr(classes=("math-source",)), fence + formula.source + fence]}

    def math(self, formula: Formula, post_id: str, loc: Location) -> dict:
        if not formula.ok:
            return self.refused(formula, loc)
        if formula.empty:
            return _str("")  # `$\require{AMScd}$`, macro definitions: nothing to print
        self.check_refs(formula, post_id, loc)
        sole = formula.sole_ref
        target = self.numbers.target(post_id, sole[1]) if sole else None
        if target and target.ref is not None and sole:  # `$\eqref{eq:x}$` in prose: a real link to the equation
            text = f"({target.ref})" if sole[0] == EQREF else target.ref
            return _link(("eqref",), [_str(text)], f"#{target.anchor}")
        return self.inline_formula(formula, post_id, loc)

    def inline_formula(self, formula: Formula, post_id: str, loc: Location) -> dict:
        """An inline formula that prints something: MathML (pandoc converts the TeX)."""
        return self.formula(self.numbers.inline_tex(formula, post_id), False, loc)

    def display_formula(self, formula: Formula, post_id: str, loc: Location) -> tuple[dict, list[Line], str]:
        """(the display's formula, its numbered lines, the number to set beside it)."""
        tex, lines, beside = self.numbers.display_tex(formula, post_id)
        return self.formula(tex, True, loc), lines, beside

    def inlines(self, pieces: Sequence[Inline], post_id: str, loc: Location, links: bool = True) -> list:
        out: list = []
        for piece in pieces:
            out += getattr(self, f"inline_{piece.KIND}")(piece, post_id, loc, links)
        return out

    def inline_text(self, piece: Text, post_id: str, loc: Location, links: bool) -> list:
        out: list = []
        prose = cjk_punctuation(piece.text)
        for segment, cited in (self.links.split(prose, post_id) if links else [(prose, None)]):
            if cited is None:
                out.extend(_words(segment))
            else:  # a title in 《》 that is a chapter of this book: a link, and its number
                out.append(_link(("post-link",), _words(segment), f"#chapter-{cited.number}"))
                out.append(_str("》"))
                out.append(_span(("post-number",), [_str(f"（第{zh_numeral(cited.number)}章）")]))
        return out

    def inline_logo(self, piece: Logo, *_) -> list:
        return [_str(piece.name)]

    def inline_url(self, piece: Url, *_) -> list:
        return [_link(("url",), [_str(piece.url)], piece.url)]

    def inline_math(self, piece: Math, post_id: str, loc: Location, links: bool) -> list:
        return [self.math(piece.formula, post_id, loc)]

    def title(self, pieces, post_id: str, loc: Location) -> list:
        """A title may hold inline math, as in the PDF; no links inside headings."""
        return self.inlines(title_punctuation(pieces), post_id, loc, links=False)

    def display(self, block: DisplayMath, post_id: str) -> dict:
        formula = block.formula
        if not formula.ok:  # no number either: the PDF gives none to a formula shown as source
            return _div(("equation",), [_para([self.refused(formula, block.loc)])])
        self.check_refs(formula, post_id, block.loc)
        node, lines, beside = self.display_formula(formula, post_id, block.loc)
        anchors = [line.anchor for line in lines if line.anchor]
        # Lines of align/gather have their numbers in the formula; their anchors go on the block.
        inlines = [_span(("eq-anchor",), [], a) for a in anchors[1:]]
        if beside:  # one number, as text, before the formula: a reader without grid layout floats it right,
            inlines.append(_span(("eqno",), [_str(beside)]))  # level with the formula, not the next paragraph
        inlines.append(node)
        classes = ("equation", "numbered-lines") if not beside and any(line.shown for line in lines) else ("equation",)
        return _div(classes, [_para(inlines)], anchors[0] if anchors else "")

    # blocks: one method per kind, given the block, its post's id and the number the book gives it
    def block_paragraph(self, block: Paragraph, post_id: str, number: str) -> dict:
        statement = statement_parts(block)
        if not statement:
            return _para(self.inlines(block.inlines, post_id, block.loc))
        name, rest = statement  # 通俗版JL引理：… -> the name in bold, as the PDF's statement box has it
        body = self.inlines(rest, post_id, block.loc)
        return _div(("statement",), [_para([{"t": "Strong", "c": _words(name + "：")}] + body)])

    def block_heading(self, block: Heading, post_id: str, number: str) -> dict:
        title = [_str(number), {"t": "Space"}, *self.title(block.inlines, post_id, block.loc)]
        return {"t": "Header", "c": [3, _attr(f"section-{number.replace('.', '-')}"), title]}

    def block_figure(self, block: Figure, post_id: str, number: str) -> dict:
        return self.figure(block, f"图 {number}")

    def block_display(self, block: DisplayMath, post_id: str, number: str) -> dict:
        return self.display(block, post_id)

    def block_list(self, block: ListBlock, post_id: str, number: str) -> dict:
        items = [[{"t": "Plain", "c": self.inlines(item, post_id, block.loc)}] for item in block.items]
        delim = {"t": "TwoParens"} if block.style == "paren" else {"t": "Period"}
        return {"t": "OrderedList", "c": [[1, {"t": "Decimal"}, delim], items]}

    def block_table(self, block: Table, post_id: str, number: str) -> dict:
        return _table(block)

    def block_code(self, block: CodeBlock, post_id: str, number: str) -> dict:
        classes = (block.language,) if block.language else ()
        return {"t": "CodeBlock", "c": [_attr(classes=classes), "\n".join(block.lines)]}

    def chapter(self, chapter: Chapter, part_title: str) -> list:
        post = chapter.post
        pid = post.id
        heading = [_str(f"第{zh_numeral(chapter.number)}章{SEP}")] + self.title(post.title_inlines, pid, post.loc)
        blocks: list = [{"t": "Header", "c": [2, _attr(f"chapter-{chapter.number}"), heading]}]
        said = opening(chapter, part_title)
        meta = [said.series_line] if said.series_line else []
        meta += [f"发表于 {said.date}"] if said.date else []
        meta += [f"{said.readers} 位读者"] if said.readers else []
        if meta:
            blocks.append(_div(("post-meta",), [_para(_words(SEP.join(meta)))]))
        numbers = block_numbers(chapter)
        for i, block in enumerate(post.blocks):
            blocks.append(getattr(self, f"block_{block.KIND}")(block, pid, numbers.get(i, "")))
        if said.closing_note:
            blocks.append(_div(("excerpt-note",), [_para(_words(f"（{said.closing_note}）"))]))
        return blocks

    def figure(self, block: Figure, label: str) -> dict:
        """The image the book's images/ folder gives the figure (<figure>, its caption as <figcaption>, the
        caption as alt text), else the placeholder. A figure without a caption is numbered alone, as in the PDF."""
        caption = _words(f"{label}{SEP}{cjk_punctuation(block.caption)}" if block.caption else label)
        uri, problem = self.figure_uri(block.image) if block.image and self.figure_uri else ("", "")
        if problem and block.image:
            self.warnings.append(Diagnostic(Location(block.image.path, 0),
                                            f"{problem}; the EPUB keeps the placeholder"))
        if not uri:
            return _div(("figure-placeholder",),
                        [_para([_str("（原文此处为图片）")]), _div(("caption",), [_para(caption)])])
        image = {"t": "Image", "c": [_attr(), [_str(cjk_punctuation(block.caption) or label)], [uri, ""]]}
        return {"t": "Figure", "c": [_attr(classes=("figure-image",)), [None, [{"t": "Plain", "c": caption}]],
                                     [{"t": "Plain", "c": [image]}]]}

    def part_contents(self, chapters: Sequence[Chapter]) -> dict:
        """The part page's list of its chapters, as the PDF's part overview: label, linked title, date."""
        items = []
        for chapter in chapters:
            post = chapter.post
            said = len(self.warnings)
            title = self.title(post.title_inlines, post.id, post.loc)
            del self.warnings[said:]  # a title's problems are reported once, by its chapter's heading
            date = contents_date(post)
            # Every item has all three cells (the stylesheet sets them as a grid's columns); spaces between them
            # for readers without grid layout.
            items.append([{"t": "Plain", "c": [
                _span(("label",), [_str(f"第{zh_numeral(chapter.number)}章")]), {"t": "Space"},
                _link(("title",), title, f"#chapter-{chapter.number}"), {"t": "Space"},
                _span(("date",), [_str(date)] if date else [])]}])
        return _div(("part-contents",), [{"t": "BulletList", "c": items}])

    def document(self, cfg: Config) -> dict:
        blocks: list = []
        for number, part in enumerate(self.book.parts, 1):
            blocks.append({"t": "Header", "c": [1, _attr(f"part-{number}"),
                                                 _words(f"第{zh_numeral(number)}部分{SEP}{part.title}")]})
            if part.description:
                blocks.append(_div(("part-description",), [_para(_words(cjk_punctuation(part.description)))]))
            blocks.append(self.part_contents(part.chapters))
            for chapter in part.chapters:
                blocks.extend(self.chapter(chapter, part.title))

        def meta_str(text: str) -> dict:
            return {"t": "MetaInlines", "c": _words(text)}
        meta = {"title": meta_str(cfg.title), "lang": meta_str(cfg.language),
                "identifier": meta_str(book_identifier(cfg, self.edition)), "toc-title": meta_str("目录")}
        if cfg.author:
            meta["author"] = {"t": "MetaList", "c": [meta_str(cfg.author)]}
        if cfg.blog.name or cfg.blog.url:
            source = f"{book_source(self.book).taken_from}博客《{cfg.blog.name}》 {cfg.blog.url}"
            meta["rights"] = meta_str(source.replace("《》 ", "").strip())
        if cfg.date:
            meta["date"] = meta_str(cfg.date)
        return {"pandoc-api-version": API_VERSION, "meta": meta, "blocks": blocks}


def book_identifier(cfg: Config, edition: str = "") -> str:
    """`identifier` from book.yaml, else a name-based UUID of the book's title, author and blog. Another
    edition (formulas as images) is another file in a reader's library: its own UUID, derived from that."""
    if cfg.identifier and not edition:
        return cfg.identifier
    base = cfg.identifier or "\n".join([cfg.title, cfg.author, cfg.blog.url])
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, base + (f"\n{edition}" if edition else "")))
