"""The pass driver: XeLaTeX until the files it reads back settle, makeindex only for a changed .idx, failures named."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

import builder.tex.passes
from builder.tex.passes import MAX_PASSES, run_tex

pytestmark = pytest.mark.usefixtures("require_tex")

# Each pass writes to the .aux one more than it read, up to CAP: a document that needs CAP + 1 passes.
CONVERGING = r"""\documentclass{article}
\makeatletter
\providecommand\prevn{0}
\begin{document}
Pass value \prevn.
\immediate\write\@auxout{\gdef\string\prevn{\the\numexpr\ifnum\prevn<CAP \prevn+1\else CAP\fi\relax}}
\end{document}
"""

INDEXED = r"""\documentclass{article}
\usepackage{makeidx}
\makeindex
\begin{document}
BODY
\printindex
\end{document}
"""


def doc(tmp_path: Path, text: str, name: str = "doc") -> Path:
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    (work / f"{name}.tex").write_text(text, encoding="utf-8")
    (work / "sciblog.ist").write_text("", encoding="utf-8")  # makeindex's own style
    return work


@pytest.fixture
def commands(monkeypatch) -> list[list[str]]:
    """Every command the driver starts, in order."""
    started: list[list[str]] = []
    real = builder.tex.passes.run_step

    def recording(cmd, *args, **kwargs):
        started.append(cmd)
        return real(cmd, *args, **kwargs)
    monkeypatch.setattr(builder.tex.passes, "run_step", recording)
    return started


def programs(started: list[list[str]]) -> list[str]:
    return [cmd[0] for cmd in started]


def test_a_document_that_needs_a_third_pass_gets_it(tmp_path, commands):
    work = doc(tmp_path, CONVERGING.replace("CAP", "2"))
    result = run_tex(work, "doc", [], timeout=60)
    assert result.ok and result.passes == 3 and result.index_runs == 0, result.errors
    assert programs(commands) == ["xelatex"] * 3
    # The first pass has no .aux to read, so it cannot be the last: it writes no PDF; the later ones do, as they go.
    assert "-no-pdf" in commands[0] and all("-no-pdf" not in cmd for cmd in commands[1:])
    assert result.pdf.exists() and result.pages == 1


def test_passes_are_bounded_and_a_document_that_never_settles_fails_saying_so(tmp_path, commands):
    work = doc(tmp_path, CONVERGING.replace("CAP", "1000"))
    result = run_tex(work, "doc", [], timeout=60)
    assert not result.ok and result.passes == MAX_PASSES == 6
    assert programs(commands) == ["xelatex"] * MAX_PASSES
    assert len(result.errors) == 1
    assert "did not settle in 6 XeLaTeX passes: doc.aux changed again" in result.errors[0][2]
    assert result.last_file == ""  # no file of the book is to blame


def test_makeindex_runs_only_when_the_index_entries_changed(tmp_path, commands):
    work = doc(tmp_path, INDEXED.replace("BODY", r"Alpha\index{alpha}."))
    first = run_tex(work, "doc", [], timeout=60)
    assert first.ok and first.index_runs == 1 and first.passes == 2, first.errors
    assert programs(commands) == ["xelatex", "makeindex", "xelatex"]
    assert "alpha" in (work / "doc.ind").read_text(encoding="utf-8")

    commands.clear()  # more text, the same entries: one pass, no makeindex
    (work / "doc.tex").write_text(INDEXED.replace("BODY", r"Alpha\index{alpha}. More text."), encoding="utf-8")
    second = run_tex(work, "doc", [], timeout=60)
    assert second.ok and (second.passes, second.index_runs) == (1, 0)
    assert programs(commands) == ["xelatex"]

    commands.clear()  # a new entry: makeindex, and a pass to read its .ind
    (work / "doc.tex").write_text(INDEXED.replace("BODY", r"Alpha\index{alpha}. Beta\index{beta}."), encoding="utf-8")
    third = run_tex(work, "doc", [], timeout=60)
    assert third.ok and (third.passes, third.index_runs) == (2, 1)
    assert programs(commands) == ["xelatex", "makeindex", "xelatex"]

    commands.clear()  # nothing changed: nothing runs, the last result is given again
    again = run_tex(work, "doc", [], timeout=60)
    assert again.ok and (again.passes, again.index_runs) == (0, 0) and again.pages == third.pages
    assert commands == []

    forced = run_tex(work, "doc", [], timeout=60, force=True)  # -B: TeX runs whatever the stamps say
    assert forced.ok and forced.passes == 1


def test_a_deleted_index_is_sorted_again(tmp_path):
    work = doc(tmp_path, INDEXED.replace("BODY", r"Alpha\index{alpha}."))
    assert run_tex(work, "doc", [], timeout=60).ok
    (work / "doc.ind").unlink()
    result = run_tex(work, "doc", [], timeout=60)
    assert result.ok and result.index_runs == 1 and (work / "doc.ind").exists()


def test_a_failed_pass_names_file_and_line_and_is_not_taken_as_up_to_date(tmp_path, commands):
    work = doc(tmp_path, "\\documentclass{article}\n\\begin{document}\nGood.\n\\undefinedcommand\n\\end{document}\n")
    result = run_tex(work, "doc", [], timeout=60)
    assert not result.ok and result.passes == 1 and not result.pdf_failed and not result.timed_out
    assert result.errors[0][:2] == ("doc", 4) and "Undefined control sequence" in result.errors[0][2]
    assert result.error_places[0][3] == ".tex" and result.last_file == "doc"
    commands.clear()
    assert not run_tex(work, "doc", [], timeout=60).ok and programs(commands) == ["xelatex"]  # tried again


def test_a_pass_that_writes_no_aux_gets_its_pdf_from_the_xdv(tmp_path, commands):
    work = doc(tmp_path, "\\documentclass{article}\\nofiles\\begin{document}x\\end{document}\n")  # no .aux
    result = run_tex(work, "doc", [], timeout=60)
    assert result.ok and result.passes == 1 and result.pdf.exists()
    assert programs(commands) == ["xelatex", "xdvipdfmx"] and "-no-pdf" in commands[0]


def test_progress_lines(tmp_path):
    from builder.util.progress import Progress
    out = io.StringIO()
    work = doc(tmp_path, INDEXED.replace("BODY", r"Alpha\index{alpha}."))
    assert run_tex(work, "doc", [], timeout=60, progress=Progress(out=out, live=False)).ok
    lines = [line.rsplit(" (", 1)[0] for line in out.getvalue().splitlines()]
    assert lines == ["xelatex pass 1 …", "xelatex pass 1: 1 pages", "makeindex: index entries changed, sorting the index",
                     "xelatex pass 2 …", "xelatex pass 2: 2 pages", "xdvipdfmx: PDF written alongside pass 2"]


def test_a_pdf_driver_failure_is_named_with_its_page(tmp_path):
    from PIL import Image
    data = io.BytesIO()
    Image.new("RGB", (200, 200), (255, 0, 0)).save(data, "PNG")
    png = data.getvalue()
    work = doc(tmp_path, "\\documentclass{article}\\usepackage{graphicx}\\begin{document}\n"
                         "A\\newpage B\\includegraphics{x.png}\\newpage C\n\\end{document}\n")
    (work / "x.png").write_bytes(png[:60] + b"\0" * 40 + png[100:])  # a header TeX reads, data the driver cannot
    result = run_tex(work, "doc", [], timeout=60)
    assert not result.ok and result.pdf_failed and result.errors
    assert result.last_page == 1  # page 1 written; page 2, with the image, failed
