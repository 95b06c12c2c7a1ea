"""Build-speed benchmark: medians of several runs, printed as ratios against baselines measured in the same run.

Usage:  .venv/bin/python bench/run.py [--runs 3] [--scale 10,30] [--skip-pandoc] [--only volumes]
Works in a temporary copy of the project; the working tree is never touched.
"""
from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parent.parent
BOOK = [sys.executable, "-m", "builder.cli"]
sys.path.insert(0, str(ROOT))


def run(cmd, cwd, env=None, check=True) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    elapsed = time.perf_counter() - start
    if check and proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(map(str, cmd))}\n{proc.stdout.decode(errors='replace')[-3000:]}")
    return elapsed


def median_of(runs: int, fn) -> float:
    return statistics.median(fn() for _ in range(runs))


def make_project(dest: Path, excerpts: Path | None = None) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "book.yaml", dest / "book.yaml")  # the styles are the tool's own (package data)
    shutil.copytree(excerpts or ROOT / "excerpts", dest / "excerpts")
    return dest


def pages(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", out).group(1))


def tex_env(project: Path) -> dict:
    from builder.tex.sandbox import tex_environment
    return tex_environment([project / "chapters"])


def floor_time(project: Path) -> float:
    """Two bare xelatex passes over the generated book.tex, in a scratch copy of build/tex."""
    scratch = Path(tempfile.mkdtemp(prefix="floor-"))
    for f in (project / "build" / "tex").glob("*"):
        if f.suffix in (".tex", ".sty", ".ist"):
            shutil.copy(f, scratch)
    cmd = ["xelatex", "-no-shell-escape", "-interaction=batchmode", "book.tex"]
    t = run(cmd, scratch, tex_env(project), check=False) + run(cmd, scratch, tex_env(project), check=False)
    shutil.rmtree(scratch)
    return t


def one_pass_time(project: Path) -> float:
    scratch = Path(tempfile.mkdtemp(prefix="pass-"))
    for f in (project / "build" / "tex").glob("*"):
        if f.suffix in (".tex", ".sty", ".ist", ".aux", ".toc", ".ind", ".out"):
            shutil.copy(f, scratch)
    t = run(["xelatex", "-no-shell-escape", "-interaction=batchmode", "book.tex"], scratch, tex_env(project),
            check=False)
    shutil.rmtree(scratch)
    return t


def markdown_of(project: Path) -> str:
    """The same posts as plain Markdown, the way a user feeds pandoc by hand."""
    from builder import config
    from builder.build.book import load_book
    from builder.model.content import (
        DisplayMath,
        Figure,
        Heading,
        ListBlock,
        Logo,
        Math,
        Paragraph,
        Text,
    )

    def inline(pieces):
        out = []
        for p in pieces:
            if isinstance(p, Text):
                out.append(p.text.replace("$", "\\$").replace("*", "\\*").replace("_", "\\_"))
            elif isinstance(p, Math):
                out.append(f"${p.source}$")
            elif isinstance(p, Logo):
                out.append(p.name)  # `$\LaTeX$` as math stops pandoc's PDF: give it the name instead
        return "".join(out)

    book = load_book(config.load(project / "book.yaml"))
    lines = [f"---\ntitle: {book.title}\nauthor: {book.author}\n---\n"]
    for part in book.parts:
        lines.append(f"# {part.title}\n")
        for ch in part.chapters:
            lines.append(f"## {ch.post.display_title}\n")
            for b in ch.post.blocks:
                if isinstance(b, Paragraph):
                    lines.append(inline(b.inlines) + "\n")
                elif isinstance(b, Heading):
                    lines.append(f"### {b.title}\n")
                elif isinstance(b, Figure):
                    lines.append(f"*{b.caption}*\n")
                elif isinstance(b, DisplayMath):
                    src = re.sub(r"\\label\{[^}]*\}", "", b.source)
                    lines.append(f"$$\n{src}\n$$\n")
                elif isinstance(b, ListBlock):
                    lines.extend(f"{i}. {inline(item)}" for i, item in enumerate(b.items, 1))
                    lines.append("")
    return "\n".join(lines)


def pandoc_time(project: Path) -> float:
    import pypandoc
    scratch = Path(tempfile.mkdtemp(prefix="pandoc-"))
    (scratch / "book.md").write_text(markdown_of(project), encoding="utf-8")
    cmd = [pypandoc.get_pandoc_path(), "book.md", "-o", "book.pdf", "--pdf-engine=xelatex", "--toc",
           "--top-level-division=part", "-V", "documentclass=ctexbook", "-V", "classoption=fontset=none",
           "-V", "CJKmainfont=Noto Serif CJK SC", "-V", "papersize=a4"]
    t = run(cmd, scratch)
    shutil.rmtree(scratch)
    return t


def python_peak_mb(project: Path, args: Optional[list[str]] = None) -> float:
    """Peak resident memory of the Python side (everything but TeX): `book chapters -B` (or `args`) in a child."""
    code = ("import resource, sys; from builder.cli.main import main; "
            "rc = main(['--config', sys.argv[1]] + sys.argv[2:]); "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code, str(project / "book.yaml")] + (args or ["chapters", "-B", "-q"]),
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()[-1]
    return int(out) / 1024


def synthetic_excerpts(factor: int, dest: Path) -> Path:
    """The seed dumps copied `factor` times; each copy's titles get a suffix, so every copy is a distinct post."""
    from builder.read.posts import read_posts
    dest.mkdir(parents=True)
    for seed in sorted((ROOT / "excerpts").glob("*.txt")):
        text = seed.read_text(encoding="utf-8")
        titles = sorted({p.title for p in read_posts([(seed, seed.name)], []) if p.title}, key=len, reverse=True)
        for k in range(1, factor + 1):
            copy = text
            for i, title in enumerate(titles):
                copy = copy.replace(title, f"\0{i}\0")
            for i, title in enumerate(titles):
                copy = copy.replace(f"\0{i}\0", f"{title}（副本{k}）")
            (dest / f"{seed.stem}_{k:03d}.txt").write_text(copy, encoding="utf-8")
    return dest


VOLUMES_SCALE = 30  # the synthetic book whose volumes are measured against it as one book


def volumes_row(big: Path, t_single: float, runs: int, env: dict) -> tuple:
    """Cold `book volumes -B -j 2` of the book with `volumes: series` (one volume per part, two TeX runs at a
    time), against the cold single book measured in the same run."""
    text = (big / "book.yaml").read_text(encoding="utf-8")
    if "\nvolumes:" not in text:
        (big / "book.yaml").write_text(text + "volumes: series\n", encoding="utf-8")
    book = BOOK + ["--config", str(big / "book.yaml"), "volumes", "-j", "2", "-q"]
    run(book, ROOT, env)
    t = median_of(runs, lambda: run(book + ["-B"], ROOT, env))
    count = len(list((big / "build" / "volumes").glob("*.pdf")))
    return (f"`book volumes -B -j 2` ×{VOLUMES_SCALE} ({count} volumes)", f"{t:.1f} s",
            f"{t / t_single:.2f} × the cold single book ({t_single:.1f} s)", "≤ 1.0", t / t_single <= 1.0)


def only_volumes(args, tmp: Path, env: dict) -> list[tuple]:
    """Just the volumes row: the ×30 book cold as one book, then as volumes."""
    big = make_project(tmp / f"x{VOLUMES_SCALE}", synthetic_excerpts(VOLUMES_SCALE, tmp / f"ex{VOLUMES_SCALE}"))
    big_book = BOOK + ["--config", str(big / "book.yaml")]
    run(big_book + ["pdf", "-q"], ROOT, env)
    t_big = median_of(max(1, args.runs - 1), lambda big_book=big_book: run(big_book + ["pdf", "-B", "-q"], ROOT, env))
    return [volumes_row(big, t_big, max(1, args.runs - 1), env)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--scale", default="10,30")
    ap.add_argument("--skip-pandoc", action="store_true")
    ap.add_argument("--only", choices=("volumes",), help="measure only this row (and its baseline)")
    args = ap.parse_args()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    tmp = Path(tempfile.mkdtemp(prefix="bookbench-"))
    if args.only == "volumes":
        try:
            print_rows(only_volumes(args, tmp, env), args.runs, "")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return
    rows = []
    try:
        project = make_project(tmp / "seed")
        book = BOOK + ["--config", str(project / "book.yaml")]
        run(book + ["pdf", "-q"], ROOT, env)
        n_pages = pages(project / "build" / "book.pdf")
        cold = median_of(args.runs, lambda: run(book + ["pdf", "-B", "-q"], ROOT, env))
        floor = median_of(args.runs, lambda: floor_time(project))
        one_pass = median_of(args.runs, lambda: one_pass_time(project))
        rows.append(("cold `book pdf -B`", f"{cold:.2f} s", f"{cold / floor:.2f} × floor ({floor:.2f} s)", "≤ 1.15",
                     cold / floor <= 1.15))
        if not args.skip_pandoc:
            pandoc = median_of(args.runs, lambda: pandoc_time(project))
            rows.append(("pandoc --pdf-engine=xelatex --toc", f"{pandoc:.2f} s", f"cold = {cold / pandoc:.2f} × pandoc",
                         "cold ≤ 0.6", cold / pandoc <= 0.6))

        pdf = project / "build" / "book.pdf"
        log = project / "build" / "tex" / "book.log"

        def noop() -> float:
            before = (pdf.stat().st_mtime_ns, log.stat().st_mtime_ns)
            t = run(book + ["pdf", "-q"], ROOT, env)
            assert (pdf.stat().st_mtime_ns, log.stat().st_mtime_ns) == before, "no-op touched book.pdf or ran TeX"
            return t
        t_noop = median_of(args.runs, noop)
        rows.append(("no-op `book pdf`", f"{t_noop:.2f} s", "no TeX started, book.pdf untouched", "≤ 0.30 s",
                     t_noop <= 0.3))

        chapters = project / "chapters"
        dump = project / "excerpts" / "000_533a38e5cfb58e24.txt"
        edits = []
        for i in range(args.runs):
            stamps = {p: p.stat().st_mtime_ns for p in chapters.glob("*.tex")}
            text = dump.read_text(encoding="utf-8")
            dump.write_text(text.replace("牛顿下降\n", f"牛顿下降\n补充的第{i + 1}句话。\n", 1), encoding="utf-8")
            t = run(book + ["pdf", "-q"], ROOT, env)
            rewritten = sum(1 for p in chapters.glob("*.tex") if stamps.get(p) != p.stat().st_mtime_ns)
            edits.append((t, rewritten))
        t_edit = statistics.median(t for t, _ in edits)
        rewritten = max(r for _, r in edits)
        rows.append(("one edit (one sentence)", f"{t_edit:.2f} s",
                     f"{t_edit / one_pass:.2f} × one pass ({one_pass:.2f} s); {rewritten} chapter file(s) rewritten",
                     "≤ 1.3, exactly 1 file", t_edit / one_pass <= 1.3 and rewritten == 1))

        # One chapter previewed (the edited post's), against one bare pass over the whole seed book.
        t_preview = median_of(args.runs,
                              lambda: run(book + ["preview", "000_533a38e5cfb58e24.txt:3", "-q"], ROOT, env))
        rows.append(("`book preview` ×1", f"{t_preview:.2f} s",
                     f"{t_preview / one_pass:.2f} × one pass of the seed book", "≤ 1.5", t_preview / one_pass <= 1.5))

        cfg_text = (project / "book.yaml").read_text(encoding="utf-8")
        blocks = re.split(r"(?m)^(?=  - key: )", cfg_text.split("other_title:")[0])
        swapped = blocks[0] + blocks[2] + blocks[1] + "".join(blocks[3:]) + "other_title:" \
            + cfg_text.split("other_title:")[1]
        stamps = {p: p.stat().st_mtime_ns for p in chapters.glob("*.tex")}
        (project / "book.yaml").write_text(swapped, encoding="utf-8")
        t_reorder = run(book + ["pdf", "-q"], ROOT, env)
        rewritten = sum(1 for p in chapters.glob("*.tex") if stamps.get(p) != p.stat().st_mtime_ns)
        rows.append(("reorder (two series swapped)", f"{t_reorder:.2f} s", f"{rewritten} chapter file(s) rewritten",
                     "0 files", rewritten == 0))

        # The failure path: one formula TeX rejects. Cold (its verdict unknown): a failed pass, the formula
        # check, the build; then an edit elsewhere, the verdict remembered: no check, no failed pass.
        bad = make_project(tmp / "bad")
        (bad / "excerpts" / "zz_bad.txt").write_text(
            "TeX不收的公式\nBy 测试者 | 2021-04-01 | 5位读者 | 引用这个公式$a^b^c$MathJax也不收。\n", encoding="utf-8")
        bad_book = BOOK + ["--config", str(bad / "book.yaml")]

        def cold_bad() -> float:
            (bad / "build" / ".tex-verdicts.json").unlink(missing_ok=True)
            return run(bad_book + ["pdf", "-B", "-q"], ROOT, env)
        t_bad = median_of(args.runs, cold_bad)
        rows.append(("one formula TeX rejects, cold", f"{t_bad:.2f} s", f"{t_bad / cold:.2f} × clean cold build",
                     "≤ 2.5", t_bad / cold <= 2.5))
        bad_dump = bad / "excerpts" / "000_533a38e5cfb58e24.txt"
        bad_edits = []
        for i in range(args.runs):
            text = bad_dump.read_text(encoding="utf-8")
            bad_dump.write_text(text.replace("牛顿下降\n", f"牛顿下降\n又补充的第{i + 1}句话。\n", 1), encoding="utf-8")
            bad_edits.append(run(bad_book + ["pdf", "-q"], ROOT, env))
        t_bad_edit = statistics.median(bad_edits)
        rows.append(("… then one edit elsewhere", f"{t_bad_edit:.2f} s",
                     f"{t_bad_edit / t_edit:.2f} × one edit in the clean book", "≤ 1.15", t_bad_edit / t_edit <= 1.15))

        per_page = cold / n_pages
        for factor in [int(x) for x in args.scale.split(",") if x]:
            big = make_project(tmp / f"x{factor}", synthetic_excerpts(factor, tmp / f"ex{factor}"))
            big_book = BOOK + ["--config", str(big / "book.yaml")]
            run(big_book + ["pdf", "-q"], ROOT, env)
            big_pages = pages(big / "build" / "book.pdf")
            t_big = median_of(max(1, args.runs - 1),
                              lambda big_book=big_book: run(big_book + ["pdf", "-B", "-q"], ROOT, env))
            peak = python_peak_mb(big)
            t_big_preview = median_of(args.runs, lambda big=big, big_book=big_book: run(
                big_book + ["preview", f"{sorted((big / 'excerpts').glob('*.txt'))[-1].name}:3", "-q"], ROOT, env))
            rows.append((f"`book preview` ×{factor}", f"{t_big_preview:.2f} s",
                         f"{t_big_preview / one_pass:.2f} × one pass of the seed book", "≤ 1.5",
                         t_big_preview / one_pass <= 1.5))
            # One sentence added to a chapter in the middle of the big book: the whole PDF again (spliced),
            # against one bare pass over the big book; Python's peak of that build (pikepdf holds the PDF).
            big_pass = median_of(args.runs, lambda big=big: one_pass_time(big))
            middle = sorted((big / "excerpts").glob("000_*.txt"))[factor // 2]
            big_edits = []
            for i in range(args.runs):
                text = middle.read_text(encoding="utf-8")
                middle.write_text(text.replace("牛顿下降\n", f"牛顿下降\n补充的第{i + 1}句话。\n", 1), encoding="utf-8")
                started = time.perf_counter()
                edit_peak = python_peak_mb(big, ["pdf", "-q"])
                big_edits.append((time.perf_counter() - started, edit_peak))
            t_big_edit = statistics.median(t for t, _ in big_edits)
            edit_peak = max(m for _, m in big_edits)
            rows.append((f"one edit ×{factor} (one sentence)", f"{t_big_edit:.2f} s",
                         f"{t_big_edit / big_pass:.2f} × one pass of the ×{factor} book ({big_pass:.1f} s); "
                         f"Python peak {edit_peak:.0f} MB", "≤ 0.5; < 300 MB",
                         t_big_edit / big_pass <= 0.5 and edit_peak < 300))
            ratio = (t_big / big_pages) / per_page
            rows.append((f"scale ×{factor} ({big_pages} pages)", f"{t_big:.1f} s",
                         f"{ratio:.2f} × seed time per page; Python peak {peak:.0f} MB", "≤ 1.25; < 300 MB",
                         ratio <= 1.25 and peak < 300))
            if factor == VOLUMES_SCALE:
                rows.append(volumes_row(big, t_big, max(1, args.runs - 1), env))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print_rows(rows, args.runs, f"; seed book {n_pages} pages")


def print_rows(rows: list[tuple], runs: int, about: str) -> None:
    print(f"\nbook benchmark — {time.strftime('%Y-%m-%d')} — {platform.platform()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; medians of {runs} runs{about}\n")
    print("| case | time | measured | target | met |")
    print("|---|---|---|---|---|")
    for name, t, measured, target, ok in rows:
        print(f"| {name} | {t} | {measured} | {target} | {'yes' if ok else 'NO'} |")


if __name__ == "__main__":
    main()
