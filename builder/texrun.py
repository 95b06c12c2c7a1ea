"""Running TeX safely: latexmk + XeLaTeX + makeindex in a sandboxed work dir, log read back to posts."""
from __future__ import annotations

import os
import queue
import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from .procs import Child
from .progress import Progress

ERROR_RE = re.compile(r"^(?P<file>[^\s:][^:\n]*\.(?:tex|aux|toc|out|ind)):(?P<line>\d+): (?P<msg>.*)$", re.M)
BANG_RE = re.compile(r"^! (?P<msg>.*)$", re.M)
PAGES_RE = re.compile(r"Output written on .*?\((?P<pages>\d+) pages?")
RUN_RE = re.compile(r"Run number (\d+) of rule '([^' ]+)")
SHIPPED_RE = re.compile(r"\[(\d+)")
# Files TeX writes that change from pass to pass; removed for a cold build.
INTERMEDIATES = (".aux", ".toc", ".idx", ".ind", ".ilg", ".out", ".fdb_latexmk", ".fls", ".xdv", ".log", ".pdf")


class TexMissing(Exception):
    pass


@dataclass
class TexResult:
    ok: bool
    pdf: Path
    log: str
    errors: list[tuple[str, int, str]] = field(default_factory=list)  # (file stem, line, message)
    error_places: list[tuple[str, int, str, str]] = field(default_factory=list)  # (stem, line, message, .ext)
    pages: int = 0
    timed_out: bool = False
    passes: int = 0
    index_runs: int = 0
    discarded: list[str] = field(default_factory=list)  # files a cut-short pass left half-written, removed
    last_file: str = ""  # stem of the last .tex file TeX opened
    pdf_failed: bool = False  # xdvipdfmx, not TeX, failed
    last_page: int = 0  # the last page the failing step reported (xdvipdfmx: the page it was writing)


def require_tex() -> None:
    missing = [tool for tool in ("latexmk", "xelatex", "makeindex") if shutil.which(tool) is None]
    if missing:
        raise TexMissing("TeX tools not found: " + ", ".join(missing) + " (run `make deps`)")


def tex_environment(search_dirs: list[Path]) -> dict[str, str]:
    """No shell escape, no reading or writing outside the work dir (kpathsea's paranoid mode)."""
    env = dict(os.environ)
    env.update({
        "openin_any": "p",
        "openout_any": "p",
        "shell_escape": "f",
        "TEXINPUTS": ".:" + ":".join(str(d) + "//" for d in search_dirs) + ":",
        # A name not found in a folder makes kpathsea list the folder for a case-insensitive match: each
        # chapter's lookup in the work folder listed its thousands of files (half of a pass at 1,000 chapters).
        "texmf_casefold_search": "0",
        "max_print_line": "10000",  # one error, one log line: easier to map back
        "error_line": "254",
        "half_error_line": "238",
        "SOURCE_DATE_EPOCH": env.get("SOURCE_DATE_EPOCH", "1700000000"),
        "FORCE_SOURCE_DATE": "1",
    })
    return env


def clean_intermediates(workdir: Path, jobname: str, keep_log: bool = False) -> None:
    for ext in INTERMEDIATES:
        if not (keep_log and ext == ".log"):
            (workdir / f"{jobname}{ext}").unlink(missing_ok=True)
    for aux in workdir.glob("*.aux"):  # each \include'd chapter keeps its own
        aux.unlink()


def latexmk_command(jobname: str, force: bool) -> list[str]:
    xelatex = "xelatex -no-shell-escape -interaction=nonstopmode -halt-on-error -file-line-error %O %S"
    cmd = [
        "latexmk", "-norc", "-xelatex",
        "-e", f"$xelatex = q/{xelatex}/;",
        "-e", "$makeindex = q/makeindex -q -s sciblog.ist %O -o %D %S/;",
        "-e", "$max_repeat = 6;",
        # The last page's number changes while the index is first made; nothing else depends on it.
        "-e", r"""$hash_calc_ignore_pattern{'aux'} = '^\\\\gdef\s*\\\\[@]abspage[@]last';""",
    ]
    if force:
        cmd.append("-g")
    cmd.append(f"{jobname}.tex")
    return cmd


def run_latexmk(workdir: Path, jobname: str, search_dirs: list[Path], timeout: float,
                progress: Optional[Progress] = None, force: bool = False) -> TexResult:
    """Compile workdir/jobname.tex; latexmk decides how many passes and whether makeindex runs.

    `timeout` is per pass (TeX, makeindex or xdvipdfmx): a long book gets as long as it needs, a stuck pass
    is stopped. A pass that was cut short (killed, timed out, crashed) leaves its files half-written; the
    next run finds out (the marker file, or a line cut in two) and starts those files afresh, saying so."""
    require_tex()
    progress = progress or Progress(quiet=True)
    marker = workdir / RUNNING_MARKER
    marker.write_text(str(os.getpid()), encoding="utf-8")
    child = Child(latexmk_command(jobname, force), cwd=workdir, env=tex_environment(search_dirs),
                  stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        lines: queue.Queue = queue.Queue()
        reader = threading.Thread(target=_pump, args=(child.proc.stdout, lines), daemon=True)
        reader.start()
        deadline = time.monotonic() + timeout
        passes = index_runs = page = 0
        running: Optional[str] = None  # label of the step in progress, printed when it ends
        timed_out = False
        stdout_tail: list[str] = []  # messages TeX prints only on the terminal (a line too long for its buffer)
        while True:
            try:
                line = lines.get(timeout=1.0)
            except queue.Empty:
                line = ""
            if line is None:
                break
            if time.monotonic() > deadline:
                timed_out = True
                child.kill()
                break
            if line:
                stdout_tail = (stdout_tail + [line])[-STDOUT_TAIL:]
            run = RUN_RE.search(line)
            if run:
                deadline = time.monotonic() + timeout
                if running:
                    progress.finish(running)
                running = None
            if run and run.group(2) == "xelatex":
                passes, page = passes + 1, 0
                progress.start(f"xelatex pass {passes}")
                running = f"xelatex pass {passes}"
            elif run and run.group(2) == "makeindex":
                index_runs += 1
                progress.step("makeindex: index entries changed, sorting the index")
            elif run and run.group(2) == "xdvipdfmx":
                page = 0  # from here, the pages xdvipdfmx has written
                progress.start("xdvipdfmx: writing the PDF")
                running = "xdvipdfmx: PDF written"
            if running and running.startswith("xelatex"):
                running = f"xelatex pass {passes}: {page} pages"
            for m in SHIPPED_RE.finditer(line):
                page = max(page, int(m.group(1)))
                running = f"xelatex pass {passes}: {page} pages" if running and running.startswith("xelatex") else running
            progress.update(f"page {page}")
        if running:
            progress.finish(running)
        code = child.wait()
    finally:
        child.close()
        progress.close()
    if timed_out:
        clean_intermediates(workdir, jobname, keep_log=True)  # the pass was cut short: its files are too
    marker.unlink(missing_ok=True)
    log_path = workdir / f"{jobname}.log"
    log = log_path.read_text(encoding="utf-8", errors="replace") if log_path.exists() else ""
    places = error_places(log)
    errors = [(stem, line, msg) for stem, line, msg, _ in places] or parse_errors(log)
    terminal = terminal_errors(stdout_tail)
    if code != 0 and not errors and terminal:
        errors = [("", 0, msg) for msg in terminal]
    pages = int(m.group("pages")) if (m := PAGES_RE.search(log)) else 0
    pdf = workdir / f"{jobname}.pdf"
    ok = code == 0 and not errors and not timed_out and pdf.exists()
    return TexResult(ok=ok, pdf=pdf, log=log, errors=errors, error_places=places, pages=pages,
                     timed_out=timed_out, passes=passes, index_runs=index_runs,
                     discarded=discard_cut_files(workdir, jobname) if not ok and not timed_out else [],
                     last_file=last_opened_file(log), pdf_failed=any("xdvipdfmx:fatal" in l for l in stdout_tail),
                     last_page=page)


RUNNING_MARKER = ".tex-pass-running"
STDOUT_TAIL = 40
# Lines of TeX's own files that must be whole for the next pass to read them (a killed pass cuts them).
CUT_CHECKED = (".aux", ".toc", ".out", ".idx", ".ind")


def start_clean_if_interrupted(workdir: Path, jobname: str) -> list[str]:
    """A marker left by a run that never finished (the build was killed): its files cannot be trusted."""
    marker = workdir / RUNNING_MARKER
    if not marker.exists():
        return []
    clean_intermediates(workdir, jobname)
    marker.unlink(missing_ok=True)
    return ["the previous TeX run was interrupted before it finished; "
            "its intermediate files (.aux, .toc, .idx, …) were discarded and TeX starts afresh"]


def discard_cut_files(workdir: Path, jobname: str) -> list[str]:
    """After a failed pass: remove every intermediate whose braces do not balance (a line cut in two, which
    the next pass would fail on: `File ended while scanning use of \\@newl@bel`); their names."""
    cut = []
    chapters = [p for p in sorted(workdir.glob("*.aux")) if p.name != f"{jobname}.aux"]  # each \include's own
    for path in [workdir / f"{jobname}{ext}" for ext in CUT_CHECKED] + chapters:
        if path.exists() and not _whole(path.read_text(encoding="utf-8", errors="replace")):
            path.unlink()
            cut.append(path.name)
    return cut


def _whole(text: str) -> bool:
    """Braces balance (escaped ones aside) and the last line is ended: no line was cut in two."""
    opened = text.count("{") - text.count("\\{")
    closed = text.count("}") - text.count("\\}")
    return opened == closed and (not text or text.endswith("\n"))


TERMINAL_ERROR_RE = re.compile(r"^(?:! (?P<tex>.+)|(?P<pdf>xdvipdfmx:fatal: .+)|.*(?P<crash>Segmentation fault).*)$")


def terminal_errors(lines: list[str]) -> list[str]:
    """Errors TeX or xdvipdfmx print only on the terminal (a fatal error before the log is written)."""
    out = []
    for line in lines:
        m = TERMINAL_ERROR_RE.match(line.strip())
        if m:
            out.append((m.group("tex") or m.group("pdf") or "TeX crashed (segmentation fault)").strip())
    return out


OPENED_RE = re.compile(r"\((?P<path>[^()\s]*?(?P<stem>[^/()\s]+)\.tex)")


def last_opened_file(log: str) -> str:
    """The stem of the last .tex file TeX opened: where it was when it stopped, if nothing else says."""
    found = ""
    for m in OPENED_RE.finditer(log.replace("\n", "")):
        found = m.group("stem")
    return found


def _pump(stream, lines: queue.Queue) -> None:
    for raw in iter(stream.readline, b""):
        lines.put(raw.decode("utf-8", errors="replace"))
    lines.put(None)


def error_places(log: str) -> list[tuple[str, int, str, str]]:
    """(file stem, line, message, extension) of every `file:line: message` error in the log."""
    return [(Path(m.group("file")).stem, int(m.group("line")), m.group("msg").strip(), Path(m.group("file")).suffix)
            for m in ERROR_RE.finditer(log)]


def parse_errors(log: str) -> list[tuple[str, int, str]]:
    out = []
    for m in ERROR_RE.finditer(log):
        out.append((Path(m.group("file")).stem, int(m.group("line")), m.group("msg").strip()))
    if not out:
        out = [("", 0, m.group("msg").strip()) for m in BANG_RE.finditer(log)]
    return out


def log_problems(log: str) -> dict[str, list[str]]:
    """Lines of the log a typesetter cares about, by kind."""
    kinds = {
        "multiply defined": re.compile(r"multiply defined", re.I),
        "undefined references": re.compile(r"Reference `[^']*' on page \d+ undefined|There were undefined references"),
        "missing characters": re.compile(r"^Missing character: There is no .*$", re.M),
        "overfull boxes": re.compile(r"^Overfull \\[hv]box.*$", re.M),
    }
    return {k: r.findall(log) for k, r in kinds.items()}
