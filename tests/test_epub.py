"""EPUB through pandoc, read back with a zip reader, and checked with epubcheck."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from builder import config
from builder.build import load_book
from builder.typography import cjk_punctuation
from conftest import make_book, run_book, seed_book
from fixtures_text import FORMAT_A

EPUBCHECK = Path("/usr/share/java/epubcheck.jar")


def require_epubcheck():
    if not (EPUBCHECK.exists() and shutil.which("java")):
        if os.environ.get("CI") == "true":
            pytest.fail("epubcheck (Debian package) or java missing under CI=true")
        pytest.skip("epubcheck not installed")


def xhtml_files(epub: Path) -> dict[str, str]:
    with zipfile.ZipFile(epub) as z:
        return {n: z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xhtml")}


def visible_text(xhtml: str) -> str:
    """Text a reader sees, with MathML (and its TeX annotation) taken out."""
    body = re.sub(r"<math.*?</math>", "", xhtml, flags=re.S)
    return re.sub(r"<[^>]+>", "", body)


@pytest.fixture(scope="module")
def seed_epub(tmp_path_factory):
    root = tmp_path_factory.mktemp("seedepub")
    cfg_path = seed_book(root)
    assert run_book(cfg_path, "epub", "-q") == 0
    return cfg_path, root / "build" / "book.epub"


def test_chapters_titles_and_nested_nav(seed_epub):
    cfg_path, epub = seed_epub
    book = load_book(config.load(cfg_path))
    files = xhtml_files(epub)
    nav = files["EPUB/nav.xhtml"]
    toc = nav[nav.index('epub:type="toc"'):nav.index("</nav>", nav.index('epub:type="toc"'))]
    parts = re.findall(r'<a href="[^"]*#part-\d+">([^<]*)</a>', toc)
    assert parts == ["第一部分 生成扩散模型漫谈", "第二部分 Transformer升级之路", "第三部分 变分自编码器",
                     "第四部分 多任务学习漫谈", "第五部分 其他文章"]
    chapters = re.findall(r'<a href="[^"]*#chapter-\d+">([^<]*)</a>', toc)
    assert len(chapters) == 38
    for chapter, entry in zip(book.chapters(), chapters):
        assert entry.endswith(cjk_punctuation(chapter.post.display_title).replace("&", "&amp;"))
    # chapters nest inside their part's list
    first_part = toc[toc.index("#part-1"):toc.index("#part-2")]
    assert first_part.count("#chapter-") == 2 and "<ol" in first_part
    assert 'epub:type="landmarks"' in nav


def test_math_is_mathml_and_no_tex_left(seed_epub):
    _, epub = seed_epub
    files = xhtml_files(epub)
    assert sum(x.count("<math") for x in files.values()) >= 60
    for name, xhtml in files.items():
        text = visible_text(xhtml)
        for fragment in ("\\begin{equation}", "\\frac", "$"):
            assert fragment not in text, (name, fragment)


def test_metadata_language_and_title_page(seed_epub):
    _, epub = seed_epub
    with zipfile.ZipFile(epub) as z:
        opf = z.read("EPUB/content.opf").decode("utf-8")
        names = z.namelist()
    assert "<dc:language>zh-CN</dc:language>" in opf
    assert "<dc:title" in opf and "科学空间文选" in opf and "苏剑林" in opf
    assert "EPUB/text/title_page.xhtml" in names


def test_epubcheck_clean(seed_epub):
    require_epubcheck()
    _, epub = seed_epub
    proc = subprocess.run(["java", "-jar", str(EPUBCHECK), str(epub)], capture_output=True, text=True)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "0 fatals / 0 errors / 0 warnings" in out, out


def test_eqref_links_to_numbered_equation(tmp_path):
    cfg_path = make_book(tmp_path, {"a.txt": FORMAT_A})
    assert run_book(cfg_path, "epub", "-q") == 0
    files = xhtml_files(tmp_path / "build" / "book.epub")
    first = next(x for x in files.values() if "原来是这么一回事" in x and "eq-1-1" in x)
    assert 'id="eq-1-1"' in first and '<span class="eqno">(1.1)</span>' in first
    assert re.search(r'<a href="(ch\d+\.xhtml)?#eq-1-1" class="eqref">\(1\.1\)</a>', first)
    second = next(x for x in files.values() if "其他话题的文章" in x and "eq-2-1" in x)
    assert re.search(r'<a href="(ch\d+\.xhtml)?#eq-2-1" class="eqref">\(2\.1\)</a>', second)
    # the bad formula is code, not lost
    assert "\\foo{x}" in visible_text(first)
    assert "figure-placeholder" in first and "模型示意图" in first


def test_noop_epub_build_runs_no_pandoc(tmp_path, monkeypatch, capsys):
    cfg_path = make_book(tmp_path, {"a.txt": FORMAT_A})
    assert run_book(cfg_path, "epub", "-q") == 0
    epub = tmp_path / "build" / "book.epub"
    before = epub.stat().st_mtime_ns
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: pytest.fail("pandoc started"))
    assert run_book(cfg_path, "epub") == 0
    assert "up to date" in capsys.readouterr().err
    assert epub.stat().st_mtime_ns == before


def tiny_png(path: Path) -> None:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + b"\x20\x40\x80" * 30 for _ in range(40))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 30, 40, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def test_cover_image_from_book_yaml(tmp_path):
    require_epubcheck()
    cfg_path = make_book(tmp_path, {"a.txt": FORMAT_A})
    tiny_png(tmp_path / "cover.png")
    cfg_path.write_text(cfg_path.read_text(encoding="utf-8") + "cover_image: cover.png\n", encoding="utf-8")
    assert run_book(cfg_path, "epub", "-q") == 0
    epub = tmp_path / "build" / "book.epub"
    with zipfile.ZipFile(epub) as z:
        assert z.namelist()[0] == "mimetype"
        assert 'properties="cover-image"' in z.read("EPUB/content.opf").decode("utf-8")
        assert z.read("EPUB/media/cover.png") == (tmp_path / "cover.png").read_bytes()
    proc = subprocess.run(["java", "-jar", str(EPUBCHECK), str(epub)], capture_output=True, text=True)
    assert proc.returncode == 0 and "0 errors / 0 warnings" in proc.stdout + proc.stderr
