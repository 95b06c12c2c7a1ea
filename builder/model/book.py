"""Posts, chapters, parts and the book."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Optional

from builder.mathtex import Formula
from builder.model.content import (
    Block,
    CodeBlock,
    DisplayMath,
    Figure,
    Heading,
    Inline,
    ListBlock,
    Location,
    Math,
    Paragraph,
    PostDate,
)
from builder.model.diagnostics import Diagnostic


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
