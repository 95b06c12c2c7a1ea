"""One TeX driver for every document made of the book (the book, a volume, a preview): its sources written, TeX
run (or the changed chapters spliced in), a failure mapped back to the posts, what TeX rejected set as source, and
TeX run again, until it succeeds or nothing in the input explains the failure."""
from __future__ import annotations

import dataclasses
import json
import re
import threading
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Union

from builder.build.chapters import pass_time_limit
from builder.build.diagnosis import Diagnosis, Verdicts
from builder.build.options import BuildFailed, Options, say
from builder.build.stamps import BuildState
from builder.config.settings import Config
from builder.model.book import Book
from builder.model.content import Location
from builder.model.diagnostics import Diagnostic
from builder.tex import splice
from builder.tex.log import TexResult
from builder.tex.passes import run_tex
from builder.tex.sandbox import MAX_PASSES, discard_cut_files, start_clean_if_interrupted
from builder.util.printable import printable
from builder.util.progress import Progress

# Each chapter's warnings from the rendering that made its file (post id -> warnings).
ChapterWarnings = dict[str, list[Diagnostic]]


@dataclass
class Document:
    """A document TeX makes of the book, and how its sources are written."""

    work: Path  # TeX's folder
    jobname: str
    shown: str  # the PDF as messages name it (build/book.pdf)
    book: Book  # what it holds: its parts and chapters
    write: Callable[[], ChapterWarnings]  # its sources for the verdicts as they are now; the chapters' warnings
    splice: Optional[Callable[[], Optional[splice.Spliced]]] = None  # the spliced PDF, when only chapters changed
    max_passes: int = MAX_PASSES  # 1: a preview (one pass, the book's own numbers)


class TexDriver:
    """Runs documents of one book: its model, its config and options, TeX's verdicts (shared by the documents of
    one command; `lock` when they are built side by side: the chapter files, the verdicts and the formula check
    are one at a time)."""

    def __init__(self, book: Book, cfg: Config, opts: Options, state: BuildState, verdicts: Verdicts,
                 lock: Optional[threading.RLock] = None) -> None:
        self.book, self.cfg, self.opts, self.state, self.verdicts = book, cfg, opts, state, verdicts
        self.lock = lock

    def typeset(self, doc: Document) -> Union[TexResult, splice.Spliced]:
        cfg, opts, work = self.cfg, self.opts, doc.work
        limit = pass_time_limit(cfg, opts)
        diagnose = Diagnosis(self.book, cfg, self.verdicts, lambda message: say(opts, message), opts.channel.add,
                             limit, scope=doc.book)
        mine = [c.post.id for c in doc.book.chapters()]
        warnings: ChapterWarnings = {}  # each chapter's, from its latest rendering
        discarded_before = False  # the last failed run left files cut short (they were discarded)
        tried_splice = False
        shown_work = work.relative_to(cfg.root)
        while True:
            with self.lock or nullcontext():
                fresh = doc.write()
            warnings.update(fresh)
            found_now = [w for pid in mine for w in fresh.get(pid, [])]
            if opts.strict and found_now:
                opts.channel.extend(found_now)
                raise BuildFailed(f"{len(found_now)} formula warning(s) and --strict")
            for note in start_clean_if_interrupted(work, doc.jobname):
                say(opts, f"{shown_work}: {note}")
            for name in discard_cut_files(work, doc.jobname):  # a crash with no marker left (the machine stopped)
                say(opts, f"{shown_work / name}: a line of it was cut short; discarded, so that the next pass "
                          "writes it afresh")
            if doc.splice is not None and not tried_splice and not opts.always_make:
                tried_splice = True  # only chapters changed: set them alone, splice them in
                spliced = doc.splice()
                if spliced is not None:
                    result: Union[TexResult, splice.Spliced] = spliced
                    break
            if doc.splice is not None:
                splice.forget(work)
            tex = run_tex(work, doc.jobname, [cfg.chapters_dir], limit, force=opts.always_make,
                          progress=Progress(out=opts.out, quiet=opts.quiet), max_passes=doc.max_passes)
            if tex.ok:
                result = tex
                break
            self._report_failure(tex, diagnose, doc, limit)
            with self.lock or nullcontext():  # the formula check has one folder (build/probe)
                found = 0 if opts.strict or tex.timed_out else diagnose(tex, work)
                self.verdicts.save()
            for name in tex.discarded:
                say(opts, f"{shown_work / name}: cut short by the failed pass; discarded, so that the next pass "
                          "writes it afresh")
            if not found and tex.discarded and not discarded_before:
                discarded_before = True  # new information: once more, without them (twice in a row: not the cause)
                continue
            discarded_before = False
            if not found:
                self.state.save()
                raise BuildFailed(f"TeX failed; the previous {doc.shown} (if any) was left in place. "
                                  f"Full log: {shown_work / (doc.jobname + '.log')}")
            say(opts, f"TeX rejected {found} formula(s) or block(s); building again with them set as source")
        # Each chapter's warnings from the rendering that made the document, once, in book order.
        opts.channel.extend(w for pid in mine for w in warnings.get(pid, []))
        opts.channel.extend(missing_glyphs(doc.book, result.log))
        opts.channel.extend(scaled_formulas(doc.book, result.log))
        return result

    def _report_failure(self, result: TexResult, diagnose: Diagnosis, doc: Document, limit: float) -> None:
        """TeX's errors, each at the dump and line of what caused it where that can be found."""
        channel, work = self.opts.channel, doc.work
        places = result.error_places[:10] or [(s, n, m, ".tex") for s, n, m in result.errors[:10]]
        for stem, line, msg, ext in places:
            if stem:
                where = diagnose.where(stem, line, ext, work) or self.source_of(stem, doc)
                channel.add(Diagnostic(where, f"TeX: {msg} (in {stem}{ext}:{line})", "error"))
            elif result.pdf_failed:  # after TeX: the page it was writing is what can be said
                channel.add(Diagnostic(self._file(work / f"{doc.jobname}.xdv"),
                                       f"{msg} (writing PDF page {result.last_page + 1})", "error"))
            else:  # only on the terminal (a fatal error): the file TeX was reading names the post
                channel.add(Diagnostic(self.source_of(result.last_file, doc),
                                       f"TeX: {msg} (while reading {result.last_file or doc.jobname}.tex)", "error"))
        if result.timed_out:
            channel.add(Diagnostic(self.source_of(result.last_file, doc), f"a TeX pass did not finish within "
                                   f"{limit:.0f} s (while reading {result.last_file or doc.jobname}.tex); stopped, "
                                   "with everything it started", "error"))

    def source_of(self, stem: str, doc: Document) -> Location:
        """Where a TeX file comes from: the post of a chapter file, else the document's own file."""
        for chapter in self.book.chapters():
            if chapter.post.id == stem:
                return chapter.post.loc
        return self._file(doc.work / f"{doc.jobname}.tex")

    def _file(self, path: Path) -> Location:
        return Location(printable(str(path.relative_to(self.cfg.root))), 0)


MISSING_GLYPH_RE = re.compile(r"Missing character: There is no (.+?) \(U\+([0-9A-Fa-f]+)\)")


def missing_glyphs(book: Book, log: str) -> list[Diagnostic]:
    """A character no installed font has: where it is, since the PDF shows a gap there."""
    missing = {chr(int(code, 16)) for _, code in MISSING_GLYPH_RE.findall(log)}
    blocks = [b for c in book.chapters() for b in c.post.blocks]
    found = []
    for ch in sorted(missing):
        # A formula is the likelier culprit (math fonts cover little), so look there first.
        in_math = [b for b in blocks if any(ch in f.source for f in b.formulas())]
        anywhere = [b for b in blocks if ch in json.dumps(dataclasses.asdict(b), ensure_ascii=False)]
        where = (in_math or anywhere)[0].loc if (in_math or anywhere) else Location("build/tex/book.log", 0)
        found.append(Diagnostic(where, f"character U+{ord(ch):04X} {ch!r} is in no installed font; it is missing "
                                       "from the PDF (add a font to fonts.fallback)"))
    return found


SCALED_RE = re.compile(r"sciblog: formula scaled to fit: ([^:\s]+):(\d+)")


def scaled_formulas(book: Book, log: str) -> list[Diagnostic]:
    """A one-line display wider than the text, with nowhere to break it: TeX scaled it down."""
    posts = {c.post.id: c.post for c in book.chapters()}
    found = []
    for post_id, index in dict.fromkeys(SCALED_RE.findall(log)):
        post = posts.get(post_id)
        where = post.blocks[int(index)].loc if post and int(index) < len(post.blocks) else Location(post_id, 0)
        found.append(Diagnostic(where, "display formula wider than the text, scaled down to fit "
                                       f"(post {post_id}); consider breaking it with aligned"))
    return found
