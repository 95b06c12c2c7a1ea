"""Bad and hostile dumps: the book still builds, nothing outside build/ is read or written, no hang."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import HOSTILE, ROOT, make_book, need_tex, pdf_text, run_book, seed_book

from builder.tex.passes import run_tex

PWNED = [Path("/tmp") / f"book-pwned-{n}" for n in ("title", "math", "display", "openout", "special", "lua")]


TEX_SYSTEM_DIRS = ("/usr/share/texlive/", "/usr/share/texmf/", "/var/lib/texmf/", "/etc/texmf/", "/usr/share/fonts/")


@pytest.fixture(scope="module")
def hostile_book(tmp_path_factory):
    need_tex()
    for p in PWNED:
        p.unlink(missing_ok=True)
    root = tmp_path_factory.mktemp("hostile")
    cfg_path = seed_book(root)
    for dump in HOSTILE.glob("*.txt"):
        shutil.copy(dump, root / "excerpts" / dump.name)
    proc = subprocess.run([sys.executable, "-m", "builder.cli", "--config", str(cfg_path), "pdf"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    return cfg_path, proc


def test_hostile_corpus_builds_and_says_what_it_degraded(hostile_book):
    cfg_path, proc = hostile_book
    assert proc.returncode == 0, proc.stderr
    err = proc.stderr
    assert "Traceback" not in err
    for expected in [
        "excerpts/01_input_passwd.txt:2: warning: formula uses \\input, which MathJax does not know either; shown as source",
        "excerpts/02_write18.txt:2: warning: formula uses \\immediate, which MathJax does not know either; shown as source",
        "excerpts/03_openout.txt:2: warning: formula uses \\openout, which MathJax does not know either; shown as source",
        "excerpts/04_def_loop.txt:2: warning: macro \\x expands without end; shown as source",
        "excerpts/05_csname.txt:2: warning: formula uses '^^' character codes; shown as source",
        # `$\frac{1}{2$`: MathJax counts braces, so this `$` opens nothing; the book does as MathJax does
        "excerpts/08_broken_math.txt:2: warning: unclosed '$' in text; printed as a dollar sign",
        "excerpts/08_broken_math.txt:3: warning: formula has \\end{equation} without its \\begin; shown as source",
        "excerpts/12_not_utf8.txt:1: error: not UTF-8 text (invalid byte 0xff at byte offset 6); file skipped",
        "excerpts/11_empty.txt:1: warning: empty file; no posts",
        "excerpts/13_no_post.txt:1: warning: no recognisable post",
    ]:
        assert expected in err, expected
    assert "Missing character" not in (cfg_path.parent / "build" / "tex" / "book.log").read_text(errors="replace")


def test_nothing_read_or_written_outside_the_build(hostile_book):
    cfg_path, _ = hostile_book
    root = cfg_path.parent
    text = pdf_text(root / "build" / "book.pdf")
    passwd = Path("/etc/passwd").read_text(errors="replace").splitlines()[0]
    assert passwd not in text and "root:x:0" not in text
    assert not [p for p in PWNED if p.exists()]
    fls = (root / "build" / "tex" / "book.fls").read_text(errors="replace").splitlines()
    work = str((root / "build" / "tex").resolve())
    chapters = str((root / "chapters").resolve())
    for line in fls:
        kind, _, path = line.partition(" ")
        if kind == "OUTPUT":
            assert os.path.realpath(os.path.join(work, path)).startswith(work + "/"), line
        elif kind == "INPUT":
            real = os.path.realpath(os.path.join(work, path))
            assert real.startswith((work + "/", chapters + "/") + TEX_SYSTEM_DIRS), line


def test_every_good_post_is_in_the_pdf(hostile_book, capsys):
    cfg_path, _ = hostile_book
    assert run_book(cfg_path, "check") == 0
    out = capsys.readouterr().out
    assert "(100.0%)" in out.splitlines()[-1]
    assert "2021-03-07-chao-zhang-duan-luo" in out  # the 20 000-character paragraph
    text = pdf_text(cfg_path.parent / "build" / "book.pdf")
    assert "𠀀" in text and "😀" in text  # rare CJK and emoji through the fallback fonts
    assert "\\input{/etc/passwd}" in text.replace(" ", "")  # the attack is shown as text, not run


def test_check_reports_missing_text(tmp_path, require_tex, capsys):
    cfg_path = seed_book(tmp_path)
    assert run_book(cfg_path, "pdf", "-q") == 0
    dump = tmp_path / "excerpts" / "000_533a38e5cfb58e24.txt"
    dump.write_text(dump.read_text(encoding="utf-8").replace("牛顿下降\n", "牛顿下降\n这句新话不在书里。\n"),
                    encoding="utf-8")
    capsys.readouterr()
    assert run_book(cfg_path, "check") == 1
    out = capsys.readouterr().out
    assert "missing: 这句新话不在书里" in out


def raw_tex(tmp_path: Path, body: str) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    (work / "doc.tex").write_text("\\documentclass{article}\\begin{document}\n" + body + "\n\\end{document}\n",
                                  encoding="utf-8")
    return work


@pytest.mark.parametrize("body", [
    "\\input{/etc/passwd}",
    "\\input{../../../../../../etc/passwd}",
    "\\immediate\\openin5=/etc/passwd \\read5 to\\x \\x",
])
def test_tex_itself_refuses_to_read_outside(tmp_path, require_tex, body):
    """Even TeX given the attack directly (no whitelist in front) does not read the file."""
    work = raw_tex(tmp_path, body)
    result = run_tex(work, "doc", [], timeout=60)
    assert "root:x:0" not in result.log
    if result.pdf.exists():
        assert "root:x:0" not in pdf_text(result.pdf)


@pytest.mark.parametrize("body, target, refusal", [
    ("\\immediate\\write18{touch /tmp/book-pwned-raw18}x", Path("/tmp/book-pwned-raw18"),
     "runsystem(touch /tmp/book-pwned-raw18)...disabled"),
    ("\\immediate\\openout3=/tmp/book-pwned-rawout.tex \\immediate\\write3{x}\\immediate\\closeout3 x",
     Path("/tmp/book-pwned-rawout.tex"), "I can't write on file `/tmp/book-pwned-rawout.tex'"),
    ("\\immediate\\openout3=../escaped.tex \\immediate\\write3{x}\\immediate\\closeout3 x", None,
     "I can't write on file `../escaped.tex'"),
])
def test_tex_itself_writes_nothing_outside(tmp_path, require_tex, body, target, refusal):
    """TeX given the attack directly reaches it (its log says so) and refuses it: nothing is written outside."""
    if target:
        target.unlink(missing_ok=True)
    work = raw_tex(tmp_path, body)
    result = run_tex(work, "doc", [], timeout=60)
    assert result.passes >= 1 and refusal in result.log
    assert not (target or tmp_path / "escaped.tex").exists()


def test_endless_macro_is_stopped_by_the_time_limit(tmp_path, require_tex):
    work = raw_tex(tmp_path, "\\def\\x{\\x}\\x")
    start = time.monotonic()
    result = run_tex(work, "doc", [], timeout=5)
    assert result.timed_out and not result.ok
    assert time.monotonic() - start < 30


def test_two_builds_at_once_take_turns(tmp_path, require_tex):
    cfg_path = make_book(tmp_path, {"a.txt": (HOSTILE / "06_specials_title.txt").read_text(encoding="utf-8")})
    cmd = [sys.executable, "-m", "builder.cli", "--config", str(cfg_path), "pdf", "-B"]
    procs = [subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert any("another build is running" in err for _, err in outs)
    assert pdf_text(tmp_path / "build" / "book.pdf").count("标题里全是") >= 1
