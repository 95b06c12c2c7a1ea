"""Whole post pages (tests/pages: real pages as a scraper saved them): the post cut from the site, its
structure kept, its math unescaped."""
from __future__ import annotations

from conftest import TESTS

from builder.model.content import CodeBlock, DisplayMath, Heading, Paragraph, Text
from builder.read.pages import recognises, unescape
from builder.read.posts import parse_file
from builder.render.presentation import plain_text

PAGES = TESTS / "pages"
CHROME = ("SEARCH", "USERLOGIN", "渴望成为一个小飞侠", "转载到请包括本文地址", "打赏", "你也许还对下面的内容感兴趣",
          "如果您需要引用本文", "@online", "发表你的看法", "本站采用创作共用版权协议")


def read(name: str):
    diags: list = []
    posts = parse_file(PAGES / name, name, diags)
    assert len(posts) == 1, diags
    return posts[0], diags


def all_text(post) -> str:
    out = []
    for b in post.blocks:
        if isinstance(b, Paragraph):
            out.append(plain_text(b.inlines))
        elif isinstance(b, Heading):
            out.append(b.title)
        elif isinstance(b, CodeBlock):
            out.append("\n".join(b.lines))
    return "\n".join(out)


def test_the_post_is_cut_from_the_page():
    for name, title, date, readers in [("7919.txt", "exp(x)在x=0处的偶次泰勒展开式总是正的", "2020-11-24", 40932),
                                       ("10684.txt", "三个球的交点坐标（三球交会定位）", "2025-01-28", 20840),
                                       ("4491.txt", "Linux下的误删大坑与简单的恢复技巧", "2017-07-16", 34924)]:
        post, _diags = read(name)
        assert (post.title, post.date.iso(), post.readers, post.author) == (title, date, readers, "苏剑林")
        assert post.url == f"https://kexue.fm/archives/{name[:-4]}" and post.archive_id == name[:-4]
        assert post.whole and not post.truncated
        text = all_text(post)
        assert not [c for c in CHROME if c in text], name
        assert post.loc.line > 100  # the title line, after the chrome


def test_headings_without_their_anchor_links():
    post, _ = read("7919.txt")
    headings = [b.title for b in post.blocks if isinstance(b, Heading)]
    assert len(headings) == 5
    assert all("#" not in h and "](" not in h and h == h.strip() for h in headings)
    assert all("#" not in plain_text(b.inlines) for b in post.blocks if isinstance(b, Heading))


def test_math_is_unescaped_and_parsed():
    post, _ = read("7919.txt")
    formulas = [f for b in post.blocks for f in b.formulas()]
    assert len(formulas) == 45 and all(f.ok for f in formulas)
    assert any("\\sum\\limits_{k=0}^n" in f.source for f in formulas)
    # no Markdown escape is left in any formula: `\_`, `\*`, `\[` or a doubled backslash before a letter
    for f in formulas:
        assert "\\_" not in f.source and "\\*" not in f.source and not any(
            f.source[k:k + 2] == "\\\\" and f.source[k + 2:k + 3].isalpha() for k in range(len(f.source)))
    displays = [b for b in post.blocks if isinstance(b, DisplayMath)]
    assert len(displays) == 7 and all(b.formula.display for b in displays)
    # a display's TeX line breaks (`\\` at a line's end, which the scraper wrote `\\\`) survive
    assert any("\\\\\n" in b.source or b.source.rstrip().endswith("\\\\") or "\\\\" in b.source for b in displays)


def test_prose_keeps_no_markdown_and_no_tex():
    post, _ = read("10684.txt")
    for b in post.blocks:
        if isinstance(b, Paragraph):
            for piece in b.inlines:
                if isinstance(piece, Text):
                    assert "\\begin" not in piece.text and "\\\\" not in piece.text and "](" not in piece.text


def test_code_keeps_its_language_and_lines():
    post, _ = read("4491.txt")
    code = [b for b in post.blocks if isinstance(b, CodeBlock)]
    assert [c.language for c in code] == ["bash"] * 7 + ["python"]
    assert any(line.startswith("rm ") or " rm " in line for c in code for line in c.lines)


def test_recognition_and_unescape():
    lines = (PAGES / "7919.txt").read_text(encoding="utf-8").split("\n")
    assert recognises(lines)
    assert not recognises((TESTS.parent / "excerpts" / sorted(p.name for p in (TESTS.parent / "excerpts").glob("*.txt"))[0]
                           ).read_text(encoding="utf-8").split("\n"))
    assert unescape(r"\\frac{a\_1}{b} \* \[x\]") == r"\frac{a_1}{b} * [x]"
