"""Pinyin for ids and index sort keys, memoised in build/ so incremental builds never load pypinyin's dictionaries."""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Optional

from builder.util.store import Store

_memo: dict[str, list[str]] = {}

_memo_file: Optional[Path] = None

_dirty = False

_lock = threading.Lock()


def use_memo(path: Path) -> None:
    """Load (and later save) the memo at path; loading pypinyin costs more than a whole incremental build step."""
    global _memo_file
    _memo_file = path
    memo = Store(path.parent).read(path.name)
    if isinstance(memo, dict):
        _memo.update((k, v) for k, v in memo.items() if isinstance(v, list) and all(isinstance(s, str) for s in v))


def save_memo() -> None:
    global _dirty
    with _lock:  # the PDF and EPUB builds may run side by side (`book all -j 2`)
        if _memo_file is None or not _dirty:
            return
        Store(_memo_file.parent).write(_memo_file.name, _memo.copy())
        _dirty = False


def syllables(text: str, tones: bool = False) -> list[str]:
    """lazy_pinyin(text): without tones for ids, with tone numbers (tone 5 = neutral) for sorting."""
    global _dirty
    key = ("3:" if tones else "0:") + text
    hit = _memo.get(key)
    if hit is not None:
        return hit
    from pypinyin import (  # loads large dictionaries: only on a memo miss
        Style,
        lazy_pinyin,
    )

    if tones:
        value = lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True)
    else:
        value = lazy_pinyin(text, style=Style.NORMAL)
    _memo[key] = value
    _dirty = True
    return value
