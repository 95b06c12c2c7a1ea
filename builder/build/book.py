"""The book model read once: every dump, the series, the figures' images."""
from __future__ import annotations

import dataclasses
from pathlib import Path

from builder.build.options import BuildFailed, Options
from builder.config.settings import Config, source_files
from builder.model.book import Book
from builder.model.content import Location
from builder.model.diagnostics import Diagnostic
from builder.read.cache import CACHE_DIR, ParseCache
from builder.read.posts import read_posts
from builder.series.figures import attach_images
from builder.series.parts import apply_overrides, build_book
from builder.text import pinyin
from builder.util.hashing import tool_digest
from builder.util.printable import printable


def load_book(cfg: Config, dry_run: bool = False) -> Book:
    """Read everything first: all dumps, all posts, series and order, the figures' images."""
    # Settings book.yaml gave that the build leaves out (a fallback font that is not installed).
    diags = [Diagnostic(Location(printable(cfg.path.name), w.line) if w.line else None, str(w)) for w in cfg.warnings]
    pinyin.use_memo(cfg.build_dir / ".pinyin-memo.json")
    refused: list[Path] = []
    files = [(p, printable(str(p.relative_to(cfg.root)))) for p in source_files(cfg, refused)]
    for path in refused:
        diags.append(Diagnostic(Location(printable(str(path.relative_to(cfg.root))), 1),
                                "is a link to a file outside the book's folder; skipped (list the folder it "
                                "links into under sources_outside in book.yaml to read it)", "error"))
    cache = ParseCache(cfg.build_dir / CACHE_DIR, tool_digest(), write=not dry_run)
    posts = read_posts(files, diags, cache.parse)
    cache.prune()
    posts = apply_overrides(posts, cfg, diags)
    found: list[Diagnostic] = []  # (said after the book's own)
    posts = attach_images(posts, cfg, found)
    book = build_book(posts, cfg, diags)
    return dataclasses.replace(book, diagnostics=book.diagnostics + tuple(found))


def report_diagnostics(book: Book, opts: Options) -> None:
    opts.channel.extend(book.diagnostics)
    errors = [d for d in book.diagnostics if d.level == "error"]
    if errors and not opts.strict:
        # An unreadable dump costs only its own posts: the rest of the book is still built.
        print(f"{len(errors)} dump(s) could not be read and were skipped; the rest of the book is built",
              file=opts.out)
    if opts.strict and book.diagnostics:
        raise BuildFailed(f"{len(book.diagnostics)} warning(s) and --strict")
