"""Hostile input, round two: what a dump, a file name or a kill can do costs only itself, never the book."""
from __future__ import annotations

import errno

from conftest import run_book, seed_book

from builder.render.latex.texescape import (
    TEX_LINE_MAX,
    escape_prose,
    escape_verbatim,
    wrap_lines,
)
from builder.tex import log as texlog
from builder.tex import sandbox


def test_a_full_disk_is_a_message_not_a_traceback(tmp_path, monkeypatch, capsys):
    import builder.build.chapters
    cfg_path = seed_book(tmp_path)

    def full(path, text):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))
    monkeypatch.setattr(builder.build.chapters, "write_if_changed", full)
    assert run_book(cfg_path, "chapters") == 1
    err = capsys.readouterr().err
    assert "No space left on device; the previous outputs were left as they were" in err
    assert "internal error" not in err


def test_terminal_only_errors_and_cut_files_are_recognised(tmp_path):
    assert texlog.terminal_errors(["! Unable to read an entire line---bufsize=200000.\n",
                                   "xdvipdfmx:fatal: File ended prematurely\n", "harmless\n"]) == [
        "Unable to read an entire line---bufsize=200000.", "xdvipdfmx:fatal: File ended prematurely"]
    log = "(./book.tex (./book.aux) (/x/chapters/2021-03-06-a.tex [3]) (/x/chapters/2021-03-07-b.tex [4]"
    assert texlog.last_opened_file(log) == "2021-03-07-b"
    (tmp_path / "book.aux").write_text("\\relax\n\\newlabel{a}{{1}{2}}\n\\newlabel{b}{{1", encoding="utf-8")
    (tmp_path / "book.toc").write_text("\\contentsline {chapter}{\\{x\\}}{1}{chapter.1}%\n", encoding="utf-8")
    assert sandbox.discard_cut_files(tmp_path, "book") == ["book.aux"]
    assert (tmp_path / "book.toc").exists() and not (tmp_path / "book.aux").exists()


def test_generated_lines_stay_short_and_breakable():
    wrapped = wrap_lines("汉字" * 5000 + " " + "\\textasciitilde{}" * 1000)
    assert max(len(line) for line in wrapped.split("\n")) <= TEX_LINE_MAX
    assert wrapped.replace("%\n", "").replace("\n", " ") == "汉字" * 5000 + " " + "\\textasciitilde{}" * 1000
    assert escape_prose("~" * 100).count("\\allowbreak{}") >= 4
    joined = wrap_lines(("汉" * 3000 + "\n 字") * 3)  # lines a paragraph kept: no empty line (a \par) made
    assert "\n\n" not in joined and joined.replace("%\n", "") == ("汉" * 3000 + "\n 字") * 3
    shown = escape_verbatim("x^{" * 2000)
    assert "以下 3000 个字符从略" in shown and max(len(line) for line in shown.split("\n")) <= TEX_LINE_MAX
