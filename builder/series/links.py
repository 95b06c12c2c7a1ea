"""Links between posts: a title cited in 《》 that is a post of this book links to that chapter."""
from __future__ import annotations

import re
from typing import Optional

from builder.model.book import Book, Chapter
from builder.model.content import ListBlock, Paragraph, Text
from builder.read.ids import norm_title

CITE_RE = re.compile(r"《([^《》\n]{2,120})》")


class LinkTable:
    """Normalised post titles -> chapters; width, spacing and punctuation variants all match."""

    def __init__(self, book: Book):
        self.by_title: dict[str, Chapter] = {}
        for chapter in book.chapters():
            if chapter.post.title:
                self.by_title.setdefault(norm_title(chapter.post.title), chapter)

    def target(self, cited: str) -> Optional[Chapter]:
        return self.by_title.get(norm_title(cited))

    def split(self, text: str, citing: Optional[str] = None) -> list[tuple[str, Optional[Chapter]]]:
        """Pieces of text; a piece with a chapter is a cited title that links there (the 《 stays in the piece
        before it; the closing 》 is the renderer's, so the chapter number can follow it). A post citing
        itself (the post with id `citing`: a series' list of its parts) gets no link: it would lead nowhere."""
        out: list[tuple[str, Optional[Chapter]]] = []
        last = 0
        for m in CITE_RE.finditer(text):
            chapter = self.target(m.group(1))
            if chapter is None or chapter.post.id == citing:
                continue
            out.append((text[last:m.start() + 1], None))  # up to and including 《
            out.append((m.group(1), chapter))
            last = m.end()
        out.append((text[last:], None))
        return [(t, c) for t, c in out if t or c]


def find_links(book: Book) -> list[tuple[Chapter, str, Optional[Chapter]]]:
    """(citing chapter, cited title, cited chapter or None) for every 《》 citation in the book."""
    table = LinkTable(book)
    found: list[tuple[Chapter, str, Optional[Chapter]]] = []
    for chapter in book.chapters():
        for block in chapter.post.blocks:
            pieces = []
            if isinstance(block, Paragraph):
                pieces = list(block.inlines)
            elif isinstance(block, ListBlock):
                pieces = [p for item in block.items for p in item]
            for piece in pieces:
                if isinstance(piece, Text):
                    found.extend((chapter, m.group(1), table.target(m.group(1))) for m in CITE_RE.finditer(piece.text))
    return found


def describe_links(book: Book) -> str:
    lines = []
    linked = 0
    for source, cited, target in find_links(book):
        if target is source:
            where = "this chapter itself (plain text)"
        elif target:
            where = f"chapter {target.number} ({target.post.id})"
            linked += 1
        else:
            where = "not in this book (plain text)"
        lines.append(f"{source.post.id} (chapter {source.number}): 《{cited}》 -> {where}")
    lines.append(f"{len(lines)} citation(s), {linked} linked to a chapter of this book")
    return "\n".join(lines)


def chapter_destination(chapter: Chapter) -> str:
    """The named destination of a chapter's first page in any PDF of the book (hyperref's `chapter.<number>`):
    a volume numbers its chapters as the whole book does, so the name is the same in every volume."""
    return f"chapter.{chapter.number}"


def elsewhere_target(chapter: Chapter, pdf: Optional[str], post_url: str) -> tuple[str, str]:
    """(file or address, destination) a citation of a chapter outside the PDF being made leads to: the chapter in
    `pdf`, the file of the volume that holds it (beside this one), when that volume is built too; else the post
    on the blog (`post_url`; empty: no link)."""
    return (pdf, chapter_destination(chapter)) if pdf else (post_url, "")
