"""Running TeX safely: the sandbox (environment, time limits, cut files) and the log read back to posts."""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Literal

# Files TeX writes that change from pass to pass; removed for a cold build (.fdb_latexmk: left by older versions).
INTERMEDIATES = (".aux", ".toc", ".idx", ".ind", ".ilg", ".out", ".passes", ".fdb_latexmk", ".fls", ".xdv", ".log",
                 ".pdf")


class TexMissing(Exception):
    pass


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


MAX_PASSES = 6  # a document still changing after this many passes never settles (a reference that moves its page)


def xelatex_command(jobname: str, pdf: Literal["piped", "quiet", "none"] = "piped", first_error: bool = True,
                    recorder: bool = True) -> list[str]:
    """The one XeLaTeX command line: no shell escape, no stop to ask, errors as file:line. `pdf`: "piped" has
    XeLaTeX pipe its pages to xdvipdfmx as it ships them (the PDF is written on the second core while TeX
    typesets; not quiet: the pages it has written name where it failed), "quiet" is XeLaTeX's own default
    driver, "none" writes only the .xdv (a pass whose PDF would be thrown away). `first_error`: stop at it (a
    book); else go on (the formula check and the formula images want every error of a run). `recorder`: list
    the files read and written (.fls), which the pass driver compares."""
    cmd = ["xelatex", "-no-shell-escape", "-interaction=nonstopmode"]
    cmd += ["-halt-on-error"] if first_error else []
    cmd += ["-file-line-error"] + (["-recorder"] if recorder else [])
    cmd += {"piped": ["-output-driver=xdvipdfmx -E"], "quiet": [], "none": ["-no-pdf"]}[pdf]
    return cmd + [f"{jobname}.tex"]
