"""Post ids, and one post for two copies of the same post."""
from __future__ import annotations

import dataclasses
import unicodedata

from builder.model.book import Post
from builder.model.diagnostics import Diagnostic
from builder.text.pinyin import syllables


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


def merge_duplicates(posts: list[Post], diags: list[Diagnostic]) -> list[Post]:
    """One post per title: keep the fullest text and the fullest metadata."""
    at: dict[str, int] = {}  # title key -> its post's place in out
    out: list[Post] = []
    for post in posts:
        key = norm_title(post.title) if post.title else None
        if key is None or key not in at:
            if key is not None:
                at[key] = len(out)
            out.append(post)
            continue
        keep = out[at[key]]
        merged: dict = {"sources": (*keep.sources, post.loc),
                        "readers": keep.readers if keep.readers is not None else post.readers,
                        "author": keep.author or post.author}
        if post.text_size() > keep.text_size():
            merged.update(blocks=post.blocks, truncated=post.truncated)
        if post.date and (keep.date is None or (post.date.full and not keep.date.full)):
            if keep.date and (keep.date.month, keep.date.day) != (post.date.month, post.date.day):
                diags.append(Diagnostic(post.loc, f"duplicate of {keep.loc} has a different date"))
            merged.update(date=post.date, title=post.title, title_inlines=post.title_inlines)
        out[at[key]] = dataclasses.replace(keep, **merged)
    return out


def assign_ids(posts: list[Post]) -> list[Post]:
    """The posts with their ids: a slug of date and title, numbered when two are alike."""
    seen: dict[str, int] = {}
    out = []
    for post in posts:
        base = make_id(post)
        seen[base] = seen.get(base, 0) + 1
        out.append(dataclasses.replace(post, id=base if seen[base] == 1 else f"{base}-{seen[base]}"))
    return out
