"""Parsed dumps kept between builds, keyed by the dump's bytes and the tool: an edit re-parses one dump, not all."""
from __future__ import annotations

import os
import pickle
import threading
from pathlib import Path

from .ingest import parse_file
from .model import Diagnostic, Post
from .stamps import digest

CACHE_DIR = ".parsed"  # under build/; written by this tool only (pickle: never point it at others' files)


class ParseCache:
    """parse_file with its result (posts and diagnostics) kept per dump; entries no build used are pruned."""

    def __init__(self, folder: Path, tool: str, write: bool = True) -> None:
        self.folder, self.tool, self.write = folder, tool, write  # (a dry run writes nothing)
        self.used: set[str] = set()

    def parse(self, path: Path, display: str, diags: list[Diagnostic]) -> list[Post]:
        try:
            key = digest(self.tool, display, path.read_bytes()) + ".pickle"
        except OSError:
            return parse_file(path, display, diags)  # (which says what is wrong with the file)
        self.used.add(key)
        try:
            posts, found = pickle.loads((self.folder / key).read_bytes())
            diags.extend(found)
            return posts
        except Exception:  # not there yet, or written by another version of Python: parse
            pass
        found: list[Diagnostic] = []
        posts = parse_file(path, display, found)
        diags.extend(found)
        if not self.write:
            return posts
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = self.folder / f".{key}.{os.getpid()}.{threading.get_ident()}"
            tmp.write_bytes(pickle.dumps((posts, found), protocol=pickle.HIGHEST_PROTOCOL))
            os.replace(tmp, self.folder / key)
        except (OSError, pickle.PicklingError, RecursionError):
            pass  # a cache that cannot be written costs only the next build's time
        return posts

    def prune(self) -> None:
        """Forget the dumps' old versions (each edit leaves one behind)."""
        if not self.used or not self.write:
            return
        for entry in self.folder.glob("*.pickle"):
            if entry.name not in self.used:
                entry.unlink(missing_ok=True)
