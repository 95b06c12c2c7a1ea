"""Each rule that decides a block's kind, on a small example modelled on a line of the real posts."""
from __future__ import annotations

LOST = "丢失的图\nBy 苏剑林 | 2019-08-09 | 100位读者 | 引用信息泄漏就越严重。如下图所示：\n信息泄漏的一个表观现象是：交叉熵之和更小。\n"


def test_figure_without_caption_in_epub_and_pdf(tmp_path):
    import re
    import zipfile

    from conftest import make_book, need_tex, pdf_text, run_book
    cfg_path = make_book(tmp_path, {"a.txt": LOST})
    assert run_book(cfg_path, "epub", "-q") == 0
    with zipfile.ZipFile(tmp_path / "build" / "book.epub") as z:
        text = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xhtml"))
    assert "figure-placeholder" in text
    caption = re.search(r'<div class="caption">\s*<p>(.*?)</p>', text, re.S).group(1)
    assert re.sub(r"<[^>]+>", "", caption).strip() == "图 1.1"  # no separator left dangling
    need_tex()
    assert run_book(cfg_path, "pdf", "-q") == 0
    pdf = pdf_text(tmp_path / "build" / "book.pdf")
    assert "（原文此处为图片）" in pdf and re.search(r"图 1\.1\s*\n", pdf)
