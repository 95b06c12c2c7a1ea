"""Constructs real posts use beyond the seeds, one fixture dump each, built together into the PDF and the EPUB."""
from __future__ import annotations

import re
import subprocess
import sys
import zipfile

import pytest
from conftest import CONSTRUCTS, ROOT, make_book, need_tex, pdf_text
from pypdf import PdfReader


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    need_tex()
    root = tmp_path_factory.mktemp("constructs")
    cfg_path = make_book(root, {p.name: p.read_text(encoding="utf-8") for p in CONSTRUCTS.glob("*.txt")})
    proc = subprocess.run([sys.executable, "-m", "builder.cli", "--config", str(cfg_path), "all", "-j", "2"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return root, proc.stderr


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_no_tex_error_and_no_formula_shown_as_source(built):
    root, err = built
    log = (root / "build" / "tex" / "book.log").read_text(errors="replace")
    assert not re.search(r"^! ", log, re.M)
    assert "shown as source" not in err and "degraded" not in err
    assert "公式（按原文显示）" not in pdf_text(root / "build" / "book.pdf")
    assert "Missing character" not in log
    assert not re.search(r"^Overfull \\[hv]box", log, re.M)  # the long formula was scaled, not set into the margin
    assert re.search(r"excerpts/01_multiline_math\.txt:29: warning: display formula wider than the text, scaled", err)


def test_multiline_math_and_references(built):
    text = flat(pdf_text(built[0] / "build" / "book.pdf"))
    assert "由式(1.1)、(1.2)和(1.3)可知结论成立" in text
    assert "(1.5)" in text  # gather numbers its two lines: 1.4 and 1.5
    assert "分段函数写成" in text and "对齐的方程组" in text


def test_code_keeps_indentation_and_is_not_math(built):
    text = pdf_text(built[0] / "build" / "book.pdf")
    lines = text.splitlines()
    def_line = next(l for l in lines if "def softmax(x):" in l)
    ret_line = next(l for l in lines if "return e / e.sum()" in l)
    indent = lambda l: len(l) - len(l.lstrip())  # noqa: E731
    assert indent(ret_line) > indent(def_line)
    assert "# 减去最大值，防止溢出" in text
    assert "Solve[\\[Alpha] x == 1, x]" in text  # `\[` in Mathematica code stays code


def test_table_cells_and_mathjax_forms(built):
    text = flat(pdf_text(built[0] / "build" / "book.pdf"))
    for cell in ("模型", "准确率", "速度", "BERT", "92.1", "ALBERT", "91.4"):
        assert cell in text
    assert "两项之和" in text and "训练" in text and "softmax" in text


def test_headings_lists_urls_and_duplicate(built):
    root, _ = built
    pdf = root / "build" / "book.pdf"
    text = pdf_text(pdf)
    assert re.search(r"\d+\.1\s+随机微分", text) and "随机微分 #" not in text
    assert "1、 第一点说明" in text and "(1) 括号编号的第一项" in text and "(2) 括号编号的第二项" in text
    assert text.count("标题、列表与链接") >= 2 and "第六章" not in text  # five posts: the duplicate merged
    uris = [a.get_object()["/A"].get("/URI") for page in PdfReader(str(pdf)).pages
            for a in page.get("/Annots", []) if "/A" in a.get_object()]
    assert "https://github.com/bojone/bert4keras_very_long_path_name/blob/master/examples/task_sentiment_albert.py" in uris
    assert "《生成扩散模型漫谈（三）：DDPM = 贝叶斯 + 去噪》" in text


def test_epub_has_mathml_code_and_links(built):
    root, err = built
    m = re.search(r"epub: (\d+) formulas, (\d+) as MathML", err)
    assert m and m.group(1) == m.group(2)
    with zipfile.ZipFile(root / "build" / "book.epub") as z:
        xhtml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xhtml"))
    assert "<pre" in xhtml and "<code" in xhtml and "softmax" in xhtml
    assert "Solve[\\[Alpha] x == 1, x]" in re.sub(r"<[^>]+>", "", xhtml)
    assert 'href="https://github.com/bojone/bert4keras_very_long_path_name' in xhtml
    text = re.sub(r"<math.*?</math>", "", xhtml, flags=re.S)
    assert "\\begin{" not in text and "\\frac" not in text
    assert xhtml.count("<math") >= 15
