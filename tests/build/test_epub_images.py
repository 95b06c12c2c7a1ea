"""The EPUB edition whose formulas are images (book epub --math images), read back with a zip reader."""
from __future__ import annotations

import re
import struct
import zipfile

import pytest
from conftest import epubcheck, make_book, need_tex, run_book, started, xhtml_files
from fixtures_text import NUMBERING

from builder import config
from builder.build.book import load_book
from builder.model.book import post_formulas

IMG_RE = re.compile(r'<img src="([^"]+)" class="math (inline|display)" style="([^"]*)" alt="([^"]*)" />')


def images_of(epub) -> list[tuple[str, str, str, str]]:
    """(src, inline|display, style, alt) of every formula image, in reading order."""
    files = xhtml_files(epub)
    return [m.groups() for name in sorted(files) for m in IMG_RE.finditer(files[name])]


def png_header(data: bytes) -> tuple[int, int, int, int]:
    """(width, height, bit depth, colour type) from a PNG's IHDR."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">IIBB", data[16:26])


def em(style: str, prop: str) -> float:
    return float(re.search(rf"{prop}:(-?[\d.]+)em", style).group(1))


@pytest.fixture(scope="module")
def seed_editions(seed_epub, seed_image_epub):
    """The seed book in both editions (each built once for the session): (config path, MathML EPUB, image EPUB)."""
    cfg_path, mathml_epub = seed_epub
    return cfg_path, mathml_epub, seed_image_epub


def test_every_formula_is_an_image_with_its_tex_as_alt(seed_editions):
    cfg_path, mathml_epub, images_epub = seed_editions
    images = images_of(images_epub)
    files = xhtml_files(images_epub)
    assert not any("<math" in x for x in files.values())
    # as many formulas as the MathML edition has <math> elements (titles' formulas included)
    assert len(images) == sum(x.count("<math ") for x in xhtml_files(mathml_epub).values()) > 50
    # each image's alt is its formula as the dump wrote it
    book = load_book(config.load(cfg_path))
    sources = {" ".join(f.source.split()) for c in book.chapters() for _, f in post_formulas(c.post)}
    def unescape(s):
        return s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    assert {unescape(alt) for *_, alt in images} <= sources
    with zipfile.ZipFile(images_epub) as z:
        for src, kind, style, _alt in images:
            width, height, depth, colour = png_header(z.read("EPUB/" + src.removeprefix("../")))
            assert (depth, colour) == (4, 3)  # 16 greys in a palette: the seed book has no coloured formula
            if kind == "inline":  # sized in em, so it follows the reader's text size; 300 dpi at 12 pt, unstretched
                assert abs(height - em(style, "height") * 12.045 / 72 * 300) < 0.5
            else:
                assert abs(width - em(style, "width") * 12.045 / 72 * 300) < 0.5
        opf = z.read("EPUB/content.opf").decode("utf-8")
    assert "describedMath" in opf and 'properties="mathml"' not in opf
    ids = [re.search(r"<dc:identifier[^>]*>([^<]+)<", zipfile.ZipFile(e).read("EPUB/content.opf").decode("utf-8"))
           .group(1) for e in (mathml_epub, images_epub)]
    assert ids[0] != ids[1]  # two files in a reader's library, not one
    epubcheck(images_epub)


BASELINES = """\
基线测试
By 测试者 | 2023-01-02 | 1位读者 | 引用行内公式$x$与$y$和$\\frac{a}{b}$，以及$\\text{中文}x$。
"""


def test_inline_images_sit_on_the_baseline_tex_gives_them(tmp_path):
    need_tex()
    cfg_path = make_book(tmp_path, {"a.txt": BASELINES})
    assert run_book(cfg_path, "epub", "--math", "images", "-q") == 0
    styles = {alt: style for _, kind, style, alt in images_of(tmp_path / "build" / "book-images.epub")}
    x, y, frac, text = (styles[k] for k in ("x", "y", "\\frac{a}{b}", "\\text{中文}x"))
    assert em(y, "vertical-align") < em(x, "vertical-align") < 0  # y's descender goes below the line
    assert 0.5 < em(x, "height") < 0.8  # an x and its border, in ems of the text
    assert em(frac, "height") > 1.5 * em(x, "height") and em(frac, "vertical-align") < em(y, "vertical-align")
    assert em(text, "height") > em(x, "height")  # the Chinese characters are there, at full height
    log = (tmp_path / "build" / "math-images" / "tex" / "formulas.log").read_text(encoding="utf-8")
    assert "Missing character" not in log


def test_numbers_refs_and_a_rebuild_that_sets_only_new_formulas(tmp_path, monkeypatch, capsys):
    need_tex()
    cfg_path = make_book(tmp_path, {"a.txt": NUMBERING})
    assert run_book(cfg_path, "epub", "--math", "images") == 0
    err = capsys.readouterr().err
    cache = tmp_path / "build" / "math-images"
    first = {p.name: p.stat().st_mtime_ns for p in cache.glob("*.png")}
    total = int(re.search(r"setting (\d+) new of \1", err).group(1))
    assert len(first) == total
    chapter = next(x for x in xhtml_files(tmp_path / "build" / "book-images.epub").values() if 'id="chapter-1"' in x
                   and "<nav" not in x)
    # one number beside its image, as in the MathML edition; align/gather lines have theirs in the image
    assert re.findall(r'<span class="eqno">([^<]*)</span>', chapter) == ["(1.1)", "(*)", "(1.5)", "(1.6)", "(1.7)"]
    for anchor in re.findall(r'<a href="#(eq-[^"]+)" class="eqref">', chapter):
        assert f'id="{anchor}"' in chapter
    given = (cache / "tex" / "formulas.tex").read_text(encoding="utf-8")
    assert re.search(r"\\begin\{align\*\}\ng&=h\\tag\*\{\(1\.2\)\}.*\ni&=j\\notag.*\nk&=l\\tag\*\{\(1\.3\)\}", given)
    assert r"v=\textup{(1.1)}+\textup{1.3}" in given  # references inside a formula: the numbers they print
    assert "\\label" not in given and "\\eqref" not in given

    # One formula edited: only it is set again; the other images are not rewritten.
    dump = tmp_path / "excerpts" / "a.txt"
    dump.write_text(dump.read_text(encoding="utf-8").replace("r=s", "r=s+1"), encoding="utf-8")
    names = started(monkeypatch)
    assert run_book(cfg_path, "epub", "--math", "images") == 0
    assert f"setting 1 new of {total}" in capsys.readouterr().err
    assert names.count("xelatex") == 1 and names.count("pdftoppm") == 1
    after = {p.name: p.stat().st_mtime_ns for p in cache.glob("*.png")}
    assert len(after) == total and len(set(after) - set(first)) == 1  # the old image of r=s is gone
    assert all(after[n] == t for n, t in first.items() if n in after)

    # A change to the prose only: no TeX, no pdftoppm, only pandoc.
    dump.write_text(dump.read_text(encoding="utf-8").replace("引用第一段", "引用第二段"), encoding="utf-8")
    names.clear()
    assert run_book(cfg_path, "epub", "--math", "images") == 0
    assert f"all {total} cached" in capsys.readouterr().err
    assert [n for n in names if n != "sh"] == ["pandoc"]  # (sh: the watcher that stops pandoc with us)


def test_a_formula_tex_rejects_costs_only_itself(tmp_path, capsys):
    need_tex()
    dump = BASELINES.replace("$x$与", "$x$与$x_1_2$与")  # our check passes it; TeX does not
    cfg_path = make_book(tmp_path, {"a.txt": dump})
    assert run_book(cfg_path, "epub", "--math", "images") == 0
    err = capsys.readouterr().err
    assert re.search(r"excerpts/a\.txt:2: warning: TeX rejected the formula \(.*Double subscript.*\); shown as source",
                     err), err
    epub = tmp_path / "build" / "book-images.epub"
    assert len(images_of(epub)) == 4  # the four good ones are images
    assert "$x_1_2$" in "".join(xhtml_files(epub).values())
    epubcheck(epub)
