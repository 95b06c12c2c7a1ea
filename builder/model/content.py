"""What posts are made of: places, dates, inline pieces and blocks."""
from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar, Literal, Optional, Union

from builder.mathtex import Formula

# The kinds of image file a figure takes, as FigureImage.kind names them.
ImageKind = Literal["png", "jpeg", "pdf", "svg"]

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


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


# Inline pieces say their kind too (KIND: renderers have a method per kind).

@dataclass(frozen=True)
class Text:
    text: str
    KIND: ClassVar[str] = "text"


@dataclass(frozen=True)
class Math:
    """Inline math, parsed."""

    formula: Formula
    KIND: ClassVar[str] = "math"

    @property
    def source(self) -> str:
        return self.formula.source


@dataclass(frozen=True)
class Logo:
    """A TeX logo written as math in the dump (``$\\LaTeX$``)."""

    name: Literal["TeX", "LaTeX"]
    KIND: ClassVar[str] = "logo"


@dataclass(frozen=True)
class Url:
    """A bare web address in prose: clickable and breakable."""

    url: str
    KIND: ClassVar[str] = "url"


Inline = Union[Text, Math, Logo, Url]


def _inline_formulas(inlines: tuple[Inline, ...]) -> Iterator[Formula]:
    return (p.formula for p in inlines if isinstance(p, Math))


# Every block says what kind it is (KIND: renderers have a method per kind), how much text it carries (the fuller
# of two copies of a post is kept) and which formulas it holds, in reading order.

@dataclass(frozen=True)
class Paragraph:
    inlines: tuple[Inline, ...]
    loc: Location
    kind: Literal["body", "statement"] = "body"
    KIND: ClassVar[str] = "paragraph"

    def text_size(self) -> int:
        return sum(len(i.text) if isinstance(i, Text) else len(i.source) if isinstance(i, Math) else 0
                   for i in self.inlines)

    def formulas(self) -> Iterator[Formula]:
        return _inline_formulas(self.inlines)


@dataclass(frozen=True)
class Heading:
    title: str
    loc: Location
    inlines: tuple[Inline, ...] = ()  # the title as text and parsed math
    KIND: ClassVar[str] = "heading"

    def text_size(self) -> int:
        return len(self.title)

    def formulas(self) -> Iterator[Formula]:
        return _inline_formulas(self.inlines)


@dataclass(frozen=True)
class FigureImage:
    """A file of the book's images/ folder that fills a figure's placeholder (builder/series/figures.py)."""

    path: str  # relative to the book's folder: images/<post id>/<n>.<ext>
    kind: ImageKind
    digest: str  # sha256 of its bytes: a new image changes the chapter's stamp


@dataclass(frozen=True)
class Figure:
    """A lost image, kept as a placeholder with its caption ("" when the caption was lost too), unless the
    book's images/ folder has a file for it (`image`)."""

    caption: str
    loc: Location
    image: Optional[FigureImage] = None
    KIND: ClassVar[str] = "figure"

    def text_size(self) -> int:
        return len(self.caption)

    def formulas(self) -> Iterator[Formula]:
        return iter(())


@dataclass(frozen=True)
class DisplayMath:
    """A display formula, parsed."""

    formula: Formula
    loc: Location
    KIND: ClassVar[str] = "display"

    @property
    def source(self) -> str:
        return self.formula.source

    def text_size(self) -> int:
        return len(self.source)

    def formulas(self) -> Iterator[Formula]:
        return iter((self.formula,))


@dataclass(frozen=True)
class ListBlock:
    items: tuple[tuple[Inline, ...], ...]
    loc: Location
    style: Literal["dun", "paren"] = "dun"  # 1、 or (1)
    KIND: ClassVar[str] = "list"

    def text_size(self) -> int:
        return sum(len(i.text) for item in self.items for i in item if isinstance(i, Text))

    def formulas(self) -> Iterator[Formula]:
        return (f for item in self.items for f in _inline_formulas(item))


@dataclass(frozen=True)
class CodeBlock:
    """Program lines, kept exactly: no math, no escaping rules of the prose, indentation intact."""

    lines: tuple[str, ...]
    language: str
    loc: Location
    KIND: ClassVar[str] = "code"

    def text_size(self) -> int:
        return sum(len(line) for line in self.lines)

    def formulas(self) -> Iterator[Formula]:
        return iter(())


@dataclass(frozen=True)
class Table:
    """Rows of text cells the dump wrote with tabs, pipes or aligned spaces (a row with `$` is never one)."""

    rows: tuple[tuple[str, ...], ...]
    loc: Location
    head: bool = False  # the first row names the columns
    KIND: ClassVar[str] = "table"

    def text_size(self) -> int:
        return 0  # (a table's cells never made one copy of a post fuller than another)

    def formulas(self) -> Iterator[Formula]:
        return iter(())


Block = Union[Paragraph, Heading, Figure, DisplayMath, ListBlock, CodeBlock, Table]


def content_key(obj) -> str:
    """A dataclass's content without its source locations (a line moving in a dump changes nothing) and
    without what is derived from the rest (a formula's parse follows from its source and the tool)."""
    def strip(value):
        if dataclasses.is_dataclass(value):
            return [type(value).__name__] + [strip(getattr(value, f.name)) for f in dataclasses.fields(value)
                                             if f.name not in ("loc", "sources") and f.metadata.get("stamp", True)]
        if isinstance(value, (list, tuple)):
            return [strip(v) for v in value]
        return value
    return repr(strip(obj))
