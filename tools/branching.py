"""Regenerate builder/mathtex/branching.json: how many times TeX typesets an argument of each command.

    python tools/branching.py

\\phantom, \\smash, \\text and friends typeset their argument once per math style (\\mathchoice): nested,
the work grows as 4^depth, and \\phantom nested 14 deep keeps TeX busy for hours. This counts it instead of
guessing from package sources: every command of the MathJax table that takes an argument is typeset by the
book's own parser, renderer and preamble with a counting macro in one argument at a time; the count is
how many times TeX ran it. Commands that run an argument more than once are recorded (the formula parser
bounds the product along any nesting path). Needs TeX (`make deps`).
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "builder" / "mathtex" / "branching.json"
TICK = r"\maltese"  # a symbol the parser passes through unchanged; replaced by the counter in the LaTeX
COUNT_RE = re.compile(r"^SBTICKS (\d+) (\d+)$", re.M)


def braced_groups(sample: str) -> list[tuple[int, int]]:
    """(start, end) of the top-level braced groups after the command name, contents only."""
    spans, depth, start = [], 0, 0
    for i, ch in enumerate(sample):
        if ch == "{" and (i == 0 or sample[i - 1] != "\\"):
            if depth == 0:
                start = i + 1
            depth += 1
        elif ch == "}" and (i == 0 or sample[i - 1] != "\\"):
            depth -= 1
            if depth == 0:
                spans.append((start, i))
    return spans


def cases() -> list[tuple[str, str]]:
    from builder.mathtex import formula as mformula
    from builder.model.book import Post
    from builder.render.latex.chapter import inline_tex

    table = json.loads((ROOT / "builder" / "mathtex" / "mathjax_table.json").read_text(encoding="utf-8"))
    post = Post(id="p", title="p", date=None, readers=None, author=None, blocks=[], loc=None)
    out = []
    for name, entry in table["commands"].items():
        sample = entry.get("sample")
        if not entry.get("args") or not sample or entry.get("tex_error"):
            continue
        for start, end in braced_groups(sample):
            parsed = mformula.parse(sample[:start] + TICK + sample[end:], display=False)
            if parsed.ok:
                out.append((name, inline_tex(post, parsed).replace(TICK, r"\sbtick{}")))
    return out


def main() -> None:
    from builder.config.loading import load
    from builder.render.latex.assembly import render_preamble
    from builder.tex.sandbox import tex_environment

    items = cases()
    body = [r"\newcount\sbticks \def\sbtick{\global\advance\sbticks1 x}", r"\begin{document}"]
    for k, (_, tex) in enumerate(items):
        body.append(r"\global\sbticks=0 {" + tex + r"}\par\immediate\write16{SBTICKS " + str(k) + r" \the\sbticks}")
    body.append(r"\end{document}")
    preamble = render_preamble(load(ROOT / "book.yaml"))
    with tempfile.TemporaryDirectory() as work:
        (Path(work) / "b.tex").write_text(preamble + "\n".join(body) + "\n", encoding="utf-8")
        subprocess.run(["xelatex", "-no-shell-escape", "-interaction=nonstopmode", "-no-pdf", "b.tex"], cwd=work,
                       env=tex_environment([ROOT / "builder" / "styles"]), capture_output=True, timeout=600)
        log = (Path(work) / "b.log").read_text(encoding="utf-8", errors="replace")
    factors: dict[str, int] = {}
    for k, count in COUNT_RE.findall(log):
        name = items[int(k)][0]
        if int(count) > 1:
            factors[name] = max(factors.get(name, 1), int(count))
    OUT.write_text(json.dumps(dict(sorted(factors.items())), indent=1) + "\n", encoding="utf-8")
    print(f"{len(items)} arguments of {len({n for n, _ in items})} commands typeset; "
          f"{len(factors)} run an argument more than once: {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
