"""Hostile input, round two: what a dump, a file name or a kill can do costs only itself, never the book."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, SEEDS, need_tex, pdf_text, run_book, seed_book

from builder.render.latex.texescape import (
    TEX_LINE_MAX,
)
from builder.tex import sandbox


def post(title: str, body: str, date: str = "2021-03-06", readers: str = "1") -> str:
    return f"{title}\nBy 测试者 | {date} | {readers}位读者 | 引用{body}\n"


# One small dump per class of attack; they all live in one book (one TeX build).
DUMPS = {
    "list_bracket.txt": post("方括号列表", "前文。\n1、[注意]第一条\n2、[再次]第二条\n后文。"),
    "nested_left.txt": post("嵌套括号", "公式 $$" + "\\left(" * 260 + "x" + "\\right)" * 260 + "$$ 结束。"),
    "tilde_line.txt": post("波浪长行", "波浪前文" + "~" * 12000 + "波浪后文。"),
    "deep_sup.txt": post("深层上标", "公式 $" + "x^{" * 2000 + "y" + "}" * 2000 + "$ 上标后文。"),
    "phantom.txt": post("幻影嵌套", "公式 $" + "\\phantom{" * 14 + "x" + "}" * 14 + "$ 幻影后文。"),
    "array_cols.txt": post("阵列列数", "公式 $$\\begin{array}{*{99999999}{c}} a & b \\end{array}$$ 列数后文。"),
    "array_amp.txt": post("阵列和号", "公式 $$\\begin{array}{cc} " + "a & " * 150 + "b \\end{array}$$ 和号后文。"),
    "deep_frac.txt": post("深层分式", "公式 $" + "\\frac{" * 300 + "x" + "}{y}" * 300 + "$ 分式后文。"),
    "escapes.txt": post("转义\x1b]0;窗口标题\x07标题\u202e反向", "正文\x1b[2J清屏之后。"),
    "readers.txt": post("五千位读者", "读者正文。", readers="9" * 5000),
    "long_title.txt": post("1" * 5000, "长标题正文。"),
    "punct.txt": post("？？？", "问号正文。") + post("！！！", "叹号正文。"),
    "dates.txt": post("不存在的日期", "二月三十日正文。", date="2024-02-30"),
    "name\n\\input{secret}\\write18{touch pwned}.txt": post("文件名注入", "文件名正文。"),
    "\x1b[31mred\u202eeman.txt": post("文件名转义", "转义文件名正文。"),
}


SECRET = "SECRET-OUTSIDE-THE-BOOK"


@pytest.fixture(scope="module")
def hostile_book(tmp_path_factory):
    need_tex()
    root = tmp_path_factory.mktemp("hostile2")
    cfg_path = seed_book(root / "book")
    for name, text in DUMPS.items():
        (root / "book" / "excerpts" / name).write_text(text, encoding="utf-8")
    (root / "outside.txt").write_text(post("外面的文章", SECRET), encoding="utf-8")
    (root / "book" / "excerpts" / "link.txt").symlink_to(root / "outside.txt")
    before = set(os.listdir(root))
    proc = subprocess.run([sys.executable, "-m", "builder.cli", "--config", str(cfg_path), "pdf"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    listing = subprocess.run([sys.executable, "-m", "builder.cli", "--config", str(cfg_path), "list"], cwd=ROOT,
                             capture_output=True, text=True, timeout=120)
    return cfg_path, proc, listing, before


def test_the_book_comes_out_with_every_seed_post(hostile_book, capsys):
    cfg_path, proc, _, _ = hostile_book
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    capsys.readouterr()
    assert run_book(cfg_path, "check") == 0  # every post's text, the seeds' and the hostile ones', in order
    out = capsys.readouterr().out
    assert "(100.0%)" in out.splitlines()[-1]
    for seed in SEEDS.glob("*.txt"):  # the seed posts are all there, each with all of its text
        assert f"excerpts/{seed.name}:" in out, seed.name


def test_each_limit_says_where_and_what(hostile_book):
    _, proc, _, _ = hostile_book
    err = proc.stderr
    for expected in [
        "excerpts/nested_left.txt:2: warning: formula nests deeper than 100 levels; shown as source",
        "excerpts/tilde_line.txt:2: warning: paragraph of 12,009 characters set as 2 paragraphs of at most 10,000",
        "excerpts/deep_sup.txt:2: warning: formula nests deeper than 100 levels; shown as source",
        "excerpts/phantom.txt:2: warning: formula nests \\phantom, \\hat or the like so deep that TeX would typeset "
        "it more than 200,000 times over; shown as source",
        "excerpts/array_cols.txt:2: warning: array column specification repeats a column 99999999 times; shown as source",
        "excerpts/array_amp.txt:2: warning: array has 151 columns, more than 100; shown as source",
        "excerpts/deep_frac.txt:2: warning: formula nests deeper than 100 levels; shown as source",
        "excerpts/readers.txt:2: warning: reader count of 5000 digits ignored",
        "excerpts/long_title.txt:1: warning: title of 5000 characters shortened to its first 200",
        "excerpts/dates.txt:2: warning: date 2024-02-30 is not in the calendar; printed as the dump gives it",
        "excerpts/link.txt:1: error: is a link to a file outside the book's folder; skipped",
    ]:
        assert expected in err, expected


def test_the_pdf_shows_what_was_degraded(hostile_book):
    cfg_path, _, _, _ = hostile_book
    text = pdf_text(cfg_path.parent / "build" / "book.pdf", layout=False).replace("\n", "").replace(" ", "")
    assert "1、[注意]第一条" in text and "2、[再次]第二条" in text  # `[` did not open \item's optional argument
    assert "波浪前文~~~~" in text and "波浪后文" in text
    assert "以下" in text and "个字符从略" in text  # the 2,000-deep formula shown cut, saying how much
    assert "？？？" in text and "！！！" in text and "问号正文" in text and "叹号正文" in text  # two posts, not one
    assert "2024年2月30日" in text  # as the dump gives it, never invented
    assert SECRET not in text  # the link out of the book's folder was not followed


def test_nothing_raw_reaches_the_terminal_or_tex(hostile_book):
    cfg_path, proc, listing, before = hostile_book
    for out in (proc.stdout, proc.stderr, listing.stdout, listing.stderr):
        assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out
    assert "\\u001b[31mred\\u202eeman.txt" in listing.stdout  # the name, shown with its controls escaped
    root = cfg_path.parent
    for chapter in (root / "chapters").glob("*.tex"):
        first, second = chapter.read_text(encoding="utf-8").split("\n")[:2]
        assert first.startswith("%% Generated by `book`") and second.startswith("\\chapter"), chapter
        assert max(len(line) for line in chapter.read_text(encoding="utf-8").split("\n")) < 2 * TEX_LINE_MAX
    assert not (root / "build" / "tex" / "pwned").exists() and not (root / "pwned").exists()
    assert set(os.listdir(root.parent)) == before  # nothing written beside the book


def test_kill_9_mid_pass_leaves_no_process_and_the_next_build_recovers(tmp_path):
    need_tex()
    cfg_path = seed_book(tmp_path)
    work = tmp_path / "build" / "tex"
    build = subprocess.Popen([sys.executable, "-m", "builder.cli", "--config", str(cfg_path), "pdf"], cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not (work / sandbox.RUNNING_MARKER).exists() or not _tex_processes(work):
        assert time.monotonic() < deadline and build.poll() is None, "TeX never started"
        time.sleep(0.05)
    time.sleep(0.3)  # mid-pass
    build.kill()
    build.wait()
    deadline = time.monotonic() + 10
    while _tex_processes(work):
        assert time.monotonic() < deadline, f"left running: {_tex_processes(work)}"
        time.sleep(0.1)
    again = subprocess.run([sys.executable, "-m", "builder.cli", "--config", str(cfg_path), "pdf"], cwd=ROOT,
                           capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "the previous TeX run was interrupted before it finished" in again.stderr
    assert not _tex_processes(work)


def test_sigterm_mid_pass_stops_tex_with_the_build(tmp_path):
    need_tex()
    cfg_path = seed_book(tmp_path)
    work = tmp_path / "build" / "tex"
    build = subprocess.Popen([sys.executable, "-m", "builder.cli", "--config", str(cfg_path), "pdf"], cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not _tex_processes(work):
        assert time.monotonic() < deadline and build.poll() is None, "TeX never started"
        time.sleep(0.05)
    build.send_signal(signal.SIGTERM)
    _, err = build.communicate(timeout=30)
    assert build.returncode == 128 + signal.SIGTERM
    assert "stopped by a signal" in err
    assert not _tex_processes(work)


def _tex_processes(work: Path) -> list[str]:
    """Live (not zombie) processes whose working folder is the TeX work folder."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if os.readlink(f"/proc/{pid}/cwd") != str(work.resolve()):
                continue
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        if stat.rpartition(")")[2].split()[0] != "Z":
            found.append(stat.split()[1])
    return found


def test_a_file_cut_by_a_crash_is_discarded_and_the_build_succeeds(tmp_path):
    need_tex()
    cfg_path = seed_book(tmp_path)
    assert run_book(cfg_path, "pdf", "-q") == 0
    aux = tmp_path / "build" / "tex" / "book.aux"
    aux.write_text(aux.read_text(encoding="utf-8")[:-200], encoding="utf-8")  # a crash mid-line
    dump = tmp_path / "excerpts" / "000_533a38e5cfb58e24.txt"
    dump.write_text(dump.read_text(encoding="utf-8") + "新加的一句话。\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "builder.cli", "--config", str(cfg_path), "pdf"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "build/tex/book.aux: a line of it was cut short; discarded" in proc.stderr
    assert "新加的一句话" in pdf_text(tmp_path / "build" / "book.pdf", layout=False)
