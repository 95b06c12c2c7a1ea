"""`book check`: text that is in the PDF is found, wherever the book's own additions put it; missing text is not."""
from __future__ import annotations

from conftest import make_book

from builder import config
from builder.build import check
from builder.build.book import load_book
from builder.build.check import find_run

TITLE = "原来是这么一回事"


def test_a_run_cut_by_something_the_book_set_inside_it_is_found():
    # A link's label （第十五章） or a float moved to the top of the next page, inside a sentence
    for inserted in ("第十五章", "图正交分解示意图" * 20):
        stream = "前面的话" + TITLE[:5] + inserted + TITLE[5:] + "后面的话"
        assert find_run(stream, TITLE, 4) == len(stream) - 4
    assert find_run("前面的话" + TITLE[:2] + "x" * 1200 + TITLE[2:], TITLE, 4) == -1  # a whole book away


def test_a_run_printed_before_the_text_beside_it_is_found():
    stream = "第十五章一文中说过" + TITLE
    pos = find_run(stream, TITLE, 0)
    assert pos == len(stream)
    assert find_run(stream, "一文中说过", pos) == pos  # just before: found, and the position stays


def test_missing_text_is_not_found():
    stream = "前面的话" + "我们先介绍一个简单的几何事实" + "后面的话" * 100
    assert find_run(stream, "这句新话不在书里", 4) == -1
    assert find_run(stream, "我们先介绍一个复杂的代数事实", 4) == -1  # its parts are there, but not as a whole
    assert find_run(stream, "我们先介绍一个简单的几何事实", 4) > 0


def test_check_book_with_reordered_and_missing_text(tmp_path, monkeypatch):
    dump = ("一篇文章\nBy 苏剑林 | 2020-05-01 | 10位读者 | 引用第一句话写在这里，后面是《" + TITLE + "》一文的引用。\n"
            "最后一段话说完了全部的内容。\n")
    cfg = config.load(make_book(tmp_path, {"a.txt": dump}))
    book = load_book(cfg)
    pdf = "第一句话写在这里，后面是《原来是这么（第十五章）一回事》一文的引用。\n最后一段话说完了全部的内容。"
    monkeypatch.setattr(check, "pdf_pages", lambda _: [pdf])
    results = check.check_book(book, tmp_path / "book.pdf")
    assert [(r.found, r.total) for r in results] == [(results[0].total, results[0].total)]
    monkeypatch.setattr(check, "pdf_pages", lambda _: [pdf.replace("最后一段话说完了", "")])
    result = check.check_book(book, tmp_path / "book.pdf")[0]
    assert result.missing == ["最后一段话说完了全部的内容"] and result.share < 1
