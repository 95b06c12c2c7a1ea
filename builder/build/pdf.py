"""build/book.pdf: the chapters and the assembly rendered, then the TeX driver until it succeeds or nothing explains
its failure."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Optional

from builder.build.chapters import JOBNAME, pass_time_limit, verdict_stamp, write_assembly, write_chapters
from builder.build.diagnosis import Verdicts
from builder.build.lifecycle import Output, Rendered
from builder.build.options import say
from builder.build.stamps import BuildState
from builder.build.texdriver import ChapterWarnings, Document, TexDriver
from builder.model.book import Book
from builder.render.latex.chapter import toc_titles
from builder.render.latex.tocseed import seed_toc
from builder.tex import splice
from builder.tex.sandbox import clean_intermediates
from builder.util.progress import Progress


class PdfOutput(Output):
    """build/book.pdf. TeX keeps its own intermediates (passes.run_tex decides which passes to run), so the
    rendered chapters are not stamped as one content: TeX runs whenever the book's inputs changed."""

    name = "pdf"
    converter = "TeX"

    def render(self, book: Book, state: BuildState) -> Rendered:
        cfg, opts = self.cfg, self.opts
        verdicts = Verdicts.load(cfg.build_dir, verdict_stamp(cfg))
        if opts.dry_run:
            opts.channel.extend(write_chapters(book, cfg, opts, state, verdicts)[0].warnings)
            return Rendered(lambda tmp: ("", False), would="would run TeX: the inputs of build/book.pdf changed"
                            if not opts.always_make else "would run TeX from scratch (-B)")
        return Rendered(lambda tmp: self.typeset(book, state, verdicts, tmp))

    def typeset(self, book: Book, state: BuildState, verdicts: Verdicts, tmp: Path) -> tuple[str, bool]:
        """Write the chapters and run TeX, again with the formulas TeX rejected set as source; the PDF to tmp."""
        cfg, opts = self.cfg, self.opts
        work = cfg.build_dir / "tex"
        if opts.always_make:
            clean_intermediates(work, JOBNAME)

        def write() -> ChapterWarnings:
            report, _ = write_chapters(book, cfg, opts, state, verdicts)
            write_assembly(book, cfg, opts, verdicts.rejected)
            if seed_toc(work / f"{JOBNAME}.toc", book, toc_titles(book, verdicts.rejected)):
                say(opts, "contents: seeded from the book model for a two-pass build")
            return report.by_post

        document = Document(work, JOBNAME, "build/book.pdf", book, write, splice=lambda: self.try_splice(book, work))
        result = TexDriver(book, cfg, opts, state, verdicts).typeset(document)
        shutil.copyfile(result.pdf, tmp)  # what TeX rejected stays rejected (build/.tex-verdicts.json)
        splice.record(work, cfg.chapters_dir, [c.post.id for c in book.chapters()], result.log, result.pages)
        if isinstance(result, splice.Spliced):
            return (f"{result.pages} pages, {result.passes} TeX pass(es), {result.index_runs} index run(s); "
                    f"{len(result.chapters)} changed chapter(s) set with the front and back matter, spliced in"), True
        return f"{result.pages} pages, {result.passes} TeX pass(es), {result.index_runs} index run(s)", True

    def try_splice(self, book: Book, work: Path) -> Optional[splice.Spliced]:
        """The spliced PDF when only chapter files changed since the last good build and they keep their pages."""
        ids = [c.post.id for c in book.chapters()]
        changed, manifest = splice.changed_chapters(work, self.cfg.chapters_dir, ids)
        if changed is None:
            return None
        progress = Progress(out=self.opts.out, quiet=self.opts.quiet)
        try:
            limit = pass_time_limit(self.cfg, self.opts)
            return splice.splice(work, self.cfg.chapters_dir, ids, changed, manifest, limit,
                                 lambda message: say(self.opts, message), progress)
        finally:
            progress.close()
