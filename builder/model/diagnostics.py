"""Warnings and errors tied to a place in an input."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional

from builder.model.content import Location

# Warnings about a post that book.yaml can accept (posts.<id>.accept), by code.
WARNING_CODES = {"empty-body": "the post has no text (the listing page showed none)",
                 "untitled": "the post has no title (settled as well by posts.<id>.title)"}


@dataclass(frozen=True)
class Diagnostic:
    """A warning or error tied to an input location."""

    loc: Optional[Location]
    message: str
    level: Literal["warning", "error"] = "warning"
    code: str = ""  # a warning a post may accept in book.yaml (posts.<id>.accept), shown in brackets

    def __str__(self) -> str:
        where = f"{self.loc}: " if self.loc else ""
        return f"{where}{self.level}: {self.message}" + (f" [{self.code}]" if self.code else "")
