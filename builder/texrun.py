"""Running TeX safely: latexmk + XeLaTeX + makeindex in a sandboxed work dir, log read back to posts."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

ERROR_RE = re.compile(r"^(?P<file>[^\s:][^:\n]*\.tex):(?P<line>\d+): (?P<msg>.*)$", re.M)
BANG_RE = re.compile(r"^! (?P<msg>.*)$", re.M)
PAGES_RE = re.compile(r"Output written on .*?\((?P<pages>\d+) pages?")


class TexMissing(Exception):
    pass


@dataclass
class TexResult:
    ok: bool
    pdf: Path
    log: str
    errors: list[tuple[str, int, str]] = field(default_factory=list)  # (file stem, line, message)
    pages: int = 0
    timed_out: bool = False


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
        "max_print_line": "10000",  # one error, one log line: easier to map back
        "error_line": "254",
        "half_error_line": "238",
        "SOURCE_DATE_EPOCH": env.get("SOURCE_DATE_EPOCH", "1700000000"),
        "FORCE_SOURCE_DATE": "1",
    })
    return env


def run_latexmk(workdir: Path, jobname: str, search_dirs: list[Path], timeout: float, quiet: bool = True,
                always: bool = False) -> TexResult:
    """Compile workdir/jobname.tex; latexmk decides how many passes and whether makeindex runs."""
    require_tex()
    xelatex = "xelatex -no-shell-escape -interaction=nonstopmode -halt-on-error -file-line-error %O %S"
    cmd = [
        "latexmk", "-norc", "-xelatex", "-silent" if quiet else "-verbose",
        "-e", f"$xelatex = q/{xelatex}/;",
        "-e", "$makeindex = q/makeindex -q -s sciblog.ist %O -o %D %S/;",
        "-e", "$max_repeat = 6;",
    ]
    if always:
        cmd.append("-g")
    cmd.append(f"{jobname}.tex")
    pdf = workdir / f"{jobname}.pdf"
    try:
        proc = subprocess.run(cmd, cwd=workdir, env=tex_environment(search_dirs), stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
        timed_out = False
        code = proc.returncode
    except subprocess.TimeoutExpired:
        timed_out, code = True, -1
    log_path = workdir / f"{jobname}.log"
    log = log_path.read_text(encoding="utf-8", errors="replace") if log_path.exists() else ""
    errors = parse_errors(log)
    pages = int(m.group("pages")) if (m := PAGES_RE.search(log)) else 0
    return TexResult(ok=code == 0 and not errors and pdf.exists(), pdf=pdf, log=log, errors=errors, pages=pages,
                     timed_out=timed_out)


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
