"""book.yaml problems found before TeX (line, key, suggestion), `book config`, `book schema`, page sizes."""
from __future__ import annotations

import re
import shutil

import pytest
from conftest import MINIMAL_YAML, ROOT, make_book, pdf_text, run_book
from fixtures_text import FORMAT_A
from pypdf import PdfReader


@pytest.mark.tex
def test_small_page_book_builds(tmp_path, require_tex):
    cfg_path = make_book(tmp_path, {"a.txt": FORMAT_A}, MINIMAL_YAML + "paper: {width: 90mm, height: 120mm}\n")
    shutil.copy(ROOT / "excerpts" / "000_533a38e5cfb58e24.txt", tmp_path / "excerpts")
    assert run_book(cfg_path, "pdf", "-q") == 0
    pdf = tmp_path / "build" / "book.pdf"
    reader = PdfReader(pdf)
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(90 / 25.4 * 72, abs=0.3)
        assert float(page.mediabox.height) == pytest.approx(120 / 25.4 * 72, abs=0.3)
    text = re.sub(r"\s+", "", pdf_text(pdf, layout=False))
    assert "原来是这么一回事" in text and "这是第一段" in text and "当BatchSize增大时" in text
    log = (tmp_path / "build" / "tex" / "book.log").read_text(encoding="utf-8", errors="replace")
    assert "Overfull" not in log and "headheight is too small" not in log
    # The screen design: no blank page (one page at a time), a chapter's number on a line of its own.
    pages = pdf_text(pdf).split("\f")[:len(reader.pages)]
    assert all(page.strip() for page in pages)
    assert "第一章" in [line.strip() for line in pdf_text(pdf).splitlines()]
