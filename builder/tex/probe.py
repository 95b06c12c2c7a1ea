"""Which formulas does TeX reject? Many formulas typeset in one XeLaTeX run, each error mapped to its formula."""
from __future__ import annotations

import bisect
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from builder.tex.log import ERROR_RE
from builder.tex.sandbox import require_tex, tex_environment, xelatex_command
from builder.util import procs

JOBNAME = "probe"


@dataclass(frozen=True)
class ProbeItem:
    key: str  # whatever the caller uses to find the formula again
    tex: str  # what the book would give TeX: `$…$` inline, a display environment, or a bare command
    display: bool


# After each formula: one that cannot fail, then a check that TeX is back where it was (the document's group
# level, vertical mode): a formula whose error left a group open would otherwise swallow the next ones
# without a word. \sbprobelost is undefined on purpose: its error marks the place. Ending an (empty)
# paragraph resets TeX's count of errors, which stops the run at 100 per paragraph.
SENTINEL = (r"\setbox0=\hbox{$x$}\ifnum\currentgrouplevel=\sbprobelevel\relax\ifvmode\else\sbprobelost\fi"
            r"\else\sbprobelost\fi\noindent\par")


def _document(preamble: str, items: list[ProbeItem]) -> tuple[str, list[tuple[int, int, int]]]:
    """The probe's source and (first line, last line, item index) ranges; a sentinel, index -1-k, after item k."""
    lines = preamble.rstrip("\n").split("\n") + [r"\begin{document}", r"\hsize=\textwidth",
                                                   r"\edef\sbprobelevel{\the\currentgrouplevel}"]
    ranges = []
    for k, item in enumerate(items):
        first = len(lines) + 1
        # Each formula in a box that is never shipped out: TeX checks it fully but writes no page.
        lines.append(r"\setbox0=\vbox{\noindent" if item.display else r"\setbox0=\hbox{%")
        lines.extend(item.tex.split("\n"))
        lines.append(r"\par}" if item.display else "}")
        ranges.append((first, len(lines), k))
        # A formula that cannot fail: if it does, the error before it spilled over, and the verdicts
        # of the formulas after it cannot be trusted.
        lines.append(SENTINEL)
        ranges.append((len(lines), len(lines), -1 - k))
    lines.append(r"\end{document}")
    return "\n".join(lines) + "\n", ranges


def _run(preamble: str, items: list[ProbeItem], search_dirs: list[Path], timeout: float,
         workdir: Path) -> tuple[dict[int, str], int]:
    """One XeLaTeX run: {item index: first error} for the items that failed, and how many items from the
    start have verdicts that can be trusted (all of them, unless an error spilled past a sentinel)."""
    source, ranges = _document(preamble, items)
    (workdir / f"{JOBNAME}.tex").write_text(source, encoding="utf-8")
    cmd = xelatex_command(JOBNAME, "none", first_error=False, recorder=False)
    _, _, _, timed_out = procs.run(cmd, timeout, cwd=workdir, env=tex_environment(search_dirs),
                                   stdin=subprocess.DEVNULL)
    if timed_out:
        raise ProbeTimeout(f"the formula check did not finish within {timeout:.0f} s")
    log = (workdir / f"{JOBNAME}.log").read_text(encoding="utf-8", errors="replace")
    failed: dict[int, str] = {}
    trusted = len(items)
    starts = [r[0] for r in ranges]
    for m in ERROR_RE.finditer(log):  # in the order TeX met them
        line, message = int(m.group("line")), m.group("msg").strip()
        if Path(m.group("file")).stem != JOBNAME or not ranges or line < ranges[0][0]:
            raise ProbeFailed(f"the formula check failed outside any formula: {m.group('file')}:{line}: {message}")
        _first, last, k = ranges[bisect.bisect_right(starts, line) - 1]
        if line > last:  # after the last formula (\end{document}): its sentinel already said what it could
            break
        if k >= 0:
            failed.setdefault(k, message)
            continue
        # A sentinel failed: the error of the formula before it spilled over; what follows is unknown.
        trusted = -1 - k + 1
        break
    finished = ("Output written" in log or "No pages of output" in log) and not any(
        stop in log for stop in ("(That makes 100 errors", "Emergency stop", "TeX capacity exceeded", "job aborted"))
    if not finished:
        # TeX stopped early (capacity exceeded, fatal error): what it did not reach is unknown.
        if not failed:
            raise ProbeFailed("TeX stopped before the end of the formula check")
        trusted = min(trusted, max(failed) + 1)  # the formula with the last error stopped it
    return failed, trusted


CHUNK = 2000  # formulas per run: a run that loops costs at most this many, halved until the culprit is alone

CHUNK_TIMEOUT = 120.0  # seconds for one run (2 000 formulas take a few seconds)


def probe(preamble: str, items: list[ProbeItem], search_dirs: list[Path], timeout: float = CHUNK_TIMEOUT,
          workdir: Optional[Path] = None) -> dict[str, str]:
    """{key: TeX's error} for every item TeX rejects when it stands alone; items not listed typeset.

    After an error TeX recovers and goes on, which checks every formula in one run. An error that spills
    into what follows shows as a failing sentinel; the formulas after it are checked again in a new run.
    Formulas go in chunks, each run with its own time limit: a chunk that does not finish is halved until
    the formula that keeps TeX busy is found, and rejected alone."""
    require_tex()
    scratch = None
    if workdir is None:
        scratch = tempfile.TemporaryDirectory(prefix="mathprobe-")
        workdir = Path(scratch.name)
    workdir.mkdir(parents=True, exist_ok=True)
    limit = min(timeout, CHUNK_TIMEOUT)
    try:
        chunks = [items[k:k + CHUNK] for k in range(0, len(items), CHUNK)]
        verdict: dict[str, str] = {}
        while chunks:
            pending = chunks.pop(0)
            try:
                while pending:
                    failed, trusted = _run(preamble, pending, search_dirs, limit, workdir)
                    for k, message in failed.items():
                        if k < trusted:
                            verdict[pending[k].key] = message
                    pending = pending[trusted:]
            except ProbeTimeout:
                if len(pending) == 1:
                    verdict[pending[0].key] = f"TeX did not finish typesetting it within {limit:.0f} s"
                else:
                    chunks[:0] = [pending[:len(pending) // 2], pending[len(pending) // 2:]]
        return verdict
    finally:
        if scratch is not None:
            scratch.cleanup()


class ProbeFailed(RuntimeError):
    """The check itself could not run (a preamble error, a time limit): nothing can be said of the formulas."""


class ProbeTimeout(ProbeFailed):
    """One run of the check did not finish in time."""
