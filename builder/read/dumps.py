"""A dump file's lines: UTF-8 checked, controls removed."""
from __future__ import annotations

import re
from pathlib import Path


class InputError(Exception):
    """A dump that cannot be read at all (not text, not UTF-8)."""

    def __init__(self, display: str, message: str):
        super().__init__(f"{display}: error: {message}")
        self.display, self.message = display, message


def read_dump(path: Path, display: str) -> list[str]:
    """The file's lines: UTF-8 (BOM dropped), any line ending; bad bytes are a clear error."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(display, f"not UTF-8 text (invalid byte 0x{data[exc.start]:02x} "
                                  f"at byte offset {exc.start})") from None
    text = text.lstrip("\ufeff")
    if "\x00" in text:
        raise InputError(display, f"binary data (NUL byte at character {text.index(chr(0))})")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Control characters other than tab and newline never belong in prose (nor on a terminal); nor do the
    # invisible controls that reorder text (BiDi overrides), which could make a line read as another.
    return CONTROL_RE.sub("", text).split("\n")


CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
