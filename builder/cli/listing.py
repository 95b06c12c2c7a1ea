"""What `book list --figures` and `book list --json` print: the figures and where their images go; every post."""
from __future__ import annotations

import json

from builder.model.book import Book
from builder.series.figures import IMAGES_DIR, figure_slots
from builder.text.typography import display_width

NO_CAPTION = "（无图注）"


def _pad(text: str, width: int) -> str:
    """Left-aligned in `width` columns, a Chinese character counting two (as a terminal shows it)."""
    return text + " " * max(0, width - display_width(text))


def describe_figures(book: Book) -> str:
    """One line per figure: post id, n, its number in the book, the image that fills it (or -), where an image
    for it goes, its caption."""
    slots = figure_slots(book)
    rows = [("post", "n", "figure", "image", "put an image at", "caption")]
    rows += [(s.post_id, str(s.n), s.label, s.image.path if s.image else "-", s.path, s.caption or NO_CAPTION)
             for s in slots]
    widths = [max(display_width(r[k]) for r in rows) for k in range(5)]
    lines = ["  ".join(_pad(cell, w) for cell, w in zip(r, widths)) + "  " + r[5] for r in rows]
    filled = sum(1 for s in slots if s.image)
    lines.append(f"{len(slots)} figure(s), {filled} with an image. An image for figure n of a post goes at "
                 f"{IMAGES_DIR}/<post id>/<n>.png (or .jpg, .jpeg, .pdf, .svg), beside book.yaml.")
    return "\n".join(line.rstrip() for line in lines)


def book_json(book: Book) -> str:
    """Every post of the book, in book order, as JSON: id, title (null when the dump had none), series,
    chapter, date (ISO 8601; --MM-DD without a year; null), sources as "file:line", figures with their slots."""
    slots = figure_slots(book)
    posts = []
    for part in book.parts:
        for chapter in part.chapters:
            post = chapter.post
            posts.append({
                "id": post.id, "title": post.title, "series": part.key, "chapter": chapter.number,
                "date": post.date.iso() if post.date else None,
                "sources": [str(s) for s in post.sources],
                "figures": [{"n": s.n, "label": s.label, "caption": s.caption,
                             "image": s.image.path if s.image else None, "slot": s.path}
                            for s in slots if s.post_id == post.id],
            })
    return json.dumps({"title": book.title, "posts": posts}, ensure_ascii=False, indent=1)
