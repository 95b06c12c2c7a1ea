"""EPUB through pandoc, read back with a zip reader, and checked with epubcheck."""
from __future__ import annotations

import re

from conftest import need_tex, run_book
from fixtures_text import NUMBERING_REFS

NUMBERING_LABELS = ["one", "star", "g", "k", "z", "m", "dollar", "v"]





def test_numbers_agree_with_the_pdf(numbering_epub):
    need_tex()
    cfg_path, _ = numbering_epub
    assert run_book(cfg_path, "pdf", "-q") == 0
    aux = "".join(p.read_text(encoding="utf-8") for p in (cfg_path.parent / "build" / "tex").glob("*.aux"))
    pdf = {m.group(1): m.group(2).strip("{}")
           for m in re.finditer(r"\\newlabel\{[^{}]*:eq:(\w+)\}\{\{(\{[^{}]*\}|[^{}]*)\}", aux)}
    assert [f"({pdf[label]})" for label in NUMBERING_LABELS] == NUMBERING_REFS
