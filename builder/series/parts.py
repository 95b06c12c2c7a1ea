"""Posts -> parts: apply book.yaml overrides, group by series, order, number the chapters."""
from __future__ import annotations

import dataclasses
import difflib
import re
from typing import Optional

from builder.config.problems import ConfigError
from builder.config.settings import Config
from builder.model.book import Book, Chapter, Post, Series
from builder.model.content import PostDate
from builder.model.diagnostics import WARNING_CODES, Diagnostic
from builder.read.blocks import split_inline
from builder.read.ids import norm_title
from builder.text.numerals import chinese_number

NUMBER_RE = re.compile(r"^\s*(?:[(（]\s*([零〇一二两三四五六七八九十百千]+|\d+)\s*[)）]|[:：]?\s*(\d+)\s*[、.．])")


def series_number(title: str, match: str) -> Optional[int]:
    """The number after the series name: `生成扩散模型漫谈(十五)`, `Transformer升级之路:4、`."""
    norm_t = _loose(title)
    norm_m = _loose(match)
    if not norm_t.startswith(norm_m):
        return None
    # Walk the original title past the series name, counting only the characters that matter.
    count, i = 0, 0
    while i < len(title) and count < len(norm_m):
        if _loose(title[i]):
            count += 1
        i += 1
    m = NUMBER_RE.match(title[i:])
    if not m:
        return None
    return chinese_number(m.group(1) or m.group(2))


def _loose(text: str) -> str:
    return norm_title(text)


def apply_overrides(posts: list[Post], cfg: Config, diags: list[Diagnostic]) -> list[Post]:
    """The posts book.yaml keeps, with its corrections (title, date); what it settles is no longer a warning.
    An id it names that no post has is a config error."""
    ids = {p.id for p in posts}

    def unknown(key: str) -> str:
        close = difflib.get_close_matches(key, list(ids), n=1)
        return f"no post has the id '{key}'" + (f"; did you mean '{close[0]}'?" if close else " (see `book list`)")

    problems = [f"posts.{key}: {unknown(key)}" for key in cfg.posts if key not in ids]
    problems += [f"exclude[{i}]: {unknown(key)}" for i, key in enumerate(cfg.exclude) if key not in ids]
    problems += [f"posts.{key}.accept[{i}]: '{code}' is not a warning a post can accept "
                 f"({', '.join(sorted(WARNING_CODES))})"
                 for key, o in cfg.posts.items() for i, code in enumerate(o.accept) if code not in WARNING_CODES]
    for s_i, s in enumerate(cfg.series):
        problems += [f"series[{s_i}].order[{o_i}]: {unknown(key)}" for o_i, key in enumerate(s.order) if key not in ids]
    if problems:
        raise ConfigError(cfg.path, problems, cfg.lines)
    kept = []
    for post in posts:
        if post.id in cfg.exclude:
            continue
        override = cfg.posts.get(post.id)
        if override:
            # What book.yaml settles is no longer a warning: a title given, a warning accepted.
            settled = set(override.accept) | ({"untitled"} if override.title else set())
            diags[:] = [d for d in diags if not (d.code in settled and d.loc in post.sources)]
            if override.title:
                post = dataclasses.replace(post, title=override.title, title_inlines=split_inline(
                    override.title, post.loc, lambda loc, msg: diags.append(Diagnostic(loc, msg))))
            if override.date:
                y, m, d = (int(x) for x in override.date.split("-"))
                post = dataclasses.replace(post, date=PostDate(y, m, d))
        kept.append(post)
    return kept


def _place(post: Post, cfg: Config) -> tuple[Optional[str], bool]:
    """(series key or None for the final part, whether the post is one of the numbered ones)."""
    title = _loose(post.title or "")
    override = cfg.posts.get(post.id)
    forced = override.series if override else None
    if forced == "other":
        return None, False
    candidates = [s for s in cfg.series if not forced or s.key == forced]
    for s in candidates:
        if title and title.startswith(_loose(s.match)):
            return s.key, True
    for s in candidates:
        if forced or any(_loose(k) in title for k in s.related):
            return s.key, False
    return None, False


def _date_key(post: Post) -> tuple:
    return post.date.sort_key() if post.date else (2, 0, 0, 0)


def build_book(posts: list[Post], cfg: Config, diags: list[Diagnostic]) -> Book:
    """Group posts (as apply_overrides left them) into the configured series and a final part; number the
    chapters in book order."""
    numbered: dict[str, list[tuple[Post, Optional[int]]]] = {s.key: [] for s in cfg.series}
    related: dict[str, list[Post]] = {s.key: [] for s in cfg.series}
    others: list[Post] = []
    for post in posts:
        key, in_numbered = _place(post, cfg)
        if key is None:
            others.append(post)
        elif in_numbered:
            s = next(s for s in cfg.series if s.key == key)
            numbered[key].append((post, series_number(post.title or "", s.match)))
        else:
            related[key].append(post)

    parts: list[tuple[str, str, list[Chapter], str]] = []  # key, title, chapters (numbered below), description
    for s in cfg.series:
        entries = sorted(numbered[s.key], key=lambda e: (e[1] is None, e[1] or 0, _date_key(e[0])))
        chapters = [Chapter(post=p, number=0, series_number=n) for p, n in entries]
        chapters += [Chapter(post=p, number=0, series_number=None, related=True)
                     for p in sorted(related[s.key], key=_date_key)]
        chapters = _explicit_order(chapters, s.order)
        if chapters:
            parts.append((s.key, s.title, chapters, s.description))
        else:
            diags.append(Diagnostic(None, f"{cfg.path}: series '{s.key}' has no posts; part left out"))
    if others:
        parts.append(("other", cfg.other_title, [Chapter(post=p, number=0, series_number=None)
                                                 for p in sorted(others, key=_date_key)], ""))
    numbers = iter(range(1, len(posts) + 1))
    return Book(title=cfg.title, author=cfg.author, language=cfg.language, diagnostics=tuple(diags), parts=tuple(
        Series(key=key, title=title, description=description,
               chapters=tuple(dataclasses.replace(c, number=next(numbers)) for c in chapters))
        for key, title, chapters, description in parts))


def _explicit_order(chapters: list[Chapter], order: list[str]) -> list[Chapter]:
    if not order:
        return chapters
    rank = {pid: i for i, pid in enumerate(order)}
    listed = sorted((c for c in chapters if c.post.id in rank), key=lambda c: rank[c.post.id])
    return listed + [c for c in chapters if c.post.id not in rank]
