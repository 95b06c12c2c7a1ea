"""Every dump read into posts: each file's format detected, its posts' blocks typed, ids given."""
from __future__ import annotations

from pathlib import Path

from builder.model.book import Post
from builder.model.content import Location
from builder.model.diagnostics import Diagnostic
from builder.read import pages
from builder.read.blocks import build_blocks, split_inline
from builder.read.dumps import InputError, read_dump
from builder.read.ids import assign_ids, merge_duplicates
from builder.read.listing import detect_format, parse_format_a, parse_format_b


def parse_file(path: Path, display: str, diags: list[Diagnostic]) -> list[Post]:
    lines = read_dump(path, display)
    if not any(l.strip() for l in lines):
        diags.append(Diagnostic(Location(display, 1), "empty file; no posts"))
        return []
    if pages.recognises(lines):
        return pages.read_page(lines, display, diags)
    fmt = detect_format(lines)
    if fmt is None:
        diags.append(Diagnostic(Location(display, 1),
                                "no recognisable post (neither a 'By … | date | …位读者 | 引用' line nor a "
                                "'17 Sep' date line)"))
        return []
    raws = parse_format_a(lines, display, diags) if fmt == "A" else parse_format_b(lines, display, diags)

    def warn(loc: Location, msg: str, code: str = "") -> None:
        diags.append(Diagnostic(loc, msg, code=code))

    posts = []
    for raw in raws:
        blocks = build_blocks(raw.lines, display, warn)
        post = Post(id="", title=raw.title, date=raw.date, readers=raw.readers, author=raw.author,
                    blocks=tuple(blocks), loc=raw.loc, sources=(raw.loc,), truncated=raw.truncated,
                    title_inlines=split_inline(raw.title or "（无标题）", raw.loc, warn))
        if not raw.title:
            warn(raw.loc, "post has no title; printed as '（无标题）' (set one in book.yaml under posts.<id>.title)",
                 "untitled")
        if not blocks:
            warn(raw.loc, f"post '{post.display_title}' has an empty body", "empty-body")
        posts.append(post)
    return posts


def read_posts(files: list[tuple[Path, str]], diags: list[Diagnostic], parse=None) -> list[Post]:
    """All posts of all dumps, merged and with ids; unreadable files are reported and skipped."""
    posts: list[Post] = []
    for path, display in files:
        try:
            posts.extend((parse or parse_file)(path, display, diags))
        except InputError as exc:
            diags.append(Diagnostic(Location(exc.display, 1), exc.message + "; file skipped", "error"))
    return assign_ids(merge_duplicates(posts, diags))
