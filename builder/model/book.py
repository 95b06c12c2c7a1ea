"""Posts, chapters, parts and the book."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Optional

from builder.mathtex import Formula
from builder.model.content import (
    Block,
    Inline,
    Location,
    Math,
    PostDate,
)
from builder.model.diagnostics import Diagnostic


@dataclass(frozen=True)
class Post:
    """One blog post as read from the dumps (possibly merged from several)."""

    id: str
    title: Optional[str]
    date: Optional[PostDate]
    readers: Optional[int]
    author: Optional[str]
    blocks: tuple[Block, ...]
    loc: Location
    sources: tuple[Location, ...] = ()
    truncated: bool = False  # listing excerpt that ends in 点击阅读全文
    title_inlines: tuple[Inline, ...] = ()  # the title as text and parsed math (set with the title)
    url: str = ""  # the post's page on the blog, when its page was read
    archive_id: str = ""  # the N of the blog's /archives/N, when known
    whole: bool = False  # read from the post's whole page, not a listing's excerpt

    @property
    def display_title(self) -> str:
        return self.title if self.title else "（无标题）"

    def text_size(self) -> int:
        """How much text the post carries, used to keep the fullest copy."""
        return sum(block.text_size() for block in self.blocks)


@dataclass(frozen=True)
class Chapter:
    post: Post
    number: int  # chapter number in the book, from 1
    series_number: Optional[int]  # number in the series title, e.g. 十五 -> 15
    related: bool = False


@dataclass(frozen=True)
class Series:
    key: str
    title: str
    chapters: tuple[Chapter, ...]
    description: str = ""


@dataclass(frozen=True)
class Book:
    title: str
    author: str
    language: str
    parts: tuple[Series, ...]
    diagnostics: tuple[Diagnostic, ...] = ()

    def chapters(self) -> list[Chapter]:
        return [c for part in self.parts for c in part.chapters]


def post_formulas(post: Post) -> Iterator[tuple[str, Formula]]:
    """(unit key, formula) for every formula of a post in reading order: `t0…` in the title, `f0…` in the
    body. The renderer and the formula check both name formulas this way."""
    for n, formula in enumerate(p.formula for p in post.title_inlines if isinstance(p, Math)):
        yield f"t{n}", formula
    n = 0
    for block in post.blocks:
        for formula in block.formulas():
            yield f"f{n}", formula
            n += 1

