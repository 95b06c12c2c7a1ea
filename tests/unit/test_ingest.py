"""Parser tests on the seed dumps: posts, titles, dates, and each quirk the seeds really have."""
from __future__ import annotations

import pytest
from conftest import SEEDS, make_book

from builder.model.content import (
    DisplayMath,
    Figure,
    Heading,
    ListBlock,
    Logo,
    Paragraph,
    PostDate,
)
from builder.read.posts import read_posts


@pytest.fixture(scope="module")
def seed():
    diags = []
    files = [(p, f"excerpts/{p.name}") for p in sorted(SEEDS.glob("*.txt"))]
    posts = read_posts(files, diags)
    return posts, diags


def by_title(posts, fragment):
    found = [p for p in posts if p.title and fragment in p.title]
    assert len(found) == 1, (fragment, [p.title for p in found])
    return found[0]


def test_seed_post_count_after_merging_duplicate(seed):
    posts, _ = seed
    assert len(posts) == 38
    assert sum(1 for p in posts if p.title) == 37
    assert len({p.id for p in posts}) == 38


def test_format_a_title_date_readers(seed):
    post = by_title(seed[0], "用热传导方程来指导自监督学习")
    assert post.date == PostDate(2022, 11, 30)
    assert post.readers == 30823
    assert post.author == "苏剑林"
    # The body starts right after 引用 on the metadata line.
    first = post.blocks[0]
    assert isinstance(first, Paragraph) and first.inlines[0].text.startswith("用理论物理来卷机器学习")
    assert str(post.loc) == "excerpts/000_533a38e5cfb58e24.txt:1"


def test_format_b_date_has_no_invented_year(seed):
    post = by_title(seed[0], "Johnson-Lindenstrauss")
    assert post.date == PostDate(None, 9, 17)
    assert post.readers is None
    assert post.truncated  # ends in 点击阅读全文...


def test_stray_trailer_is_not_text(seed):
    post = by_title(seed[0], "胡闹的胜利")
    dump = (SEEDS / post.loc.path.split("/")[-1]).read_text(encoding="utf-8")
    assert "\n最近评论" in dump  # the page's sidebar heading, after the last post
    texts = [i.text for b in post.blocks if isinstance(b, Paragraph) for i in b.inlines if hasattr(i, "text")]
    assert texts and texts[-1].rstrip().endswith(("。", "！", "？", "）", "”"))  # the post's own last sentence
    assert not any("最近评论" in t for t in texts)


def test_glued_title_is_a_title_not_a_body(seed):
    posts, diags = seed
    dialo = by_title(posts, "动手做个DialoGPT")
    assert dialo.blocks == ()
    sampling = by_title(posts, "从采样看优化")
    assert sampling.title == "从采样看优化:可导优化与不可导优化的统一视角"
    assert sampling.date == PostDate(2020, 6, 23)
    assert sampling.readers == 54781
    assert sampling.blocks[0].inlines[0].text.startswith("不少读者都应该知道")
    assert any("empty body" in d.message and d.loc.line == 32 for d in diags)


def test_untitled_post_gets_placeholder_and_warning(seed):
    posts, diags = seed
    untitled = [p for p in posts if not p.title]
    assert len(untitled) == 1
    assert untitled[0].display_title == "（无标题）"
    assert untitled[0].date == PostDate(None, 10, 19)
    assert any(d.loc and d.loc.path.endswith("003_6438b48de7f1283b.txt") and "no title" in d.message for d in diags)


def test_duplicate_post_merged_with_fullest_metadata(seed):
    post = by_title(seed[0], "当Batch Size增大时")
    assert post.date == PostDate(2024, 11, 14)  # the year comes from the 000 copy
    assert post.readers == 21298
    assert sorted(s.path for s in post.sources) == ["excerpts/000_533a38e5cfb58e24.txt",
                                                    "excerpts/003_6438b48de7f1283b.txt"]


def test_double_caption_is_one_figure(seed):
    post = by_title(seed[0], "逻辑回归有解析解吗")
    figures = [b for b in post.blocks if isinstance(b, Figure)]
    assert [f.caption for f in figures] == ["逻辑回归示意图"]
    assert not any(isinstance(b, Heading) and "示意图" in b.title for b in post.blocks)


def test_single_caption_line_is_a_figure(seed):
    post = by_title(seed[0], "seq2seq之双向解码")
    assert any(isinstance(b, Figure) and b.caption == "Seq2Seq的双向解码机制图示" for b in post.blocks)


@pytest.mark.parametrize("title_fragment, heading", [
    ("用热传导方程", "基本方程"),
    ("二维位置的旋转式位置编码", "二维RoPE"),
    ("这个星期对微分方程的认识", "一、微分方程的本质"),
    ("胡闹的胜利", "胡闹的结果"),
])
def test_short_lines_are_sections(seed, title_fragment, heading):
    post = by_title(seed[0], title_fragment)
    assert heading in [b.title for b in post.blocks if isinstance(b, Heading)]


def test_lead_in_lines_before_formulas_are_prose(seed):
    post = by_title(seed[0], "为什么梯度裁剪")
    assert "或者" not in [b.title for b in post.blocks if isinstance(b, Heading)]
    post = by_title(seed[0], "EAE")
    assert "其loss一般为" not in [b.title for b in post.blocks if isinstance(b, Heading)]


def test_math_kinds(seed):
    post = by_title(seed[0], "从Hessian近似看")
    displays = [b for b in post.blocks if isinstance(b, DisplayMath)]
    assert displays[0].formula.labels == ("eq:loss",) and displays[0].formula.numbering == "one"
    assert displays[0].formula.env == "equation"
    assert displays[0].source.startswith("\\begin{equation}\\boldsymbol{\\theta}^*")
    post = by_title(seed[0], "胡闹的胜利")
    displays = [b for b in post.blocks if isinstance(b, DisplayMath)]
    assert len(displays) == 3 and not any(d.formula.numbering != "none" for d in displays)


def test_latex_logo_in_prose(seed):
    post = by_title(seed[0], "李对称方法")
    assert any(isinstance(i, Logo) and i.name == "LaTeX"
               for b in post.blocks if isinstance(b, Paragraph) for i in b.inlines)


def test_numbered_list(seed):
    post = by_title(seed[0], "GAN的第三个阶段")
    lists = [b for b in post.blocks if isinstance(b, ListBlock)]
    assert len(lists) == 1 and len(lists[0].items) == 3


def test_ids_are_stable_and_readable(seed):
    ids = {p.title: p.id for p in seed[0] if p.title}
    assert ids["用热传导方程来指导自监督学习"] == "2022-11-30-yong-re-chuan-dao-fang-cheng"
    assert ids["让人惊叹的Johnson-Lindenstrauss引理:理论篇"] == "09-17-rang-ren-jing-tan-de-johnson"


def test_windows_line_endings_and_bom(tmp_path):
    text = "\ufeff标题一\r\nBy 苏剑林 | 2020-01-02 | 10位读者 | 引用正文第一段。\r\n第二段。\r\n"
    make_book(tmp_path, {"a.txt": text})
    diags = []
    posts = read_posts([(tmp_path / "excerpts" / "a.txt", "excerpts/a.txt")], diags)
    assert [p.title for p in posts] == ["标题一"]
    assert len(posts[0].blocks) == 2


def test_not_utf8_names_file_and_offset(tmp_path):
    (tmp_path / "bad.txt").write_bytes("标题\n".encode() + b"\xff\xfe broken")
    diags = []
    posts = read_posts([(tmp_path / "bad.txt", "excerpts/bad.txt")], diags)
    assert posts == []
    assert any("excerpts/bad.txt" in str(d) and "byte offset 7" in d.message for d in diags)


def test_empty_and_unrecognisable_files(tmp_path):
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "junk.txt").write_text("just some text\nmore text\n", encoding="utf-8")
    diags = []
    posts = read_posts([(tmp_path / "empty.txt", "e.txt"), (tmp_path / "junk.txt", "j.txt")], diags)
    assert posts == []
    messages = [str(d) for d in diags]
    assert any(m.startswith("e.txt:1: warning: empty file") for m in messages)
    assert any(m.startswith("j.txt:1: warning: no recognisable post") for m in messages)


def test_width_variants_of_a_title_are_one_post(tmp_path):
    a = "变分自编码器(六):几何视角\nBy 苏剑林 | 2020-09-10 | 5位读者 | 引用短的正文。\n"
    b = "10 Sep\n\n变分自编码器（六）：几何视角\n\n短的正文。更长一些的正文。\n\n点击阅读全文...\n"
    diags = []
    for name, text in (("a.txt", a), ("b.txt", b)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    posts = read_posts([(tmp_path / "a.txt", "a.txt"), (tmp_path / "b.txt", "b.txt")], diags)
    assert len(posts) == 1
    assert posts[0].date == PostDate(2020, 9, 10)
    assert "更长一些" in posts[0].blocks[0].inlines[0].text
