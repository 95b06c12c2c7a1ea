"""The EPUB's equations as a reader's engine lays them out: Chromium (MathML Core) loads a chapter and measures."""
from __future__ import annotations

import html
import itertools
import json
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import pytest
from conftest import run_book

BROWSERS = ("chromium", "chromium-browser", "chromium-headless-shell")
TOLERANCE = 2.0  # px: rounding of boxes, not a layout's slack

# Runs in the page after layout: for each .equation, the boxes of its column, its formula (the table of an
# align/gather), its numbers (the text of .eqno, or each table row's number) with their rows, and the block after
# it; written into the page as JSON for --dump-dom to carry out.
MEASURE = r"""
window.addEventListener('load', function () {  // after the images (of the image edition) have their sizes
  function box(r) { return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; }
  function textBox(el) { const range = document.createRange(); range.selectNodeContents(el);
                         return box(range.getBoundingClientRect()); }
  const out = [];
  for (const eq of document.querySelectorAll('.equation')) {
    const math = eq.querySelector('math') || eq.querySelector('img.math');  // MathML, or the image edition's PNG
    if (!math) continue;
    const formula = math.querySelector('semantics > :first-child') || math;
    const rows = formula.localName === 'mtable' ? [...formula.children].filter(e => e.localName === 'mtr') : [];
    const numbers = [...eq.querySelectorAll('.eqno')].map(n => Object.assign(textBox(n), {text: n.textContent}));
    const lines = [];
    for (const row of rows) {
      const cells = [...row.children].filter(e => e.localName === 'mtd');
      const numbered = eq.classList.contains('numbered-lines') && cells.length > 1;
      const text = numbered ? cells[cells.length - 1].querySelector('mtext') : null;
      const first = cells[0] && cells[0].firstElementChild;
      lines.push({row: box(row.getBoundingClientRect()),
                  first: first ? box(first.getBoundingClientRect()) : null,
                  number: text ? Object.assign(box(text.getBoundingClientRect()), {text: text.textContent}) : null});
    }
    const next = eq.nextElementSibling;
    out.push({id: eq.id, classes: eq.className, column: box(eq.getBoundingClientRect()),
              math: Object.assign(box(math.getBoundingClientRect()),
                                  {scrollWidth: math.scrollWidth, clientWidth: math.clientWidth,
                                   naturalWidth: parseFloat(getComputedStyle(math).width) || 0,
                                   styleWidth: math.style.width,
                                   // an image's baseline: where vertical-align put the formula's (TeX's depth)
                                   baseline: math.localName === 'img' ? math.getBoundingClientRect().bottom
                                             + parseFloat(getComputedStyle(math).verticalAlign) : null}),
              formula: box(formula.getBoundingClientRect()), numbers: numbers, lines: lines,
              next: next ? box(next.getBoundingClientRect()) : null});
  }
  const pre = document.createElement('pre');
  pre.id = 'measured';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
"""


def chromium() -> str:
    """The browser's path; under CI=true a missing one is a failure, never a skip."""
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get("CI") == "true":
        pytest.fail(f"none of {', '.join(BROWSERS)} found under CI=true (Debian package chromium)")
    pytest.skip(f"no Chromium to lay the EPUB out ({', '.join(BROWSERS)} not on PATH; Debian package chromium)")


def chapter_with(epub: Path, marker: str, into: Path, style: str = "") -> Path:
    """The EPUB unpacked into `into`; the chapter holding `marker`, copied with the measuring script added
    (and `style`, as a reader's own settings would add it)."""
    with zipfile.ZipFile(epub) as z:
        z.extractall(into)
    chapter = next(p for p in sorted((into / "EPUB" / "text").glob("ch*.xhtml")) if marker in p.read_text("utf-8"))
    page = chapter.with_name("measured-" + chapter.name)  # beside it: the stylesheet's relative link still holds
    script = f"<script>//<![CDATA[\n{MEASURE}\n//]]></script>\n</body>"
    text = chapter.read_text("utf-8").replace("</body>", script, 1)
    page.write_text(text.replace("</head>", f"<style>{style}</style></head>", 1) if style else text, encoding="utf-8")
    return page


def measure(page: Path, width: int) -> list[dict]:
    """Each equation's boxes, as Chromium lays the page out in a window `width` px wide."""
    with tempfile.TemporaryDirectory() as profile:  # its own profile: no state from, or lock against, another run
        proc = subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}",
                               f"--window-size={width},900", "--dump-dom", page.as_uri()],
                              capture_output=True, text=True, timeout=120)
    found = re.search(r'<pre id="measured">(.*?)</pre>', proc.stdout, re.S)
    assert found, f"no measurement in Chromium's output (exit {proc.returncode}): {proc.stderr[-1500:]}"
    return json.loads(html.unescape(found.group(1)))


def centre(b: dict, axis: str = "y") -> float:
    return (b["top"] + b["bottom"]) / 2 if axis == "y" else (b["left"] + b["right"]) / 2


def check_layout(eq: dict) -> list[tuple[str, dict]]:
    """What a reader sees of one equation, checked; returns its numbers, each with the box it must stand beside
    (the formula, or its row of an align/gather)."""
    name, column, formula = eq["id"] or "unnumbered", eq["column"], eq["formula"]
    numbered = [(n["text"], n, formula) for n in eq["numbers"]]
    numbered += [(line["number"]["text"], line["number"], line["row"]) for line in eq["lines"] if line["number"]]
    widest = max((n["right"] - n["left"] for _, n, _ in numbered), default=0)
    for text, number, beside in numbered:
        assert abs(number["right"] - column["right"]) <= TOLERANCE, (name, text, "not at the column's right edge")
        # level: its centre within the formula's (row's) span, grown to the number's height when the formula
        # is flatter than the number's text (r=s: both on one baseline, the number's centre a little above)
        reach = max(beside["bottom"] - beside["top"], number["bottom"] - number["top"]) / 2 + TOLERANCE
        assert abs(centre(number) - centre(beside)) <= reach, (name, text, "not level with its formula or row",
                                                               number, beside)
        assert number["left"] >= min(formula["right"], eq["math"]["right"]) - TOLERANCE, \
            (name, text, "over the formula")
        # within the equation's own block: nothing beside the paragraph after it
        assert column["top"] - TOLERANCE <= number["top"] and number["bottom"] <= column["bottom"] + TOLERANCE, \
            (name, text, "outside its equation's block")
        if eq["next"]:
            assert number["bottom"] <= eq["next"]["top"] + TOLERANCE, (name, text, "beside the next paragraph")
    room = (column["right"] - column["left"] - (formula["right"] - formula["left"])) / 2
    if room >= widest + 16:  # the formula and a number fit side by side: the formula is centred
        assert abs(centre(formula, "x") - centre(column, "x")) <= TOLERANCE, (name, "formula not centred")
    else:  # too wide: the formula scrolls in the room the number leaves, and the number stays on screen
        assert eq["math"]["left"] >= column["left"] - TOLERANCE and eq["math"]["right"] <= column["right"] + TOLERANCE
        if eq["math"]["scrollWidth"] > eq["math"]["clientWidth"] + 1:
            assert not numbered or eq["math"]["right"] <= min(n["left"] for _, n, _ in numbered) + TOLERANCE, name
    return [(text, beside) for text, _, beside in numbered]


@pytest.fixture(scope="module")
def numbering_page(numbering_epub, tmp_path_factory):
    return chapter_with(numbering_epub[1], 'id="eq-1-1"', tmp_path_factory.mktemp("numbering-page"))


def test_numbers_beside_their_formulas_and_lines(numbering_page):
    """One number beside a formula (equation, $$, multline, \\tag), and a number per line of align and gather:
    each at the right edge, level with its formula or row; formulas centred; none beside the next paragraph."""
    equations = measure(numbering_page, 600)
    numbers = [text for eq in equations for text, _ in check_layout(eq)]
    assert numbers == ["(1.1)", "(*)", "(1.2)", "(1.3)", "(1.4)", "Z", "(1.5)", "(1.6)", "(1.7)"]
    align = next(eq for eq in equations if eq["id"] == "eq-1-2")
    assert [bool(line["number"]) for line in align["lines"]] == [True, False, True]  # i=j has none
    rows = [line["row"] for line in align["lines"]]
    assert all(a["bottom"] <= b["top"] + TOLERANCE for a, b in itertools.pairwise(rows))  # three rows, one under another
    # align's first column is set to the right, as amsmath sets it: g, i and k end where = begins
    firsts = [line["first"] for line in align["lines"]]
    assert max(f["right"] for f in firsts) - min(f["right"] for f in firsts) <= 0.5
    assert max(f["left"] for f in firsts) - min(f["left"] for f in firsts) > 0.5  # letters of different widths


def test_real_chapter_on_a_wide_and_a_narrow_screen(seed_epub, tmp_path):
    """A chapter of the seed corpus whose widest formula fits a 600 px window, not a 500 px one (Chromium's
    narrowest): there it scrolls between the column's left edge and its number, which stays at the right."""
    page = chapter_with(seed_epub[1], 'id="eq-20-1"', tmp_path)
    shown = re.findall(r'<span class="eqno">([^<]*)</span>', page.read_text("utf-8"))
    assert shown
    for width in (600, 500):
        equations = measure(page, width)
        assert [text for eq in equations for text, _ in check_layout(eq)] == shown
        scrolling = [eq["id"] for eq in equations if eq["math"]["scrollWidth"] > eq["math"]["clientWidth"] + 1]
        assert scrolling == ([] if width == 600 else ["eq-20-1"])


@pytest.fixture(scope="module")
def image_editions(numbering_epub, seed_image_epub):
    """The image edition (book epub --math images) of the numbering book and of the seed book."""
    cfg_path, _ = numbering_epub
    assert run_book(cfg_path, "epub", "--math", "images", "-q") == 0
    return [cfg_path.parent / "build" / "book-images.epub", seed_image_epub]


def test_image_edition_numbers_beside_images_that_fit_the_screen(image_editions, tmp_path):
    """The same layout with images: each image centred, its one number at the right edge on its line (the lines
    of align/gather carry theirs in the image); an image wider than the screen is scaled down to the column."""
    numbering, seed = image_editions
    equations = measure(chapter_with(numbering, 'id="eq-1-1"', tmp_path / "numbering"), 600)
    assert [text for eq in equations for text, _ in check_layout(eq)] == ["(1.1)", "(*)", "(1.5)", "(1.6)", "(1.7)"]
    for eq in equations:  # the number stands on the formula's baseline, not on the image's bottom edge
        for number in eq["numbers"]:
            height = number["bottom"] - number["top"]
            assert number["bottom"] - 0.35 * height <= eq["math"]["baseline"] <= number["bottom"] - 0.1 * height, \
                (eq["id"], number, eq["math"])
    # A reader's larger text (24 px): the images grow with it; eq-20-1 fits an 800 px window, not a 500 px one.
    page = chapter_with(seed, 'id="eq-20-1"', tmp_path / "seed", style="body { font-size: 24px; }")
    for width in (800, 500):
        equations = measure(page, width)
        shown = [text for eq in equations for text, _ in check_layout(eq)]
        assert shown == re.findall(r'<span class="eqno">([^<]*)</span>', page.read_text("utf-8"))
        for eq in equations:
            image, column = eq["math"], eq["column"]
            wanted = float(image["styleWidth"].removesuffix("em")) * 24
            assert column["left"] - TOLERANCE <= image["left"] and image["right"] <= column["right"] + TOLERANCE
            shown_width = image["right"] - image["left"]
            if wanted < column["right"] - column["left"] - 100:  # room to spare: its own width, in the text's em
                assert abs(shown_width - wanted) <= TOLERANCE, (eq["id"], shown_width, wanted)
            else:  # scaled down to the room its number leaves
                assert shown_width < wanted - 50, (eq["id"], width, shown_width, wanted)
        scaled = [eq["id"] for eq in equations
                  if eq["math"]["right"] - eq["math"]["left"] < float(eq["math"]["styleWidth"][:-2]) * 24 - TOLERANCE]
        assert scaled == ([] if width == 800 else ["eq-20-1"])
