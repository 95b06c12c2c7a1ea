"""Each dump's parsed posts kept by the digest of its bytes and the tool, as JSON: an edit re-parses one dump."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Optional

from builder.model.book import Post
from builder.model.codec import Codec, DecodeError
from builder.model.diagnostics import Diagnostic
from builder.read.posts import parse_file
from builder.util.hashing import digest, file_digest
from builder.util.store import Store

CACHE_DIR = ".parsed"  # under build/
_CODEC = Codec()


class ParseCache:
    """parse_file with its result (posts and diagnostics) kept per dump; entries no build used are pruned. A
    file there is read as data only (JSON of the model's own classes): a planted one can be wrong, never code."""

    def __init__(self, folder: Path, tool: str, write: bool = True,
                 note: Optional[Callable[[str], None]] = None) -> None:
        self.store = Store(folder, write, note)  # (a dry run writes nothing)
        self.tool = tool
        self.used: set[str] = set()

    def parse(self, path: Path, display: str, diags: list[Diagnostic]) -> list[Post]:
        try:
            key = digest(self.tool, display, file_digest(path)) if path.is_file() else ""
        except OSError:
            key = ""
        if not key:
            return parse_file(path, display, diags)  # (which says what is wrong with the file)
        name = f"{key[:32]}.json"
        self.used.add(name)

        def parse() -> tuple[list[Post], list[Diagnostic]]:
            found: list[Diagnostic] = []
            return parse_file(path, display, found), found

        posts, found = self.store.kept(name, key, parse, encode=lambda v: _CODEC.encode(list(v)),
                                       decode=_decode)
        diags.extend(found)
        return posts

    def prune(self) -> None:
        """Forget the dumps' old versions (each edit leaves one behind)."""
        if not self.used or not self.store.write_enabled:
            return
        for entry in self.store.folder.glob("*"):
            if entry.name not in self.used and entry.is_file() and not entry.is_symlink():
                entry.unlink(missing_ok=True)


def _decode(data: object) -> tuple[list[Post], list[Diagnostic]]:
    posts, found = _CODEC.decode(data, tuple[list[Post], list[Diagnostic]])
    return posts, found


__all__ = ["CACHE_DIR", "DecodeError", "ParseCache"]
