"""The PDF: chapters and the assembly rendered, then XeLaTeX until it succeeds or nothing explains its failure."""
from __future__ import annotations

import dataclasses
import json
import re
import shutil
from pathlib import Path

from builder.build.chapters import (
    JOBNAME,
    pass_time_limit,
    print_warnings,
    verdict_stamp,
    write_assembly,
    write_chapters,
)
from builder.build.diagnosis import Diagnosis, Verdicts
from builder.build.lifecycle import Output, Rendered
from builder.build.options import BuildFailed, Options, say
from builder.build.stamps import BuildState
from builder.config.settings import Config
from builder.model.book import Book
from builder.render.latex.chapter import RenderReport, toc_titles
from builder.render.latex.tocseed import seed_toc
from builder.tex import splice
from builder.tex.passes import run_tex
from builder.tex.sandbox import (
    clean_intermediates,
    discard_cut_files,
    start_clean_if_interrupted,
)
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
            print_warnings(write_chapters(book, cfg, opts, state, verdicts)[0], opts)
            return Rendered(lambda tmp: ("", False), would="would run TeX: the inputs of build/book.pdf changed"
                            if not opts.always_make else "would run TeX from scratch (-B)")
        return Rendered(lambda tmp: self.typeset(book, state, verdicts, tmp))

    def typeset(self, book: Book, state: BuildState, verdicts: Verdicts, tmp: Path) -> tuple[str, bool]:
        """Write the chapters and run TeX, again with the formulas TeX rejected set as source; the PDF to tmp."""
        cfg, opts = self.cfg, self.opts
        work = cfg.build_dir / "tex"
        if opts.always_make:
            clean_intermediates(work, JOBNAME)
        diagnose = Diagnosis(book, cfg, verdicts, opts.out, pass_time_limit(cfg, opts))
        warnings: dict[str, list] = {}  # post id -> the warnings of its latest rendering
        discarded_before = False  # the last failed run left files cut short (they were discarded)
        tried_splice = False
        while True:  # until TeX succeeds, or fails in a way nothing in the input explains
            report, _ = write_chapters(book, cfg, opts, state, verdicts)
            warnings.update(report.by_post)
            if opts.strict and report.warnings:
                print_warnings(report, opts)
                raise BuildFailed(f"{len(report.warnings)} formula warning(s) and --strict")
            work = write_assembly(book, cfg, opts, verdicts.rejected)
            if seed_toc(work / f"{JOBNAME}.toc", book, toc_titles(book, verdicts.rejected)):
                say(opts, "contents: seeded from the book model for a two-pass build")
            for note in start_clean_if_interrupted(work, JOBNAME):
                say(opts, f"{work.relative_to(cfg.root)}: {note}")
            for name in discard_cut_files(work, JOBNAME):  # a crash with no marker left (the machine stopped)
                say(opts, f"{work.relative_to(cfg.root) / name}: a line of it was cut short; discarded, "
                          "so that the next pass writes it afresh")
            if not tried_splice and not opts.always_make:  # only chapters changed: set them alone, splice them in
                tried_splice = True
                spliced = self.try_splice(book, work)
                if spliced is not None:
                    result = spliced
                    print_warnings(RenderReport([w for c in book.chapters() for w in warnings.get(c.post.id, [])]), opts)
                    break
            splice.forget(work)
            progress = Progress(out=opts.out, quiet=opts.quiet)
            result = run_tex(work, JOBNAME, [cfg.chapters_dir], pass_time_limit(cfg, opts), progress=progress,
                             force=opts.always_make)
            if result.ok:  # each chapter's warnings from the rendering that made the book, once, in book order
                print_warnings(RenderReport([w for c in book.chapters() for w in warnings.get(c.post.id, [])]), opts)
                break
            for stem, line, msg, ext in result.error_places[:10] or [(s, n, m, ".tex") for s, n, m in result.errors[:10]]:
                if stem:
                    where = diagnose.where(stem, line, ext, work) or _source_of(book, stem, cfg)
                    print(f"{where}: error: TeX: {msg} (in {stem}{ext}:{line})", file=opts.out)
                elif result.pdf_failed:  # after TeX: the page it was writing is what can be said
                    print(f"{work.relative_to(cfg.root) / (JOBNAME + '.xdv')}: error: {msg} "
                          f"(writing PDF page {result.last_page + 1})", file=opts.out)
                else:  # only on the terminal (a fatal error): the file TeX was reading names the post
                    print(f"{_source_of(book, result.last_file, cfg)}: error: TeX: {msg} "
                          f"(while reading {result.last_file or 'book'}.tex)", file=opts.out)
            if result.timed_out:
                print(f"{_source_of(book, result.last_file, cfg)}: error: a TeX pass did not finish within "
                      f"{pass_time_limit(cfg, opts):.0f} s (while reading {result.last_file or 'book'}.tex); "
                      "stopped, with everything it started", file=opts.out)
            found = 0 if opts.strict or result.timed_out else diagnose(result, work)
            verdicts.save()
            for name in result.discarded:
                say(opts, f"{work.relative_to(cfg.root) / name}: cut short by the failed pass; discarded, "
                          "so that the next pass writes it afresh")
            if not found and result.discarded and not discarded_before:
                discarded_before = True  # new information: once more, without them (twice in a row: not the cause)
                continue
            discarded_before = False
            if not found:
                state.save()
                raise BuildFailed("TeX failed; the previous build/book.pdf (if any) was left in place. "
                                  f"Full log: {work.relative_to(cfg.root) / (JOBNAME + '.log')}")
            say(opts, f"TeX rejected {found} formula(s) or block(s); building again with them set as source")
        report_missing_glyphs(book, result.log, opts)
        report_scaled_formulas(book, result.log, opts)
        shutil.copyfile(result.pdf, tmp)  # what TeX rejected stays rejected (build/.tex-verdicts.json)
        ids = [c.post.id for c in book.chapters()]
        splice.record(work, cfg.chapters_dir, ids, result.log, result.pages)
        if isinstance(result, splice.Spliced):
            return (f"{result.pages} pages, {result.passes} TeX pass(es), {result.index_runs} index run(s); "
                    f"{len(result.chapters)} changed chapter(s) set with the front and back matter, spliced in"), True
        return f"{result.pages} pages, {result.passes} TeX pass(es), {result.index_runs} index run(s)", True

    def try_splice(self, book: Book, work: Path):
        """The spliced PDF when only chapter files changed since the last good build and they keep their pages."""
        ids = [c.post.id for c in book.chapters()]
        changed, manifest = splice.changed_chapters(work, self.cfg.chapters_dir, ids)
        if changed is None:
            return None
        progress = Progress(out=self.opts.out, quiet=self.opts.quiet)
        try:
            return splice.splice(work, self.cfg.chapters_dir, ids, changed, manifest,
                                 pass_time_limit(self.cfg, self.opts), lambda message: say(self.opts, message), progress)
        finally:
            progress.close()


MISSING_GLYPH_RE = re.compile(r"Missing character: There is no (.+?) \(U\+([0-9A-Fa-f]+)\)")


def report_missing_glyphs(book: Book, log: str, opts: Options) -> None:
    """A character no installed font has: say where it is, since the PDF shows a gap there."""
    missing = {chr(int(code, 16)) for _, code in MISSING_GLYPH_RE.findall(log)}
    blocks = [b for c in book.chapters() for b in c.post.blocks]
    for ch in sorted(missing):
        # A formula is the likelier culprit (math fonts cover little), so look there first.
        in_math = [b for b in blocks if ch in getattr(b, "source", "") or any(
            ch in getattr(i, "source", "") for i in getattr(b, "inlines", ()))]
        anywhere = [b for b in blocks if ch in json.dumps(dataclasses.asdict(b), ensure_ascii=False)]
        where = str((in_math or anywhere)[0].loc) if (in_math or anywhere) else "build/tex/book.log"
        print(f"{where}: warning: character U+{ord(ch):04X} {ch!r} is in no installed font; "
              f"it is missing from the PDF (add a font to fonts.fallback)", file=opts.out)


SCALED_RE = re.compile(r"sciblog: formula scaled to fit: ([^:\s]+):(\d+)")


def report_scaled_formulas(book: Book, log: str, opts: Options) -> None:
    posts = {c.post.id: c.post for c in book.chapters()}
    for post_id, index in dict.fromkeys(SCALED_RE.findall(log)):
        post = posts.get(post_id)
        where = str(post.blocks[int(index)].loc) if post and int(index) < len(post.blocks) else post_id
        print(f"{where}: warning: display formula wider than the text, scaled down to fit "
              f"(post {post_id}); consider breaking it with aligned", file=opts.out)


def _source_of(book: Book, stem: str, cfg: Config) -> str:
    for chapter in book.chapters():
        if chapter.post.id == stem:
            return str(chapter.post.loc)
    return str(cfg.build_dir.relative_to(cfg.root) / "tex" / f"{JOBNAME}.tex")
