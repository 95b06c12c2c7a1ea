"""A new user's first steps: init, book.yaml found from a subfolder, --config anywhere, help and completion."""
from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT, SEEDS, need_tex, pdf_text

from builder.cli.args import BUILDS, OTHERS, parser
from builder.cli.main import main
from builder.config.settings import Config


def book(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "builder.cli", *args], capture_output=True, text=True)


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


def test_a_books_own_style_file_overrides_the_shipped_one(tmp_path):
    folder = tmp_path / "b"
    assert main(["init", str(folder)]) == 0
    shutil.copy(sorted(SEEDS.glob("*.txt"))[0], folder / "excerpts")
    (folder / "styles").mkdir()
    css = (ROOT / "builder" / "styles" / "epub.css").read_text(encoding="utf-8") + "\nbody { color: #123456; }\n"
    (folder / "styles" / "epub.css").write_text(css, encoding="utf-8")
    assert main(["--config", str(folder / "book.yaml"), "epub", "-q"]) == 0
    import zipfile
    with zipfile.ZipFile(folder / "build" / "book.epub") as z:
        assert "#123456" in z.read("EPUB/styles/stylesheet1.css").decode("utf-8")


def test_no_book_yaml_above_is_a_clear_error(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["list"]) == 2
    assert "book.yaml: error: not found here or in any folder above; `book init` makes a new book" in \
        capsys.readouterr().err


def test_every_subcommand_says_what_it_does_and_offers_only_its_options():
    p = parser()
    sub = next(a for a in p._actions if hasattr(a, "choices") and isinstance(a.choices, dict))
    assert set(sub.choices) == {name for name, _, _ in BUILDS + OTHERS}
    for name, t in sub.choices.items():
        assert t.description and len(t.description) > 30, name
    options = {name: {o for a in t._actions for o in a.option_strings} for name, t in sub.choices.items()}
    assert "-B" not in options["clean"] and "-j" not in options["clean"] and "-n" in options["clean"]
    assert {"-B", "-j", "--strict", "--config"} <= options["pdf"]
    assert "--math" in options["epub"] and "--math" not in options["pdf"]


@pytest.mark.parametrize("words, expected", [
    ("book e", {"epub"}),
    ("book cl", {"clean"}),
    ("book clean -", {"-h", "--help", "--config", "-c", "-n", "--dry-run", "-q", "--quiet"}),
    ("book --config x.yaml pd", {"pdf"}),
    ("book completion ", {"bash", "zsh"}),
])
def test_bash_completion(words, expected):
    script = book("completion", "bash").stdout
    assert script and "complete -F _book book" in script
    words_list = words.split(" ")
    probe = (f'{script}\nCOMP_WORDS=({" ".join(repr(w) for w in words_list)}); COMP_CWORD={len(words_list) - 1}; '
             '_book; printf "%s\\n" "${COMPREPLY[@]}"')
    out = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, check=True).stdout
    assert set(out.split()) == expected
    zsh = book("completion", "zsh").stdout
    assert "bashcompinit" in zsh and "complete -F _book book" in zsh


ACCEPTING = """\
posts:
  10-19-untitled-rang-wo-men-bu:
    title: 最小熵原理（五）：“层层递进”之社区发现与聚类
  2020-09-07-dong-shou-zuo-ge-dialogpt-ji:
    accept: [empty-body]
"""


def test_strict_fails_until_book_yaml_settles_the_warnings_even_when_up_to_date(tmp_path, capsys):
    from conftest import seed_book
    cfg_path = seed_book(tmp_path)
    assert main(["--config", str(cfg_path), "epub", "--strict", "-q"]) == 1
    assert main(["--config", str(cfg_path), "epub", "-q"]) == 0
    warned = [line for line in capsys.readouterr().err.splitlines() if ": warning: " in line]
    assert any(line.endswith("[empty-body]") for line in warned) and any(line.endswith("[untitled]") for line in warned)
    # Up to date: its warnings are said again, and --strict fails on them.
    assert main(["--config", str(cfg_path), "epub"]) == 0
    err = capsys.readouterr().err
    assert "build/book.epub is up to date" in err and all(line in err for line in set(warned))
    assert main(["--config", str(cfg_path), "epub", "--strict"]) == 1
    assert "up to date, but its build gave 2 warning(s) and --strict" in capsys.readouterr().err
    # A title for the untitled post, the empty one accepted: --strict passes, and nothing is said.
    text = cfg_path.read_text(encoding="utf-8").replace("posts: {}\n", ACCEPTING)
    cfg_path.write_text(text, encoding="utf-8")
    assert main(["--config", str(cfg_path), "epub", "--strict"]) == 0
    assert ": warning: " not in capsys.readouterr().err
    cfg_path.write_text(text.replace("[empty-body]", "[empty]"), encoding="utf-8")
    assert main(["--config", str(cfg_path), "epub"]) == 2
    assert ("posts.2020-09-07-dong-shou-zuo-ge-dialogpt-ji.accept[0]: 'empty' is not a warning a post can accept "
            "(empty-body, untitled)") in capsys.readouterr().err


def test_all_side_by_side_prefixes_lines_and_says_each_warning_once(tmp_path):
    need_tex()
    from conftest import seed_book
    cfg_path = seed_book(tmp_path)
    proc = book("--config", str(cfg_path), "all", "-j", "2")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    warnings = [line for line in lines if ": warning: " in line]
    assert len(warnings) == len(set(w.split(": ", 1)[1] for w in warnings)) >= 2  # each once
    assert any(line.startswith("pdf: wrote build/book.pdf") for line in lines)
    assert any(line.startswith("epub: wrote build/book.epub") for line in lines)
    assert all(line.startswith(("pdf: ", "epub: ")) for line in lines), lines


def test_a_reader_that_stops_early_is_no_error(tmp_path):
    """`book schema | head -1`: the pipe closes, the tool stops quietly."""
    proc = subprocess.run(f"'{sys.executable}' -m builder.cli schema | head -1", shell=True, capture_output=True,
                          text=True, cwd=tmp_path)
    assert proc.stdout.strip() == "{" and "error" not in proc.stderr and "Traceback" not in proc.stderr


def test_output_lines_pass_a_live_display_through_and_prefix_otherwise():
    import io

    from builder.build.options import OutputLines

    class Terminal(io.StringIO):
        def isatty(self):
            return True
    term = Terminal()
    live = OutputLines(term, set())
    live.write("⠋ xelatex pass 1\r")  # a spinner frame: no newline, shown at once
    assert term.getvalue() == "⠋ xelatex pass 1\r"
    live.write("a.txt:3: warning: x\n")
    assert live.warnings == ["a.txt:3: warning: x"]  # recorded without the spinner frame the line began with
    said: set = set()
    pipe_a, pipe_b = io.StringIO(), io.StringIO()
    a, b = OutputLines(pipe_a, said, "pdf: "), OutputLines(pipe_b, said, "epub: ")
    a.write("a.txt:3: warning: x\n")
    b.write("a.txt:3: warning: x\nwrote build/book.epub\n")
    assert pipe_a.getvalue() == "pdf: a.txt:3: warning: x\n" and pipe_b.getvalue() == "epub: wrote build/book.epub\n"
    assert b.warnings == ["a.txt:3: warning: x"]  # recorded for its own replay, though said once


def test_a_message_naming_its_output_is_not_prefixed_twice():
    import io

    from builder.build.options import OutputLines
    pipe = io.StringIO()
    OutputLines(pipe, set(), "epub: ").write("epub: 84 formulas, 84 as MathML\nwrote build/book.epub\n")
    assert pipe.getvalue() == "epub: 84 formulas, 84 as MathML\nepub: wrote build/book.epub\n"
