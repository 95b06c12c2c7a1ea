"""One presentation for both renderers: the words and numbers of a chapter, decided once and printed by each."""
from __future__ import annotations

import json

from conftest import ROOT

from builder import config
from builder.build.book import load_book
from builder.model.content import Location, Paragraph, Text
from builder.render.epub.document import EpubRender
from builder.render.latex.chapter import RenderReport, render_chapters
from builder.render.presentation import block_numbers, opening, statement_parts
from builder.series.index import TermMarker


def seed():
    cfg = config.load(ROOT / "book.yaml")
    return cfg, load_book(cfg)


def test_numbers_count_sections_and_figures_per_chapter():
    _, book = seed()
    seen_heading = seen_figure = False
    for chapter in book.chapters():
        numbers = block_numbers(chapter)
        for kind in ("heading", "figure"):
            mine = [numbers[i] for i, b in enumerate(chapter.post.blocks) if kind == b.KIND]
            assert mine == [f"{chapter.number}.{n}" for n in range(1, len(mine) + 1)]
            seen_heading |= kind == "heading" and bool(mine)
            seen_figure |= kind == "figure" and bool(mine)
        assert all(chapter.post.blocks[i].KIND in ("heading", "figure") for i in numbers)
    assert seen_heading and seen_figure  # the seed book has both, so the check above checked something


def test_opening_says_series_place_and_excerpt_note():
    _, book = seed()
    part = book.parts[0]
    said = opening(part.chapters[0], part.title)
    assert said.series_line == f"{part.title} · 第{part.chapters[0].series_number}篇"
    assert said.closing_note in ("摘录", "摘录至此，全文见原博客")
    assert said.date.endswith("日")
    others = book.parts[-1]
    assert opening(others.chapters[0], others.title).series_line in ("", f"{others.title} · 相关文章")


def test_statement_parts_split_at_the_first_colon():
    block = Paragraph((Text("通俗版JL引理: 对于任意 "),), Location("a.txt", 3), kind="statement")
    assert statement_parts(block) == ("通俗版JL引理", (Text("对于任意 "),))
    assert statement_parts(Paragraph((Text("正文：不是陈述"),), Location("a.txt", 4))) is None


def test_both_renderers_print_the_same_opening():
    cfg, book = seed()
    chapters = render_chapters(book, cfg, TermMarker([]), RenderReport())
    ast = json.dumps(EpubRender(book).document(cfg), ensure_ascii=False)
    for part in book.parts:
        for chapter in part.chapters:
            said = opening(chapter, part.title)
            tex = chapters[chapter.post.id]
            assert f"\\sbexcerptnote{{{said.closing_note}}}" in tex
            assert said.closing_note in ast
            if said.series_line:
                assert said.series_line.split(" · ")[1] in tex and said.series_line.split(" · ")[1] in ast
