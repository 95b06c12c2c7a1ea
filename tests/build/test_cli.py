"""A new user's first steps: init, book.yaml found from a subfolder, --config anywhere, help and completion."""
from __future__ import annotations

import dataclasses
import shutil

from conftest import SEEDS, book_cli, need_tex, pdf_text

from builder.cli.main import main
from builder.config.settings import Config


def test_init_then_pdf_from_the_excerpts_folder(tmp_path, monkeypatch, capsys):
    need_tex()
    folder = tmp_path / "mybook"
    assert main(["init", str(folder)]) == 0
    written = (folder / "book.yaml").read_text(encoding="utf-8")
    for f in dataclasses.fields(Config):  # every setting is there, with what it means
        if not f.metadata.get("internal"):
            assert f"\n{f.name}:" in written or f"\n# {f.name}:" in written, f.name
    assert "title: mybook" in written and "科学空间" not in written and "苏剑林" not in written
    # editors complete keys: the first line points to the schema written beside it, which the file satisfies
    import json

    import jsonschema
    import yaml
    assert written.startswith("# yaml-language-server: $schema=book.schema.json\n")
    jsonschema.validate(yaml.safe_load(written), json.loads((folder / "book.schema.json").read_text(encoding="utf-8")))
    assert not (folder / "styles").exists()  # the shipped styles are used as they are
    assert main(["init", str(folder)]) == 1  # never over an existing book
    assert (folder / "book.yaml").read_text(encoding="utf-8") == written
    for dump in sorted(SEEDS.glob("*.txt"))[:2]:
        shutil.copy(dump, folder / "excerpts")
    monkeypatch.chdir(folder / "excerpts")  # found upward, as git finds .git
    assert main(["pdf", "-q"]) == 0
    text = pdf_text(folder / "build" / "book.pdf")
    assert "mybook" in text and "科学空间" not in text and "苏剑林" not in text
    flat = "".join(text.split())
    assert "按发表日期排列" in flat and "按系列分为" not in flat  # no series: the preface does not speak of them
    capsys.readouterr()
    assert main(["pdf", "--config", str(folder / "book.yaml")]) == 0  # --config after the subcommand
    assert "build/book.pdf is up to date" in capsys.readouterr().err


def test_all_side_by_side_prefixes_lines_and_says_each_warning_once(tmp_path):
    need_tex()
    from conftest import seed_book
    cfg_path = seed_book(tmp_path)
    proc = book_cli("--config", str(cfg_path), "all", "-j", "2")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    warnings = [line for line in lines if ": warning: " in line]
    assert len(warnings) == len({w.split(": ", 1)[1] for w in warnings}) >= 2  # each once
    assert any(line.startswith("pdf: wrote build/book.pdf") for line in lines)
    assert any(line.startswith("epub: wrote build/book.epub") for line in lines)
    assert all(line.startswith(("pdf: ", "epub: ")) for line in lines), lines
