"""Typesetting: links between posts (PDF annotations and EPUB), part overviews, a clean log."""
from __future__ import annotations

import re
import zipfile

from conftest import make_book, pdf_text, run_book
from pypdf import PdfReader

CITING = """\
变分自编码器(一):原来是这么一回事
By 苏剑林 | 2018-03-18 | 1000位读者 | 引用这是系列的第一篇文章，讲解基本原理。
第二段正文。
变分自编码器(二):从贝叶斯观点出发
By 苏剑林 | 2018-03-28 | 900位读者 | 引用在《变分自编码器（一）：原来是这么一回事》中我们讲了原理，本文换一个角度。
另见《一篇不在书里的文章》，它只是普通文字。
"""


def squash(text: str) -> str:
    return re.sub(r"\\s+", "", text)


def test_cited_post_links_to_its_chapter_in_the_pdf(tmp_path, require_tex, capsys):
    cfg_path = make_book(tmp_path, {"a.txt": CITING})
    assert run_book(cfg_path, "pdf", "-q") == 0
    pdf = tmp_path / "build" / "book.pdf"
    flat = re.sub(r"\s+", "", pdf_text(pdf))
    assert "在《变分自编码器（一）：原来是这么一回事》（第一章）中我们讲了原理" in flat
    assert "《一篇不在书里的文章》，它只是普通文字" in flat
    reader = PdfReader(str(pdf))
    named = reader.named_destinations
    chapter_one_page = next(i for i, p in enumerate(reader.pages)
                            if "第一章" in p.extract_text() and "这是系列的第一篇文章" in p.extract_text())
    citing_page = next(i for i, p in enumerate(reader.pages) if "从贝叶斯观点出发" in p.extract_text()
                       and "中我们讲了原理" in p.extract_text())
    targets = []
    for annot in reader.pages[citing_page].get("/Annots", []):
        annot = annot.get_object()
        action = annot.get("/A")
        if annot.get("/Subtype") == "/Link" and action is not None and "/D" in action:
            dest = named.get(str(action["/D"]))
            if dest is not None:
                targets.append(reader.get_destination_page_number(dest))
    assert chapter_one_page in targets, (targets, chapter_one_page)
    capsys.readouterr()
    assert run_book(cfg_path, "list", "--links") == 0
    out = capsys.readouterr().out
    assert "《变分自编码器（一）：原来是这么一回事》 -> chapter 1" in out
    assert "《一篇不在书里的文章》 -> not in this book" in out


def test_cited_post_links_in_the_epub(tmp_path):
    cfg_path = make_book(tmp_path, {"a.txt": CITING})
    assert run_book(cfg_path, "epub", "-q") == 0
    with zipfile.ZipFile(tmp_path / "build" / "book.epub") as z:
        xhtml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xhtml"))
    assert re.search(r'<a href="(ch\d+\.xhtml)?#chapter-1" class="post-link">变分自编码器（一）：原来是这么一回事</a>', xhtml)
    assert "《一篇不在书里的文章》" in xhtml


def test_seed_book_pages(seed_pdf):
    _cfg_path, text, log = seed_pdf
    assert not re.search(r"^Overfull \\[hv]box", log, re.M)
    bad = [int(b) for b in re.findall(r"^Underfull \\[hv]box \(badness (\d+)\)", log, re.M)]
    assert not [b for b in bad if b > 5000]
    pages = text.split("\f")
    # front matter in roman numerals, main matter from 1
    assert re.search(r"\bii[iv]\b", pages[3]) or "iii" in text[:3000]
    overview = [p for p in pages if "本部分文章" in p]
    assert len(overview) == 5
    # one date style in the book: the overview's dates read as the chapter openings' (no ISO beside 月 日)
    assert "2022 年 12 月 22 日" in overview[0] and "第一章" in overview[0]
    assert not re.search(r"\d{4}-\d\d-\d\d", "".join(overview))
