"""Conventions of a printed Chinese book in the generated LaTeX: spacing at index entries, ellipses, self-links,
code kept together at page breaks, wide displays broken before an operator."""
from __future__ import annotations

import pytest
from conftest import make_book, run_book

from builder.mathtex import latex as mlatex
from builder.mathtex import parse
from builder.model.content import CodeBlock, Location, Table, Text
from builder.read.kinds import table_has_head
from builder.render.latex.blocks import CODE_KEEP_WHOLE, code_tex, table_tex
from builder.render.latex.chapter import ChapterRenderer, title_breaks
from builder.render.latex.texescape import escape_code
from builder.render.presentation import title_punctuation
from builder.series.index import Term, TermMarker
from builder.series.links import describe_links
from builder.text.typography import cjk_latin_boundary, cjk_punctuation

SELF_CITING = """\
路径积分系列：2.自由粒子
By 苏剑林 | 2016-05-01 | 10位读者 | 引用本系列：《路径积分系列：2.自由粒子》、《路径积分系列：3.路径积分》。
路径积分系列：3.路径积分
By 苏剑林 | 2016-06-02 | 10位读者 | 引用接上篇《路径积分系列：2.自由粒子》，本篇是《路径积分系列：3.路径积分》。
"""


@pytest.mark.parametrize("before, after, space", [
    ("E", "篇", True), ("度", "O", True), ("度", "math", True), ("E", "，", False), ("度", "的", False),
    ("E", " ", False), ("E", "math", False), ("E", "", False), ("2", "年", True),
])
def test_cjk_latin_boundary(before, after, space):
    assert cjk_latin_boundary(before, after) is space


def test_index_entry_keeps_the_space_between_latin_and_chinese():
    """`ODE\\index{…}篇`: the \\index whatsit hides the boundary from xeCJK, so the renderer puts its space back."""
    renderer = ChapterRenderer.__new__(ChapterRenderer)
    renderer.plain, renderer.links = False, None
    renderer.marker = TermMarker([Term("ODE", "ode"), Term("梯度", "ti1 du4")])
    loc = Location("a.txt", 1)
    tex = renderer.inlines((Text("用ODE篇，ODE。再说梯度"),), loc, set())
    assert r"ODE\index{ode@ODE}\CJKecglue 篇" in tex
    tex = renderer.inlines((Text("说ODE，梯度"), Text("x")), loc, set())
    assert r"ODE\index{ode@ODE}，" in tex and r"\CJKecglue" not in tex


def test_ellipsis_beside_chinese_is_two_centred_dots():
    assert cjk_punctuation("送蒙牛...健康") == "送蒙牛……健康"
    assert cjk_punctuation("乱了...）") == "乱了……）"
    assert cjk_punctuation("等等…") == "等等……"
    assert cjk_punctuation("a...b, 1...n") == "a...b, 1...n"  # Latin context keeps its three dots


def test_a_post_citing_itself_gets_no_link(tmp_path):
    cfg = make_book(tmp_path, {"a.txt": SELF_CITING})
    assert run_book(cfg, "chapters", "-q") == 0
    second = next(p for p in (tmp_path / "chapters").glob("*.tex") if "06-02" in p.name).read_text(encoding="utf-8")
    assert second.count(r"\sbcite{") == 1  # 《…2.自由粒子》 links; its own title does not
    assert "本篇是《路径积分系列：3.路径积分》" in second


def test_describe_links_names_a_self_citation(tmp_path):
    from builder import config
    from builder.build.book import load_book

    cfg = make_book(tmp_path, {"a.txt": SELF_CITING})
    text = describe_links(load_book(config.load(cfg)))
    assert text.count("this chapter itself") == 2
    assert text.endswith("4 citation(s), 2 linked to a chapter of this book")


@pytest.mark.parametrize("n, kept", [(3, [1, 2]), (CODE_KEEP_WHOLE, [1, 2, 3, 4]), (8, [1, 7])])
def test_code_lines_kept_together_at_a_page_break(n, kept):
    tex = code_tex(CodeBlock(tuple(f"x{k} = {k}" for k in range(n)), "python", Location("a.txt", 1)))
    lines = tex.splitlines()[1:-1]
    assert [k for k, line in enumerate(lines) if line.startswith(r"\sbcodekeep")] == kept


def _display(source: str) -> str:
    return mlatex.display(parse(source, True), "p", "p:1")


def test_wide_display_breaks_before_operators_outside_groups():
    tex = _display(r"P(b,a)=P_0(b,a)+\left(-\frac{1}{\hbar}\right)\int P\,d\tau"
                   r"+\left(a+b\right)^2\int Q\,d\tau\tag{47}")
    assert tex.startswith("\\begin{equation*}\n\\sbfitbreak{p:1}{P(b,a)}{=P_0(b,a)\\sbbreak+")
    assert tex.count(r"\sbbreak") == 2  # not inside \left…\right, not the sign after `(`
    assert tex.rstrip().endswith("\\tag{47}\n\\end{equation*}")


@pytest.mark.parametrize("source", [r"x^-1", r"-a", r"\frac{a+b}{c-d}", r"\left(a+b\right)"])
def test_display_without_a_place_to_break_is_scaled(source):
    assert r"\sbfit{p:1}" in _display(source) and r"\sbbreak" not in _display(source)


@pytest.mark.parametrize("title, marked", [
    ("最小熵原理（五）：“层层递进”之社区发现", "最小熵原理（五）：\\sbtitlebreak{}“层层递进”之社区发现"),
    ("用变分推断统一理解生成模型（VAE、GAN、AAE、ALI）",
     "用变分推断统一理解生成模型\\sbtitlebreak{}（VAE、GAN、AAE、ALI）"),
    ("积分估计的极值原理——变分原理", "积分估计的极值原理\\sbtitlebreak{}——变分原理"),
    ("高斯型积分的微扰展开（一）", "高斯型积分的微扰展开（一）"),  # a part number stays with its title
    ("标题：", "标题："),
])
def test_title_marks_where_a_long_title_breaks(title, marked):
    assert title_breaks(title) == marked


WORDS = [["龙脑", "10.271244"], ["龙脚", "12.496673"], ["七讲", "11.439969"]]


TOOLS = [["分词工具", "测试结果"],
         ["结巴中文分词", "工信处/ 女干事/ 每月/ 经过/ 下属/ 科室/ 都/ 要/ 亲口/ 交代/ 24/ 口/ 交换机"],
         ["smallseg", "工信/ 信处/ 女干事/ 每月/ 经过/ 下属/ 科室/ 都要/ 亲口/ 交代/ 24/ 口/ 交换机"]]


@pytest.mark.parametrize("rows, head", [
    (WORDS, False), (TOOLS, True), ([["模型", "准确率"], ["BERT", "92.1"], ["ALBERT", "91.4"]], True),
])
def test_table_head_row(rows, head):
    assert table_has_head(rows) is head


def test_table_of_long_text_wraps_its_cells_at_full_width():
    tex = table_tex(Table(tuple(map(tuple, TOOLS)), Location("a.txt", 1), head=True))
    assert r"\begin{tabularx}{\linewidth}{l>{\raggedright\arraybackslash}X}\toprule" in tex
    assert r"分词工具 & 测试结果 \\\midrule" in tex and r"\text{" not in tex
    narrow = table_tex(Table(tuple(map(tuple, WORDS)), Location("a.txt", 1)))
    assert r"\begin{tabular}{ll}\toprule" in narrow and r"\midrule" not in narrow


def test_comma_of_a_chinese_title_is_full_width_even_between_latin_words():
    pieces = (Text("VQ一下Key,Transformer的复杂度就变成线性了"),)
    assert title_punctuation(pieces) == (Text("VQ一下Key，Transformer的复杂度就变成线性了"),)
    assert title_punctuation((Text("Attention Is All You Need, Again"),))[0].text.endswith("Need, Again")
    assert title_punctuation((Text("x,y"),)) == (Text("x,y"),)  # no Chinese: left alone


def test_code_wraps_at_spaces_and_punctuation_before_inside_names():
    tex = escape_code("for i in range(len(data)/batch_size+1)")
    assert r"r\sbcodemid{}a\sbcodemid{}n\sbcodemid{}g\sbcodemid{}e\allowbreak{}(\allowbreak{}" in tex
    assert r"h\sbcodemid{}\_\sbcodemid{}s" in tex
    assert r"for\ i" in tex.replace(r"\sbcodemid{}", "").replace(r"\allowbreak{}", "")
