"""The package as `pip install .` makes it: a wheel (not the source tree) builds a book from a folder of its own."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import ROOT, SEEDS, pdf_text


def test_installed_wheel_builds_the_seed_book(tmp_path):
    source = tmp_path / "source"  # (setuptools builds in the tree: a copy, so the project's build/ stays the book's)
    shutil.copytree(ROOT / "builder", source / "builder", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w",
                    str(wheels), str(source)], check=True, capture_output=True)
    wheel = next(wheels.glob("*.whl"))
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
    # What the code reads at run time ships in the wheel: the styles and the MathJax branching table.
    for shipped in ("builder/styles/sciblog.sty", "builder/styles/chapter.tex.jinja", "builder/styles/epub.css",
                    "builder/mathtex/branching.json", "builder/cli/__main__.py"):
        assert shipped in names, shipped
    assert not any(n.startswith(("tests/", "excerpts/", "bench/")) for n in names)
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-compile", "--target",
                    str(site), str(wheel)], check=True, capture_output=True)
    book = tmp_path / "a-book"  # a book folder as a user has one: book.yaml and the dumps, no styles/
    shutil.copytree(SEEDS, book / "excerpts")
    shutil.copy(ROOT / "book.yaml", book / "book.yaml")
    # The installed copy first on the path, run from the book's folder (the source tree is nowhere on the path).
    env = {**os.environ, "PYTHONPATH": str(site)}
    where = subprocess.run([sys.executable, "-c", "import builder; print(builder.__file__)"], cwd=book, env=env,
                           capture_output=True, text=True, check=True).stdout.strip()
    assert Path(where).is_relative_to(site), where
    proc = subprocess.run([sys.executable, "-m", "builder.cli", "pdf"], cwd=book, env=env, capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stderr
    text = pdf_text(book / "build" / "book.pdf", layout=False)
    assert "生成扩散模型漫谈" in text and "索引" in text
