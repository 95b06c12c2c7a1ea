"""Conventions of a printed Chinese book in the generated LaTeX: spacing at index entries, ellipses, self-links,
code kept together at page breaks, wide displays broken before an operator."""
from __future__ import annotations

import re

from conftest import make_book, pdf_text, run_book


def test_a_long_table_breaks_across_pages_with_its_head_repeated(tmp_path):
    rows = "\n".join(f"条目{k}\t{k * 1.5:.1f}" for k in range(1, 71))
    dump = f"长表格\nBy 苏剑林 | 2020-01-02 | 10位读者 | 引用结果如下表：\n名称\t分数值\n{rows}\n可以看到效果不错。\n"
    cfg = make_book(tmp_path, {"a.txt": dump})
    assert run_book(cfg, "pdf", "-q") == 0
    tex = next((tmp_path / "chapters").glob("*.tex")).read_text(encoding="utf-8")
    assert r"\begin{longtable}{ll}" in tex and r"\endhead" in tex
    pages = pdf_text(tmp_path / "build" / "book.pdf").split("\f")
    holding = [n for n, page in enumerate(pages) if "条目" in page]
    assert len(holding) >= 2 and all("名称" in pages[n] for n in holding)  # the head row on every page
    assert re.search(r"条目\s*70\s+105\.0", pages[holding[-1]]) and "可以看到效果不错" in "".join(pages)
