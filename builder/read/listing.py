"""Scraped dumps -> posts: detect each file's listing format, parse, give ids, merge duplicates."""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Optional

from builder.model.content import MONTHS, Location, PostDate
from builder.model.diagnostics import Diagnostic

META_RE = re.compile(
    r"^By\s+(?P<author>[^|]+?)\s*\|\s*(?P<date>\d{4}-\d{1,2}-\d{1,2})\s*\|\s*(?P<readers>\d+)\s*位读者\s*\|\s*引用(?P<rest>.*)$"
)

SHORT_DATE_RE = re.compile(r"^(?P<day>\d{1,2})\s+(?P<mon>" + "|".join(MONTHS) + r")$")

READ_MORE = "点击阅读全文..."

STRAY_TRAILERS = {"最近评论"}

TITLE_MAX = 60


@dataclass
class RawPost:
    title: Optional[str]
    date: Optional[PostDate]
    readers: Optional[int]
    author: Optional[str]
    loc: Location
    lines: list[tuple[int, str]] = field(default_factory=list)
    truncated: bool = False


def detect_format(lines: list[str]) -> Optional[str]:
    if any(META_RE.match(l.strip()) for l in lines):
        return "A"
    first = next((l.strip() for l in lines if l.strip()), "")
    if SHORT_DATE_RE.match(first):
        return "B"
    return None


def _parse_date(text: str, loc: Location, diags: list[Diagnostic]) -> Optional[PostDate]:
    """The date as the dump gives it; one that no calendar has is kept as written, with a warning."""
    y, m, d = (int(x) for x in text.split("-"))
    if not (1 <= m <= 12 and 1 <= d <= 31):
        diags.append(Diagnostic(loc, f"date {text} has no such month or day; the post is undated"))
        return None
    try:
        datetime.date(y, m, d)
    except ValueError:
        diags.append(Diagnostic(loc, f"date {text} is not in the calendar; printed as the dump gives it"))
    return PostDate(y, m, d)


READERS_DIGITS_MAX = 12  # more readers than people is a scraping error, not a number to convert


def _parse_readers(text: str, loc: Location, diags: list[Diagnostic]) -> Optional[int]:
    if len(text) > READERS_DIGITS_MAX:
        diags.append(Diagnostic(loc, f"reader count of {len(text)} digits ignored"))
        return None
    return int(text)


def parse_format_a(lines: list[str], display: str, diags: list[Diagnostic]) -> list[RawPost]:
    """Title line, then `By … | date | N位读者 | 引用` running on into the first paragraph."""
    matched = [(i, META_RE.match(l.strip())) for i, l in enumerate(lines)]
    metas = [(i, m) for i, m in matched if m]
    posts: list[RawPost] = []
    title_from_glue: dict[int, str] = {}
    for k, (i, m) in enumerate(metas):
        nxt = metas[k + 1][0] if k + 1 < len(metas) else None
        if nxt == i + 1 and m.group("rest").strip():
            # The next post's title is glued onto this metadata line; this post's body is empty.
            title_from_glue[nxt] = m.group("rest").strip()
    for k, (i, m) in enumerate(metas):
        loc = Location(display, i + 1)
        if i in title_from_glue:
            title = title_from_glue[i]
            title_loc = Location(display, i)
        elif i > 0 and lines[i - 1].strip() and not META_RE.match(lines[i - 1].strip()):
            title = lines[i - 1].strip()
            title_loc = Location(display, i)
        else:
            title, title_loc = None, loc
        if k == 0 and i > 1:
            for j in range(0, i - 1):
                if lines[j].strip():
                    diags.append(Diagnostic(Location(display, j + 1), "text before the first post ignored"))
                    break
        nxt = metas[k + 1][0] if k + 1 < len(metas) else len(lines) + 1
        end = nxt - 1  # the line before the next metadata line is that post's title
        if k + 1 < len(metas) and nxt in title_from_glue:
            end = nxt
        body: list[tuple[int, str]] = []
        rest = m.group("rest").strip()
        if rest and (i + 1) not in title_from_glue:
            body.append((i + 1, rest))
        for j in range(i + 1, min(end, len(lines))):
            body.append((j + 1, lines[j]))
        if k + 1 == len(metas):
            while body and (not body[-1][1].strip() or body[-1][1].strip() in STRAY_TRAILERS):
                body.pop()
        meta_loc = Location(display, i + 1)
        posts.append(RawPost(
            title=_title(title, title_loc, diags), date=_parse_date(m.group("date"), meta_loc, diags),
            readers=_parse_readers(m.group("readers"), meta_loc, diags),
            author=m.group("author").strip(), loc=title_loc, lines=body,
        ))
    return posts


def parse_format_b(lines: list[str], display: str, diags: list[Diagnostic]) -> list[RawPost]:
    """`17 Sep`, blank, title, blank-separated paragraphs, `点击阅读全文...`."""
    posts: list[RawPost] = []
    current: Optional[RawPost] = None
    expect_title = False
    for i, raw in enumerate(lines):
        line = raw.strip()
        m = SHORT_DATE_RE.match(line)
        if m:
            month = MONTHS.index(m.group("mon")) + 1
            current = RawPost(title=None, date=PostDate(None, month, int(m.group("day"))), readers=None,
                              author=None, loc=Location(display, i + 1))
            posts.append(current)
            expect_title = True
            continue
        if not line:
            continue
        if current is None:
            diags.append(Diagnostic(Location(display, i + 1), "text before the first post ignored"))
            current = RawPost(None, None, None, None, Location(display, i + 1))
            current.lines = []
            posts.append(current)
            expect_title = False
        if line == READ_MORE:
            current.truncated = True
            expect_title = False
            continue
        if line in STRAY_TRAILERS:
            continue
        if expect_title:
            expect_title = False
            if _title_like(line):
                current.title = line
                current.loc = Location(display, i + 1)
                continue
        current.lines.append((i + 1, raw))
    return posts


TITLE_LIMIT = 200  # characters of a title: longer is a paragraph glued to the metadata, not a title


def _title(title: Optional[str], loc: Location, diags: list[Diagnostic]) -> Optional[str]:
    if title is None or len(title) <= TITLE_LIMIT:
        return title
    diags.append(Diagnostic(loc, f"title of {len(title)} characters shortened to its first {TITLE_LIMIT}"))
    return title[:TITLE_LIMIT] + "…"


def _title_like(line: str) -> bool:
    return len(line) <= TITLE_MAX and "。" not in line and not line.startswith(("$", "\\"))
