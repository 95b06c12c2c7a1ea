"""TeX's log read back: errors with their file and line, pages, what was opened last."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

ERROR_RE = re.compile(r"^(?P<file>[^\s:][^:\n]*\.(?:tex|aux|toc|out|ind)):(?P<line>\d+): (?P<msg>.*)$", re.M)

BANG_RE = re.compile(r"^! (?P<msg>.*)$", re.M)

PAGES_RE = re.compile(r"Output written on .*?\((?P<pages>\d+) pages?")

SHIPPED_RE = re.compile(r"\[(\d+)")


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


STDOUT_TAIL = 40

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
