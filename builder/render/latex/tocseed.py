"""A first .toc written from the book model, so a cold build's first pass already has the contents' length.

Without it, pass 1 typesets an empty contents, every later page moves when pass 2 fills it in, and TeX
needs a third pass; with it, a cold build settles in two passes, which is TeX's own floor for a book
with a table of contents. Page numbers in the seed are placeholders; only the number of lines matters.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from builder.model.book import Book
from builder.render.latex.texescape import escape
from builder.text.numerals import zh_numeral


def seed_toc(path: Path, book: Book, titles: dict[str, list[tuple[str, str]]],
             part_numbers: Optional[list[int]] = None) -> bool:
    """Write path (a .toc) unless TeX already made one; True when a seed was written. `titles` gives each
    post's contents entries, ('chapter'|'section', title as the chapter file sets it). Chapters keep their
    numbers, parts theirs in `part_numbers` (a volume's parts and chapters are numbered as in the book)."""
    if path.exists():
        return False
    lines = [r"\contentsline {chapter}{前言}{i}{chapter*.1}%"]
    for part_no, part in zip(part_numbers or range(1, len(book.parts) + 1), book.parts):
        lines.append(rf"\contentsline {{part}}{{第{zh_numeral(part_no)}部分\hspace {{1em}}{escape(part.title)}}}"
                     rf"{{1}}{{part.{part_no}}}%")
        for chapter in part.chapters:
            chapter_no = chapter.number
            section_no = 0
            for kind, title in titles.get(chapter.post.id, []):
                if kind == "chapter":
                    lines.append(rf"\contentsline {{chapter}}"
                                 rf"{{\numberline {{第{zh_numeral(chapter_no)}章\hspace {{.3em}}}}"
                                 rf"{title}}}{{1}}{{chapter.{chapter_no}}}%")
                else:
                    section_no += 1
                    lines.append(rf"\contentsline {{section}}{{\numberline {{{chapter_no}.{section_no}}}{title}}}"
                                 rf"{{1}}{{section.{chapter_no}.{section_no}}}%")
    lines.append(r"\contentsline {chapter}{索引}{1}{section*.1}%")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return True
