"""Images for the lost figures (images/<post id>/<n>.<ext>): PDF, EPUB, warnings, stamps, `book list`."""
from __future__ import annotations

import os
import re
import sys

import pytest
from conftest import make_book, run_book
from fixtures_text import FIGURES_YAML as YAML
from fixtures_text import SHORT, SHORT_DUMP, SVG_TEXT
from PIL import Image

from builder import config
from builder.series.figures import examine, svg_data

FAKE_RSVG = """#!{python}
import sys
from PIL import Image
args = sys.argv[1:]
out = args[args.index("-o") + 1]
assert open(args[-1], "rb").read().lstrip().startswith(b"<")
Image.new("RGB", (200, 100), "green").save(out, "PDF")
"""


def test_svg_goes_into_the_pdf_through_the_converter(tmp_path, monkeypatch):
    """With rsvg-convert installed (here a stand-in that writes a PDF), an SVG is included as PDF."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "rsvg-convert"
    fake.write_text(FAKE_RSVG.format(python=sys.executable), encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    root = tmp_path / "book"
    cfg_path = make_book(root, {"b.txt": SHORT_DUMP}, YAML)
    (root / "images" / SHORT).mkdir(parents=True)
    (root / "images" / SHORT / "1.svg").write_text(SVG_TEXT, encoding="utf-8")
    assert run_book(cfg_path, "chapters", "-q") == 0
    chapter = (root / "chapters" / f"{SHORT}.tex").read_text(encoding="utf-8")
    name = re.search(r"\\sbimage\{(figures/[0-9a-f]+\.pdf)\}\{正交分解示意图\}", chapter).group(1)
    assert (root / "build" / "tex" / name).read_bytes().startswith(b"%PDF-")
    assert not list((root / "build" / "tex" / "figures").glob("*.tmp"))


@pytest.mark.parametrize("name, data, problem", [
    ("1.png", b"GIF89a\x01\x00\x01\x00", "is not a PNG file: its bytes are a GIF image (convert it to PNG)"),
    ("1.png", b"\xff\xd8\xff\xe0 JFIF", "is not a PNG file: its bytes are a JPEG image (rename it 1.jpg)"),
    ("1.jpg", b"plain text", "is not a JPEG file (its first bytes are no image's)"),
    ("1.pdf", b"%PDF-1.4\nnot really a PDF\n", "is a damaged PDF file"),
    ("1.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "contains <script>"),
    ("1.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="x()"/>', "has an event handler"),
    ("1.svg", b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xl="http://www.w3.org/1999/xlink">'
              b'<image xl:href="file:///etc/passwd"/></svg>', "refers to another file (file:///etc/passwd)"),
    ("1.svg", b'<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
     "declares XML entities"),
    ("1.svg", b'<svg><rect/></svg>', 'is not an SVG image: its <svg> lacks xmlns="http://www.w3.org/2000/svg"'),
    ("1.svg", b'<html xmlns="http://www.w3.org/1999/xhtml"><svg/></html>',
     "is not an SVG image (its root element is <html>)"),
])
def test_a_file_that_is_not_what_it_says_is_refused(tmp_path, name, data, problem):
    cfg = config.load(make_book(tmp_path, {"b.txt": SHORT_DUMP}, YAML))
    path = tmp_path / "images" / "p" / name
    path.parent.mkdir(parents=True)
    path.write_bytes(data)
    kind = {"png": "png", "jpg": "jpeg", "pdf": "pdf", "svg": "svg"}[name.rsplit(".", 1)[1]]
    image, why = examine(cfg, path, kind)
    assert image is None and why.startswith(problem), why


def test_damaged_png_and_outside_links_are_refused(tmp_path):
    cfg = config.load(make_book(tmp_path / "book", {"b.txt": SHORT_DUMP}, YAML))
    (tmp_path / "book" / "images" / "p").mkdir(parents=True)
    Image.new("RGB", (64, 64), "red").save(tmp_path / "whole.png")
    data = (tmp_path / "whole.png").read_bytes()
    cut = tmp_path / "book" / "images" / "p" / "1.png"
    cut.write_bytes(data[:len(data) // 2])
    assert examine(cfg, cut, "png")[1].startswith("is a damaged PNG file")
    link = tmp_path / "book" / "images" / "p" / "2.png"
    link.symlink_to(tmp_path / "whole.png")
    assert examine(cfg, link, "png") == (None, "is a link to a file outside the book's folder")
    whole = tmp_path / "book" / "images" / "p" / "3.png"
    whole.write_bytes(data)
    image, why = examine(cfg, whole, "png")
    assert why == "" and image.path == "images/p/3.png" and image.kind == "png"


def test_svg_for_the_epub_loses_only_its_external_doctype():
    data, problem = svg_data(SVG_TEXT.encode())
    assert problem == "" and b"DOCTYPE" not in data and b'<rect x="5"' in data
