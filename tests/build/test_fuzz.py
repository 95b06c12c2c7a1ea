"""Property tests: any text parses (posts or a message, never an exception); any escaped string compiles."""
from __future__ import annotations

import subprocess

from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder.render.latex.texescape import escape
from builder.tex.sandbox import tex_environment

PRINTABLE = st.characters(min_codepoint=0x20, max_codepoint=0x7e) | st.sampled_from(
    list("中文的公式，。：；？！（）《》“”、—…　αβ·×") + ["\t", "\u00a0"])


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(strings=st.lists(st.text(PRINTABLE, min_size=1, max_size=60), min_size=40, max_size=40))
def test_every_escaped_string_compiles(tmp_path_factory, require_tex, strings):
    """Forty strings per document, so the property costs three XeLaTeX runs, not a hundred."""
    work = tmp_path_factory.mktemp("escape")
    body = "\n".join(f"\\par {i}: {escape(s)}" for i, s in enumerate(strings))
    # The book's own preamble lines for fonts, so the test sees what the book sees.
    preamble = (ROOT / "tests" / "golden" / "book.tex").read_text(encoding="utf-8")
    fonts = "\n".join(l for l in preamble.splitlines() if l.startswith(("\\setCJK", "\\xeCJK")))
    (work / "doc.tex").write_text(
        "\\documentclass[fontset=none]{ctexart}\n" + fonts + "\n"
        "\\begin{document}\n" + body + "\n\\end{document}\n", encoding="utf-8")
    proc = subprocess.run(["xelatex", "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
                          cwd=work, env=tex_environment([]), capture_output=True, text=True, timeout=120)
    log = (work / "doc.log").read_text(errors="replace")
    assert proc.returncode == 0, log[-2000:]
    assert "Missing character" not in log
    text = subprocess.run(["pdftotext", str(work / "doc.pdf"), "-"], capture_output=True, text=True).stdout
    for s in strings:
        letters = [c for c in s if c.isalnum() and c.isascii()]
        for c in letters[:3]:
            assert c in text
