"""A book of whole post pages (tests/pages), PDF and EPUB: the posts whole, their headings in the contents,
no site chrome, no excerpt note, every formula typeset."""
from __future__ import annotations

import shutil
import zipfile

import pytest
from conftest import ROOT, TESTS, epubcheck, pdf_text, require_epubcheck, run_book

YAML = "title: 科学空间选\nauthor: 苏剑林\nsources: [pages/*.txt]\n"


@pytest.fixture(scope="module")
def pages_book(tmp_path_factory):
    root = tmp_path_factory.mktemp("pages-book")
    shutil.copytree(TESTS / "pages", root / "pages", ignore=shutil.ignore_patterns("*.md"))
    shutil.copytree(ROOT / "builder" / "styles", root / "styles")
    (root / "book.yaml").write_text(YAML, encoding="utf-8")
    assert run_book(root / "book.yaml", "pdf", "--strict") == 0
    assert run_book(root / "book.yaml", "epub") == 0
    return root


def test_pdf_has_the_whole_posts_and_no_chrome(pages_book, capsys):
    text = pdf_text(pages_book / "build" / "book.pdf", layout=False)
    flat = "".join(text.split())
    for title in ("三个球的交点坐标", "Linux下的误删大坑与简单的恢复技巧", "证明过程", "应用场景"):
        assert title in flat, title
    for chrome in ("转载到请包括本文地址", "打赏", "你也许还对下面的内容感兴趣", "USERLOGIN", "摘录"):
        assert chrome not in flat, chrome
    assert "$" not in text and "\\begin" not in text and "\\frac" not in text  # no formula shown as source
    assert "sudo rm / -rf" in text


def test_epub_is_valid_and_whole(pages_book):
    require_epubcheck()
    epub = pages_book / "build" / "book.epub"
    assert "No errors or warnings detected" in epubcheck(epub)
    with zipfile.ZipFile(epub) as z:
        xhtml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xhtml"))
    assert xhtml.count("<math") >= 80 and "excerpt-note" not in xhtml and "打赏" not in xhtml
