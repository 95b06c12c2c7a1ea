"""Forty real posts of the blog (2015–2019, tests/realposts/) built as one book, PDF and EPUB."""
from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from conftest import REALPOSTS, ROOT, epubcheck, need_tex, pdf_text

from builder import config
from builder.build.book import load_book
from builder.model.book import post_formulas

CORPUS = REALPOSTS
YAML = ("title: 科学空间真实文章\nauthor: 苏剑林\nsources: [excerpts/*.txt]\n"
        "blog: {name: 科学空间, url: 'https://spaces.ac.cn'}\n")


@pytest.fixture(scope="module")
def real_book(tmp_path_factory):
    need_tex()
    root = tmp_path_factory.mktemp("realposts")
    shutil.copytree(CORPUS, root / "excerpts", ignore=shutil.ignore_patterns("*.md", "*.tsv"))
    shutil.copytree(ROOT / "builder" / "styles", root / "styles")
    (root / "book.yaml").write_text(YAML, encoding="utf-8")
    cmd = [sys.executable, "-m", "builder.cli", "--config", str(root / "book.yaml"), "all", "-j", "2"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return root, proc.stderr


def test_corpus_is_real_and_attributed(tmp_path):
    sources = list(csv.DictReader((CORPUS / "SOURCES.tsv").open(encoding="utf-8"), delimiter="\t"))
    assert len(sources) == 40
    assert {s["date"][:4] for s in sources} <= {str(y) for y in range(2014, 2020)}
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    assert "CC BY-NC-SA 4.0" in readme and "苏剑林" in readme
    dumps = "".join(p.read_text(encoding="utf-8") for p in CORPUS.glob("*.txt"))
    for s in sources:
        assert s["title"] in dumps and s["original_url"].startswith("https://spaces.ac.cn/archives/")
    assert {p.name for p in CORPUS.glob("*.txt")} == {s["file"] for s in sources}
    shutil.copytree(CORPUS, tmp_path / "excerpts")
    (tmp_path / "book.yaml").write_text(YAML, encoding="utf-8")
    book = load_book(config.load(tmp_path / "book.yaml"))
    formats = {"A": 0, "B": 0}
    for chapter in book.chapters():
        formats["A" if chapter.post.readers is not None else "B"] += 1
    assert formats == {"A": 20, "B": 20}


def test_every_formula_typesets(real_book):
    root, err = real_book
    book = load_book(config.load(root / "book.yaml"))
    formulas = [f for c in book.chapters() for _, f in post_formulas(c.post)]
    assert len(book.chapters()) == 40 and len(formulas) > 2500
    assert [f.problem for f in formulas if not f.ok] == []
    assert "shown as source" not in err and "TeX rejected" not in err
    log = (root / "build" / "tex" / "book.log").read_text(encoding="utf-8", errors="replace")
    assert not re.search(r"^! |Undefined control sequence|multiply defined", log, re.M)
    chapters = "".join(p.read_text(encoding="utf-8") for p in (root / "chapters").glob("*.tex"))
    assert r"\sbmathsource" not in chapters
    # The bare tables (\begin{array} outside any $$) are display math, not text
    assert "begin{array}" not in pdf_text(root / "build" / "book.pdf")


def test_every_post_is_in_the_pdf(real_book):
    root, _ = real_book
    proc = subprocess.run([sys.executable, "-m", "builder.cli", "--config", str(root / "book.yaml"), "check"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_epub_has_every_formula_as_mathml(real_book):
    root, err = real_book
    m = re.search(r"epub: (\d+) formulas, (\d+) as MathML", err)
    assert m and int(m.group(1)) > 2500 and m.group(1) == m.group(2), err[-2000:]
    assert "could not convert" not in err
    with zipfile.ZipFile(root / "build" / "book.epub") as z:
        text = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xhtml"))
    assert text.count("<math ") >= int(m.group(1))
    epubcheck(root / "build" / "book.epub")


WORD_RE = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">')


def _pages_words(pdf: Path) -> list[tuple[float, list[tuple[float, float, float, float]]]]:
    """(page height, word boxes) of every page, read back with `pdftotext -bbox`."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    pages = []
    for page in html.split("<page ")[1:]:
        height = float(re.search(r'height="([\d.]+)"', page).group(1))
        pages.append((height, [tuple(map(float, m.groups())) for m in WORD_RE.finditer(page)]))
    return pages


def _edge(values: list[float]) -> float:
    """The most common position (to 0.5 pt): where justified lines start or end."""
    counts = Counter(round(v * 2) / 2 for v in values)
    return counts.most_common(1)[0][0]


def test_running_heads_span_the_text_block(real_book):
    """Heads, head rules' text and folios sit on the text block's outer edges, verso and recto alike (they
    used to stop 18 mm short: fancyhdr took the head's width before \\geometry set the text block)."""
    root, _ = real_book
    pages = _pages_words(root / "build" / "book.pdf")
    sides = {0: {"left": [], "right": [], "heads": [], "folios": []}, 1: {"left": [], "right": [], "heads": [], "folios": []}}
    for number, (height, words) in enumerate(pages, 1):
        side = sides[number % 2]  # 1: recto (odd pages), 0: verso
        head = [w for w in words if w[3] < 0.09 * height]
        folio = [w for w in words if w[1] > 0.93 * height]
        body = [w for w in words if 0.09 * height <= w[3] and w[1] <= 0.93 * height]
        lines: dict[float, list] = {}
        for w in body:
            lines.setdefault(round(w[3]), []).append(w)
        side["left"] += [min(w[0] for w in ws) for ws in lines.values()]
        side["right"] += [max(w[2] for w in ws) for ws in lines.values()]
        if head:
            side["heads"].append((number, min(w[0] for w in head), max(w[2] for w in head)))
        if folio:
            side["folios"].append((number, min(w[0] for w in folio), max(w[2] for w in folio)))
    for parity, side in sides.items():
        left, right = _edge(side["left"]), _edge(side["right"])
        assert right - left > 400, (left, right)  # an A4 text block, read from the lines
        assert len(side["heads"]) > 80 and len(side["folios"]) > 80
        outer = [(n, x1 if parity else x0) for n, x0, x1 in side["heads"] + side["folios"]]
        edge = right if parity else left
        off = [(n, x) for n, x in outer if abs(x - edge) > 1.0]
        assert off == [], f"{'recto' if parity else 'verso'} heads/folios off the outer edge {edge}: {off[:10]}"


def test_no_overfull_box_and_tables_set_as_tables(real_book):
    """Nothing sticks into the margin (wide displays are broken or scaled, long cells wrap, addresses
    break), and the rows the dumps wrote with tabs or aligned columns come out as tables, not prose."""
    root, _ = real_book
    log = (root / "build" / "tex" / "book.log").read_text(encoding="utf-8", errors="replace")
    assert re.findall(r"^Overfull \\[hv]box.*", log, re.M) == []
    chapters = {p.name: p.read_text(encoding="utf-8") for p in (root / "chapters").glob("*.tex")}
    tables = [t for text in chapters.values() for t in re.findall(r"\\begin\{sbtable\}.*?\\end\{sbtable\}", text, re.S)]
    assert len(tables) >= 2
    assert any("结巴中文分词" in t and "tabularx" in t for t in tables)
    assert any("龙脑 & 10.271244" in t for t in tables)
    text = pdf_text(root / "build" / "book.pdf", layout=False)
    assert "工信处/ 女干事/ 每月" in text and "龙脑" in text
    with zipfile.ZipFile(root / "build" / "book.epub") as z:
        xhtml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xhtml"))
    assert xhtml.count("<table") >= 2 and "<td>龙脑</td>" in xhtml
