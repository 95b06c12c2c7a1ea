"""The typed book model: the only data that passes between pipeline stages."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator, Literal, Optional, Union

from .mathtex import Formula

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# What must never reach a terminal, a log or a TeX comment raw: control characters (ESC starts terminal
# sequences, a newline ends a TeX comment) and the invisible controls that reorder text (BiDi).
UNPRINTABLE_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(name: str) -> str:
    """A file name or other outside text as it may be shown: each control character as a `\\u202e` escape."""
    return UNPRINTABLE_RE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", name)


@dataclass(frozen=True)
class Location:
    """A place in an input dump, for messages a user can jump to (path as printable(), never raw)."""

    path: str
    line: int

    def __str__(self) -> str:
        # Line 0: a file that has no lines (an image), named alone.
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True, order=True)
class PostDate:
    """A publication date; the year is None when the dump did not give one."""

    year: Optional[int]
    month: int
    day: int

    @property
    def full(self) -> bool:
        return self.year is not None

    def iso(self) -> str:
        if self.year is None:
            return f"--{self.month:02d}-{self.day:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def chinese(self, unknown_year: str = "（年份不详）") -> str:
        """2015年1月6日, the one date style of the book; a date without a year says so (or `unknown_year`)."""
        core = f"{self.month}月{self.day}日"
        return f"{self.year}年{core}" if self.year is not None else f"{core}{unknown_year}"

    def sort_key(self) -> tuple:
        # Dated posts first in time order; posts without a year go last.
        return (0, self.year, self.month, self.day) if self.year else (1, 0, self.month, self.day)


# Inline pieces of a paragraph -------------------------------------------------

@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Math:
    """Inline math, parsed."""

    formula: Formula

    @property
    def source(self) -> str:
        return self.formula.source


@dataclass(frozen=True)
class Logo:
    """A TeX logo written as math in the dump (``$\\LaTeX$``)."""

    name: Literal["TeX", "LaTeX"]


@dataclass(frozen=True)
class Url:
    """A bare web address in prose: clickable and breakable."""

    url: str


Inline = Union[Text, Math, Logo, Url]


# Blocks ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Paragraph:
    inlines: tuple[Inline, ...]
    loc: Location
    kind: Literal["body", "statement"] = "body"


@dataclass(frozen=True)
class Heading:
    title: str
    loc: Location
    inlines: tuple[Inline, ...] = ()  # the title as text and parsed math


@dataclass(frozen=True)
class FigureImage:
    """A file of the book's images/ folder that fills a figure's placeholder (builder/figures.py)."""

    path: str  # relative to the book's folder: images/<post id>/<n>.<ext>
    kind: Literal["png", "jpeg", "pdf", "svg"]
    digest: str  # sha256 of its bytes: a new image changes the chapter's stamp


@dataclass(frozen=True)
class Figure:
    """A lost image, kept as a placeholder with its caption ("" when the caption was lost too), unless the
    book's images/ folder has a file for it (`image`)."""

    caption: str
    loc: Location
    image: Optional[FigureImage] = None


@dataclass(frozen=True)
class DisplayMath:
    """A display formula, parsed."""

    formula: Formula
    loc: Location

    @property
    def source(self) -> str:
        return self.formula.source


@dataclass(frozen=True)
class ListBlock:
    items: tuple[tuple[Inline, ...], ...]
    loc: Location
    style: Literal["dun", "paren"] = "dun"  # 1、 or (1)


@dataclass(frozen=True)
class CodeBlock:
    """Program lines, kept exactly: no math, no escaping rules of the prose, indentation intact."""

    lines: tuple[str, ...]
    language: str
    loc: Location


@dataclass(frozen=True)
class Table:
    """Rows of text cells the dump wrote with tabs, pipes or aligned spaces (a row with `$` is never one)."""

    rows: tuple[tuple[str, ...], ...]
    loc: Location
    head: bool = False  # the first row names the columns


Block = Union[Paragraph, Heading, Figure, DisplayMath, ListBlock, CodeBlock, Table]


@dataclass
class Post:
    """One blog post as read from the dumps (possibly merged from several)."""

    id: str
    title: Optional[str]
    date: Optional[PostDate]
    readers: Optional[int]
    author: Optional[str]
    blocks: list[Block]
    loc: Location
    sources: list[Location] = field(default_factory=list)
    truncated: bool = False  # listing excerpt that ends in 点击阅读全文
    title_inlines: tuple[Inline, ...] = ()  # the title as text and parsed math (set with the title)

    @property
    def display_title(self) -> str:
        return self.title if self.title else "（无标题）"

    def text_size(self) -> int:
        """How much text the post carries, used to keep the fullest copy."""
        size = 0
        for block in self.blocks:
            if isinstance(block, Paragraph):
                size += sum(len(getattr(i, "text", getattr(i, "source", ""))) for i in block.inlines)
            elif isinstance(block, DisplayMath):
                size += len(block.source)
            elif isinstance(block, (Heading, Figure)):
                size += len(getattr(block, "title", getattr(block, "caption", "")))
            elif isinstance(block, ListBlock):
                size += sum(len(getattr(i, "text", "")) for item in block.items for i in item)
            elif isinstance(block, CodeBlock):
                size += sum(len(line) for line in block.lines)
        return size


@dataclass
class Chapter:
    post: Post
    number: int  # chapter number in the book, from 1
    series_number: Optional[int]  # number in the series title, e.g. 十五 -> 15
    related: bool = False


@dataclass
class Series:
    key: str
    title: str
    chapters: list[Chapter]
    description: str = ""


# Warnings about a post that book.yaml can accept (posts.<id>.accept), by code.
WARNING_CODES = {"empty-body": "the post has no text (the listing page showed none)",
                 "untitled": "the post has no title (settled as well by posts.<id>.title)"}


@dataclass
class Diagnostic:
    """A warning or error tied to an input location."""

    loc: Optional[Location]
    message: str
    level: Literal["warning", "error"] = "warning"
    code: str = ""  # a warning a post may accept in book.yaml (posts.<id>.accept), shown in brackets

    def __str__(self) -> str:
        where = f"{self.loc}: " if self.loc else ""
        return f"{where}{self.level}: {self.message}" + (f" [{self.code}]" if self.code else "")


@dataclass
class Book:
    title: str
    author: str
    language: str
    parts: list[Series]
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def chapters(self) -> list[Chapter]:
        return [c for part in self.parts for c in part.chapters]


def post_formulas(post: Post) -> Iterator[tuple[str, Formula]]:
    """(unit key, formula) for every formula of a post in reading order: `t0…` in the title, `f0…` in the
    body. The renderer and the formula check both name formulas this way."""
    for n, formula in enumerate(p.formula for p in post.title_inlines if isinstance(p, Math)):
        yield f"t{n}", formula
    n = 0
    for block in post.blocks:
        for formula in block_formulas(block):
            yield f"f{n}", formula
            n += 1


def block_formulas(block) -> Iterator[Formula]:
    if isinstance(block, DisplayMath):
        yield block.formula
    elif isinstance(block, (Paragraph, Heading)):
        yield from (p.formula for p in block.inlines if isinstance(p, Math))
    elif isinstance(block, ListBlock):
        yield from (p.formula for item in block.items for p in item if isinstance(p, Math))
