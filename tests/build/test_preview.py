"""`book preview`: one chapter's pages, the same as in the full book (folios, equation numbers, links)."""
from __future__ import annotations

import subprocess

import pytest
from conftest import make_book, need_tex, run_book
from fixtures_text import FORMAT_A

from builder import config
from builder.build.book import load_book


def pages_text(pdf) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


# A short post, then a long one (several pages) with numbered equations, references to them and a citation
# of the first post: what a preview must number as the book does.
LONG = "\n".join(
    ["第一篇短文", "By 测试者 | 2021-05-01 | 5位读者 | 引用开头的一段文字，说明这是第一篇。",
     "第二篇长文：编号与页码", "By 测试者 | 2021-05-02 | 5位读者 | 引用长文的开头，参见《第一篇短文》。"]
    + [f"第{k}段正文讲的是一个较长的论证，需要足够多的文字才能让这一章跨过好几页；" * 3
       + f"\n\\begin{{equation}}x_{{{k}}} = \\sum_{{i=1}}^{{{k}}} i^2\\label{{eq:{k}}}\\end{{equation}}"
       + f"\n由式$\\eqref{{eq:{k}}}$可知结论成立，而《第一篇短文》早已说过。" for k in range(1, 25)]) + "\n"


@pytest.fixture(scope="module")
def long_book(tmp_path_factory):
    need_tex()
    root = tmp_path_factory.mktemp("previewbook")
    cfg_path = make_book(root, {"a.txt": LONG}, "title: 测试\nauthor: 测试者\nsources: [excerpts/*.txt]\n")
    assert run_book(cfg_path, "pdf", "-q") == 0
    return cfg_path, pages_text(root / "build" / "book.pdf")


def test_preview_pages_are_the_books_pages(long_book, capsys):
    cfg_path, book_pages = long_book
    chapter = load_book(config.load(cfg_path)).chapters()[1]
    assert run_book(cfg_path, "preview", chapter.post.id) == 0
    said = capsys.readouterr().err
    preview = pages_text(cfg_path.parent / "build" / "preview.pdf")
    assert len(preview) >= 3
    first = next(i for i, page in enumerate(book_pages) if page.strip() and page.splitlines()[0].strip()
                 == preview[0].splitlines()[0].strip())
    assert preview == book_pages[first:first + len(preview)]  # every line, folios and (n.k) numbers included
    folio = int(preview[-1].split()[-1])
    assert f"pages {folio - len(preview) + 1}–{folio} of the book" in said
    flat = "".join("".join(preview).split())
    assert "(2.1)" in flat and "(2.24)" in flat and "（第一章）" in flat  # its numbers; the citation's chapter
    assert "??" not in flat


def test_preview_by_dump_line_and_before_any_full_build(tmp_path, capsys):
    need_tex()
    cfg_path = make_book(tmp_path, {"a.txt": FORMAT_A})
    book = load_book(config.load(cfg_path))
    second = book.chapters()[1]
    where = second.post.sources[0]
    assert run_book(cfg_path, "preview", f"{where.path}:{where.line + 1}") == 0  # a line inside the post
    said = capsys.readouterr().err
    assert "has not been built yet" in said and second.post.display_title in said
    assert run_book(cfg_path, "preview", "no-such-post") == 1
    assert "no post 'no-such-post'" in capsys.readouterr().err


def test_preview_watch_previews_again_on_a_save(long_book):
    import io
    import threading
    import time

    from builder.build.options import Options
    from builder.build.preview import watch_preview

    cfg_path, _ = long_book
    cfg = config.load(cfg_path)
    post = load_book(cfg).chapters()[1].post
    out, stop = io.StringIO(), threading.Event()
    worker = threading.Thread(target=watch_preview, args=(cfg, Options(out=out), post.id, stop, 0.1))
    worker.start()
    try:
        deadline = time.time() + 60
        while "Ctrl-C stops" not in out.getvalue() and time.time() < deadline:
            time.sleep(0.1)
        dump = cfg_path.parent / "excerpts" / "a.txt"
        dump.write_text(dump.read_text(encoding="utf-8").replace("第1段正文", "第1段改过的正文"), encoding="utf-8")
        while out.getvalue().count("wrote build/preview.pdf") < 2 and time.time() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        worker.join(30)
    assert out.getvalue().count("wrote build/preview.pdf") == 2, out.getvalue()
    assert "改过的正文" in "".join("".join(pages_text(cfg_path.parent / "build" / "preview.pdf")).split())
