"""`book check`: is every post's Chinese text in the built PDF, in order? The share per post and what is missing."""
from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from builder.model.book import Book, Post
from builder.model.content import Figure, Heading, ListBlock, Paragraph, Text
from builder.text.typography import HAN

HAN_RUN_RE = re.compile(f"[{HAN}]+")

NOT_HAN_RE = re.compile(f"[^{HAN}]+")


@dataclass
class PostCheck:
    post: Post
    total: int = 0  # Chinese characters in the post
    found: int = 0
    missing: list[str] = field(default_factory=list)

    @property
    def share(self) -> float:
        return 1.0 if self.total == 0 else self.found / self.total


def _runs(text: str) -> list[str]:
    return HAN_RUN_RE.findall(text)


def post_runs(post: Post) -> tuple[list[str], list[str]]:
    """(runs of Chinese text in reading order, figure captions that may float)."""
    ordered: list[str] = []
    floating: list[str] = []
    for block in post.blocks:
        if isinstance(block, Paragraph):
            for piece in block.inlines:
                if isinstance(piece, Text):
                    ordered.extend(_runs(piece.text))
        elif isinstance(block, ListBlock):
            for item in block.items:
                ordered.extend(r for piece in item if isinstance(piece, Text) for r in _runs(piece.text))
        elif isinstance(block, Heading):
            ordered.extend(_runs(block.title))
        elif isinstance(block, Figure):
            floating.extend(_runs(block.caption))
    return ordered, floating


def pdf_pages(pdf: Path) -> list[str]:
    # -raw: the order TeX wrote the text in; layout analysis interleaves lines around tall formulas.
    out = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True).stdout
    return out.decode("utf-8", errors="replace").split("\f")


def han_stream(pages: list[str], book: Book) -> str:
    """All Chinese characters of the body pages, in order, with running heads taken out."""
    heads = {p.title for p in book.parts} | {c.post.display_title for c in book.chapters()}
    heads_han = {NOT_HAN_RE.sub("", h) for h in heads}
    kept = []
    for page in pages:
        han = NOT_HAN_RE.sub("", page)
        # The running head opens the page (TeX writes it first); it would split a sentence running over
        # the page break. pdftotext may cut it into several lines, so it is matched on the Chinese alone.
        head = max((h for h in heads_han if h and han.startswith(h)), key=len, default="")
        kept.append(han[len(head):])
    return "".join(kept)


# A lost figure as the PDF sets it: the placeholder box (styles/sciblog.sty, \sbfigure) and "图 N.M caption".
PLACEHOLDER_HAN = "原文此处为图片图"


def without_floats(stream: str, book: Book) -> str:
    """The stream without the figures: a float put at the top of a page splits the sentence that runs
    over the page break."""
    captions = {NOT_HAN_RE.sub("", b.caption) for c in book.chapters() for b in c.post.blocks if isinstance(b, Figure)}
    for caption in sorted(captions, key=len, reverse=True):
        stream = stream.replace(PLACEHOLDER_HAN + caption, "")
    return stream


# What the book sets among a post's text that the dump does not have: a float (a figure with its image, which
# may hold text of its own; a table) put at a page's top inside a sentence running over the page break, a
# link's label （第十五章）, a running head not recognised. pdftotext may also give a small piece of a line
# (the label) before the text set beside it.
INSERTED = 1000  # Han characters such a piece may have: a float fills at most a page

AHEAD = 2000  # how far after the text found so far the next run is looked for first (formulas' \text, code


# comments and tables sit between runs)
NEAR = 60  # a run split by an inserted piece starts this close to the text found so far

BEHIND = 60  # a run put before the text beside it: a line's worth


def find_run(stream: str, run: str, pos: int) -> int:
    """Where `run` ends in the stream, -1 when it is not there. Looked for close after `pos` (the end of the
    text found so far); else split in two by something the book inserted, starting right at `pos`; else a
    little before `pos` (then `pos` is returned); else anywhere after it. A split run's longer part has 3
    characters or more, so text that is really missing is not found by chance."""
    at = stream.find(run, pos, pos + AHEAD + len(run))
    if at >= 0:
        return at + len(run)
    end = _split(stream, run, pos)
    if end >= 0:
        return end
    if stream.find(run, max(0, pos - BEHIND - len(run)), pos) >= 0:
        return pos
    at = stream.find(run, pos)
    return at + len(run) if at >= 0 else -1


def _split(stream: str, run: str, pos: int) -> int:
    """Where `run` ends when up to INSERTED characters sit inside it and it starts close after `pos`; else -1."""
    for k in range(1, len(run)):
        head, tail = run[:k], run[k:]
        if max(len(head), len(tail)) < 3:
            continue
        a = stream.find(head, pos, pos + NEAR + k)
        while a >= 0:
            b = stream.find(tail, a + k, a + k + INSERTED + len(tail))
            if b >= 0:
                return b + len(tail)
            a = stream.find(head, a + 1, pos + NEAR + k)
    return -1


def check_book(book: Book, pdf: Path) -> list[PostCheck]:
    full = han_stream(pdf_pages(pdf), book)
    stream = without_floats(full, book)
    results = []
    for chapter in book.chapters():
        post = chapter.post
        ordered, floating = post_runs(post)
        result = PostCheck(post)
        start = stream.find(NOT_HAN_RE.sub("", ordered[0])) if ordered else 0
        pos = max(start, 0)
        for run in ordered:
            result.total += len(run)
            end = find_run(stream, run, pos)
            if end < 0:
                result.missing.append(run)
            else:
                result.found += len(run)
                pos = max(pos, end)
        for caption in floating:
            result.total += len(caption)
            if caption in full:
                result.found += len(caption)
            else:
                result.missing.append(caption)
        results.append(result)
    return results


def report(results: list[PostCheck]) -> tuple[str, bool]:
    lines = []
    complete = True
    for r in results:
        mark = "ok" if r.share == 1.0 else "MISSING"
        complete &= r.share == 1.0
        lines.append(f"{r.share * 100:6.1f}%  {r.found:5d}/{r.total:<5d} {mark:7s} {r.post.id}  {r.post.loc}")
        for run in r.missing[:5]:
            lines.append(f"         missing: {run[:40]}")
        if len(r.missing) > 5:
            lines.append(f"         … and {len(r.missing) - 5} more")
    total = sum(r.total for r in results)
    found = sum(r.found for r in results)
    lines.append(f"{found}/{total} Chinese characters of {len(results)} posts found in order "
                 f"({(found / total * 100) if total else 100:.1f}%)")
    return "\n".join(lines), complete
