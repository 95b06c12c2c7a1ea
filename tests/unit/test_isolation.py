"""A formula TeX rejects costs only itself: the book is built, that formula is shown as source, nothing else."""
from __future__ import annotations

from conftest import make_book

from builder.build.diagnosis import blame_line


def test_error_lines_lead_back_to_formulas_blocks_and_titles():
    lines = [r"\chapter[x]{x}%@t", r"\label{p:chapter}", "%@b0", "文字%", r"$a$%@f0", "更多文字", "",
             "%@b1", r"\begin{equation}%@f1", "a", r"\end{equation}%@/f1", "%@b2", "段落", "第二行"]
    assert blame_line(lines, 1) == "t"
    assert blame_line(lines, 5) == "f0"
    assert blame_line(lines, 6) == "b0"
    assert [blame_line(lines, n) for n in (9, 10, 11)] == ["f1", "f1", "f1"]
    assert blame_line(lines, 14) == "b2"
    assert blame_line(lines, 2) == "t"


def test_errors_in_contents_labels_and_overview_lead_back_to_titles(tmp_path):
    from builder import config
    from builder.build.book import load_book
    from builder.build.diagnosis import Diagnosis, Verdicts
    dump = ("第一篇\nBy 测试者 | 2021-05-01 | 5位读者 | 引用开头的文字。\n小节标题\n小节的正文，很长的一句话。\n"
            "第二篇\nBy 测试者 | 2021-05-02 | 5位读者 | 引用另一篇的文字。\n")
    cfg_path = make_book(tmp_path, {"a.txt": dump}, "title: 测试\nauthor: 测试者\nsources: [excerpts/*.txt]\n")
    cfg = config.load(cfg_path)
    book = load_book(cfg)
    first, second = book.chapters()
    work = tmp_path / "build" / "tex"
    work.mkdir(parents=True)
    (work / "book.toc").write_text("\\contentsline {chapter}{x}{1}{chapter.1}%\n"
                                   "\\contentsline {section}{y}{1}{section.1.1}%\n"
                                   "\\contentsline {chapter}{z}{2}{chapter.2}%\n", encoding="utf-8")
    (work / "book.aux").write_text(f"\\newlabel{{{second.post.id}:chapter}}{{{{2}}{{3}}}}\n", encoding="utf-8")
    (work / "book.tex").write_text(f"\\sbpartrow{{{first.post.id}:chapter}}{{x}}{{y}}\n", encoding="utf-8")
    diagnose = Diagnosis(book, cfg, Verdicts.load(tmp_path / "state", "s"), print, print)
    heading = next(i for i, b in enumerate(first.post.blocks) if type(b).__name__ == "Heading")
    assert diagnose.place("book", 1, ".toc", work) == (first, "t")
    assert diagnose.place("book", 2, ".toc", work) == (first, f"b{heading}")
    assert diagnose.place("book", 3, ".toc", work) == (second, "t")
    assert diagnose.place("book", 1, ".aux", work) == (second, "t")
    assert diagnose.place("book", 1, ".tex", work) == (first, "t")
    assert diagnose.place("book", 9, ".toc", work) is None
