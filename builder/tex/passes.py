"""XeLaTeX passes and makeindex driven directly: rerun until the files TeX reads back settle, as latexmk would."""
from __future__ import annotations

import hashlib
import os
import queue
import re
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from builder.tex.log import (
    PAGES_RE,
    SHIPPED_RE,
    STDOUT_TAIL,
    TexResult,
    error_places,
    last_opened_file,
    parse_errors,
    terminal_errors,
)
from builder.tex.sandbox import (
    MAX_PASSES,
    RUNNING_MARKER,
    clean_intermediates,
    discard_cut_files,
    require_tex,
    tex_environment,
    xelatex_command,
)
from builder.util.procs import Child
from builder.util.progress import Progress
from builder.util.store import Store

# Files a pass writes and the next one reads back: when none changed over a pass, that pass was the last.
SETTLING = (".aux", ".toc", ".out", ".ind")

STATE_SUFFIX = ".passes"  # what the last successful run read (its inputs), and the .idx the .ind was sorted from


# The last page's number changes while the index first appears; nothing reads it back but the page count.
ABSPAGE_LAST = b"\\gdef \\@abspage@last"


def makeindex_command(jobname: str) -> list[str]:
    return ["makeindex", "-q", "-s", "sciblog.ist", "-o", f"{jobname}.ind", f"{jobname}.idx"]


def xdvipdfmx_command(jobname: str) -> list[str]:
    return ["xdvipdfmx", "-E", "-o", f"{jobname}.pdf", f"{jobname}.xdv"]


@dataclass
class Step:
    """One child's run: exit code, whether the time limit stopped it, its last lines (TeX's on stdout, the PDF
    driver's on stderr), the last page TeX shipped out and the last page xdvipdfmx finished."""

    code: int = 0
    timed_out: bool = False
    tail: list[str] = field(default_factory=list)
    driver_tail: list[str] = field(default_factory=list)
    page: int = 0
    driver_page: int = 0
    driver: bool = False  # the step was xdvipdfmx itself

    @property
    def pdf_failed(self) -> bool:
        if self.driver and self.code != 0 and not self.timed_out:
            return True
        return any("xdvipdfmx:fatal" in line for line in self.tail + self.driver_tail) \
            or any(DRIVER_FAILED in line for line in self.tail)


DRIVER_FAILED = "(driver return code) generating output"  # XeLaTeX's words when xdvipdfmx failed under it

DRIVER_PAGE_RE = re.compile(r"\[(\d+)\]")  # xdvipdfmx prints [1][2]… as it finishes each page

DRIVER_PROGRESS_RE = re.compile(r"^(?:\[\d+\])*(?:\[\d*)?")


def run_step(cmd: list[str], workdir: Path, env: dict[str, str], timeout: float, progress: Progress,
             label: str = "") -> Step:
    """Run cmd within `timeout` seconds, its output read as it comes; with a label, a progress line with the page."""
    step = Step()
    if label:
        progress.start(label)
    child = Child(cmd, cwd=workdir, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                  stderr=subprocess.PIPE)
    try:
        lines: queue.Queue = queue.Queue()
        for stream in (child.proc.stdout, child.proc.stderr):
            threading.Thread(target=_pump, args=(stream, lines), daemon=True).start()
        deadline = time.monotonic() + timeout
        open_streams = 2
        while open_streams:
            try:
                stream, line = lines.get(timeout=1.0)
            except queue.Empty:
                stream, line = None, ""
            if line is None:
                open_streams -= 1
                continue
            if time.monotonic() > deadline:
                step.timed_out = True
                child.kill()
                break
            if line and stream is child.proc.stdout:
                step.tail = (step.tail + [line])[-STDOUT_TAIL:]
                step.page = max([step.page] + [int(m.group(1)) for m in SHIPPED_RE.finditer(line)])
            elif line:
                step.driver_page = max([step.driver_page] + [int(m.group(1)) for m in DRIVER_PAGE_RE.finditer(line)])
                said = DRIVER_PROGRESS_RE.sub("", line)  # what follows `[1][2` on the line: a message
                step.driver_tail = (step.driver_tail + [said])[-STDOUT_TAIL:] if said.strip() else step.driver_tail
            if label:
                progress.update(f"page {step.page}")
        step.code = child.wait()
    finally:
        child.close()
    return step


def _pump(stream, lines: queue.Queue) -> None:
    for raw in iter(stream.readline, b""):
        lines.put((stream, raw.decode("utf-8", errors="replace")))
    lines.put((stream, None))


def readback_digest(path: Path) -> Optional[str]:
    """The digest of a file TeX reads back (None: no such file); an .aux without its \\@abspage@last line,
    which only counts pages."""
    try:
        data = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        return None
    if path.suffix == ".aux" and ABSPAGE_LAST in data:
        data = b"\n".join(line for line in data.split(b"\n") if not line.startswith(ABSPAGE_LAST))
    return hashlib.md5(data).hexdigest()


def recorded(workdir: Path, jobname: str) -> tuple[list[Path], set[Path]]:
    """The files the last pass read (in order, once each) and wrote, from its .fls (TeX's -recorder)."""
    try:
        text = (workdir / f"{jobname}.fls").read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return [], set()
    read: dict[str, None] = {}  # names as TeX wrote them (thousands of lines, a few hundred names)
    written: set[str] = set()
    for line in text.splitlines():
        if line.startswith("INPUT "):
            read.setdefault(line[6:], None)
        elif line.startswith("OUTPUT "):
            written.add(line[7:])
    base = str(workdir)
    paths = {name: Path(os.path.normpath(os.path.join(base, name))) for name in set(read) | written if name}
    return [paths[name] for name in read if name], {paths[name] for name in written if name}


def settling_files(workdir: Path, jobname: str) -> dict[str, Optional[str]]:
    """Digests of the files TeX reads back: the job's .aux/.toc/.out/.ind, every .aux of the work folder (one per
    \\include'd file) and whatever else the last pass both read and wrote."""
    paths = {workdir / f"{jobname}{ext}" for ext in SETTLING} | set(workdir.glob("*.aux"))
    read, written = recorded(workdir, jobname)
    paths |= {p for p in read if p in written and p.suffix not in (".log", ".fls")}
    return {p.name if p.parent == workdir else str(p): readback_digest(p) for p in sorted(paths)}


def input_stamps(workdir: Path, jobname: str, own: list[Path]) -> dict[str, str]:
    """What the last pass read: the book's own files by content, TeX's installed files by size and time."""
    stamps = {}
    for path in recorded(workdir, jobname)[0]:
        if any(path.is_relative_to(d) for d in own):
            stamps[str(path)] = readback_digest(path) or "missing"
        else:
            try:
                st = path.stat()
                stamps[str(path)] = f"{st.st_size}:{st.st_mtime_ns}"
            except OSError:
                stamps[str(path)] = "missing"
    return stamps


def _load_state(path: Path) -> dict:
    state = Store(path.parent).read(path.name)
    if not isinstance(state, dict) or not isinstance(state.get("inputs", {}), dict):
        return {}
    return state


def _save_state(path: Path, state: dict) -> None:
    Store(path.parent).write(path.name, state)


def _pdf_stamp(pdf: Path) -> Optional[str]:
    try:
        st = pdf.stat()
    except OSError:
        return None
    return f"{st.st_size}:{st.st_mtime_ns}"


def _up_to_date(state: dict, workdir: Path, jobname: str, own: list[Path], pdf: Path) -> bool:
    """The PDF is the one the last successful run wrote, and nothing that run read has changed since."""
    inputs = state.get("inputs")
    if not inputs or state.get("pdf") != _pdf_stamp(pdf) or not (workdir / f"{jobname}.log").exists():
        return False
    for name, stamp in inputs.items():
        path = Path(name)
        if any(path.is_relative_to(d) for d in own):
            if (readback_digest(path) or "missing") != stamp:
                return False
        else:
            try:
                st = path.stat()
                if f"{st.st_size}:{st.st_mtime_ns}" != stamp:
                    return False
            except OSError:
                if stamp != "missing":
                    return False
    return True


def run_tex(workdir: Path, jobname: str, search_dirs: list[Path], timeout: float,
            progress: Optional[Progress] = None, force: bool = False, max_passes: int = MAX_PASSES) -> TexResult:
    """Compile workdir/jobname.tex: XeLaTeX passes until the files TeX reads back (.aux, .toc, .out, .ind) are
    the same after a pass as before it, makeindex whenever the .idx changed, at most MAX_PASSES passes.

    Nothing runs when the PDF is the last successful run's and nothing it read changed (unless `force`).
    `timeout` is per step (a pass, makeindex, xdvipdfmx): a long book gets as long as it needs, a stuck pass
    is stopped. A pass cut short (killed, timed out, crashed) leaves its files half-written; the marker file
    (or a line cut in two) tells the next run to start those files afresh. With `max_passes` 1 (a preview, whose
    numbers come from the book's files), one pass writes the PDF whatever it leaves changed, and no index."""
    require_tex()
    progress = progress or Progress(quiet=True)
    own = [workdir.resolve(), workdir] + [d for s in search_dirs for d in (s, s.resolve())]
    pdf = workdir / f"{jobname}.pdf"
    log_path = workdir / f"{jobname}.log"
    state_path = workdir / f"{jobname}{STATE_SUFFIX}"
    state = _load_state(state_path)
    if not force and _up_to_date(state, workdir, jobname, own, pdf):
        log = log_path.read_text(encoding="utf-8", errors="replace")
        pages = int(m.group("pages")) if (m := PAGES_RE.search(log)) else 0
        progress.close()
        return TexResult(ok=True, pdf=pdf, log=log, pages=pages, last_file=last_opened_file(log))
    state.pop("inputs", None)
    state.pop("pdf", None)
    _save_state(state_path, state)
    marker = workdir / RUNNING_MARKER
    marker.write_text(str(os.getpid()), encoding="utf-8")
    env = tex_environment(search_dirs)
    passes = index_runs = 0
    step = Step()
    failure = ""  # what went wrong outside TeX's own log (makeindex, passes that never settle)
    settled = pdf_written = False
    changed: list[str] = []
    try:
        before = settling_files(workdir, jobname)
        while not settled:
            if passes == max_passes:
                failure = (f"the document did not settle in {max_passes} XeLaTeX passes: "
                           f"{', '.join(changed) or 'its files'} changed again in the last one (a reference "
                           "that moves the page it is on?)")
                break
            passes += 1
            # A pass that starts without an .aux writes one, so it cannot be the last: its PDF would be thrown away.
            pdf_written = (workdir / f"{jobname}.aux").exists() or max_passes == 1
            label = f"xelatex pass {passes}"
            step = run_step(xelatex_command(jobname, "piped" if pdf_written else "none"), workdir, env, timeout,
                            progress, label)
            progress.finish(f"{label}: {step.page} pages")
            if step.timed_out or step.code != 0:
                break
            if max_passes == 1:
                settled = True
                break
            idx = readback_digest(workdir / f"{jobname}.idx")
            if idx is not None and (idx != state.get("idx") or not (workdir / f"{jobname}.ind").exists()):
                progress.step("makeindex: index entries changed, sorting the index")
                index_runs += 1
                made = run_step(makeindex_command(jobname), workdir, env, timeout, progress)
                if made.timed_out or made.code != 0:
                    step = made
                    failure = "" if made.timed_out else f"makeindex failed: {_ilg_tail(workdir, jobname)}"
                    break
                state["idx"] = idx
                _save_state(state_path, state)
            after = settling_files(workdir, jobname)
            changed = [name for name in sorted(set(before) | set(after)) if before.get(name) != after.get(name)]
            settled, before = not changed, after
        if settled and pdf_written:
            progress.step(f"xdvipdfmx: PDF written alongside pass {passes}")
        elif settled:  # the last pass wrote only its .xdv
            progress.start("xdvipdfmx: writing the PDF")
            step = run_step(xdvipdfmx_command(jobname), workdir, env, timeout, progress)
            step.driver = True
            progress.finish("xdvipdfmx: PDF written")
    finally:
        progress.close()
    timed_out = step.timed_out
    if timed_out:
        clean_intermediates(workdir, jobname, keep_log=True)  # the pass was cut short: its files are too
    marker.unlink(missing_ok=True)
    log = log_path.read_text(encoding="utf-8", errors="replace") if log_path.exists() else ""
    places = error_places(log)
    errors = [(stem, line, msg) for stem, line, msg, _ in places] or parse_errors(log)
    terminal = terminal_errors(step.tail + step.driver_tail)
    if step.code != 0 and not errors and terminal:
        errors = [("", 0, msg) for msg in terminal]
    if step.pdf_failed and not errors:  # xdvipdfmx stopped without its `fatal:` (a library aborted it)
        said = [line.strip() for line in step.driver_tail if "error" in line.lower() or "abort" in line.lower()]
        errors = [("", 0, said[0] if said else "xdvipdfmx failed")]
    if failure and not errors:
        errors = [("", 0, failure)]
    pages = int(m.group("pages")) if (m := PAGES_RE.search(log)) else 0
    ok = settled and step.code == 0 and not errors and not timed_out and pdf.exists()
    if ok:
        state.update(inputs=input_stamps(workdir, jobname, own), pdf=_pdf_stamp(pdf))
        _save_state(state_path, state)
    return TexResult(ok=ok, pdf=pdf, log=log, errors=errors, error_places=places, pages=pages,
                     timed_out=timed_out, passes=passes, index_runs=index_runs,
                     discarded=discard_cut_files(workdir, jobname) if not ok and not timed_out else [],
                     last_file="" if failure else last_opened_file(log),
                     pdf_failed=step.pdf_failed, last_page=step.driver_page if step.pdf_failed else step.page)


def _ilg_tail(workdir: Path, jobname: str) -> str:
    try:
        lines = (workdir / f"{jobname}.ilg").read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return "no log written"
    return " ".join(lines[-3:]) or "no log written"
