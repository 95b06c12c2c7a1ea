"""Renderer tests: golden .tex for a small fixture book, escaping and the math whitelist."""
from __future__ import annotations

import os

import pytest
from conftest import GOLDEN, make_book, run_book
from fixtures_text import FORMAT_A

from builder.mathtex import latex as mlatex
from builder.mathtex import parse
from builder.render.latex.texescape import escape


def test_golden_chapters(tmp_path, capsys):
    cfg_path = make_book(tmp_path, {"a.txt": FORMAT_A})
    assert run_book(cfg_path, "chapters") == 0
    err = capsys.readouterr().err
    assert "excerpts/a.txt:11: warning: formula uses \\foo, which MathJax does not know either; shown as source" in err
    produced = sorted((tmp_path / "chapters").glob("*.tex"))
    assert [p.name for p in produced] == ["2018-03-18-bian-fen-zi-bian-ma-qi.tex",
                                          "2019-01-02-qi-ta-hua-ti-de-wen.tex"]
    for path in produced + [tmp_path / "build" / "tex" / "book.tex"]:
        golden = GOLDEN / path.name
        if os.environ.get("UPDATE_GOLDEN"):
            golden.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
        assert path.read_text(encoding="utf-8") == golden.read_text(encoding="utf-8"), path.name


def test_labels_are_unique_per_post(tmp_path):
    cfg_path = make_book(tmp_path, {"a.txt": FORMAT_A})
    assert run_book(cfg_path, "chapters", "-q") == 0
    a = (tmp_path / "chapters" / "2018-03-18-bian-fen-zi-bian-ma-qi.tex").read_text(encoding="utf-8")
    b = (tmp_path / "chapters" / "2019-01-02-qi-ta-hua-ti-de-wen.tex").read_text(encoding="utf-8")
    assert r"\label{2018-03-18-bian-fen-zi-bian-ma-qi:eq:loss}" in a
    assert r"\eqref{2018-03-18-bian-fen-zi-bian-ma-qi:eq:loss}" in a
    assert r"\label{2019-01-02-qi-ta-hua-ti-de-wen:eq:loss}" in b


def test_rewriting_is_byte_stable(tmp_path):
    cfg_path = make_book(tmp_path, {"a.txt": FORMAT_A})
    assert run_book(cfg_path, "chapters", "-q") == 0
    files = sorted((tmp_path / "chapters").glob("*.tex"))
    stamps = [f.stat().st_mtime_ns for f in files]
    assert run_book(cfg_path, "chapters", "-q") == 0
    assert [f.stat().st_mtime_ns for f in files] == stamps  # nothing rewritten when nothing changed


@pytest.mark.parametrize("text", ["50% & #1 _x_ ^ ~ \\input{/etc/passwd} {} $ < > | \" ' ` -- ---"])
def test_escape_leaves_no_active_character(text):
    out = escape(text)
    for bad in ["\\input", "%", "#1"]:
        assert bad not in out.replace("\\%", "").replace("\\#", "")


@pytest.mark.parametrize("source, problem", [
    (r"\frac{a}{b}", None),
    (r"\begin{aligned}a&=b\\c&=d\end{aligned}", None),
    (r"\foo{x}", "\\foo, which MathJax does not know either"),
    (r"\input{/etc/passwd}", "\\input, which MathJax does not know either"),
    (r"\immediate\write18{touch x}", "\\immediate, which MathJax does not know either"),
    (r"\def\x{\x}\x", "expands without end"),
    (r"{a", "unbalanced braces"),
    (r"a}", "unmatched '}'"),
    (r"\left(a", "\\left without \\right"),
    (r"\begin{aligned}a", "without its \\end"),
    (r"\begin{verbatim}a\end{verbatim}", "environment verbatim, which MathJax does not know either"),
    (r"^^5cinput", "'^^'"),
    (r"a % \input{x}", None),  # a comment, as MathJax reads it: dropped, never given to TeX
    (r"#1", "'#' outside a macro definition"),
])
def test_math_check(source, problem):
    result = parse(source, True)
    if problem is None:
        assert result.problem is None
        assert "input" not in mlatex.display(result, "p", "k")
    else:
        assert result.problem and problem in result.problem, result.problem
