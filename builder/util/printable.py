"""Outside text made safe to show on a terminal or in a log."""
from __future__ import annotations

import re

# What must never reach a terminal, a log or a TeX comment raw: control characters (ESC starts terminal
# sequences, a newline ends a TeX comment) and the invisible controls that reorder text (BiDi).
UNPRINTABLE_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(name: str) -> str:
    """A file name or other outside text as it may be shown: each control character as a `\\u202e` escape."""
    return UNPRINTABLE_RE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", name)
