"""The spliced build: after an edit to one chapter, the whole PDF equals a cold build's, from one short pass."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import pdf_text, run_book, started

EDITED = "excerpts/000_533a38e5cfb58e24.txt"  # a chapter of the first part: many chapters come after it


@pytest.fixture(scope="module")
def built(seed_pdf):
    """The seed book built once for the session (a full build); each test works on a copy."""
    return seed_pdf[0].parent


@pytest.fixture
def book(built, tmp_path):
    root = tmp_path / "book"
    shutil.copytree(built, root, symlinks=True)
    return root


def edit(root: Path, old: str, new: str) -> None:
    dump = root / EDITED
    text = dump.read_text(encoding="utf-8")
    assert old in text
    dump.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def programs(monkeypatch):
    """The programs each build starts (but the watcher shell each child gets)."""
    return started(monkeypatch, skip=("sh",))


def cold_text(root: Path, tmp_path: Path) -> str:
    """The same sources built from nothing, in a folder of their own."""
    cold = tmp_path / "cold"
    shutil.copytree(root, cold, ignore=shutil.ignore_patterns("build", "chapters"))
    assert run_book(cold / "book.yaml", "pdf", "-q") == 0
    return pdf_text(cold / "build" / "book.pdf")


def structure(pdf: Path) -> tuple:
    """Page labels, each named destination's page, the outline's titles and pages, each link's target page."""
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    labels = list(reader.page_labels)
    dests = {name: reader.get_destination_page_number(d) for name, d in reader.named_destinations.items()}

    def outline(items):
        out = []
        for item in items:
            if isinstance(item, list):
                out.append(outline(item))
            else:
                out.append((item.title, reader.get_destination_page_number(item)))
        return out

    links = []
    for number, page in enumerate(reader.pages):
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            action = annot.get("/A")
            if action is not None and action.get("/S") == "/GoTo":
                name = str(action["/D"])
                assert name in dests, f"page {labels[number]}: a link to '{name}', which the PDF does not define"
                links.append((number, name, dests[name]))
    return labels, dests, outline(reader.outline), links


def test_one_edit_is_spliced_in_one_pass_and_equals_a_cold_build(book, tmp_path, programs, capsys):
    edit(book, "牛顿下降\n", "牛顿下降\n这是新加的一句话。\n")
    assert run_book(book / "book.yaml", "pdf") == 0
    err = capsys.readouterr().err
    assert "1 TeX pass(es), 0 index run(s); 1 changed chapter(s) set with the front and back matter, spliced in" in err, err
    assert programs == ["xelatex"], programs  # one short pass
    spliced = book / "build" / "book.pdf"
    assert "这是新加的一句话" in pdf_text(spliced)
    assert pdf_text(spliced) == cold_text(book, tmp_path)
    assert structure(spliced) == structure(tmp_path / "cold" / "build" / "book.pdf")


def test_an_edit_that_changes_the_index_reruns_makeindex_and_equals_a_cold_build(book, tmp_path, programs, capsys):
    before = pdf_text(book / "build" / "book.pdf")
    edit(book, "牛顿下降\n", "牛顿下降\n这里顺带提一句梯度裁剪。\n")  # a glossary term new to this chapter
    assert run_book(book / "book.yaml", "pdf") == 0
    err = capsys.readouterr().err
    assert "2 TeX pass(es), 1 index run(s)" in err and "spliced in" in err, err
    assert [p for p in programs if p != "pdftotext"] == ["xelatex", "makeindex", "xelatex"], programs
    text = pdf_text(book / "build" / "book.pdf")
    assert text != before and text == cold_text(book, tmp_path)


def test_an_edit_that_moves_pages_builds_the_whole_book(book, tmp_path, programs, capsys):
    edit(book, "牛顿下降\n", "牛顿下降\n" + "".join(f"新加的第{n}段，足够长的一段话，把这一章推到下一页去。\n\n"
                                                      for n in range(40)))
    assert run_book(book / "book.yaml", "pdf") == 0
    err = capsys.readouterr().err
    assert "changed its pages or headings; setting the whole book" in err, err
    assert programs.count("xelatex") >= 2  # the short pass, then the whole book's
    assert pdf_text(book / "build" / "book.pdf") == cold_text(book, tmp_path)


def test_undoing_a_spliced_edit_gives_back_the_first_book(book, built, capsys):
    first = pdf_text(built / "build" / "book.pdf")
    original = (book / EDITED).read_text(encoding="utf-8")
    edit(book, "牛顿下降\n", "牛顿下降\n这是新加的一句话。\n")
    assert run_book(book / "book.yaml", "pdf", "-q") == 0
    (book / EDITED).write_text(original, encoding="utf-8")
    assert run_book(book / "book.yaml", "pdf") == 0
    assert pdf_text(book / "build" / "book.pdf") == first
    # and a style change afterwards is a full build that starts from TeX's own record, not the splice's
    sty = book / "styles" / "sciblog.sty"
    sty.write_text(sty.read_text(encoding="utf-8") + "% a comment\n", encoding="utf-8")
    capsys.readouterr()
    assert run_book(book / "book.yaml", "pdf") == 0
    err = capsys.readouterr().err
    assert "spliced" not in err and pdf_text(book / "build" / "book.pdf") == first
