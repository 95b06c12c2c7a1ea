"""The math module: MathJax's dialect, post-local macros, labels, structure and the LaTeX and MathML forms."""
from __future__ import annotations

import json

import pytest

from builder.mathtex import MacroTable, dialect, parse
from builder.mathtex import latex as mlatex
from builder.mathtex.find import display_opener, find_inline
from builder.mathtex.lexer import SUP, Token, tokenize
from builder.mathtex.numbering import Numbering
from builder.model.content import DisplayMath, Location, Math, Paragraph
from builder.read.blocks import build_blocks, split_inline

LOC = Location("t.txt", 1)


def display(source: str) -> str:
    f = parse(source, True)
    assert f.ok, f.problem
    return mlatex.display(f, "p", "p:0")


def inline(source: str, macros: MacroTable | None = None) -> str:
    f = parse(source, False, macros=macros)
    assert f.ok, f.problem
    return mlatex.inline(f, "p")


# The table ---------------------------------------------------------------------------------------------

def test_table_is_generated_from_mathjax():
    data = json.loads(dialect.TABLE_FILE.read_text(encoding="utf-8"))
    assert data["generated_by"] == "python tools/mathjax_table.py" and data["mathjax"].startswith("3.")
    assert len(dialect.COMMANDS) > 1000 and len(dialect.ENVIRONMENTS) > 50
    for package in ("base", "ams", "newcommand", "boldsymbol", "color", "cancel", "amscd", "mathtools", "braket"):
        assert package in data["packages"]


@pytest.mark.parametrize("source", [
    r"A^\dagger", r"\therefore a\because b", r"\sum_{\substack{i<j\\ k}} x", r"\lbrace x\rbrace", r"{\rm d}x",
    r"x\gets y", r"a\Longleftrightarrow b", r"\mathring{A}", r"a\lt b\gt c", r"\cancel{x}", r"\bra{a}\ket{b}",
    r"\mathscr{L}", r"\xlongequal{\text{令}}", r"\ce{H2O}", r"\upalpha", r"\boldsymbol{\mu}", r"\operatorname{sgn}",
    r"\begin{rcases}a\\b\end{rcases}", r"\begin{array}{c:c}a&b\\\hdashline c&d\end{array}",
])
def test_mathjax_commands_latex_lacks_are_accepted(source):
    f = parse(source, False)
    assert f.ok, f.problem


@pytest.mark.parametrize("source", [r"\begin{alignat}{2}a&=b&c&=d\end{alignat}",
                                    r"\begin{flalign}a&=b\end{flalign}"])
def test_stand_alone_environments(source):
    f = parse(source, True)
    assert f.ok and f.env in ("alignat", "flalign")
    assert display(source).startswith("\\begin{" + f.env + "}")


DANGEROUS = [
    (r"\input{/etc/passwd}", "\\input, which MathJax does not know either"),
    (r"\csname input\endcsname", "\\csname, which MathJax does not know either"),
    (r"\catcode`\^=12", "\\catcode, which MathJax does not know either"),
    (r"\special{x}", "\\special, which MathJax does not know either"),
    (r"\newenvironment{x}{a}{b}", "defines an environment"),
    (r"^^5cinput", "'^^'"),
    (r"a$b", "'$'"),
    (r"#1", "'#'"),
]
# Macros that would expand without end or use parameters they lack.
MACRO_LIMITS = [
    (r"\def\x{\x\x}\x", "expands without end"),
    (r"\def\x{\x}\x", "expands without end"),
    (r"\newcommand{\f}[1]{#2}", "parameter it does not have"),
    (r"\newcommand{\f}[12]{x}", "number of arguments"),
]


@pytest.mark.parametrize("source, fragment", DANGEROUS + MACRO_LIMITS)
def test_dangerous_input_and_macro_limits_are_refused(source, fragment):
    f = parse(source, False)
    assert not f.ok and fragment in f.problem


def test_comments_as_mathjax_reads_them():
    assert inline("a%\\input{x}\nb") == "$a b$".replace(" ", "")  # to the end of the line, dropped
    assert "input" not in inline("x % \\input{/etc/passwd}")
    assert inline(r"\frac{a%c}{b}") == r"$\frac{a}{b}$"  # an argument is read before the comments in it
    assert inline(r"\textbf{57.81%}") == r"$\textbf{57.81\%}$"  # in text, `%` is a character
    assert [t.kind for t in tokenize("a%b")] == ["char", "%", "char"]


def test_verb_and_the_blogs_set_counter():
    assert inline(r"\mathbb{Z}_p \verb|\| \{0\}") == r"$\mathbb{Z}_p \texttt{\textbackslash{}} \{0\}$"
    f = parse(r"\setCounter{24}", False)
    assert f.ok and f.empty and f.counter == 24 and mlatex.counter(f) == r"\setcounter{equation}{24}"
    formulas = [f, parse(r"\begin{equation}x\end{equation}", True)]
    assert Numbering.count([(3, "p", formulas)]).lines[id(formulas[1])][0].ref == "3.25"


# Post-local macros -------------------------------------------------------------------------------------

def test_newcommand_without_backslash_holds_for_later_formulas():
    macros = MacroTable()
    first = parse(r"\newcommand{op}{\mathop{\text{op}}}\op x", False, macros=macros)
    assert first.ok and first.macros == ("op",)
    assert inline(r"\op(y)", macros) == r"$\mathop{\text{op}}(y)$"


def test_definitions_only_print_nothing():
    macros = MacroTable()
    f = parse(r"\newcommand{\R}{\mathbb{R}}\def\E{\mathbb{E}}", False, macros=macros)
    assert f.ok and f.empty and mlatex.inline(f, "p") == ""
    assert inline(r"x\in\R, \E[x]", macros) == r"$x\in\mathbb{R}, \mathbb{E}[x]$"


def test_macro_arguments_defaults_def_and_let():
    macros = MacroTable()
    parse(r"\newcommand{\pair}[2]{\langle #1,#2\rangle}\renewcommand\norm[2][2]{\Vert #2\Vert_{#1}}"
          r"\def\sq#1{#1^2}\let\eps=\varepsilon", False, macros=macros)
    assert inline(r"\pair{a}{b}+\norm{x}+\norm[1]{y}+\sq{z}+\eps", macros) == \
        r"$\langle a,b\rangle+\Vert x\Vert_{2}+\Vert y\Vert_{1}+z^2+\varepsilon$"


def test_expanded_macros_are_checked_like_any_formula():
    macros = MacroTable()
    parse(r"\newcommand{\bad}{\input{/etc/passwd}}", False, macros=macros)
    f = parse(r"\bad", False, macros=macros)
    assert not f.ok and "\\input" in f.problem


def test_macros_are_per_post_and_in_reading_order():
    lines = [(1, r"先用$\op$再定义$\newcommand{op}{\mathrm{op}}$，之后$\op$。")]
    blocks = build_blocks(lines, "t.txt", lambda loc, msg: None)
    formulas = [i.formula for i in blocks[0].inlines if isinstance(i, Math)]
    assert not formulas[0].ok  # used before its definition: MathJax fails it too
    assert formulas[2].ok and inline(r"\newcommand{op}{\mathrm{op}}\op") == r"$\mathrm{op}$"
    other = build_blocks([(1, r"另一篇$\op$")], "u.txt", lambda loc, msg: None)
    assert not next(i for i in other[0].inlines if isinstance(i, Math)).formula.ok


# Labels and references ---------------------------------------------------------------------------------

def test_label_with_space_and_chinese_name():
    f = parse(r"x\label {eq:中文}", True)
    g = parse(r"y\label{eq:英文}", True)
    assert f.labels == ("eq:中文",)
    a, b = mlatex.display(f, "p", "k"), mlatex.display(g, "p", "k")
    assert r"\label{p:eq:.4e2d..6587.}" in a and "中" not in a.split("\\label")[1]
    assert a.split("\\label")[1] != b.split("\\label")[1]  # different names never meet
    assert inline(r"\eqref {eq:中文}") == r"$\eqref{p:eq:.4e2d..6587.}$"


def test_two_labels_or_tags_on_a_line_are_rejected_as_mathjax_does():
    assert "two \\label" in parse(r"x\label{a}\label{b}", True).problem
    assert "two \\tag" in parse(r"x\tag{1}\tag{2}", True).problem


def test_numbering_follows_amsmath():
    formulas = [parse(s, True) for s in (r"\begin{align}a\\b\nonumber\\c\label{c}\end{align}",
                                         r"x\label{x}", r"y", r"\begin{equation}z\tag{*}\label{z}\end{equation}",
                                         r"\begin{align*}u\\v\tag{9}\end{align*}",
                                         r"\begin{multline}m\\n\label{m}\end{multline}")]
    numbers = Numbering.count([(3, "p", formulas)])
    assert [[line.ref for line in numbers.lines[id(f)]] for f in formulas] == [
        ["3.1", None, "3.2"], ["3.3"], [None], ["*"], [None, "9"], [None, "3.4"]]
    assert numbers.target("p", "c").ref == "3.2" and numbers.target("p", "m").ref == "3.4"
    assert numbers.target("p", "z").shown == "(*)"


# Structure -------------------------------------------------------------------------------------------

def test_aligned_rows_starting_with_alignment_get_an_empty_cell():
    """mathtools breaks `\\begin{aligned}&\\sin…`; the blog writes rows like that everywhere."""
    out = display(r"\begin{aligned}&\boldsymbol{p}=\sin x\\&q\\[2pt]&r\end{aligned}")
    assert r"\begin{aligned}{}&\boldsymbol{p}" in out and r"\\{}&q" in out and r"\\[2pt]{}&r" in out


def test_lines_in_a_display_without_environment_are_gathered():
    assert r"\begin{gathered}a\\b\end{gathered}" in display(r"a\\b")
    assert r"\begin{aligned}a&=1\\b&=2\end{aligned}" in display(r"a&=1\\b&=2")


def test_display_environment_inside_math_becomes_its_inner_form():
    assert inline(r"\begin{align}a&=b\end{align}") == r"$\begin{aligned}{}a&=b\end{aligned}$".replace("{}", "")


def test_array_rows_wider_than_their_specification():
    assert r"\begin{array}{c|ccc}" in display(r"\begin{array}{c|c}a&b&c\\d&e&f&g\end{array}")
    assert r"{*{2}{c}c}" in display(r"\begin{array}{*{2}{c}}a&b&c\end{array}")
    assert not parse(r"\begin{array}{*{99999999}{c}}a\end{array}", True).ok


def test_line_break_before_a_bracket_is_not_spacing():
    assert r"a\\\relax [x]" in display(r"\begin{array}{c}a\\ [x]\end{array}")


def test_left_needs_a_delimiter():
    assert parse(r"\left\| x\right\|", False).ok and parse(r"\left\langle x\right.", False).ok
    assert "delimiter" in parse(r"\left x\right)", False).problem


# MathJax-only forms -----------------------------------------------------------------------------------

def test_colours_as_mathjax_reads_them():
    assert inline(r"\color{red}{x}+y") == r"$\textcolor[HTML]{FF0000}{x}+y$"
    assert inline(r"\color{orange} x") == r"$\color[HTML]{FFA500} x$"
    assert inline(r"\color{Apricot}{x}") == r"$\textcolor[HTML]{FBB982}{x}$"  # MathJax's own named colours
    assert inline(r"\textcolor{#f00}{x}") == r"$\textcolor[HTML]{FF0000}{x}$"
    f = parse(r"\color{nosuchcolour}{x}", False)
    assert f.ok and mlatex.inline(f, "p") == "${x}$" and "nosuchcolour" in f.notes[0]


def test_require_size_switches_and_web_wrappers():
    assert inline(r"\require{cancel}\cancel{x}") == r"$\cancel{x}$"
    assert parse(r"\cancel{x}", False).packages == ["cancel"]
    assert inline(r"\small{x+y}") == "${x+y}$"
    assert inline(r"\href{file:///etc/passwd}{x}+\class{c}{y}") == "${x}+{y}$"
    assert inline(r"\unicode{x263A}") == r"$\text{☺}$"


def test_text_is_plain_text_as_in_mathjax():
    """MathJax 3 prints \\text{…} as written, but for $…$ (math), \\ref and \\eqref, and \\$ \\{ \\} \\\\."""
    assert inline(r"\text{stop_gradient}(x)") == r"$\text{stop\_gradient}(x)$"
    assert inline(r"\mbox{A&B #1 \& x^2 {c}}") == \
        r"$\mbox{A\&B \#1 \textbackslash{}\& x\textasciicircum{}2 \{c\}}$"
    assert inline(r"\text{当$x_1>0$时}") == r"$\text{当$x_1>0$时}$"
    assert inline(r"\text{见\eqref{eq:a}，\(y\)}") == r"$\text{见\eqref{p:eq:a}，$y$}$"
    assert inline(r"x\tag{a_b}") == r"$x\qquad\text{(a\_b)}$"
    assert "does not close" in parse(r"\text{a$b}", False).problem
    assert "'$'" in parse(r"a$b", False).problem


def test_what_mathjax_accepts_and_tex_would_not():
    # bm runs TeX out of memory on bold inside bold; inner bold is bold already
    assert inline(r"\boldsymbol{f(\boldsymbol{x};\bm{\theta})}") == r"$\boldsymbol{f({x};{\theta})}$"
    # a command as a script: MathJax takes it with its arguments, TeX one token (`^\,` is `^\mskip…`)
    assert inline(r"\min^{\,^\,}x^\frac12 a_\text{b}") == r"$\min^{\,^{\,}}x^{\frac12} a_{\text{b}}$"
    # `…\\ \end{align}`: MathJax drops the empty last line; an empty line inside is `{}`, never a blank line
    assert display(r"\begin{align}a\\[5pt]b\\\end{align}") == "\\begin{align}\na\\\\[5pt]\nb\n\\end{align}"
    assert "\n{}\\\\\n" in display(r"\begin{align}a\\ \\ b\end{align}")


def test_plain_tex_forms():
    assert inline(r"\pmatrix{a&b\cr c&d}") == r"$\begin{pmatrix}a&b\\c&d\end{pmatrix}$"
    assert inline(r"{\frak g}") == r"${\mathfrak{g}}$"


def test_chinese_and_unicode_symbols_in_math():
    assert inline(r"x≤y，z∈A") == r"$x\le y\text{，}z\in A$"
    assert inline(r"\text{损失}=a") == r"$\text{损失}=a$"
    assert inline(r"L_{训练}") == r"$L_{\text{训练}}$"


# Finding math in prose ---------------------------------------------------------------------------------

def test_inline_delimiters_as_mathjax_finds_them():
    pieces = []
    for kind, text in find_inline(r"价格\$5，$\text{a$b$}$与\(x\)及\eqref{eq:a}"):
        if pieces and kind == pieces[-1][0] == "text":
            kind, text = "text", pieces.pop()[1] + text
        pieces.append((kind, text))
    assert pieces == [("text", "价格$5，"), ("math", r"\text{a$b$}"), ("text", "与"), ("math", "x"),
                      ("text", "及"), ("math", r"\eqref{eq:a}")]


def test_bare_environments_are_display_math():
    assert display_opener(r"表格\begin{array}{c|c}") == 2
    assert display_opener(r"$\begin{array}{c}a\end{array}$ 行内") == -1
    assert display_opener(r"\begin{itemize}") == -1  # not an environment MathJax typesets
    lines = [(1, "结果如下："), (2, r"\begin{array}{c|cc}"), (3, r"a & b & c\\ \hline"), (4, r"d & e & f"),
             (5, r"\end{array}"), (6, "所以这就是我们要的结果，证毕。")]
    blocks = build_blocks(lines, "t.txt", lambda loc, msg: None)
    kinds = [type(b).__name__ for b in blocks]
    assert kinds == ["Paragraph", "DisplayMath", "Paragraph"]
    assert blocks[1].formula.ok and r"\hline" in display(blocks[1].formula.source)


def test_inline_formula_broken_over_two_lines_is_one_formula():
    lines = [(1, r"其中$u(t)\in\mathbb{R}^{d_i},"), (2, r"x(t)\in\mathbb{R}^{d}$。当然我们也可以将它离散化。")]
    warnings = []
    blocks = build_blocks(lines, "t.txt", lambda loc, msg: warnings.append(msg))
    assert not warnings and len(blocks) == 1
    formulas = [i.formula for i in blocks[0].inlines if isinstance(i, Math)]
    assert len(formulas) == 1 and formulas[0].ok and "x(t)" in formulas[0].source
    lines = [(1, r"得到$\boldsymbol{o}"), (2, r"_t$怎么利用$\boldsymbol{S}_t$，得到$\boldsymbol{o}"),
             (3, r"_t = f(x)$是自然的。")]
    blocks = build_blocks(lines, "t.txt", lambda loc, msg: warnings.append(msg))
    assert not warnings and len(blocks) == 1
    assert [i.formula.source for i in blocks[0].inlines if isinstance(i, Math)] == [
        "\\boldsymbol{o}\n_t", r"\boldsymbol{S}_t", "\\boldsymbol{o}\n_t = f(x)"]


def test_display_rows_that_look_like_code_are_math():
    lines = [(1, "我们有"), (2, "$$"), (3, r"a = b \\"), (4, "c = d"), (5, "$$"), (6, r"\begin{aligned}"),
             (7, r"y = ax + b \\"), (8, "z = f(x)"), (9, r"\end{aligned}"), (10, "def f(x):"), (11, "    return x")]
    kinds = [type(b).__name__ for b in build_blocks(lines, "t.txt", lambda loc, msg: None)]
    assert kinds == ["Paragraph", "DisplayMath", "DisplayMath", "CodeBlock"]


def test_nested_environments_of_the_same_name_close_at_the_right_end():
    lines = [(1, r"\begin{array}{c}\begin{array}{c}a\end{array}\\b\end{array}这是后面的文字，不是公式。")]
    blocks = build_blocks(lines, "t.txt", lambda loc, msg: None)
    assert isinstance(blocks[0], DisplayMath) and blocks[0].formula.ok
    assert isinstance(blocks[1], Paragraph)


def test_title_math_is_parsed_once():
    pieces = split_inline(r"$\mathcal{O}(n)$的算法", LOC, lambda loc, msg: None)
    assert isinstance(pieces[0], Math) and pieces[0].formula.ok


@pytest.mark.parametrize("source", ["^\\newcommand{A}[0]{}^", "x^\\def\\a{}^5cinput", "x_\\let\\b=\\c_2", "x^^2"])
def test_two_carets_never_meet(source):
    """A macro definition between two carets leaves them side by side: TeX would read `^^5c` as a backslash.
    MathJax refuses a double exponent; so does the book, and its LaTeX never holds `^^`."""
    formula = parse(source, False)
    assert not formula.ok and ("double" in formula.problem or "^^" in formula.problem)
    assert "^^" not in mlatex.tex(tuple(Token(SUP, "^") for _ in range(2)), "p")
