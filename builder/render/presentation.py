"""What both renderers print the same way: a chapter's presentation, decided once."""
from __future__ import annotations

from builder.model.content import Inline, Text
from builder.text.typography import title_commas


def title_punctuation(pieces: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """A title's inline pieces with the commas of a Chinese title full-width (text.typography.title_commas)."""
    texts = iter(title_commas([p.text for p in pieces if isinstance(p, Text)]))
    return tuple(Text(next(texts)) if isinstance(p, Text) else p for p in pieces)
