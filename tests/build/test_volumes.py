"""Volumes: the seed book as one PDF per series (volumes: series), built once for the module and read back."""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from conftest import need_tex, pdf_text, run_book, seed_book, started
from pypdf import PdfReader

from builder import config
from builder.build.book import load_book
from builder.text.numerals import zh_numeral

# A post in the final part (a date without a year, 31 Dec: the last chapter, so the seed's numbers stay as they
# are) citing a chapter of the diffusion series and one of the transformer series.
CITING = """\
31 Dec

跨卷引用的一则短文

前文《测试函数法推导连续性方程和Fokker-Planck方程》讲了连续性方程,而《Transformer升级之路:5、作为无限维的线性Attention》讲了线性注意力。

点击阅读全文...
"""


CITED_URL = "https://spaces.ac.cn/archives/9461"  # given in book.yaml for the diffusion chapter only


HAN_RE = re.compile(r"[\u4e00-\u9fff]")


EQNO_RE = re.compile(r"\((\d+)\.(\d+)\)")


def han(text: str) -> str:
    """Only the Chinese characters: what pdftotext gives of them does not depend on spacing or line breaks."""
    return "".join(HAN_RE.findall(text))


def links(pdf: Path) -> list[dict]:
    """The link actions of every page: GoToR (another PDF), URI, GoTo."""
    found = []
    for page in PdfReader(pdf).pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A")
            if action is not None:
                found.append({k: str(v) for k, v in action.items()})
    return found


@pytest.fixture(scope="module")
def volumes(tmp_path_factory):
    """The seed book (and CITING) as volumes, -j 2; then a no-op run; then the final part's volume alone."""
    need_tex()
    root = tmp_path_factory.mktemp("volumes")
    cfg_path = seed_book(root)
    (root / "excerpts" / "zz_cite.txt").write_text(CITING, encoding="utf-8")
    text = cfg_path.read_text(encoding="utf-8").replace(
        "posts: {}", "posts: {2023-02-11-ce-shi-han-shu-fa-tui: {url: '" + CITED_URL + "'}}")
    cfg_path.write_text(text + "volumes: series\n", encoding="utf-8")
    assert run_book(cfg_path, "volumes", "-j", "2", "-q") == 0
    out = root / "build" / "volumes"
    book = load_book(config.load(cfg_path))
    built = {p.key: {"pdf": out / f"{p.key}.pdf", "chapters": list(p.chapters),
                     "text": pdf_text(out / f"{p.key}.pdf", layout=False),
                     "layout": pdf_text(out / f"{p.key}.pdf"), "links": links(out / f"{p.key}.pdf")}
             for p in book.parts}
    with pytest.MonkeyPatch.context() as mp:
        noop = started(mp)
        assert run_book(cfg_path, "volumes", "-j", "2") == 0
    assert run_book(cfg_path, "volumes", "other", "-q") == 0
    alone = links(out / "other.pdf")
    return {"root": root, "book": book, "built": built, "noop": noop, "alone": alone}


def contents(text: str) -> str:
    """The contents pages: from 目录 to the index's line."""
    return text.split("目录", 1)[1].split("\n索引", 1)[0]


# `term<TAB>pages` once the leader dots are a tab; two columns' entries may share a line of pdftotext's text.
INDEX_ENTRY_RE = re.compile(r"(?m)(?:^|(?<=\d) )([^\t\n]+?)\t(\d+(?:–\d+)?(?:, ?\d+(?:–\d+)?)*)")


def index_section(text: str) -> str:
    """The index: what follows the last chapter's closing note."""
    last = list(re.finditer(r"（(摘录|抓取的列表中)", text))[-1]
    return text[last.end():].split("\n", 1)[1]


def test_each_volume_holds_its_part_with_its_own_contents(volumes):
    book, built = volumes["book"], volumes["built"]
    assert set(built) == {"diffusion", "transformer", "vae", "multitask", "other"}
    for key, vol in built.items():
        toc = han(contents(vol["text"]))
        whole = han(vol["text"])
        mine = {c.post.id for c in vol["chapters"]}
        numbers = set(re.findall(r"第([零一二三四五六七八九十百]+)章", contents(vol["text"])))
        assert numbers == {zh_numeral(c.number) for c in vol["chapters"]}, key
        for chapter in book.chapters():
            title = han(chapter.post.display_title)
            if chapter.post.id in mine:  # listed with the number it has in the whole book, and set as a chapter
                assert han(f"第{zh_numeral(chapter.number)}章") + title in toc, (key, chapter.post.id)
                assert title in whole.split(toc, 1)[1]
            elif len(title) >= 4:
                assert title not in toc, (key, chapter.post.id)
        # the title page: the volume's title under the book's
        assert han(vol["text"].split("前言")[0]) == han("科学空间文选" + next(
            p.title for p in book.parts if p.key == key) + "苏剑林摘录自博客科学空间")


def test_each_index_has_only_its_own_entries(volumes):
    root, built = volumes["root"], volumes["built"]

    def entries(chapters) -> set[str]:
        found = set()
        for c in chapters:
            tex = (root / "chapters" / f"{c.post.id}.tex").read_text(encoding="utf-8")
            found |= {re.sub(r"\s|\{\}", "", m.split("@")[-1])
                      for m in re.findall(r"\\index\{((?:[^{}]|\{\})*)\}", tex)}
        return found

    everything = entries(volumes["book"].chapters())
    for key, vol in built.items():
        index = index_section(vol["text"])
        listed = {re.sub(r"\s", "", unicodedata.normalize("NFKC", m))  # (ﬀ: a ligature)
                  for m, _ in INDEX_ENTRY_RE.findall(re.sub(r"[ \t]*(?:\.[ \t]*){3,}", "\t", index))}
        own = entries(vol["chapters"])
        assert listed and listed <= own, (key, listed - own)
        assert own <= listed, (key, own - listed)
        assert listed & (everything - own) == set()


def test_chapter_and_equation_numbers_are_the_single_books(volumes, seed_pdf):
    _, single, _ = seed_pdf  # the same dumps but CITING, which is the last chapter: numbers unchanged
    counted = 0
    for key, vol in volumes["built"].items():
        mine = {str(c.number) for c in vol["chapters"]}
        in_book = {m for m in EQNO_RE.findall(single) if m[0] in mine}
        in_volume = {m for m in EQNO_RE.findall(vol["layout"]) if m[0] in mine}
        assert in_volume == in_book, key
        counted += len(in_volume)
    assert counted >= 10  # (15 in the seed book)


def test_a_citation_of_another_volume_opens_that_volumes_pdf(volumes):
    built = volumes["built"]
    far = [a for a in built["other"]["links"] if a.get("/S") == "/GoToR"]
    assert {(a["/F"], a["/D"]) for a in far} == {("diffusion.pdf", "chapter.2"), ("transformer.pdf", "chapter.4")}
    for key, dest in (("diffusion", "chapter.2"), ("transformer", "chapter.4")):
        assert dest in PdfReader(built[key]["pdf"]).named_destinations  # where the link lands exists
    # the number printed beside the title is the chapter's in the whole book
    assert "线性Attention》（第4章）" in re.sub(r"\s", "", built["other"]["text"])
    assert not any(a.get("/S") == "/GoToR" for k, v in built.items() if k != "other" for a in v["links"])


def test_built_alone_a_volume_links_to_the_blog(volumes):
    alone = volumes["alone"]
    assert not [a for a in alone if a.get("/S") == "/GoToR"]
    uris = {a["/URI"] for a in alone if a.get("/S") == "/URI"}
    assert CITED_URL in uris  # the post's address given in book.yaml
    assert "https://spaces.ac.cn" in uris  # no address given: the blog's


def test_a_noop_volumes_build_starts_nothing(volumes):
    assert volumes["noop"] == []
