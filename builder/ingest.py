"""Scraped dumps -> posts: detect each file's listing format, parse, give ids, merge duplicates."""
from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional


from .blocks import build_blocks, split_inline
from .pinyin import syllables
from .model import MONTHS, Diagnostic, Location, Post, PostDate


class InputError(Exception):
    """A dump that cannot be read at all (not text, not UTF-8)."""

    def __init__(self, display: str, message: str):
        super().__init__(f"{display}: error: {message}")
        self.display, self.message = display, message


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


def read_dump(path: Path, display: str) -> list[str]:
    """The file's lines: UTF-8 (BOM dropped), any line ending; bad bytes are a clear error."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(display, f"not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at byte offset {exc.start})") from None
    text = text.lstrip("\ufeff")
    if "\x00" in text:
        raise InputError(display, f"binary data (NUL byte at character {text.index(chr(0))})")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Control characters other than tab and newline never belong in prose (nor on a terminal); nor do the
    # invisible controls that reorder text (BiDi overrides), which could make a line read as another.
    return CONTROL_RE.sub("", text).split("\n")


CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


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
    metas = [(i, META_RE.match(l.strip())) for i, l in enumerate(lines)]
    metas = [(i, m) for i, m in metas if m]
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


def norm_title(title: str) -> str:
    """Comparison key: width, spacing and punctuation differences do not count."""
    t = unicodedata.normalize("NFKC", title).lower()
    # A title of punctuation or emoji only (？？？ and ！！！) keeps its characters: two such posts stay two.
    return "".join(ch for ch in t if ch.isalnum()) or "".join(t.split())


def slug(text: str, words: int = 6) -> str:
    tokens: list[str] = []
    latin = []
    for ch in unicodedata.normalize("NFKC", text):
        if ch.isascii() and ch.isalnum():
            latin.append(ch.lower())
            continue
        if latin:
            tokens.append("".join(latin))
            latin = []
        if "\u4e00" <= ch <= "\u9fff":
            tokens.extend(syllables(ch))
    if latin:
        tokens.append("".join(latin))
    # File names are at most 255 bytes: a word is cut at 20 characters (a title of 5,000 digits).
    return "-".join(t[:SLUG_WORD_MAX] for t in tokens[:words]) or "post"


SLUG_WORD_MAX = 20


def make_id(post: Post) -> str:
    d = post.date
    prefix = d.iso() if d and d.full else (f"{d.month:02d}-{d.day:02d}" if d else "undated")
    if post.title:
        return f"{prefix}-{slug(post.title)}"
    first = next((b for b in post.blocks if hasattr(b, "inlines")), None)
    words = "".join(getattr(i, "text", "") for i in first.inlines) if first else ""
    return f"{prefix}-untitled-{slug(words, 4)}"


def parse_file(path: Path, display: str, diags: list[Diagnostic]) -> list[Post]:
    lines = read_dump(path, display)
    if not any(l.strip() for l in lines):
        diags.append(Diagnostic(Location(display, 1), "empty file; no posts"))
        return []
    fmt = detect_format(lines)
    if fmt is None:
        diags.append(Diagnostic(Location(display, 1),
                                "no recognisable post (neither a 'By … | date | …位读者 | 引用' line nor a '17 Sep' date line)"))
        return []
    raws = parse_format_a(lines, display, diags) if fmt == "A" else parse_format_b(lines, display, diags)

    def warn(loc: Location, msg: str, code: str = "") -> None:
        diags.append(Diagnostic(loc, msg, code=code))

    posts = []
    for raw in raws:
        blocks = build_blocks(raw.lines, display, warn)
        post = Post(id="", title=raw.title, date=raw.date, readers=raw.readers, author=raw.author,
                    blocks=blocks, loc=raw.loc, sources=[raw.loc], truncated=raw.truncated,
                    title_inlines=split_inline(raw.title or "（无标题）", raw.loc, warn))
        if not raw.title:
            warn(raw.loc, "post has no title; printed as '（无标题）' (set one in book.yaml under posts.<id>.title)",
                 "untitled")
        if not blocks:
            warn(raw.loc, f"post '{post.display_title}' has an empty body", "empty-body")
        posts.append(post)
    return posts


def merge_duplicates(posts: list[Post], diags: list[Diagnostic]) -> list[Post]:
    """One post per title: keep the fullest text and the fullest metadata."""
    by_key: dict[str, Post] = {}
    out: list[Post] = []
    for post in posts:
        key = norm_title(post.title) if post.title else None
        if key is None or key not in by_key:
            if key is not None:
                by_key[key] = post
            out.append(post)
            continue
        keep = by_key[key]
        if post.text_size() > keep.text_size():
            keep.blocks, keep.truncated = post.blocks, post.truncated
        if post.date and (keep.date is None or (post.date.full and not keep.date.full)):
            if keep.date and (keep.date.month, keep.date.day) != (post.date.month, post.date.day):
                diags.append(Diagnostic(post.loc, f"duplicate of {keep.loc} has a different date"))
            keep.date = post.date
            keep.title, keep.title_inlines = post.title, post.title_inlines
        keep.readers = keep.readers if keep.readers is not None else post.readers
        keep.author = keep.author or post.author
        keep.sources.append(post.loc)
    return out


def assign_ids(posts: list[Post]) -> None:
    seen: dict[str, int] = {}
    for post in posts:
        base = make_id(post)
        seen[base] = seen.get(base, 0) + 1
        post.id = base if seen[base] == 1 else f"{base}-{seen[base]}"


def read_posts(files: list[tuple[Path, str]], diags: list[Diagnostic], parse=None) -> list[Post]:
    """All posts of all dumps, merged and with ids; unreadable files are reported and skipped."""
    posts: list[Post] = []
    for path, display in files:
        try:
            posts.extend((parse or parse_file)(path, display, diags))
        except InputError as exc:
            diags.append(Diagnostic(Location(exc.display, 1), exc.message + "; file skipped", "error"))
    merged = merge_duplicates(posts, diags)
    assign_ids(merged)
    return merged
