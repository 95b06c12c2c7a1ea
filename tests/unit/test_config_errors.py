"""book.yaml problems found before TeX (line, key, suggestion), `book config`, `book schema`, page sizes."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest
import yaml
from conftest import MINIMAL_YAML, ROOT, make_book, run_book, seed_book
from fixtures_text import FORMAT_A
from jsonschema import Draft202012Validator

from builder import config
from builder.config import fonts, paper
from builder.config.describe import field_docs, schema
from builder.config.loading import Loader, field_types
from builder.render.latex.assembly import render_preamble

ERROR_RE = re.compile(r"^(?P<path>.+?):(?P<line>\d+): error: (?P<text>.+)$")


def line_of(text: str, fragment: str) -> int:
    """The 1-based line of book.yaml holding a fragment (once)."""
    hits = [i for i, line in enumerate(text.splitlines(), 1) if fragment in line]
    assert len(hits) == 1, (fragment, hits)
    return hits[0]


def errors(capsys) -> list[tuple[int, str]]:
    """(line, 'key: message') of every error line; every line of stderr must be one."""
    err = capsys.readouterr().err
    assert "internal error" not in err and "Traceback" not in err, err
    found = []
    for line in err.splitlines():
        m = ERROR_RE.match(line)
        assert m, f"not a `book.yaml:LINE: error: …` line: {line!r}"
        found.append((int(m["line"]), m["text"]))
    return found


BAD_YAML = """\
title: 书
author: 某人
seires: []
date: 2024-02-30  # no such day
sources: [excerpts/*.txt]
series:
  - key: vae
    titel: 变分自编码器
    related: 不是列表
glossary: {扩散模型: 1}
blog: {name: 博客, ulr: https://example.org}
outputs: [pdf, epbu]
posts:
  x: {date: 2024-02-30, serie: vae}
  y: {date: 2020/01/01, series: vea}
fonts: 12
paper: {width: 90, height: 120mm}
"""


def test_every_problem_at_once_with_line_key_and_suggestion(tmp_path, capsys):
    cfg_path = make_book(tmp_path, {"a.txt": FORMAT_A}, BAD_YAML)
    assert run_book(cfg_path, "pdf") == 2
    found = errors(capsys)
    at = lambda fragment: line_of(BAD_YAML, fragment)  # noqa: E731
    expected = [
        (at("seires"), "unknown key 'seires'; did you mean 'series'?"),
        (at("no such day"), "date: '2024-02-30' is not a date: February 2024 has 29 days"),
        (at("- key: vae"), "series[0]: required key 'title' is missing"),
        (at("titel"), "series[0]: unknown key 'titel'; did you mean 'title'?"),
        (at("related"), "series[0].related: expected a list, got '不是列表'"),
        (at("glossary"), "glossary: expected a list, got a mapping"),
        (at("ulr"), "blog: unknown key 'ulr'; did you mean 'url'?"),
        (at("epbu"), "outputs[1]: 'epbu' is not one of pdf, epub, epub-images; did you mean 'epub'?"),
        (at("serie: vae"), "posts.x: unknown key 'serie'; did you mean 'series'?"),
        (at("serie: vae"), "posts.x.date: '2024-02-30' is not a date: February 2024 has 29 days"),
        (at("2020/01/01"), "posts.y.date: '2020/01/01' is not a date written YYYY-MM-DD (like 2019-10-19)"),
        (at("2020/01/01"), "posts.y.series: 'vea' is not a series key: vae, other; did you mean 'vae'?"),
        (at("fonts: 12"), "fonts: expected a mapping (cjk_serif, cjk_sans, fallback), got 12"),
        (at("paper:"), "paper.width: '90' needs a unit: mm, cm, in or pt (like 90mm)"),
    ]
    assert sorted(found) == sorted(expected)
    assert [line for line, _ in found] == sorted(line for line, _ in found)  # in the file's order
    assert not (tmp_path / "build" / "book.pdf").exists()


def test_type_errors_are_not_reported_twice_and_paper_sizes_load(tmp_path, capsys):
    cfg_path = make_book(tmp_path, {"a.txt": FORMAT_A}, MINIMAL_YAML + "paper: {width: [90mm], height: 12cm}\n"
                         "fonts: {cjk_serif: [a]}\noutputs: [[pdf]]\ntitle: 又一个\n")
    assert run_book(cfg_path, "list") == 2
    text = cfg_path.read_text(encoding="utf-8")
    assert errors(capsys) == sorted([
        (line_of(text, "title: 又一个"), f"'title' is given twice (lines 1 and {line_of(text, 'title: 又一个')}); "
                                         "only the last would count"),
        (line_of(text, "paper:"), "paper.width: expected text, got a list"),
        (line_of(text, "fonts:"), "fonts.cjk_serif: expected text, got a list"),
        (line_of(text, "outputs:"), "outputs[0]: expected text, got a list"),
    ])
    for size in ("{width: 90mm, height: 120mm}", "{width: 9cm, height: 4.724in}", "kindle", "a5paper"):
        cfg_path.write_text(MINIMAL_YAML + f"paper: {size}\n", encoding="utf-8")
        cfg = config.load(cfg_path)
        assert cfg.page["width_mm"] == pytest.approx(paper.page_size(cfg.paper)[0])


def test_unknown_post_ids_name_their_line_and_a_close_id(tmp_path, capsys):
    cfg_path = seed_book(tmp_path)
    text = cfg_path.read_text(encoding="utf-8").replace(
        "exclude: []", "exclude: [2010-11-06-zhe-ge-xing-qi-dui-wie]")
    cfg_path.write_text(text, encoding="utf-8")
    assert run_book(cfg_path, "list") == 2
    assert errors(capsys) == [(line_of(text, "exclude:"), "exclude[0]: no post has the id "
                               "'2010-11-06-zhe-ge-xing-qi-dui-wie'; "
                               "did you mean '2010-11-06-zhe-ge-xing-qi-dui-wei'?")]


def installed_chinese_families() -> list[str]:
    if not shutil.which("fc-list"):
        if os.environ.get("CI") == "true":
            pytest.fail("fc-list (fontconfig) missing under CI=true")
        pytest.skip("fontconfig not installed")
    out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=True).stdout
    return [line.split(",")[0] for line in out.splitlines() if line]


def test_fonts_are_checked_with_fontconfig(tmp_path, capsys):
    families = installed_chinese_families()
    yaml_text = MINIMAL_YAML + "fonts:\n  cjk_serif: Foo\n  cjk_sans: noto sans cjk sc\n" \
                               "  fallback: [HanaMinA, NoSuchFallback]\n"
    cfg_path = make_book(tmp_path, {"a.txt": FORMAT_A}, yaml_text)
    assert run_book(cfg_path, "pdf") == 2
    found = errors(capsys)
    assert [line for line, _ in found] == [line_of(yaml_text, "Foo"), line_of(yaml_text, "noto sans")]
    serif, sans = found[0][1], found[1][1]
    listed = serif.split("installed Chinese fonts: ")[1].split(", …")[0].split(", ")
    assert serif.startswith("fonts.cjk_serif: 'Foo' is not an installed font; installed Chinese fonts: ")
    assert 1 <= len(listed) <= fonts.SHOWN and set(listed) <= set(families)
    assert sans == "fonts.cjk_sans: 'noto sans cjk sc' is not an installed font; did you mean 'Noto Sans CJK SC'?"

    # A missing fallback is optional: a warning, and it is left out of the preamble (TeX would stop on it).
    cfg_path.write_text(MINIMAL_YAML + "fonts: {fallback: [HanaMinA, NoSuchFallback]}\n", encoding="utf-8")
    assert run_book(cfg_path, "config") == 0
    out, err = capsys.readouterr()
    assert err.startswith(f"{cfg_path}:{len(MINIMAL_YAML.splitlines()) + 1}: warning: fonts.fallback[1]: "
                          "'NoSuchFallback' is not an installed font; left out")
    assert yaml.safe_load(out)["fonts"]["fallback"] == ["HanaMinA"]
    preamble = render_preamble(config.load(cfg_path))
    assert "{HanaMinA}" in preamble and "NoSuchFallback" not in preamble


def test_without_fc_list_fonts_are_not_checked(tmp_path, monkeypatch):
    cfg_path = make_book(tmp_path, {"a.txt": FORMAT_A}, MINIMAL_YAML + "fonts: {cjk_serif: Foo}\n")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    fonts.installed.cache_clear()
    try:
        assert config.load(cfg_path).fonts.cjk_serif == "Foo"
    finally:
        fonts.installed.cache_clear()


def test_config_prints_settings_in_effect_and_defaults(tmp_path, capsys):
    cfg_path = make_book(tmp_path, {"a.txt": FORMAT_A}, MINIMAL_YAML + "posts:\n  some-id: {title: 标题}\n"
                         "paper: {width: 90mm, height: 120mm}\n")
    assert run_book(cfg_path, "config") == 0
    shown = yaml.safe_load(capsys.readouterr().out)
    assert list(shown) == list(field_types(config.Config))
    assert shown["series"][0] == {"key": "vae", "title": "变分自编码器", "match": "变分自编码器", "related": ["NVAE"],
                                  "order": [], "description": ""}
    assert shown["posts"] == {"some-id": {"title": "标题", "date": None, "series": None, "url": "",
                                          "accept": []}}
    assert shown["paper"] == {"width": "90mm", "height": "120mm"}
    assert shown["fonts"]["cjk_serif"] == config.FontsConfig().cjk_serif

    assert run_book(cfg_path, "config", "--defaults") == 0
    out = capsys.readouterr().out
    defaults = yaml.safe_load(out)
    assert list(defaults) == list(field_types(config.Config))
    assert set(defaults["series"][0]) == set(field_types(config.SeriesConfig))
    assert set(defaults["posts"]["<id>"]) == set(field_types(config.PostOverride))
    flat = " ".join(line.strip("# ") for line in out.splitlines() if line.lstrip().startswith("#"))
    assert defaults["volumes"] == "none"  # the single book; a volume's keys are listed, commented out
    for cls in (config.Config, config.SeriesConfig, config.PostOverride, config.FontsConfig, config.BlogConfig,
                config.VolumeConfig):
        assert set(field_docs(cls)) >= set(field_types(cls)), f"{cls.__name__}: a setting has no docstring"
        for name in field_types(cls):
            assert field_docs(cls)[name] in flat


def test_schema_accepts_the_seed_and_rejects_mistakes(capsys):
    assert run_book(ROOT / "book.yaml", "schema") == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == schema()
    Draft202012Validator.check_schema(printed)
    assert printed["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    validator = Draft202012Validator(printed)
    seed = yaml.load((ROOT / "book.yaml").read_text(encoding="utf-8"), Loader=Loader)
    assert list(validator.iter_errors(seed)) == []
    assert set(printed["properties"]) == set(field_types(config.Config))

    def rejected(change: dict) -> bool:
        return bool(list(validator.iter_errors({**seed, **change})))

    assert rejected({"seires": []})                          # misspelt key
    assert rejected({"fonts": 12})                           # a number where a mapping is expected
    assert rejected({"glossary": {"a": "b"}})                # a mapping where a list is expected
    assert rejected({"series": [{"key": "a", "titel": "b"}]})
    assert rejected({"posts": {"x": {"serie": "a"}}})
    assert rejected({"outputs": ["pfd"]}) and rejected({"paper": "a3paper"})
    assert rejected({"paper": {"width": "90", "height": "120mm"}})
    assert not rejected({"paper": {"width": "90mm", "height": "4.7in"}}) and not rejected({"paper": "kindle"})
    assert printed["properties"]["series"]["items"]["properties"]["related"]["description"] == \
        field_docs(config.SeriesConfig)["related"]


def test_page_layout_scales_with_the_page():
    a4 = paper.page_layout("a4paper")
    assert a4["geometry"] == "a4paper,inner=25mm,outer=20mm,top=25mm,bottom=22mm,headsep=6mm,headheight=15pt"
    small = paper.page_layout(config.PaperSize("90mm", "120mm"))
    assert small["zihao"] == "5" and small["class_paper"] == "" and small["screen"]
    options = dict(o.split("=") for o in small["geometry"].split(","))
    assert options["paperwidth"] == "90mm" and options["paperheight"] == "120mm"
    margins = [paper.length_mm(options[k]) for k in ("inner", "outer", "top", "bottom")]
    assert all(paper.MIN_MARGIN <= m < 15 for m in margins)
    assert 90 - margins[0] - margins[1] >= 0.8 * 90  # the text keeps most of a small page
    assert paper.page_layout(config.PaperSize("9cm", "12cm"))["geometry"] == small["geometry"]
    assert paper.page_layout("kindle")["geometry"].startswith("paperwidth=90mm,paperheight=122mm,")
    assert paper.size_problem("10mm") == "'10mm' is 10 mm; a page side must be 60 to 600 mm"
