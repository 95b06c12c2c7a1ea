"""Make-style behaviour, tested by what a build does on disk and which processes it starts (not by timing)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import run_book, seed_book

import builder.tex.passes

EDITED_POST = "2024-11-29-cong-hessian-jin-shi-kan-zi"


def snapshot(root: Path) -> dict[str, tuple[int, bytes]]:
    files = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and "styles" not in path.parts and "excerpts" not in path.parts:
            files[str(path.relative_to(root))] = (path.stat().st_mtime_ns, path.read_bytes())
    return files


def changed(before: dict, after: dict) -> set[str]:
    return {k for k in set(before) | set(after) if before.get(k) != after.get(k)}


def add_sentence(cfg_path: Path) -> None:
    dump = cfg_path.parent / "excerpts" / "000_533a38e5cfb58e24.txt"
    text = dump.read_text(encoding="utf-8")
    dump.write_text(text.replace("牛顿下降\n", "牛顿下降\n这是新加的一句话。\n", 1), encoding="utf-8")


@pytest.fixture
def built(tmp_path, require_tex, capsys):
    cfg_path = seed_book(tmp_path)
    assert run_book(cfg_path, "pdf", "-q") == 0
    capsys.readouterr()
    return cfg_path


class NoTex:
    """Stands in for subprocess.Popen inside the TeX runner: any TeX start fails the test."""

    def __init__(self, *args, **kwargs):
        raise AssertionError(f"a TeX process was started: {args[0]}")


def test_noop_build_starts_no_tex_and_rewrites_nothing(built, monkeypatch, capsys):
    root = built.parent
    before = snapshot(root)
    monkeypatch.setattr(builder.tex.passes.subprocess, "Popen", NoTex)
    assert run_book(built, "pdf") == 0
    assert "build/book.pdf is up to date" in capsys.readouterr().err
    assert changed(before, snapshot(root)) == set()


def test_one_edit_rewrites_one_chapter_and_runs_one_pass(built, capsys):
    root = built.parent
    before = snapshot(root)
    add_sentence(built)
    assert run_book(built, "pdf") == 0
    err = capsys.readouterr().err
    rewritten = {p for p in changed(before, snapshot(root)) if p.startswith("chapters/")}
    assert rewritten == {f"chapters/{EDITED_POST}.tex"}
    assert "1 TeX pass(es), 0 index run(s)" in err, err
    assert "这是新加的一句话" in (root / "chapters" / f"{EDITED_POST}.tex").read_text(encoding="utf-8")


def test_a_change_that_reaches_no_tex_input_starts_no_tex(built, monkeypatch, capsys):
    """book.yaml changed (a comment): the book is read again, but TeX's inputs are the same: no pass runs."""
    built.write_text(built.read_text(encoding="utf-8") + "# a comment\n", encoding="utf-8")
    pdf = built.parent / "build" / "book.pdf"
    before = pdf.read_bytes()
    monkeypatch.setattr(builder.tex.passes.subprocess, "Popen", NoTex)
    assert run_book(built, "pdf") == 0
    assert "0 TeX pass(es), 0 index run(s)" in capsys.readouterr().err
    assert pdf.read_bytes() == before


def test_template_change_rewrites_every_chapter(tmp_path, capsys):
    cfg_path = seed_book(tmp_path)
    assert run_book(cfg_path, "chapters", "-q") == 0
    before = snapshot(tmp_path)
    template = tmp_path / "styles" / "chapter.tex.jinja"
    template.write_text(template.read_text(encoding="utf-8") + "%% a new last line\n", encoding="utf-8")
    assert run_book(cfg_path, "chapters", "-q") == 0
    rewritten = {p for p in changed(before, snapshot(tmp_path)) if p.startswith("chapters/")}
    assert len(rewritten) == 38


def test_reordering_series_rewrites_no_chapter(tmp_path):
    cfg_path = seed_book(tmp_path)
    assert run_book(cfg_path, "chapters", "-q") == 0
    before = snapshot(tmp_path)
    text = cfg_path.read_text(encoding="utf-8")
    # swap the VAE and multitask series blocks
    blocks = re.split(r"(?m)^(?=  - key: )", text.split("other_title:")[0])
    head, diffusion, transformer, vae, multitask = blocks
    cfg_path.write_text(head + diffusion + transformer + multitask + vae + "other_title:" + text.split("other_title:")[1],
                        encoding="utf-8")
    assert run_book(cfg_path, "chapters", "-q") == 0
    now = snapshot(tmp_path)
    assert {p for p in changed(before, now) if p.startswith("chapters/")} == set()
    assert "build/tex/book.tex" in changed(before, now)
    book_tex = (tmp_path / "build" / "tex" / "book.tex").read_text(encoding="utf-8")
    assert book_tex.index("\\part[多任务学习漫谈]") < book_tex.index("\\part[变分自编码器]")


def test_dry_run_changes_nothing(built, monkeypatch, capsys):
    root = built.parent
    add_sentence(built)
    before = snapshot(root)
    monkeypatch.setattr(builder.tex.passes.subprocess, "Popen", NoTex)
    assert run_book(built, "pdf", "-n") == 0
    err = capsys.readouterr().err
    assert f"would rewrite chapters/{EDITED_POST}.tex" in err
    assert "would run TeX" in err
    assert changed(before, snapshot(root)) == set()


def test_always_make_reruns_tex_from_scratch(built, capsys):
    assert run_book(built, "pdf", "-B") == 0
    err = capsys.readouterr().err
    assert "contents: seeded" in err and "2 TeX pass(es), 1 index run(s)" in err, err


def test_outputs_built_side_by_side_keep_each_others_stamps(tmp_path):
    """`book all -j 2`: each output saves the state it loaded at its start; what the other recorded
    meanwhile (its stamp, the chapters' stamps) must survive."""
    from builder.build.stamps import BuildState
    out = tmp_path / "book.pdf"
    out.write_bytes(b"pdf")
    old = BuildState.load(tmp_path)
    old.record("epub", "old-inputs", out)
    old.set_chapters({"a": "old"})
    old.save()
    pdf, epub = BuildState.load(tmp_path), BuildState.load(tmp_path)  # both start before either ends
    pdf.set_chapters({"a": "new"})
    pdf.record("pdf", "pdf-inputs", out)
    epub.record("epub", "new-inputs", out)
    epub.save()
    pdf.save()  # its copy of the epub's stamp is the old one
    state = BuildState.load(tmp_path)
    assert state.targets["epub"]["inputs"] == "new-inputs" and state.targets["pdf"]["inputs"] == "pdf-inputs"
    epub.save()  # and the EPUB's copy of the chapters' stamps is the old one
    assert BuildState.load(tmp_path).chapters == {"a": "new"}
