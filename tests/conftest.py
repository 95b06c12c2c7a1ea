"""Shared fixtures: temporary books built from seed or hand-written dumps."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from fixtures_text import NUMBERING

from builder import config
from builder.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
SEEDS = ROOT / "excerpts"
HOSTILE = TESTS / "hostile"  # one hostile dump per case
CONSTRUCTS = TESTS / "constructs"  # one dump per construct
REALPOSTS = TESTS / "realposts"  # real posts of the blog (CC BY-NC-SA), as listing pages gave them
GOLDEN = TESTS / "golden"  # chapters as the renderer must write them

MINIMAL_YAML = """\
title: 测试之书
author: 测试者
sources: [excerpts/*.txt]
series:
  - key: vae
    title: 变分自编码器
    related: [NVAE]
glossary: [自编码器]
"""


TEX_PROGRAMS = ("xelatex", "xdvipdfmx", "makeindex")


def pytest_collection_modifyitems(items) -> None:
    """Every test under tests/build compiles (or reads what a compiled book gave): marked `tex`; tests/unit
    never does, which the `no_tex_outside_build` guard checks."""
    for item in items:
        if (TESTS / "build") in Path(item.fspath).parents:
            item.add_marker(pytest.mark.tex)


@pytest.fixture(scope="session")
def tex_stubs(tmp_path_factory) -> Path:
    """A folder of programs named like TeX's that write down that they were started, and fail."""
    folder = tmp_path_factory.mktemp("no-tex")
    for name in TEX_PROGRAMS:
        stub = folder / name
        stub.write_text(f'#!/bin/sh\necho {name} >> "$BOOK_TEST_TEX_LOG"\nexit 1\n', encoding="utf-8")
        stub.chmod(0o755)
    return folder


@pytest.fixture(autouse=True)
def no_tex_outside_build(request, tex_stubs, tmp_path_factory, monkeypatch):
    """A test not marked `tex` that starts XeLaTeX, xdvipdfmx or makeindex (itself or in a `book` process it
    runs) fails: `pytest -m "not tex"` runs without TeX."""
    if request.node.get_closest_marker("tex"):
        yield
        return
    log = tmp_path_factory.mktemp("tex-log") / "started.txt"
    monkeypatch.setenv("PATH", f"{tex_stubs}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("BOOK_TEST_TEX_LOG", str(log))
    yield
    if log.exists():
        started = sorted(set(log.read_text(encoding="utf-8").split()))
        pytest.fail(f"a test not marked tex started {', '.join(started)}: move it to tests/build")


def tex_available() -> bool:
    return all(shutil.which(t) for t in (*TEX_PROGRAMS, "pdftotext"))


def need_tex() -> None:
    """TeX tests run everywhere TeX is; in CI a missing TeX is a failure, never a skip."""
    if not tex_available():
        if os.environ.get("CI") == "true":
            pytest.fail("TeX (xelatex, xdvipdfmx, makeindex) or pdftotext missing under CI=true")
        pytest.skip("TeX not installed")


@pytest.fixture
def require_tex():
    need_tex()


def make_book(root: Path, dumps: dict[str, str], yaml_text: str = MINIMAL_YAML) -> Path:
    """A book folder with its own dumps, book.yaml and the project's styles."""
    (root / "excerpts").mkdir(parents=True, exist_ok=True)
    for name, text in dumps.items():
        (root / "excerpts" / name).write_text(text, encoding="utf-8")
    (root / "book.yaml").write_text(yaml_text, encoding="utf-8")
    shutil.copytree(ROOT / "builder" / "styles", root / "styles", dirs_exist_ok=True)
    return root / "book.yaml"


def seed_book(root: Path) -> Path:
    shutil.copytree(SEEDS, root / "excerpts")
    shutil.copytree(ROOT / "builder" / "styles", root / "styles")
    shutil.copy(ROOT / "book.yaml", root / "book.yaml")
    return root / "book.yaml"


def started(monkeypatch, skip: tuple[str, ...] = ()) -> list[str]:
    """The programs the build starts from now on, in order (each still runs); names in `skip` left out."""
    names: list[str] = []
    real = subprocess.Popen

    def recording(cmd, *args, **kwargs):
        name = str(cmd[0]).rsplit("/", 1)[-1]
        if name not in skip:
            names.append(name)
        return real(cmd, *args, **kwargs)
    monkeypatch.setattr(subprocess, "Popen", recording)
    return names


def book_cli(*args: str) -> subprocess.CompletedProcess:
    """`book ARGS` as a user runs it: a process of its own."""
    return subprocess.run([sys.executable, "-m", "builder.cli", *args], capture_output=True, text=True)


def run_book(cfg_path: Path, *args: str) -> int:
    return main(["--config", str(cfg_path), *args])


def pdf_text(pdf: Path, layout: bool = True) -> str:
    args = ["pdftotext"] + (["-layout"] if layout else []) + [str(pdf), "-"]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


EPUBCHECK = Path("/usr/share/java/epubcheck.jar")


def epubcheck(epub: Path) -> str:
    """epubcheck's output; asserts exit 0 and not one WARNING, ERROR or FATAL message."""
    require_epubcheck()
    proc = subprocess.run(["java", "-jar", str(EPUBCHECK), str(epub)], capture_output=True, text=True)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert not re.search(r"^(WARNING|ERROR|FATAL)", out, re.M), out
    assert "0 fatals / 0 errors / 0 warnings" in out, out
    return out


def require_epubcheck():
    if not (EPUBCHECK.exists() and shutil.which("java")):
        if os.environ.get("CI") == "true":
            pytest.fail("epubcheck (Debian package) or java missing under CI=true")
        pytest.skip("epubcheck not installed")


def xhtml_files(epub: Path) -> dict[str, str]:
    with zipfile.ZipFile(epub) as z:
        return {n: z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xhtml")}


@pytest.fixture(scope="session")
def seed_pdf(tmp_path_factory):
    """The seed corpus built once for the session: (config path, pdf text, TeX log)."""
    need_tex()
    root = tmp_path_factory.mktemp("seedbook")
    cfg_path = seed_book(root)
    assert run_book(cfg_path, "pdf", "-q") == 0
    pdf = root / "build" / "book.pdf"
    log = (root / "build" / "tex" / "book.log").read_text(encoding="utf-8", errors="replace")
    return cfg_path, pdf_text(pdf), log


@pytest.fixture(scope="session")
def seed_epub(tmp_path_factory):
    """The seed corpus's EPUB, built once for the session: (config path, epub path)."""
    root = tmp_path_factory.mktemp("seedepub")
    cfg_path = seed_book(root)
    assert run_book(cfg_path, "epub", "-q") == 0
    return cfg_path, root / "build" / "book.epub"


@pytest.fixture(scope="session")
def seed_image_epub(seed_epub):
    """The seed corpus's image edition (book epub --math images), built once beside its MathML EPUB: its path."""
    need_tex()
    cfg_path, _ = seed_epub
    assert run_book(cfg_path, "epub", "--math", "images", "-q") == 0
    return cfg_path.parent / "build" / "book-images.epub"


@pytest.fixture(scope="session")
def numbering_epub(tmp_path_factory):
    """A one-post book with every way a display is numbered, its EPUB built once: (config path, epub path)."""
    root = tmp_path_factory.mktemp("numbering")
    cfg_path = make_book(root, {"a.txt": NUMBERING})
    assert run_book(cfg_path, "epub", "-q") == 0
    return cfg_path, root / "build" / "book.epub"


@pytest.fixture
def load_cfg():
    return lambda p: config.load(Path(p))
