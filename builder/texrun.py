"""Running TeX safely: the sandbox (environment, time limits, cut files) and the log read back to posts."""
from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path


ERROR_RE = re.compile(r"^(?P<file>[^\s:][^:\n]*\.(?:tex|aux|toc|out|ind)):(?P<line>\d+): (?P<msg>.*)$", re.M)
BANG_RE = re.compile(r"^! (?P<msg>.*)$", re.M)
PAGES_RE = re.compile(r"Output written on .*?\((?P<pages>\d+) pages?")
SHIPPED_RE = re.compile(r"\[(\d+)")
# Files TeX writes that change from pass to pass; removed for a cold build (.fdb_latexmk: left by older versions).
INTERMEDIATES = (".aux", ".toc", ".idx", ".ind", ".ilg", ".out", ".passes", ".fdb_latexmk", ".fls", ".xdv", ".log",
                 ".pdf")


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
    missing = [tool for tool in ("xelatex", "xdvipdfmx", "makeindex") if shutil.which(tool) is None]
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
