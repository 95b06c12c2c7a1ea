"""What the tool keeps between builds: files written atomically, JSON entries read back only when whole and ours."""
from __future__ import annotations

import json
import os
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Optional

FORMAT = 1  # of every entry; another number (an older tool's, a planted file's) is discarded


@contextmanager
def atomic_file(target: Path) -> Iterator[Path]:
    """A fresh empty file beside `target` for a writer to fill (made here with O_EXCL and O_NOFOLLOW: never a
    link planted at a known name), renamed onto `target` when the block ends, removed if it fails: `target`
    holds the new content or what it held before, never a part."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.{secrets.token_hex(4)}.tmp")
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644))
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def atomic_write(path: Path, data: bytes) -> None:
    """`path` holds `data` or what it held before, never a part (atomic_file)."""
    with atomic_file(path) as tmp:
        fd = os.open(tmp, os.O_WRONLY | os.O_TRUNC | os.O_NOFOLLOW)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)


def write_if_changed(path: Path, text: str) -> bool:
    """Write only when the bytes differ, so TeX sees nothing new when nothing is new."""
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    atomic_write(path, data)
    return True


class Store:
    """JSON entries in one folder, each with the key of what it was made from: read back while the key is the same.
    What cannot be read as an entry of this format (cut short, another tool's, planted) is discarded, and said."""

    def __init__(self, folder: Path, write: bool = True, note: Optional[Callable[[str], None]] = None) -> None:
        self.folder, self.write_enabled, self.note = folder, write, note

    def path(self, name: str) -> Path:
        return self.folder / name

    def read(self, name: str, key: str = "") -> Any:
        """The entry's value, or None (none yet, another key, or not an entry this tool wrote)."""
        path = self.path(name)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        try:
            entry = json.loads(data)
            if not (isinstance(entry, dict) and entry.get("format") == FORMAT and "value" in entry):
                raise ValueError("not an entry of this tool")
        except ValueError:
            if self.note:
                self.note(f"{path}: not a file this tool wrote (or cut short); discarded")
            if self.write_enabled:
                path.unlink(missing_ok=True)
            return None
        return entry["value"] if entry.get("key", "") == key else None

    def write(self, name: str, value: Any, key: str = "") -> None:
        """Kept for the next build (a dry run writes nothing; a store that cannot be written costs only time)."""
        if not self.write_enabled:
            return
        data = json.dumps({"format": FORMAT, "key": key, "value": value}, ensure_ascii=False)  # (order kept)
        try:
            atomic_write(self.path(name), data.encode("utf-8"))
        except OSError:
            pass

    def kept(self, name: str, key: str, make: Callable[[], Any], encode: Callable[[Any], Any] = lambda v: v,
             decode: Callable[[Any], Any] = lambda v: v) -> Any:
        """make()'s result, kept under `name` while `key` is the same."""
        stored = self.read(name, key)
        if stored is not None:
            try:
                return decode(stored)
            except (ValueError, TypeError, KeyError):
                if self.note:
                    self.note(f"{self.path(name)}: not a file this tool wrote; discarded")
        value = make()
        self.write(name, encode(value), key)
        return value
