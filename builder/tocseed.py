"""A first .toc written from the book model, so a cold build's first pass already has the contents' length.

Without it, pass 1 typesets an empty contents, every later page moves when pass 2 fills it in, and TeX
needs a third pass; with it, a cold build settles in two passes, which is TeX's own floor for a book
with a table of contents. Page numbers in the seed are placeholders; only the number of lines matters.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator, Optional

from .model import Book
from .texescape import escape

DIGITS = "零一二三四五六七八九"


def zh_numeral(n: int) -> str:
    """1 -> 一, 15 -> 十五, 38 -> 三十八, 105 -> 一百零五 (as ctex prints chapter numbers)."""
    if n < 10:
        return DIGITS[n]
    if n < 20:
        return "十" + (DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return DIGITS[n // 10] + "十" + (DIGITS[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        tail = "" if rest == 0 else ("零" + DIGITS[rest] if rest < 10 else
                                     ("一" + zh_numeral(rest) if rest < 20 else zh_numeral(rest)))
        return DIGITS[n // 100] + "百" + tail
    return str(n)


def _group(text: str, start: int, open_ch: str, close_ch: str) -> Optional[tuple[str, int]]:
    """The balanced group starting at text[start] == open_ch, and the index after it."""
    if start >= len(text) or text[start] != open_ch:
        return None
    depth = 0
    i = start
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == open_ch:
            depth += 1
        elif ch == close_ch:
            depth -= 1
            if depth == 0:
                return text[start + 1:i], i + 1
        i += 1
    return None


def headings(chapter_tex: str) -> Iterator[tuple[str, str]]:
    """('chapter'|'section', contents title) for each sectioning command of a generated chapter."""
    for m in re.finditer(r"\\(chapter|section)(?=[\[{])", chapter_tex):
        pos = m.end()
        opt = _group(chapter_tex, pos, "[", "]")
        if opt:
            title, pos = opt
            yield m.group(1), title
            continue
        arg = _group(chapter_tex, pos, "{", "}")
        if arg:
            yield m.group(1), arg[0]


def seed_toc(path: Path, book: Book, chapter_texts: dict[str, str]) -> bool:
    """Write path (a .toc) unless TeX already made one; True when a seed was written."""
    if path.exists():
        return False
    lines = [r"\contentsline {chapter}{前言}{i}{chapter*.1}%"]
    chapter_no = 0
    for part_no, part in enumerate(book.parts, 1):
        lines.append(rf"\contentsline {{part}}{{第{zh_numeral(part_no)}部分\hspace {{1em}}{escape(part.title)}}}{{1}}{{part.{part_no}}}%")
        for chapter in part.chapters:
            chapter_no += 1
            section_no = 0
            for kind, title in headings(chapter_texts.get(chapter.post.id, "")):
                if kind == "chapter":
                    lines.append(rf"\contentsline {{chapter}}{{\numberline {{第{zh_numeral(chapter_no)}章\hspace {{.3em}}}}"
                                 rf"{title}}}{{1}}{{chapter.{chapter_no}}}%")
                else:
                    section_no += 1
                    lines.append(rf"\contentsline {{section}}{{\numberline {{{chapter_no}.{section_no}}}{title}}}"
                                 rf"{{1}}{{section.{chapter_no}.{section_no}}}%")
    lines.append(r"\contentsline {chapter}{索引}{1}{section*.1}%")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return True
