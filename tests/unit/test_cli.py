"""A new user's first steps: init, book.yaml found from a subfolder, --config anywhere, help and completion."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from conftest import ROOT, SEEDS, book_cli

from builder.cli.args import BUILDS, OTHERS, parser
from builder.cli.main import main


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
    script = book_cli("completion", "bash").stdout
    assert script and "complete -F _book book" in script
    words_list = words.split(" ")
    probe = (f'{script}\nCOMP_WORDS=({" ".join(repr(w) for w in words_list)}); COMP_CWORD={len(words_list) - 1}; '
             '_book; printf "%s\\n" "${COMPREPLY[@]}"')
    out = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, check=True).stdout
    assert set(out.split()) == expected
    zsh = book_cli("completion", "zsh").stdout
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


def test_a_reader_that_stops_early_is_no_error(tmp_path):
    """`book schema | head -1`: the pipe closes, the tool stops quietly."""
    proc = subprocess.run(f"'{sys.executable}' -m builder.cli schema | head -1", shell=True, capture_output=True,
                          text=True, cwd=tmp_path)
    assert proc.stdout.strip() == "{" and "error" not in proc.stderr and "Traceback" not in proc.stderr


def test_output_lines_pass_a_live_display_through_and_prefix_otherwise():
    import io

    from builder.build.options import OutputLines, Warnings
    from builder.model.content import Location
    from builder.model.diagnostics import Diagnostic

    class Terminal(io.StringIO):
        def isatty(self):
            return True
    term = Terminal()
    live = OutputLines(term)
    live.write("⠋ xelatex pass 1\r")  # a spinner frame: no newline, shown at once
    assert term.getvalue() == "⠋ xelatex pass 1\r"
    said: set = set()
    pipe_a, pipe_b = io.StringIO(), io.StringIO()
    a, b = OutputLines(pipe_a, "pdf: "), OutputLines(pipe_b, "epub: ")
    warn_a, warn_b = Warnings(a, said), Warnings(b, said)
    x = Diagnostic(Location("a.txt", 3), "x")
    warn_a.add(x)
    warn_b.add(x)
    b.write("wrote build/book.epub\n")
    assert pipe_a.getvalue() == "pdf: a.txt:3: warning: x\n" and pipe_b.getvalue() == "epub: wrote build/book.epub\n"
    assert warn_b.items == [x]  # recorded for its own replay, though said once
    warn_b.add(Diagnostic(Location("a.txt", 9), "bad", "error"))
    assert warn_b.items == [x] and "epub: a.txt:9: error: bad" in pipe_b.getvalue()  # errors are said, not kept


def test_a_message_naming_its_output_is_not_prefixed_twice():
    import io

    from builder.build.options import OutputLines
    pipe = io.StringIO()
    OutputLines(pipe, "epub: ").write("epub: 84 formulas, 84 as MathML\nwrote build/book.epub\n")
    assert pipe.getvalue() == "epub: 84 formulas, 84 as MathML\nepub: wrote build/book.epub\n"
