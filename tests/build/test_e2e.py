"""End-to-end: real XeLaTeX builds, read back with pdftotext."""
from __future__ import annotations

import re

from conftest import make_book, pdf_text, run_book
from fixtures_text import FORMAT_A

from builder import config
from builder.build.book import load_book
from builder.text.typography import printed_title


def squash(text: str) -> str:
    """pdftotext puts spaces between CJK and Latin and breaks lines; compare without them."""
    return re.sub(r"\s+", "", text)


def test_seed_book_has_contents_parts_and_every_post_once(seed_pdf):
    cfg_path, text, _ = seed_pdf
    flat = squash(text)
    assert "目录" in text and "前言" in text and "索引" in text
    parts = ["第一部分生成扩散模型漫谈", "第二部分Transformer升级之路", "第三部分变分自编码器",
             "第四部分多任务学习漫谈", "第五部分其他文章"]
    positions = [flat.rfind(p) for p in parts]  # the part pages, after the contents
    assert all(p > 0 for p in positions) and positions == sorted(positions)
    book = load_book(config.load(cfg_path))
    assert len(book.chapters()) == 38
    for chapter in book.chapters():
        title = squash(printed_title(chapter.post.display_title))  # printed with full-width marks
        # once in the contents, once as the chapter heading (running heads may repeat it)
        assert flat.count(title) >= 2, chapter.post.display_title
    assert "第三十八章" in flat and "第三十九章" not in flat
    assert flat.count("（无标题）") >= 2


def test_seed_book_index_has_pinyin_letter_groups(seed_pdf):
    cfg_path, text, _ = seed_pdf
    # Order and grouping as makeindex wrote them …
    ind = (cfg_path.parent / "build" / "tex" / "book.ind").read_text(encoding="utf-8")
    groups = re.findall(r"\\sbindexgroup\{([^}]*)\}", ind)
    assert len(groups) >= 10 and groups == sorted(groups)
    sections = dict(zip(groups, re.split(r"\\sbindexgroup\{[^}]*\}", ind)[1:]))
    # Chinese terms are filed under their pinyin initial: 梯度裁剪 under T, 正态分布 under Z.
    assert "梯度裁剪" in sections["T"] and "Transformer" in sections["T"]
    assert "正态分布" in sections["Z"] and "变分自编码器" in sections["B"]
    assert "\\hyperpage" in ind  # page numbers are links
    # … and as the reader sees them in the PDF.
    pages = [p for p in text.split("\f") if p.strip().startswith("索引") or p.strip().endswith("索引")]
    printed = "\n".join(pages)
    for letter in groups:
        assert re.search(rf"(?:^|\s{{2,}}){letter}(?:\s{{2,}}|$)", printed, re.M), letter  # a heading alone
    for term in ("梯度裁剪", "正态分布", "Transformer", "Fokker-Planck"):
        assert re.search(rf"{term}[ .]*\d", printed), term


def test_seed_book_log_is_clean(seed_pdf):
    _, _, log = seed_pdf
    assert not re.search(r"^! ", log, re.M), "TeX error in log"
    assert "multiply defined" not in log
    assert "undefined references" not in log and not re.search(r"Reference `.*' on page \d+ undefined", log)
    assert "Missing character" not in log


def test_seed_book_latex_logo_and_equations(seed_pdf):
    _, text, _ = seed_pdf
    flat = squash(text)
    assert "LATEX才是写数学论文软件中的佼佼者" in flat  # $\LaTeX$ typeset as the logo
    assert "(1.1)" in flat  # equations numbered per chapter


def test_labels_repeated_across_posts_resolve_to_their_own_chapter(tmp_path, require_tex):
    cfg_path = make_book(tmp_path, {"a.txt": FORMAT_A})
    assert run_book(cfg_path, "pdf", "-q") == 0
    flat = squash(pdf_text(tmp_path / "build" / "book.pdf"))
    assert "由式(1.1)可知" in flat
    assert "并引用式(2.1)" in flat
    assert "??" not in flat
    log = (tmp_path / "build" / "tex" / "book.log").read_text(encoding="utf-8", errors="replace")
    assert "multiply defined" not in log
    # the bad formula is shown as source and the rest of the book is there
    assert "\\foo{x}" in flat and "它不应该让整本书失败" in flat


def test_failed_build_keeps_previous_pdf(tmp_path, require_tex, monkeypatch, capsys):
    cfg_path = make_book(tmp_path, {"a.txt": FORMAT_A})
    assert run_book(cfg_path, "pdf", "-q") == 0
    pdf = tmp_path / "build" / "book.pdf"
    before = pdf.read_bytes()
    # A style that cannot compile: the build must fail and leave the good book alone.
    sty = tmp_path / "styles" / "sciblog.sty"
    sty.write_text(sty.read_text(encoding="utf-8").replace("\\endinput", "\\undefinedmacro\n\\endinput"),
                   encoding="utf-8")
    assert run_book(cfg_path, "pdf", "-q") == 1
    assert pdf.read_bytes() == before
    assert "previous build/book.pdf" in capsys.readouterr().err
