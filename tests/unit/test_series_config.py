"""Series grouping and order, and book.yaml validation."""
from __future__ import annotations

import pytest
from conftest import ROOT, make_book, run_book, seed_book

from builder import config
from builder.build.book import load_book
from builder.series.parts import series_number
from builder.text.numerals import chinese_number


@pytest.mark.parametrize("text, value", [("十五", 15), ("六", 6), ("二十三", 23), ("一百零二", 102), ("4", 4)])
def test_chinese_numbers(text, value):
    assert chinese_number(text) == value


@pytest.mark.parametrize("title, match, number", [
    ("生成扩散模型漫谈(十五):构建ODE的一般步骤(中)", "生成扩散模型漫谈", 15),
    ("生成扩散模型漫谈（十五）：构建ODE", "生成扩散模型漫谈", 15),
    ("Transformer升级之路:4、二维位置的旋转式位置编码", "Transformer升级之路", 4),
    ("Transformer升级之路：12、无限外推", "Transformer升级之路", 12),
    ("变分自编码器(六):从几何视角", "变分自编码器", 6),
    ("线性Transformer应该不是", "Transformer升级之路", None),
])
def test_series_number(title, match, number):
    assert series_number(title, match) == number


def test_seed_parts_in_configured_order(tmp_path):
    book = load_book(config.load(seed_book(tmp_path)))
    assert [p.title for p in book.parts] == ["生成扩散模型漫谈", "Transformer升级之路", "变分自编码器",
                                             "多任务学习漫谈", "其他文章"]
    transformer = book.parts[1].chapters
    assert [c.series_number for c in transformer[:2]] == [4, 5]
    assert all(c.related for c in transformer[2:])
    vae = [c.post.title for c in book.parts[2].chapters]
    assert vae[0].startswith("变分自编码器(六)") and any("NVAE" in t for t in vae) and any("EAE" in t for t in vae)
    others = book.parts[-1].chapters
    dated = [c.post.date for c in others if c.post.date.full]
    assert dated == sorted(dated, key=lambda d: d.sort_key())
    assert not others[-1].post.date.full  # posts without a year go last
    assert [c.number for c in book.chapters()] == list(range(1, 39))


def test_yaml_reorders_excludes_and_overrides(tmp_path):
    text = (ROOT / "book.yaml").read_text(encoding="utf-8")
    cfg_path = seed_book(tmp_path)
    text = text.replace("exclude: []", "exclude: [2010-11-06-zhe-ge-xing-qi-dui-wei]")
    text = text.replace("posts: {}", "posts:\n  10-19-untitled-rang-wo-men-bu: "
                                     "{title: 最小熵原理（六）, date: 2019-10-19, series: multitask}")
    cfg_path.write_text(text, encoding="utf-8")
    cfg = config.load(cfg_path)
    cfg.series[0], cfg.series[2] = cfg.series[2], cfg.series[0]
    book = load_book(cfg)
    assert [p.key for p in book.parts][:3] == ["vae", "transformer", "diffusion"]
    ids = [c.post.id for c in book.chapters()]
    assert "2010-11-06-zhe-ge-xing-qi-dui-wei" not in ids and len(ids) == 37
    multitask = next(p for p in book.parts if p.key == "multitask")
    moved = next(c.post for c in multitask.chapters if c.post.id == "10-19-untitled-rang-wo-men-bu")
    assert moved.title == "最小熵原理（六）" and moved.date.year == 2019


def test_every_config_problem_reported_with_its_key(tmp_path, capsys):
    cfg_path = make_book(tmp_path, {"a.txt": "x"}, """\
title: 书
colour: red
paper: a3paper
sources: [nothing/*.txt]
series:
  - key: a
    title: 甲
    related: 不是列表
fonts: {cjk_serif: 12}
posts:
  no-such-post: {date: 2020/01/01}
""")
    assert run_book(cfg_path, "list") == 2
    err = capsys.readouterr().err
    for expected in ["unknown key 'colour'", "paper: 'a3paper'", "sources[0]: 'nothing/*.txt' matches no file",
                     "series[0].related: expected a list", "posts.no-such-post.date"]:
        assert expected in err, (expected, err)
    assert "Traceback" not in err


def test_unknown_post_id_is_an_error(tmp_path, capsys):
    cfg_path = make_book(tmp_path, {"a.txt": "标题\nBy 苏剑林 | 2020-01-02 | 10位读者 | 引用正文。\n"},
                         "sources: [excerpts/*.txt]\nexclude: [no-such-id]\n")
    assert run_book(cfg_path, "list") == 2
    assert "exclude[0]: no post has the id 'no-such-id'" in capsys.readouterr().err


def test_list_prints_ids_series_dates_and_sources(tmp_path, capsys):
    cfg_path = seed_book(tmp_path)
    assert run_book(cfg_path, "list") == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 38
    line = next(l for l in out if "当Batch Size增大时" in l)
    assert line.startswith("2024-11-14-dang-batch-size-zeng-da-shi")
    assert "other" in line and "excerpts/000_533a38e5cfb58e24.txt:18" in line
