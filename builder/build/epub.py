"""build/book.epub: the AST through pandoc, then finished."""
from __future__ import annotations

import datetime
import importlib.metadata
import json
import os
import re
import subprocess
import tempfile
from pathlib import Path

from builder.build import epubfinish as epubfix
from builder.build.chapters import PASS_SECONDS_BASE, PASS_SECONDS_PER_MB
from builder.build.epubfinish import finish_epub
from builder.build.figurefiles import epub_uri
from builder.build.lifecycle import Output, Rendered
from builder.build.options import BuildFailed, say
from builder.build.stamps import BuildState
from builder.config.styles import style_file
from builder.model.book import Book
from builder.model.content import Location
from builder.model.diagnostics import Diagnostic
from builder.render.epub.document import EpubRender, _str
from builder.util import procs
from builder.util.hashing import digest, file_digest

MATH_WARNING_RE = re.compile(r"Could not convert TeX math (.*?), rendering as TeX", re.S)


def pandoc_args() -> list[str]:
    # --split-level=2: one file per part page and per chapter; the nav nests chapters (h2) in parts (h1).
    return ["--from=json", "--to=epub3", "--sandbox", "--mathml", "--toc", "--toc-depth=2", "--split-level=2",
            "--epub-title-page=true"]


def pandoc_identity(path: str) -> str:
    """Which pandoc: the wheel's version and the binary's size and time (cheap, and starts no process)."""
    try:
        version = importlib.metadata.version("pypandoc_binary")
    except importlib.metadata.PackageNotFoundError:
        version = "?"
    st = os.stat(path)
    return f"{version} {path} {st.st_size} {st.st_mtime_ns}"


def build_time() -> datetime.datetime:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc)
    return datetime.datetime.now(datetime.timezone.utc)


class EpubOutput(Output):
    """build/book.epub: the book as pandoc's AST, pandoc's EPUB, then finished (epubfix.py). Formulas are
    MathML; ImageEpubOutput (mathimages.py) makes the edition whose formulas are images."""

    name = "epub"
    converter = "pandoc"
    renderer = EpubRender

    def finish(self, render: EpubRender) -> None:
        """After the whole book is rendered: work on its AST before pandoc (MathML needs none)."""

    def formula_summary(self, render: EpubRender, mathml: int) -> str:
        return f"{len(render.emitted) + render.as_source} formulas, {mathml} as MathML"

    def render(self, book: Book, state: BuildState) -> Rendered:
        import pypandoc

        cfg, opts = self.cfg, self.opts
        render = self.renderer(book, figure_uri=lambda image: epub_uri(cfg, image))
        doc = render.document(cfg)
        self.finish(render)
        opts.channel.extend(render.warnings)
        opts.channel.fail_if_strict(opts, render.warnings, "formula warning(s)")
        css = style_file(cfg, "epub.css").read_bytes()
        cover = cfg.root / cfg.cover_image if cfg.cover_image else None
        pandoc = pypandoc.get_pandoc_path()
        source_json = json.dumps(doc, ensure_ascii=False)
        # What pandoc is given, and what finishes its output: a change to the dumps, the tool or book.yaml
        # that leaves them as they were (a PDF-only style, a glossary entry) runs no pandoc.
        content = digest(source_json, *pandoc_args(), pandoc_identity(pandoc), css,
                         file_digest(cover) if cover else "", Path(epubfix.__file__).read_bytes())

        def write(tmp: Path) -> tuple[str, bool]:
            now = build_time()
            if not cfg.date:  # "empty means the build date"; the sandbox's clock would say 1970
                doc["meta"]["date"] = {"t": "MetaInlines", "c": [_str(now.strftime("%Y-%m-%d"))]}
            with tempfile.TemporaryDirectory(dir=cfg.build_dir) as scratch:
                source = Path(scratch) / "book.json"
                source.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
                say(opts, f"pandoc: writing {self.target.name} ({len(book.chapters())} chapters)")
                limit = opts.tex_timeout or PASS_SECONDS_BASE + PASS_SECONDS_PER_MB * len(source_json) / 1e6
                code, _, stderr, timed_out = procs.run([pandoc, str(source), *pandoc_args(), f"--output={tmp}"],
                                                       timeout=limit, cwd=scratch, stdin=subprocess.DEVNULL)
            if timed_out:
                raise BuildFailed(f"pandoc took more than {limit:.0f} s and was stopped; "
                                  f"build/{self.target.name} left as it was")
            failed = [m.group(1).strip() for m in MATH_WARNING_RE.finditer(stderr)]
            for tex in failed:
                where = render.formulas.get(" ".join(tex.split()), Location(f"build/{self.target.name}", 0))
                opts.channel.add(Diagnostic(where, f"pandoc could not convert the formula to MathML; shown as TeX: "
                                                   f"{tex[:80]}"))
            if code != 0 or not tmp.exists():
                raise BuildFailed(f"pandoc failed; the previous build/{self.target.name} (if any) was left in "
                                  f"place:\n{stderr.strip()[-2000:]}")
            mathml = finish_epub(tmp, css, now.strftime("%Y-%m-%dT%H:%M:%SZ"), cover, bool(render.edition))
            say(opts, f"{self.name}: {self.formula_summary(render, mathml)}")
            # A formula pandoc could not convert is worth a rebuild (and its warning) next time.
            return f"{len(book.chapters())} chapters", not failed

        return Rendered(write, content, would=f"would run pandoc: the inputs of build/{self.target.name} changed")
