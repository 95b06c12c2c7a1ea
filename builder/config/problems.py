"""Problems found in book.yaml: each with its key and line, all reported at once."""
from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Optional


class Problem(str):
    """One problem, 'key: message', with the line of book.yaml it is on (None if unknown)."""

    line: Optional[int] = None

    def __new__(cls, text: str, line: Optional[int] = None) -> Problem:
        self = super().__new__(cls, text)
        self.line = line
        return self


class ConfigError(Exception):
    """All problems found in a config file, one line each."""

    def __init__(self, path: Path, problems: Sequence[str], lines: Optional[dict[str, int]] = None):
        self.path = path
        self.problems = problems
        self.lines = lines or {}  # key path -> line, for problems found after load()
        super().__init__("\n".join(self.report()))

    def report(self) -> list[str]:
        """`book.yaml:LINE: error: key: message`, one line for each problem."""
        return [located(self.path, Problem(p, getattr(p, "line", None) or line_of(self.lines, p.split(": ", 1)[0])))
                for p in self.problems]


def located(path: Path, problem: str, level: str = "error") -> str:
    """A problem as editors and terminals jump to it: `book.yaml:7: error: fonts: …`."""
    line = getattr(problem, "line", None)
    return f"{path}{f':{line}' if line else ''}: {level}: {problem}"


def line_of(lines: dict[str, int], key: str) -> Optional[int]:
    """The line of a key path (`series[0].title`), or of the nearest enclosing key that has one."""
    while key:
        if key in lines:
            return lines[key]
        shorter = re.sub(r"(\[\d+\]|\.?[^.\[]*)$", "", key)
        if shorter == key:  # a key that itself ends in `[`
            shorter = key.rsplit(".", 1)[0] if "." in key else ""
        key = shorter
    return None


class Problems:
    """Problems found so far, each with the line of its key."""

    def __init__(self, lines: dict[str, int]):
        self.lines = lines
        self.items: list[Problem] = []
        self.keys: set[str] = set()

    def add(self, key: str, message: str, line: Optional[int] = None) -> None:
        text = f"{key}: {message}" if key else message
        self.items.append(Problem(text, line or line_of(self.lines, key)))
        self.keys.add(key)

    def clean(self, key: str) -> bool:
        """No problem yet with this key's value: a value a type error replaced is not checked again."""
        return not any(k == key or k.startswith((key + ".", key + "[")) for k in self.keys)


def suggest(word: str, choices: list[str], otherwise: str) -> str:
    """`did you mean 'series'?` (by spelling, or with `_` and `-` ignored), else `otherwise`."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    folded = {c.replace("_", "").replace("-", "").lower(): c for c in choices}
    close = close or [folded[f] for f in [word.replace("_", "").replace("-", "").lower()] if f in folded]
    return f"did you mean '{close[0]}'?" if close else otherwise


def one_of(value: str, choices: list[str], extra: str = "") -> str:
    """`'a3paper' is not one of a4paper, …; did you mean 'a4paper'?`"""
    listing = f"'{value}' is not one of {', '.join(choices)}{extra}"
    hint = suggest(value, choices, "")
    return f"{listing}; {hint}" if hint else listing
