"""What both renderers print the same way: a chapter's presentation, decided once (words and numbers; each
medium's own style sets them)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from builder.model.book import Book, Chapter, Post
from builder.model.content import Block, Inline, Logo, Paragraph, Text, Url
from builder.text.typography import cjk_punctuation, title_commas


def title_punctuation(pieces: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """A title's inline pieces with the commas of a Chinese title full-width (text.typography.title_commas)."""
    texts = iter(title_commas([p.text for p in pieces if isinstance(p, Text)]))
    return tuple(Text(next(texts)) if isinstance(p, Text) else p for p in pieces)


@dataclass(frozen=True)
class Opening:
    """What a chapter's opening and end say besides its title, as plain text (each renderer escapes it)."""

    series_line: str  # 变分自编码器 · 第3篇, or · 相关文章 for a related post; "" outside a series
    date: str  # 2018年3月18日; "" when the dump gave none
    readers: str  # the count of readers the page showed; "" when it showed none
    closing_note: str  # the note after the text: an excerpt, cut short, or no text at all


def opening(chapter: Chapter, part_title: str) -> Opening:
    post = chapter.post
    if chapter.series_number is not None:
        series_line = f"{part_title} · 第{chapter.series_number}篇"
    elif chapter.related:
        series_line = f"{part_title} · 相关文章"
    else:
        series_line = ""
    if post.whole:
        note = ""  # the whole post: nothing was left out
    elif not post.blocks:
        note = "抓取的列表中此文没有正文"
    elif post.truncated:
        note = "摘录至此，全文见原博客"
    else:
        note = "摘录"
    return Opening(series_line, post.date.chinese() if post.date else "",
                   str(post.readers) if post.readers is not None else "", note)


def contents_date(post: Post) -> str:
    """A chapter's date in a part's list of chapters: an unknown year left out."""
    return post.date.chinese(unknown_year="") if post.date else ""


def block_numbers(chapter: Chapter) -> dict[int, str]:
    """Block index -> the number the book gives it: sections 3.1, 3.2 … and figures 3.1 … of chapter 3, as
    TeX's counters number them in the PDF (the EPUB prints these)."""
    counts = {"heading": 0, "figure": 0}
    numbers = {}
    for i, block in enumerate(chapter.post.blocks):
        if block.KIND in counts:
            counts[block.KIND] += 1
            numbers[i] = f"{chapter.number}.{counts[block.KIND]}"
    return numbers


def statement_parts(block: Block) -> Optional[tuple[str, tuple[Inline, ...]]]:
    """A statement paragraph (通俗版JL引理：…) as its name and the inlines after the colon; None for others."""
    if not isinstance(block, Paragraph) or block.kind != "statement" or not block.inlines \
            or not isinstance(block.inlines[0], Text):
        return None
    name, _, rest = block.inlines[0].text.replace("：", ":").partition(":")
    return cjk_punctuation(name.strip()), (Text(rest.lstrip()), *block.inlines[1:])


def plain_text(pieces: tuple[Inline, ...]) -> str:
    """Inline pieces as plain text, for a PDF bookmark: prose as printed, logos and addresses by name, formulas
    as their source."""
    def plain(piece: Inline) -> str:
        if isinstance(piece, Text):
            return cjk_punctuation(piece.text)
        if isinstance(piece, Logo):
            return piece.name
        return piece.url if isinstance(piece, Url) else piece.source
    return "".join(plain(p) for p in pieces)


@dataclass(frozen=True)
class BookSource:
    """What the title page and the preface say the book was made from."""

    taken_from: str  # 摘录自 (excerpts) or 选自 (whole posts): before the blog's name
    chapters_are: str  # what the preface says the chapters are


def book_source(book: Book) -> BookSource:
    posts = [c.post for c in book.chapters()]
    if posts and all(p.whole for p in posts):
        return BookSource("选自", "文章，由保存的文章页面整理排版而成")
    if any(p.whole for p in posts):
        return BookSource("选自", "文章（部分为摘录），由保存的文章页面与抓取的文章列表整理排版而成")
    return BookSource("摘录自", "文章的摘录，由抓取的文章列表整理排版而成")
