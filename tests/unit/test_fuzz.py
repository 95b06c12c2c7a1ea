"""Property tests: any text parses (posts or a message, never an exception); any escaped string compiles."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder.mathtex import latex as mlatex
from builder.mathtex import parse
from builder.model.content import Location
from builder.read.blocks import split_inline
from builder.read.posts import read_posts

META = "By 苏剑林 | 2020-01-02 | 10位读者 | 引用"


pieces = st.sampled_from(["$", "$$", "\\", "{", "}", "\\begin{equation}", "\\end{equation}", "\\label{x}", META,
                          "17 Sep", "点击阅读全文...", "最近评论", "\n", "\r\n", "\ufeff", "示意图", "1、", "（一）"])


dump_text = st.lists(st.one_of(st.text(max_size=30), pieces), max_size=40).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=dump_text)
def test_parser_never_raises(tmp_path, text):
    path = tmp_path / "fuzz.txt"
    path.write_text(text, encoding="utf-8", errors="surrogatepass") if "\ud800" not in text else None
    if not path.exists():
        return
    diags = []
    posts = read_posts([(path, "fuzz.txt")], diags)
    for post in posts:
        assert post.id
    for d in diags:
        assert str(d).startswith("fuzz.txt:")


TEX_PIECES = st.sampled_from(["\\frac", "{", "}", "^", "_", "&", "\\\\", "#", "%", "$", "\\text{", "x", "1", " ",
                               "\n", "\\begin{aligned}", "\\end{aligned}", "\\left(", "\\right)", "\\label{a}",
                               "\\tag{1}", "\\newcommand{\\a}[1]{#1}", "\\a", "\\def\\b{x}", "\\b", "^^5c",
                               "\\color{red}", "\\unicode{37}", "中", "\\input", "\\csname", "\\endcsname"])
tex_text = st.one_of(st.text(max_size=40), st.lists(TEX_PIECES, max_size=25).map("".join))


def balanced(tex: str) -> bool:
    """Braces balance in LaTeX source, escaped ones (\\{ \\}) aside."""
    depth, i = 0, 0
    while i < len(tex):
        if tex[i] == "\\":
            i += 2
            continue
        depth += {"{": 1, "}": -1}.get(tex[i], 0)
        if depth < 0:
            return False
        i += 1
    return depth == 0


@settings(max_examples=400, deadline=None)
@given(text=tex_text)
def test_math_check_never_raises(text):
    """Any formula is either refused with a message or rendered into LaTeX that TeX reads as math only: braces
    balanced, no ^^ code, no parameter, no line that ends a paragraph, no \\input."""
    for display in (False, True):
        result = parse(text, display)
        assert result == parse(text, display)  # one text, one reading
        if not result.ok:
            assert isinstance(result.problem, str) and result.problem.strip()
            continue
        tex = mlatex.display(result, "p", "k") if display else mlatex.inline(result, "p")
        assert balanced(tex), tex
        assert "^^" not in tex and "#" not in tex.replace("\\#", "")
        assert "\n\n" not in tex.replace("\r", "")
        assert "\\input" not in tex and "\\csname" not in tex
    pieces = split_inline(text, Location("x", 1), lambda loc, msg: None)
    assert all(type(p).__name__ in ("Text", "Math", "Logo", "Url") for p in pieces)
