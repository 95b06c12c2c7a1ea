"""Each rule that decides a block's kind, on a small example modelled on a line of the real posts."""
from __future__ import annotations

import pytest

from builder.model.content import CodeBlock, Figure, Heading, Paragraph, Table
from builder.read.blocks import build_blocks
from builder.read.code import is_code_line, split_code


def kinds(lines, gaps=False):
    """Block kinds of the lines; `gaps` numbers them as format B does (a blank line between paragraphs)."""
    numbered = [(2 * n + 1 if gaps else n + 1, t) for n, t in enumerate(lines)]
    return [type(b).__name__ for b in build_blocks(numbered, "t.txt", lambda loc, msg: None)]


def blocks(lines):
    return build_blocks([(n + 1, t) for n, t in enumerate(lines)], "t.txt", lambda loc, msg: None)


@pytest.mark.parametrize("line", [
    "maxlen = 200 #截断字数",  # a Chinese comment after the code
    "x = f(y)  # 模拟一次采样",
    "model.score('微 信', bos=False, eos=False)",  # Chinese in a string literal
    "sys.setrecursionlimit(10000) #增大堆栈最大深度(递归深度)，据说默认为1000",
    "if tags[i] == 'b':",
    "y, s = s2y()",  # tuple assignment
    "assert (dx2 > - 10 * h).all() # 判断是否能粘合",
    "model.compile(loss='binary_crossentropy',",  # a call continued on the next line
    " print ' '.join(text['text']).encode('utf-8')",  # indentation collapsed to one space
    "wget -O - http://kheafield.com/code/kenlm.tar.gz |tar xz",
    "cd kenlm",
    "$name = $_GET['name'];",  # PHP
    "Integrate[",  # Mathematica
    r"\[Theta] = Pi/4;",
])
def test_code_lines(line):
    assert is_code_line(line)


@pytest.mark.parametrize("line", [
    "Python 3.4 开发平台/编程语言。选择3.x而不是2.x版本的主要原因是3.x版本对中文字符的支持更好。",
    "其中I_n = \\int_{-1}^1 (1-x^2)^n dx，于是不难证明",  # prose with an `=`
    "如果$x = 1$，那么结果就是这样。",
    "$a = b$",  # a formula, not PHP (no `;`)
    "Deep Learning（深度学习）学习笔记整理： http://blog.csdn.net/zouxy09/article/details/8775360",
])
def test_prose_lines_are_not_code(line):
    assert not is_code_line(line)


def test_code_with_chinese_comments_stays_one_block():
    lines = ["代码如下：", "maxlen = 200 #截断字数", "min_count = 20 #出现次数少于该值的字扔掉。这是最简单的降维方法",
             "content = ''.join(all_[0])", "以上就是全部代码。"]
    assert kinds(lines) == ["Paragraph", "CodeBlock", "Paragraph"]


def test_docstring_with_chinese_notes_is_code():
    lines = ["# -*- coding:utf-8 -*-", "'''", "one hot测试", "在GTX960上，约100s一轮", "'''", "import numpy as np"]
    runs = split_code([(n, t) for n, t in enumerate(lines)])
    assert [k for k, _ in runs] == ["code"] and len(runs[0][1]) == 6


def test_mathematica_block_starting_with_a_named_character_is_one_block():
    lines = ["Mathematica代码为", r"\[Theta]0 = 0.1;",
             r"NDSolve[{\[Theta]''[t] == -Sin[\[Theta][t]]}, \[Theta], {t, 0, 10}]", "这样就得到了数值解。"]
    out = blocks(lines)
    assert [type(b).__name__ for b in out] == ["Paragraph", "CodeBlock", "Paragraph"]
    assert out[1].lines[0].startswith(r"\[Theta]")


def test_mathematica_continuation_lines_are_code():
    lines = ["Integrate[", "Normal[Series[", r"Exp[-x\cdot u^2/2 - x/q^2\cdot (Exp[q\cdot u] - 1) +",
             r"q\cdot u], {q, 0, 5}]] /. q -> 1, {u, -Infinity, Infinity},",
             "Assumptions -> x > 0]/Sqrt[2 Pi] // Expand"]
    assert kinds(lines) == ["CodeBlock"]


def test_shell_and_php_with_dollars_are_code_not_math():
    lines = ["编译安装：", "cd examples/python", "make", "export PATH=$PATH:$HOME/bin", "然后是PHP的写法：",
             "<?php", "$total = $price * 2;", "echo $total;", "这就是全部。"]
    out = blocks(lines)
    assert [type(b).__name__ for b in out] == ["Paragraph", "CodeBlock", "Paragraph", "CodeBlock", "Paragraph"]
    assert "export PATH=$PATH:$HOME/bin" in out[1].lines


@pytest.mark.parametrize("title", ["PDE的坐标变换", "结论", "一、基本思路", "在指数中展开：一个封闭的解",
                                   "KL距离？JS距离？", "然后呢？", "“罚”出来的成果", "反过来，从结果到过程",
                                   "实践：分词"])
def test_short_lines_before_prose_are_headings(title):
    lines = ["上一段说完了。", title, "这一节我们讨论一个新的问题，它和前面的内容有关。"]
    assert kinds(lines) == ["Paragraph", "Heading", "Paragraph"]


@pytest.mark.parametrize("line", [
    "大概可以图示为",  # leads into a figure
    "从下面的例子出发",
    "总之，怎么看也不是个让人省心的玩意～",  # a sentence with a comma, ending in ～
    "结论： 我们实现了基于情感词典的分类",  # a bold label run into its paragraph
    "b：单字词或者多字词的首字",  # a definition
    "100",  # a number
])
def test_prose_short_lines_are_not_headings(line):
    assert "Heading" not in kinds(["上一段说完了。", line, "这一节我们讨论一个新的问题，它和前面的内容有关。"])


def test_line_before_code_is_its_label_not_a_heading():
    assert kinds(["Mathematica代码为", "Solve[x^2 == 1, x]", "In[2]:= N[Pi]"]) == ["Paragraph", "CodeBlock"]
    assert kinds(["修改为", "def f(x):", "    return x"]) == ["Paragraph", "CodeBlock"]


def test_the_content_a_colon_announces_is_no_heading():
    out = kinds(["框架的示意图如下：", "vae的传统理解", "看出了什么问题了吗？这是一个很长的句子，说明了一些情况。"])
    assert out == ["Paragraph", "Figure", "Paragraph"]


def test_runs_of_short_lines_are_not_consecutive_headings():
    lines = ["结果如下。", "苹果", "香蕉", "橘子", "葡萄", "这就是全部的水果。"]
    # Four short lines in a row are a list of words, not four sections: only the last may title what follows.
    assert kinds(lines) == ["Paragraph", "Paragraph", "Paragraph", "Paragraph", "Heading", "Paragraph"]


def test_section_and_subsection_stay_headings():
    assert kinds(["上一段说完了。", "最大似然", "合理的存在", "我们先从最简单的情形讲起，这里有很多内容。"]) == \
        ["Paragraph", "Heading", "Heading", "Paragraph"]


def test_format_b_multi_line_paragraph_is_no_heading():
    # In format B the lines of one paragraph are kept together: none of them is a heading.
    lines = [(1, "第一段。"), (3, "In this case, we can let the"), (4, "variational posterior be Gaussian"),
             (6, "下一段。")]
    out = build_blocks(lines, "t.txt", lambda loc, msg: None)
    assert not any(isinstance(b, (Heading, Figure)) for b in out)


@pytest.mark.parametrize("before, caption, after", [
    ("这里的乘法是矩阵乘法。如图", "SVD", "这样本来有很多个元素，现在变少了。"),  # the text before points at it
    ("我们考虑一个文档编码，如下图所示，每一列代表一个词。", "SVD物理意义", "这样就完成了。"),
    ("前面说完了。", "SVD物理意义", "如图，SVD的物理意义，我们可以这样看。"),  # the text after refers back
    ("前面说完了。", "自编码器的网络结构", "数学公式看，就是希望找到矩阵。"),  # its own words
    ("前面说完了。", "glow模型生成的高清人脸", "生成模型的本质，就是希望用一个我们知道的概率模型来拟合。"),
    ("前面说完了。", "简单的耦合使得其中一部分仍然保持恒等，信息没有充分混合",
     "通过交叉耦合可以更好。"),  # no full stop
])
def test_lost_figure_captions(before, caption, after):
    out = blocks([before, caption, after])
    assert [type(b).__name__ for b in out] == ["Paragraph", "Figure", "Paragraph"]
    assert out[1].caption == caption


def test_parallel_captions():
    lines = ["下面比较两者的差异。", "随机KNN样本（只有全局互信息）", "随机KNN样本（只有局部互信息）", "又到终点站",
             "作为无监督学习的成功，这是很好的结果。"]
    assert kinds(lines) == ["Paragraph", "Figure", "Figure", "Heading", "Paragraph"]


def test_figure_announced_without_caption_gets_a_placeholder():
    out = blocks(["信息泄漏就越严重。如下图所示：", "信息泄漏的一个表观现象是：训练到后期，交叉熵之和更小。"])
    assert [type(b).__name__ for b in out] == ["Paragraph", "Figure", "Paragraph"]
    assert out[1].caption == ""
    out = blocks(["整个过程大概可以图示为", "这样就完成了整个过程。"])
    assert [type(b).__name__ for b in out] == ["Paragraph", "Figure", "Paragraph"]
    # with a caption after it, the caption is the figure's
    out = blocks(["结果如下图：", "不同GAN的FID定量曲线", "以及下表。"])
    assert [(type(b).__name__, getattr(b, "caption", None)) for b in out] == [
        ("Paragraph", None), ("Figure", "不同GAN的FID定量曲线"), ("Paragraph", None)]


def test_formula_lead_in_after_colon_is_prose():
    out = kinds(["证明过程如下：", "利用椭圆常见的参数方程", "$$x=a\\cos t$$"])
    assert out == ["Paragraph", "Paragraph", "DisplayMath"]


@pytest.mark.parametrize("rows", [
    ["分词工具\t测试结果", "结巴中文分词\t工信处/ 女干事/ 每月", "smallseg\t工信/ 信处/ 女干事"],  # tabs
    ["| 模型 | 准确率 |", "| --- | --- |", "| BERT | 92.1 |", "| ALBERT | 91.4 |"],  # pipes
    ["模型    准确率    速度", "BERT    92.1    1.0", "ALBERT    91.4    1.7"],  # aligned spaces
    ["龙脑 10.271244", "龙脚 12.496673", "龙腊 16.860170", "七讲 11.439969"],  # words and scores
])
def test_tables_are_never_prose(rows):
    out = blocks(["结果如下表："] + rows + ["可以看到效果不错。"])
    assert [type(b).__name__ for b in out] == ["Paragraph", "Table", "Paragraph"]
    table = out[1]
    assert isinstance(table, Table) and len(table.rows) == len([r for r in rows if "---" not in r])
    assert all(len(row) == len(table.rows[0]) >= 2 for row in table.rows)
    assert not any("---" in cell or "|" in cell or "\t" in cell for row in table.rows for cell in row)


def test_prose_lines_with_spaces_are_not_a_table():
    lines = ["Windows 8.1 微软操作系统。", "Python 3.4 开发平台/编程语言。", "Pandas Python的一个数据分析包。"]
    assert all(isinstance(b, Paragraph) for b in blocks(lines))


def test_bare_array_outside_dollars_is_a_table():
    out = blocks(["详细的检验报告如下表", "\\begin{array}{c|c}", "数据内容 & 准确率\\\\", "牛奶评论 & 0.8202\\\\",
                  "\\end{array}", "让我们惊喜的是，效果不错。"])
    assert [type(b).__name__ for b in out] == ["Paragraph", "DisplayMath", "Paragraph"]


def test_code_block_kind():
    assert isinstance(blocks(["import numpy as np", "x = np.zeros(3)"])[0], CodeBlock)
