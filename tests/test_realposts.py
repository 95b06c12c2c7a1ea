"""Forty real posts of the blog (2015–2019, tests/realposts/) built as one book, PDF and EPUB."""
from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from builder import config
from builder.build import load_book
from builder.model import post_formulas
from conftest import ROOT, need_tex, pdf_text
from test_epub import epubcheck

CORPUS = Path(__file__).parent / "realposts"
YAML = "title: 科学空间真实文章\nauthor: 苏剑林\nsources: [excerpts/*.txt]\n"


@pytest.fixture(scope="module")
def real_book(tmp_path_factory):
    need_tex()
    root = tmp_path_factory.mktemp("realposts")
    shutil.copytree(CORPUS, root / "excerpts", ignore=shutil.ignore_patterns("*.md", "*.tsv"))
    shutil.copytree(ROOT / "styles", root / "styles")
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
