"""Work kept between builds by the digest of what it was made from: each dump's parsed posts, the book's terms."""
from __future__ import annotations

import os
import pickle
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from builder.model.book import Post
from builder.model.diagnostics import Diagnostic
from builder.read.posts import parse_file
from builder.util.hashing import digest

CACHE_DIR = ".parsed"  # under build/; written by this tool only (pickle: never point it at others' files)


T = TypeVar("T")


def kept(path: Path, key: str, make: Callable[[], T], write: bool = True) -> T:
    """make()'s result, stored in `path` with `key` and read back while the key is the same (a dry run
    writes nothing; a store that cannot be written costs only the next build's time)."""
    try:
        stored_key, value = pickle.loads(path.read_bytes())
        if stored_key == key:
            return value
    except Exception:  # not there yet, or written by another version of Python: make it
        pass
    value = make()
    if write:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")  # outputs built side by side
            tmp.write_bytes(pickle.dumps((key, value), protocol=pickle.HIGHEST_PROTOCOL))
            os.replace(tmp, path)
        except (OSError, pickle.PicklingError, RecursionError):
            pass
    return value


class ParseCache:
    """parse_file with its result (posts and diagnostics) kept per dump; entries no build used are pruned."""

    def __init__(self, folder: Path, tool: str, write: bool = True) -> None:
        self.folder, self.tool, self.write = folder, tool, write  # (a dry run writes nothing)
        self.used: set[str] = set()

    def parse(self, path: Path, display: str, diags: list[Diagnostic]) -> list[Post]:
        try:
            key = digest(self.tool, display, path.read_bytes())
        except OSError:
            return parse_file(path, display, diags)  # (which says what is wrong with the file)
        self.used.add(key + ".pickle")

        def parse() -> tuple[list[Post], list[Diagnostic]]:
            found: list[Diagnostic] = []
            return parse_file(path, display, found), found

        posts, found = kept(self.folder / f"{key}.pickle", key, parse, self.write)
        diags.extend(found)
        return posts

    def prune(self) -> None:
        """Forget the dumps' old versions (each edit leaves one behind)."""
        if not self.used or not self.write:
            return
        for entry in self.folder.glob("*.pickle"):
            if entry.name not in self.used:
                entry.unlink(missing_ok=True)
