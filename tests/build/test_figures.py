"""Images for the lost figures (images/<post id>/<n>.<ext>): PDF, EPUB, warnings, stamps, `book list`."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, epubcheck, make_book, need_tex, pdf_text
from fixtures_text import FIGURES_YAML as YAML
from fixtures_text import SHORT, SHORT_DUMP, SVG_TEXT
from PIL import Image, ImageDraw

from builder import config
from builder.build.book import load_book
from builder.build.chapters import chapter_stamps
from builder.build.diagnosis import Verdicts
from builder.build.stamps import is_up_to_date
from builder.series.figures import svg_converter

SVD = "01-15-svd-fen-jie-yi-zi-bian"  # a real post with four figures (tests/realposts)














def svd_dump() -> str:
    """The post 'SVD分解(一)' cut from its dump: from its date line to its 点击阅读全文."""
    lines = (ROOT / "tests" / "realposts" / "004_stirling_pathint_svd_2016-2017.txt").read_text(
        encoding="utf-8").splitlines()
    start = lines.index("SVD分解(一)：自编码器与人工智能") - 2
    end = lines.index("点击阅读全文...", start)
    return "\n".join(lines[start:end + 1]) + "\n"


def write_images(root: Path) -> dict[str, Path]:
    """Real image files: a PNG, a tall JPEG, an SVG, a PDF; one for a figure that does not exist, one for a
    post that does not exist, and a 'PNG' that is text."""
    svd = root / "images" / SVD
    svd.mkdir(parents=True)
    png = Image.new("RGB", (600, 300), "white")
    ImageDraw.Draw(png).ellipse([200, 60, 400, 240], fill="orange")
    png.save(svd / "1.png")
    Image.new("RGB", (400, 1200), (30, 120, 200)).save(svd / "2.jpg", quality=85)
    (svd / "3.svg").write_text(SVG_TEXT, encoding="utf-8")
    Image.new("RGB", (300, 200), "purple").save(svd / "4.pdf")
    (svd / "5.png").write_bytes((svd / "1.png").read_bytes())
    (root / "images" / "no-such-post").mkdir()
    (root / "images" / "no-such-post" / "1.png").write_bytes((svd / "1.png").read_bytes())
    (root / "images" / SHORT).mkdir()
    (root / "images" / SHORT / "1.png").write_text("not an image at all", encoding="utf-8")
    return {"png": svd / "1.png"}


@pytest.fixture(scope="module")
def figure_book(tmp_path_factory):
    """The book built once, PDF and EPUB: (root, the build's stderr)."""
    need_tex()
    root = tmp_path_factory.mktemp("figures")
    make_book(root, {"a.txt": svd_dump(), "b.txt": SHORT_DUMP}, YAML)
    write_images(root)
    proc = subprocess.run([sys.executable, "-m", "builder.cli", "--config", str(root / "book.yaml"), "all"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return root, proc.stderr


def cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "builder.cli", "--config", str(root / "book.yaml"), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_pdf_shows_the_images_scaled_to_fit(figure_book):
    root, _ = figure_book
    pdf = root / "build" / "book.pdf"
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in listing.splitlines()[2:]]
    # (width, height, x-ppi, y-ppi): the PNG, the JPEG and the PDF figure (Pillow's PDF holds a JPEG)
    sizes = sorted((int(r[3]), int(r[4]), int(r[12]), int(r[13])) for r in rows)
    assert [(w, h) for w, h, _, _ in sizes] == [(300, 200), (400, 1200), (600, 300)], listing
    page_w, page_h = 595, 842  # A4 in points
    for w, h, xppi, yppi in sizes:
        assert w / xppi * 72 < 0.8 * page_w  # within the text width
        assert h / yppi * 72 <= 0.4 * page_h  # a tall image is held to 0.4\textheight
    tall = next(s for s in sizes if s[1] == 1200)
    assert 1200 / tall[3] * 72 > 0.3 * page_h  # scaled down to the limit, not further
    text = pdf_text(pdf)
    # Chapter 1 is the dated post, chapter 2 the one without a year
    for caption in ("图 2.1 SVD", "图 2.2 自编码器的网络结构", "图 2.3 自编码器", "图 2.4 SVD 物理意义",
                    "图 1.1 正交分解示意图"):
        assert caption in re.sub(r"[ \u3000]+", " ", text), caption
    # The SVG (no converter here, or converted) and the broken PNG: placeholders, with their captions
    assert text.count("原文此处为图片") == (1 if svg_converter() else 2)


def test_tex_includes_copies_inside_the_work_dir(figure_book):
    root, _ = figure_book
    chapter = (root / "chapters" / f"{SVD}.tex").read_text(encoding="utf-8")
    names = re.findall(r"\\sbimage\{(figures/[0-9a-f]+\.(?:png|jpg|pdf))\}\{", chapter)
    assert len(names) == (4 if svg_converter() else 3)
    for name in names:  # TeX reads only inside build/tex (openin_any=p): the file is there, byte for byte
        assert (root / "build" / "tex" / name).is_file()
    assert (root / "build" / "tex" / names[0]).read_bytes() == (root / "images" / SVD / "1.png").read_bytes()
    assert r"\sbfigure{正交分解示意图}" in (root / "chapters" / f"{SHORT}.tex").read_text(encoding="utf-8")


def test_warnings_name_the_files(figure_book):
    _root, err = figure_book
    assert f"images/{SVD}/5.png: warning: post {SVD} has 4 figure(s), so no figure 5" in err
    assert "images/no-such-post/1.png: warning: no post of the book has the id 'no-such-post'" in err
    assert f"images/{SHORT}/1.png: warning: is not a PNG file" in err
    assert f"figure 1 of post {SHORT} keeps its placeholder" in err
    if not svg_converter():
        assert f"images/{SVD}/3.svg: warning: XeLaTeX reads no SVG and rsvg-convert is not installed" in err
    assert "build/book.pdf" in err and "wrote build/book.epub" in err


def test_epub_has_the_images_as_figures(figure_book):
    root, _ = figure_book
    epub = root / "build" / "book.epub"
    with zipfile.ZipFile(epub) as z:
        media = sorted(n.rsplit(".", 1)[1] for n in z.namelist() if "/media/" in n)
        xhtml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xhtml"))
        opf = z.read("EPUB/content.opf").decode("utf-8")
        first = next(n for n in z.namelist() if n.endswith(".png") and "/media/" in n)
        png_bytes = {z.read(n) for n in z.namelist() if n.endswith(".png")}
    assert media == ["jpg", "png", "png", "svg"]  # the PDF figure rasterised
    assert (root / "images" / SVD / "1.png").read_bytes() in png_bytes, first
    assert 'media-type="image/svg+xml"' in opf
    figures = re.findall(r'<figure class="figure-image">\s*<img src="../media/[^"]+" alt="([^"]*)" />\s*'
                         r'<figcaption[^>]*>([^<]*)</figcaption>', xhtml)
    assert figures == [("SVD", "图 2.1　SVD"), ("自编码器的网络结构", "图 2.2　自编码器的网络结构"),
                       ("自编码器", "图 2.3　自编码器"), ("SVD物理意义", "图 2.4　SVD物理意义")]
    assert xhtml.count('class="figure-placeholder"') == 1  # the broken PNG
    epubcheck(epub)


def test_list_figures_says_where_images_go(figure_book):
    root, _ = figure_book
    proc = cli(root, "list", "--figures")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["post", "n", "figure", "image", "put", "an", "image", "at", "caption"]
    rows = [line.split(None, 6) for line in lines[1:6]]
    assert rows[0] == [SHORT, "1", "图", "1.1", "-", f"images/{SHORT}/1.png", "正交分解示意图"]
    assert rows[1] == [SVD, "1", "图", "2.1", f"images/{SVD}/1.png", f"images/{SVD}/1.png", "SVD"]
    assert rows[3][4:] == [f"images/{SVD}/3.svg", f"images/{SVD}/3.svg", "自编码器"]
    assert lines[6].startswith("5 figure(s), 4 with an image.")
    assert "no figure 5" in proc.stderr  # the warnings, on stderr


def test_list_json(figure_book):
    root, _ = figure_book
    proc = cli(root, "list", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    posts = {p["id"]: p for p in data["posts"]}
    assert set(posts) == {SVD, SHORT}
    svd = posts[SVD]
    assert svd["title"] == "SVD分解(一)：自编码器与人工智能" and svd["series"] == "other"
    assert svd["date"] == "--01-15" and posts[SHORT]["date"] == "2020-05-01"
    assert svd["sources"] == ["excerpts/a.txt:3"]
    assert [f["image"] for f in svd["figures"]] == [f"images/{SVD}/{n}.{e}" for n, e in
                                                    ((1, "png"), (2, "jpg"), (3, "svg"), (4, "pdf"))]
    assert posts[SHORT]["figures"] == [{"n": 1, "label": "图 1.1", "caption": "正交分解示意图", "image": None,
                                        "slot": f"images/{SHORT}/1.png"}]


def test_a_new_or_changed_image_rebuilds(figure_book):
    root, _ = figure_book
    cfg = config.load(root / "book.yaml")
    assert is_up_to_date(cfg, "pdf") and is_up_to_date(cfg, "epub")

    def stamps() -> dict[str, str]:
        return chapter_stamps(load_book(cfg), cfg, Verdicts.load(cfg.build_dir, ""), [])

    before = stamps()
    png = root / "images" / SVD / "1.png"
    old = png.read_bytes()
    added = root / "images" / SHORT / "1.jpg"
    try:
        Image.new("RGB", (50, 50), "red").save(png)
        assert not is_up_to_date(cfg, "pdf") and not is_up_to_date(cfg, "epub")
        after = stamps()
        assert after[SVD] != before[SVD] and after[SHORT] == before[SHORT]
        proc = cli(root, "pdf", "-n")
        assert f"would rewrite chapters/{SVD}.tex" in proc.stderr and SHORT not in proc.stderr.split("would")[-1]
        png.write_bytes(old)
        Image.new("RGB", (50, 50), "blue").save(added)  # beside the broken 1.png: it fills the figure
        assert stamps()[SHORT] != before[SHORT] and stamps()[SVD] == before[SVD]
        proc = cli(root, "list", "--figures")
        assert f"{SHORT}  1  图 1.1  images/{SHORT}/1.jpg" in proc.stdout
        assert f"images/{SHORT}/1.png: warning: figure 1 of post {SHORT} already has 1.jpg; not used" in proc.stderr
    finally:
        png.write_bytes(old)
        added.unlink(missing_ok=True)
    assert is_up_to_date(cfg, "pdf")


def test_book_check_passes_with_images(figure_book):
    root, _ = figure_book
    proc = cli(root, "check")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "(100.0%)" in proc.stdout.splitlines()[-1]
