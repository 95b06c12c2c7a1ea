"""A formula TeX rejects costs only itself: the book is built, that formula is shown as source, nothing else."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest
from conftest import ROOT, make_book, need_tex, pdf_text
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from builder.mathtex import dialect, parse

# Formulas our own check passes and TeX rejects, each different; MathJax rejects them too.
TEX_REJECTS = [r"a^b^c", r"x_1_2", r"\frac{a}", r"\hline x", r"\overset{a}", r"\sqrt[3]", r"a\over b\over c",
               r"\mathbf", r"\begin{array}{c}a&b\end{array}\hline", r"\binom{n}"]


POST = """第{n}篇有坏公式的文章
By 测试者 | 2021-04-{day:02d} | 5位读者 | 引用这一篇先有好公式$\\alpha_{n}+\\beta$，再有一个TeX不收的公式${bad}$，然后又是好公式。
$$\\int_0^1 x^{n}\\,dx = \\frac{{1}}{{{n1}}}\\label {{eq:好}}$$
由式$\\eqref{{eq:好}}$可知结论，第{n}篇到此为止。
"""


CLEAN = "没有坏公式的第{n}篇\nBy 测试者 | 2021-03-{day:02d} | 5位读者 | 引用这一篇只有好公式$x_{n}^2$与$\\sqrt{{{n}}}$。\n"


REFUSED = "有一个不收的公式\nBy 测试者 | 2021-02-01 | 5位读者 | 引用MathJax也不认识$\\foo{x}$，这一句照常。\n"


def book_with_bad_formulas(root, count: int):
    dumps = {f"p{n:02d}.txt": POST.format(n=n, day=n + 1, n1=n + 1, bad=TEX_REJECTS[n])
             for n in range(count)}
    dumps.update({f"q{n}.txt": CLEAN.format(n=n, day=n + 1) for n in range(3)})
    dumps["r.txt"] = REFUSED  # a warning from the first rendering, which must still be said
    return make_book(root, dumps, "title: 测试\nauthor: 测试者\nsources: [excerpts/*.txt]\n")


def build(cfg_path, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "builder.cli", "--config", str(cfg_path), "pdf", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=900)


@pytest.mark.tex
@pytest.mark.parametrize("count", [2, 10])
def test_posts_with_formulas_tex_rejects(tmp_path, count):
    need_tex()
    assert all(parse(bad, False).ok for bad in TEX_REJECTS)  # so it is TeX that must reject them
    cfg_path = book_with_bad_formulas(tmp_path, count)
    proc = build(cfg_path)
    assert proc.returncode == 0, proc.stderr
    rejected = re.findall(r"excerpts/p(\d+)\.txt:2: warning: TeX rejected the formula \(([^)]*)\); shown as source",
                          proc.stderr)
    assert sorted(int(n) for n, _ in rejected) == list(range(count)), proc.stderr
    assert proc.stderr.count("shown as source") == count + 1  # and the one formula our check refuses
    rounds = [int(n) for n in re.findall(r"chapters: \d+ in the book, (\d+) rendered", proc.stderr)]
    assert rounds == [count + 4, count], proc.stderr  # the second round renders only where TeX rejected
    assert "excerpts/r.txt:2: warning: formula uses \\foo, which MathJax does not know either" in proc.stderr
    text = re.sub(r"\s+", "", pdf_text(tmp_path / "build" / "book.pdf", layout=False))
    for n in range(count):  # the bad formula as its source, the good ones typeset, the reference resolved
        assert TEX_REJECTS[n].replace("\\", "")[:4] in text.replace("\\", "")
        assert f"第{n}篇到此为止" in text
    chapters = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "chapters").glob("*.tex"))
    assert chapters.count(r"\sbmathsource{") == count + 1
    assert chapters.count(r"\alpha_") == count and chapters.count(r"\int_0^1") == count
    assert "(??)" not in text
    # The verdicts are remembered: an edit elsewhere costs one TeX run and no formula check.
    dump = tmp_path / "excerpts" / "p00.txt"
    dump.write_text(dump.read_text(encoding="utf-8").replace("到此为止", "到这里结束"), encoding="utf-8")
    again = build(cfg_path)
    assert again.returncode == 0, again.stderr
    assert "checking" not in again.stderr and "building again" not in again.stderr
    # The edited chapter says so again at once; the others are not rendered again.
    assert re.findall(r"excerpts/p(\d+)\.txt:2: warning: TeX rejected the formula", again.stderr) == ["00"]


@pytest.mark.tex
def test_title_with_a_formula_tex_rejects(tmp_path):
    need_tex()
    dumps = {"a.txt": "关于$a^b^c$的一个问题\nBy 测试者 | 2021-05-01 | 5位读者 | 引用正文照常，公式$x^2$也照常。\n",
             "b.txt": "另一篇含$x^2$的文章\nBy 测试者 | 2021-05-02 | 5位读者 | 引用另一篇的正文与$y_1$。\n"}
    cfg_path = make_book(tmp_path, dumps, "title: 测试\nauthor: 测试者\nsources: [excerpts/*.txt]\n")
    proc = build(cfg_path)
    assert proc.returncode == 0, proc.stderr
    assert "excerpts/a.txt:1: warning: TeX rejected the formula" in proc.stderr
    assert proc.stderr.count("shown as source") == 1  # the good title formula was checked, and passed
    heading = next((tmp_path / "chapters").glob("2021-05-02-*.tex")).read_text(encoding="utf-8").split("\n")[1]
    assert "$x^2$" in heading and "sbmathsource" not in heading
    text = re.sub(r"\s+", "", pdf_text(tmp_path / "build" / "book.pdf"))
    assert "的一个问题" in text and "另一篇的正文" in text and "a^b^c" in text


@pytest.mark.tex
def test_failure_nothing_explains_keeps_the_old_pdf(tmp_path):
    """A TeX failure no formula, block or title explains (here: a broken style) fails the build, once."""
    need_tex()
    cfg_path = book_with_bad_formulas(tmp_path, 1)
    assert build(cfg_path).returncode == 0
    pdf = tmp_path / "build" / "book.pdf"
    before = pdf.read_bytes()
    sty = tmp_path / "styles" / "sciblog.sty"
    sty.write_text(sty.read_text(encoding="utf-8").replace(r"\endinput", r"\undefinedcommandhere\endinput"),
                   encoding="utf-8")
    proc = build(cfg_path)
    assert proc.returncode == 1 and "previous build/book.pdf" in proc.stderr
    assert pdf.read_bytes() == before


ATOMS = ["x", "y_1", "a^2", "1", "+", "=", "&", r"\\", "{", "}", "(", ")", "[", "]", "|", "^", "_", "'", ",",
         r"\frac", r"\sqrt", r"\left(", r"\right)", r"\left.", r"\right|", r"\begin{aligned}", r"\end{aligned}",
         r"\begin{pmatrix}", r"\end{pmatrix}", r"\hline", r"\over", r"\text{中文}", "中", r"\label{k}", r"\tag{1}",
         r"\color{red}", r"\boldsymbol", r"\mathbb", r"\limits", r"\sum", r"\int", r"\nonumber", r"\cancel",
         r"\overset", r"\xrightarrow", r"\operatorname", r"\mathrm", r"\newcommand{\q}{x}", r"\q", " "]


formula_text = st.lists(st.sampled_from(ATOMS), min_size=1, max_size=12).map("".join)


@pytest.mark.tex
# Each example is a whole TeX build: no shrinking (it would take many minutes); a failure prints the build.
@settings(max_examples=2, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(formulas=st.lists(formula_text, min_size=30, max_size=30))
def test_any_formula_typesets_or_is_shown_as_source_alone(tmp_path_factory, formulas):
    need_tex()
    root = tmp_path_factory.mktemp("prop")
    lines = []
    for n, f in enumerate(formulas):
        lines.append(f"第{n}个公式前的文字，行内${f}$，之后还有文字{n}号。")
        lines.append(f"$${f}$$")
    dumps = {"r.txt": "随机公式\nBy 测试者 | 2021-06-01 | 5位读者 | 引用开头。\n" + "\n".join(lines) + "\n"}
    cfg_path = make_book(root, dumps, "title: 测试\nauthor: 测试者\nsources: [excerpts/*.txt]\n")
    proc = build(cfg_path)
    assert proc.returncode == 0, proc.stderr
    text = re.sub(r"\s+", "", pdf_text(root / "build" / "book.pdf", layout=False))
    for n in range(len(formulas)):
        assert f"之后还有文字{n}号" in text  # every paragraph is there, whatever its formulas did
    shown = len(re.findall(r"warning: .*; shown as source", proc.stderr))
    chapter = next((root / "chapters").glob("*.tex")).read_text(encoding="utf-8")
    assert chapter.count(r"\sbmathsource") == shown  # each formula shown as source is warned about, once


@pytest.mark.tex
def test_the_check_sees_past_a_formula_that_breaks_grouping(tmp_path):
    """A formula whose error leaves a group open must not hide the verdicts on the formulas after it."""
    need_tex()
    from builder.config.settings import Config
    from builder.render.latex.assembly import render_preamble
    from builder.tex.probe import ProbeItem, probe
    # `\text{a_b}` is what the book once gave TeX for MathJax's `\text{a_b}`: its errors delete closing braces.
    sources = [r"$x^2$", r"$\text{a_b}(x)$", r"$y_1$", r"$a^b^c$", r"$\frac{1}{2}$", r"$x_1_2$", r"$z$"]
    items = [ProbeItem(str(k), source, False) for k, source in enumerate(sources)]
    verdict = probe(render_preamble(Config(root=ROOT)), items, [ROOT / "builder" / "styles"], workdir=tmp_path)
    assert sorted(verdict) == ["1", "3", "5"], verdict


@pytest.mark.tex
def test_a_formula_that_keeps_tex_busy_costs_only_itself(tmp_path):
    """The check's runs have a time limit; one that runs out is halved until the culprit is alone."""
    need_tex()
    from builder.config.settings import Config
    from builder.render.latex.assembly import render_preamble
    from builder.tex.probe import ProbeItem, probe
    loop = r"$\def\sbloop{\sbloop}\sbloop$"  # raw TeX: the book's own parser would never let this through
    items = [ProbeItem("good", "$x^2$", False), ProbeItem("loop", loop, False), ProbeItem("bad", "$a^b^c$", False),
             ProbeItem("also good", r"$\frac{1}{2}$", False)]
    verdict = probe(render_preamble(Config(root=ROOT)), items, [ROOT / "builder" / "styles"], timeout=6, workdir=tmp_path)
    assert sorted(verdict) == ["bad", "loop"] and "did not finish" in verdict["loop"]


@pytest.mark.tex
def test_every_command_the_table_accepts_typesets_in_latex(tmp_path):
    """The table's claim, checked: MathJax's sample of every command it marks as typesetting compiles."""
    need_tex()
    sys.path.insert(0, str(ROOT / "tools"))
    import json

    import mathjax_table
    table = json.loads(dialect.TABLE_FILE.read_text(encoding="utf-8"))
    accepted = {k for k, v in table["commands"].items() if v.get("sample") and not v.get("tex_error")}
    mathjax_table.tex_check(table)
    still = {k for k, v in table["commands"].items() if v.get("sample") and not v.get("tex_error")}
    assert len(accepted) > 1000
    assert accepted - still == set()
