"""EPUB through pandoc, read back with a zip reader, and checked with epubcheck."""
from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, epubcheck, make_book, run_book, xhtml_files
from fixtures_text import FORMAT_A, NUMBERING, NUMBERING_REFS

from builder import config
from builder.build.book import load_book
from builder.render.epub.document import book_identifier
from builder.text.numerals import zh_numeral
from builder.text.typography import printed_title


def visible_text(xhtml: str) -> str:
    """Text a reader sees, with MathML (and its TeX annotation) taken out."""
    body = re.sub(r"<math.*?</math>", "", xhtml, flags=re.S)
    return re.sub(r"<[^>]+>", "", body)


def test_chapters_titles_and_nested_nav(seed_epub):
    cfg_path, epub = seed_epub
    book = load_book(config.load(cfg_path))
    files = xhtml_files(epub)
    nav = files["EPUB/nav.xhtml"]
    toc = nav[nav.index('epub:type="toc"'):nav.index("</nav>", nav.index('epub:type="toc"'))]
    parts = re.findall(r'<a href="[^"]*#part-\d+">([^<]*)</a>', toc)
    assert parts == ["第一部分　生成扩散模型漫谈", "第二部分　Transformer升级之路", "第三部分　变分自编码器",
                     "第四部分　多任务学习漫谈", "第五部分　其他文章"]
    chapters = re.findall(r'<a href="[^"]*#chapter-\d+">([^<]*)</a>', toc)
    assert len(chapters) == 38
    for chapter, entry in zip(book.chapters(), chapters):
        assert entry.endswith(printed_title(chapter.post.display_title).replace("&", "&amp;"))
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
    _, epub = seed_epub
    epubcheck(epub)


CJK_SPACE = re.compile(r"[\u4e00-\u9fff，。：；（）《》“”] +[\u4e00-\u9fff，。：；（）《》“”]")


def test_chinese_typography_css_and_dates(seed_epub):
    _, epub = seed_epub
    with zipfile.ZipFile(epub) as z:
        css = z.read("EPUB/styles/stylesheet1.css").decode("utf-8")
        opf = z.read("EPUB/content.opf").decode("utf-8")
    # styles/epub.css is the book's stylesheet (pandoc's own is replaced; --sandbox cannot read a --css file)
    assert css == (ROOT / "builder" / "styles" / "epub.css").read_text(encoding="utf-8")
    assert "text-indent: 2em" in css and "Noto Serif CJK SC" in css
    # the sandbox's clock reads 1970: the build puts the real time in
    assert "1970-01-01" not in opf and re.search(r'dcterms:modified">20\d\d-', opf)
    for name, xhtml in xhtml_files(epub).items():
        for node in re.findall(r">([^<>]+)<", re.sub(r"<math.*?</math>", "", xhtml, flags=re.S)):
            assert not CJK_SPACE.search(node), (name, node)


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
    cfg_path = make_book(tmp_path, {"a.txt": FORMAT_A})
    tiny_png(tmp_path / "cover.png")
    cfg_path.write_text(cfg_path.read_text(encoding="utf-8") + "cover_image: cover.png\n", encoding="utf-8")
    assert run_book(cfg_path, "epub", "-q") == 0
    epub = tmp_path / "build" / "book.epub"
    with zipfile.ZipFile(epub) as z:
        assert z.namelist()[0] == "mimetype"
        assert 'properties="cover-image"' in z.read("EPUB/content.opf").decode("utf-8")
        assert z.read("EPUB/media/cover.png") == (tmp_path / "cover.png").read_bytes()
    epubcheck(epub)





def test_equation_numbers_and_refs_as_amsmath_gives_them(numbering_epub):
    _, epub = numbering_epub
    files = xhtml_files(epub)
    chapter = next(x for name, x in files.items() if 'id="chapter-1"' in x)
    links = re.findall(r'<a href="[^"]*#(eq-[^"]+)" class="eqref">([^<]*)</a>', chapter)
    assert [text for _, text in links] == NUMBERING_REFS + ["1.3"]
    for anchor, _ in links:  # every link lands on an element of the chapter
        assert f'id="{anchor}"' in chapter
    # one number beside one formula; align/gather lines carry theirs inside the formula, level with the line
    assert re.findall(r'<span class="eqno">([^<]*)</span>', chapter) == ["(1.1)", "(*)", "(1.5)", "(1.6)", "(1.7)"]
    assert re.findall(r'<mtext mathvariant="normal">([^<]*)</mtext>', chapter)[:4] == ["(1.2)", "(1.3)", "(1.4)", "Z"]
    # \eqref inside a formula is the number as text; a missing label prints (??)
    assert "<mtext mathvariant=\"normal\">(1.1)</mtext>" in chapter and "(??)" in chapter
    text = visible_text(chapter)
    given = "".join(re.findall(r'<annotation encoding="application/x-tex">(.*?)</annotation>', chapter, re.S))
    assert not re.search(r"\\(label|tag|nonumber|eqref|ref)\b", given)  # numbers are ours, not texmath's
    assert "第一段文字，然后是 Latin words here。" in text  # the space between 段 and 文 is gone, Latin ones stay
    # a title's formula: MathML in the chapter, its TeX in the nav (MathML there fails epubcheck)
    assert "<math" in chapter[chapter.index("<h2"):chapter.index("</h2>")]
    assert "<math" not in files["EPUB/nav.xhtml"] and "关于x^2的公式编号" in files["EPUB/nav.xhtml"]
    epubcheck(epub)


def test_unknown_label_is_reported_with_its_line(tmp_path, capsys):
    cfg_path = make_book(tmp_path, {"a.txt": NUMBERING})
    assert run_book(cfg_path, "epub") == 0
    err = capsys.readouterr().err
    assert re.search(r"excerpts/a\.txt:12: warning: \\eqref\{eq:none\}: no numbered formula", err)
    # the title's twice (its heading, its part page's list), nine displays, the one with (??)
    assert "epub: 12 formulas, 12 as MathML" in err
    assert run_book(cfg_path, "chapters") == 0  # the PDF's renderer says so too
    err = capsys.readouterr().err
    assert re.search(r"excerpts/a\.txt:12: warning: \\eqref\{eq:none\}: no formula in this post has that label", err)
    assert err.count("eq:none") == 1


def test_pdf_only_change_runs_no_pandoc(tmp_path, monkeypatch, capsys):
    cfg_path = make_book(tmp_path, {"a.txt": FORMAT_A})
    assert run_book(cfg_path, "epub", "-q") == 0
    epub = tmp_path / "build" / "book.epub"
    before = epub.read_bytes()
    with open(tmp_path / "styles" / "sciblog.sty", "a", encoding="utf-8") as fh:
        fh.write("% a PDF-only change\n")
    real_run = subprocess.run
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: pytest.fail("pandoc started"))
    assert run_book(cfg_path, "epub") == 0
    assert "its pandoc input did not change" in capsys.readouterr().err
    assert epub.read_bytes() == before
    # the EPUB's own stylesheet is its input: pandoc runs again
    monkeypatch.setattr(subprocess, "run", real_run)
    with open(tmp_path / "styles" / "epub.css", "a", encoding="utf-8") as fh:
        fh.write("p { color: #111; }\n")
    assert run_book(cfg_path, "epub") == 0
    assert "wrote build/book.epub" in capsys.readouterr().err
    with zipfile.ZipFile(epub) as z:
        assert b"color: #111" in z.read("EPUB/styles/stylesheet1.css")


# A line that ends in a backslash runs on: each of the dump's lines is one line of the string.
TEXMATH_GAPS = """\
texmath读不懂的写法
By 苏剑林 | 2022-11-30 | 30823位读者 | 引用连分数$\\cfrac{1}{1+\\cfrac{1}{x}}$,\
组合数$\\dbinom{n}{k}$与$\\tbinom{n}{k}$,占位$\\hphantom{xx}a\\vphantom{\\frac{1}{2}}b$。
字体$\\mathnormal{x}$与$\\textnormal{文字}$,间距$a\\thinspace b\\negthinspace c$,\
颜色$\\textcolor{red}{z}$,分式${a+1 \\over b}$、$x^{1\\over 2}$和$n \\over m$。
$$f(x)=\\begin{dcases}x, & x>0\\\\0, & x\\le 0\\end{dcases}\
\\qquad \\sum_{\\begin{subarray}{c}i\\\\j\\end{subarray}} a_{ij}$$
"""


REAL_GAPS = """\
真实文章里texmath读不懂的写法
By 苏剑林 | 2022-11-30 | 30823位读者 | 引用比较$a\\lt b$与$\\mathcal{D}_f(P\\Vert Q) \\gt 0$，\
分式$a\\left/b\\right.$，根号$\\sqrt[\\uproot{10}p]{x}$。
虚线表格$\\begin{array}{c:c}a&b\\end{array}$，$k^{\\smash{x}}$，$a\\xlongequal{?}b$与$a\\xlongequal[x]{y}b$，$\\rlap{x}$。
撑高的括号$\\underbrace{\\left[u,0,1\\right] \\\\[10pt]}_{\\text{向量}}$。
"""


def test_forms_real_posts_use_that_texmath_lacks(tmp_path, capsys):
    cfg_path = make_book(tmp_path, {"a.txt": REAL_GAPS})
    assert run_book(cfg_path, "epub") == 0
    err = capsys.readouterr().err
    assert "epub: 10 formulas, 10 as MathML" in err and "could not convert" not in err
    chapter = next(x for name, x in xhtml_files(tmp_path / "build" / "book.epub").items()
                   if 'id="chapter-1"' in x)
    assert "<mo>&lt;</mo>" in chapter and "<mo>&gt;</mo>" in chapter  # not dropped, not \\<


def test_whitelisted_forms_texmath_lacks_still_become_mathml(tmp_path, capsys):
    cfg_path = make_book(tmp_path, {"a.txt": TEXMATH_GAPS})
    assert run_book(cfg_path, "epub") == 0
    err = capsys.readouterr().err
    assert "epub: 12 formulas, 12 as MathML" in err and "could not convert" not in err
    text = visible_text("".join(xhtml_files(tmp_path / "build" / "book.epub").values()))
    assert "\\over" not in text and "\\cfrac" not in text


def test_every_formula_has_its_tex_as_alttext(seed_epub):
    """Readers without MathML and screen readers get the TeX: alttext on every <math>, MathML declared."""
    _, epub = seed_epub
    files = xhtml_files(epub)
    maths = [m for x in files.values() for m in re.findall(r"<math [^>]*>.*?</math>", x, re.S)]
    assert len(maths) >= 60
    for m in maths:
        alt = re.match(r'<math [^>]*alttext="([^"]*)"', m)
        tex = re.search(r'<annotation encoding="application/x-tex">(.*?)</annotation>', m, re.S)
        assert alt and tex and alt.group(1) == " ".join(tex.group(1).split()).replace('"', "&quot;"), m[:200]
    with zipfile.ZipFile(epub) as z:
        opf = z.read("EPUB/content.opf").decode("utf-8")
    assert '<meta property="schema:accessibilityFeature">MathML</meta>' in opf


def test_identifier_is_the_books_own(seed_epub):
    """Two books never share a dc:identifier (readers' libraries would merge them); a rebuild keeps it."""
    cfg_path, epub = seed_epub
    with zipfile.ZipFile(epub) as z:
        opf = z.read("EPUB/content.opf").decode("utf-8")
    cfg = config.load(cfg_path)
    own = re.search(r"<dc:identifier[^>]*>([^<]*)</dc:identifier>", opf).group(1)
    assert own == book_identifier(cfg) and own.startswith("urn:uuid:")
    assert book_identifier(config.load(cfg_path)) == own  # stable
    other = cfg_path.parent / "other.yaml"  # beside the seed book's excerpts/, which its sources name
    other.write_text(cfg_path.read_text(encoding="utf-8").replace("title:", "title: 另一本", 1), encoding="utf-8")
    assert book_identifier(config.load(other)) != own
    fixed = cfg_path.parent / "fixed.yaml"
    fixed.write_text(cfg_path.read_text(encoding="utf-8") + "\nidentifier: urn:isbn:9787000000000\n", encoding="utf-8")
    assert book_identifier(config.load(fixed)) == "urn:isbn:9787000000000"


def test_chapter_titles_landmarks_and_wrapping_code(seed_epub):
    """Readers show a file's <title> (pandoc wrote the file name); landmarks lead to the body matter; code
    wraps on a narrow screen whatever pandoc's highlighting style says."""
    _, epub = seed_epub
    files = xhtml_files(epub)
    chapters = {n: x for n, x in files.items() if re.search(r"/text/ch\d+\.xhtml$", n)}
    assert len(chapters) >= 38
    for name, xhtml in chapters.items():
        title = re.search(r"<title>([^<]*)</title>", xhtml).group(1)
        heading = re.search(r"<h[12][^>]*>(.*?)</h[12]>", xhtml, re.S).group(1)
        assert "xhtml" not in title and title.startswith(heading[:3]), (name, title)
    nav = files["EPUB/nav.xhtml"]
    landmarks = nav[nav.index('epub:type="landmarks"'):]
    body = re.search(r'<a href="([^"]+)" epub:type="bodymatter">正文</a>', landmarks)
    assert body and "EPUB/" + body.group(1) in files and "Table of Contents" not in landmarks
    with zipfile.ZipFile(epub) as z:
        css = z.read("EPUB/styles/stylesheet1.css").decode("utf-8")
    rule = re.search(r"pre > code\.sourceCode[^{]*\{([^}]*)\}", css)
    assert rule and "pre-wrap" in rule.group(1)


def test_accents_are_spacing_characters_a_mathml_engine_centres(seed_epub):
    """pandoc writes \\hat, \\tilde… as lone combining characters, which Chromium draws off to the left."""
    _, epub = seed_epub
    accents = [a for x in xhtml_files(epub).values()
               for a in re.findall(r'<mo [^>]*accent="true"[^>]*>([^<]*)</mo>', x)]
    assert len(accents) >= 3
    assert not [a for a in accents if re.search("[\u0300-\u036f\u20d0-\u20ff]", a)]
    assert {"\u02c6", "\u02dc"} & set(accents)  # ˆ and ˜ among them


def test_part_pages_list_their_chapters(seed_epub):
    """Each part page lists the part's chapters in order, as the PDF's part overview: 第N章, the title linked to
    the chapter's heading, the date."""
    cfg_path, epub = seed_epub
    book = load_book(config.load(cfg_path))
    files = xhtml_files(epub)
    for number, part in enumerate(book.parts, 1):
        name, page = next((n, x) for n, x in files.items() if f'<section id="part-{number}"' in x)
        listing = page[page.index('<div class="part-contents">'):]
        items = re.findall(r'<li><span class="label">([^<]*)</span> <a href="([^"#]*)#([^"]*)" class="title">'
                           r'(.*?)</a> <span class="date">([^<]*)</span></li>', listing, re.S)
        assert len(items) == len(part.chapters) > 0, name
        for chapter, (label, target, anchor, title, date) in zip(part.chapters, items):
            assert label == f"第{zh_numeral(chapter.number)}章" and anchor == f"chapter-{chapter.number}"
            assert f'id="{anchor}"' in files[str(Path(name).parent / target)]  # the link lands on the heading
            assert visible_text(title) == printed_title(chapter.post.display_title).replace("&", "&amp;")
            assert date == (chapter.post.date.chinese(unknown_year="") if chapter.post.date else "")
        assert listing.count("<li>") == len(part.chapters)  # nothing else listed
