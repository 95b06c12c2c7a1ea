"""Content digests, and the digest of the tool itself."""
from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from builder import __version__


def digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


_seen: dict[tuple, str] = {}  # (path, size, times, inode) -> digest: a file is read once while it is unchanged


def file_digest(path: Path) -> str:
    """The sha256 of a file's bytes ("-" when there is no such file). Several stages stamp the same dumps in one
    build (its outputs, the terms, the parse cache): each unchanged file is read and hashed once per process."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return "-"
    key = (str(path), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
    found = _seen.get(key)
    if found is None:
        found = _seen[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@functools.cache
def tool_digest() -> str:
    """The tool's own version: its release plus the bytes of its code and data (the MathJax table); read once
    per process (the code that runs is the code that was imported)."""
    package = Path(__file__).resolve().parents[1]  # the builder package
    files = sorted(p for p in package.rglob("*") if p.suffix in (".py", ".json") and "__pycache__" not in p.parts)
    return digest(__version__, *(str(p.relative_to(package)).encode() + p.read_bytes() for p in files))
