"""`book volumes`: build/volumes/<key>.pdf for each volume, a whole book of its parts, numbered as the single book."""
from __future__ import annotations

import difflib
import os
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Optional

from builder.build.book import load_book
from builder.build.chapters import JOBNAME, verdict_stamp, write_chapters, write_styles
from builder.build.diagnosis import Verdicts
from builder.build.figurefiles import TEX_FIGURES
from builder.build.lifecycle import Output, Rendered, build_output
from builder.build.options import BuildFailed, Options, say
from builder.build.stamps import BuildState, inputs_digest
from builder.build.texdriver import ChapterWarnings, Document, TexDriver
from builder.config.settings import Config
from builder.config.volumes import Volume, planned
from builder.mathtex.latex import label_name
from builder.model.book import Book, Series
from builder.model.content import Location
from builder.model.diagnostics import Diagnostic
from builder.render.latex.assembly import render_book
from builder.render.latex.chapter import RenderReport, toc_titles
from builder.render.latex.texescape import escape, url_target
from builder.render.latex.tocseed import seed_toc
from builder.series.links import elsewhere_target, find_links
from builder.tex.sandbox import (
    clean_intermediates,
)
from builder.util.hashing import digest
from builder.util.store import write_if_changed

VOLUMES_DIR = "volumes"  # under build/: the volumes' PDFs side by side (links between them are relative)


class VolumeRun:
    """What the volumes built by one command share: the book model, read once; the chapter files, written once
    (and again when TeX rejected something new); TeX's verdicts. Each volume runs TeX in a folder of its own."""

    def __init__(self, cfg: Config, volumes: list[Volume], built: list[str]):
        self.cfg, self.volumes, self.built = cfg, volumes, built
        self.lock = threading.RLock()  # the chapter files, the verdicts and the formula check: one volume at a time
        self.verdicts = Verdicts.load(cfg.build_dir, verdict_stamp(cfg))
        self.report = RenderReport()  # the warnings of the chapters rendered in this run, by post
        self._book: Optional[Book] = None
        self._written: Optional[frozenset] = None  # the rejections the chapter files were written with

    def book(self, dry_run: bool = False) -> Book:
        with self.lock:
            if self._book is None:
                self._book = load_book(self.cfg, dry_run)
            return self._book

    def chapters(self, book: Book, opts: Options, state: BuildState) -> RenderReport:
        """chapters/*.tex for the whole book (a chapter file is the same in every volume), once per verdicts."""
        with self.lock:
            now = frozenset(self.verdicts.rejected)
            if self._written != now:
                report, _ = write_chapters(book, self.cfg, opts, state, self.verdicts)
                self.report.by_post.update(report.by_post)
                self._written = now
            return self.report

    def holder(self, book: Book) -> dict[str, Volume]:
        """post id -> the volume whose parts hold its chapter."""
        by_part = {part: v for v in self.volumes for part in v.parts}
        return {c.post.id: by_part[p.key] for p in book.parts if p.key in by_part for c in p.chapters}


def volume_parts(book: Book, volume: Volume) -> tuple[Series, ...]:
    """The volume's parts that have chapters, in the book's order."""
    return tuple(p for p in book.parts if p.key in volume.parts)


class VolumeOutput(Output):
    """build/volumes/<key>.pdf: the same lifecycle as the book's PDF (stamps, atomic write, a failed build keeps
    the previous file), its own TeX folder build/volumes/<key>/tex, the chapter files shared with the book."""

    converter = "TeX"

    def __init__(self, cfg: Config, opts: Options, run: VolumeRun, volume: Volume):
        super().__init__(cfg, opts)
        self.run, self.volume = run, volume
        self.name = f"{VOLUMES_DIR}/{volume.key}"
        self.work = cfg.build_dir / VOLUMES_DIR / volume.key / "tex"

    @property
    def target(self) -> Path:
        return self.cfg.build_dir / VOLUMES_DIR / f"{self.volume.key}.pdf"

    def inputs(self) -> str:
        # Where a link to another volume leads depends on whether that volume is built too.
        return digest(inputs_digest(self.cfg, "pdf"), self.name, repr(sorted(self.run.built)))

    def load(self) -> Book:
        return self.run.book(self.opts.dry_run)

    def render(self, book: Book, state: BuildState) -> Rendered:
        if self.opts.dry_run:
            self.opts.channel.extend(self.run.chapters(book, self.opts, state).warnings)
            return Rendered(lambda tmp: ("", False), would=f"would run TeX: the inputs of {self.name}.pdf changed"
                            if not self.opts.always_make else "would run TeX from scratch (-B)")
        return Rendered(lambda tmp: self.typeset(book, state, tmp))

    def assembly(self, book: Book) -> str:
        """The volume's book.tex: the book's template given the volume's parts, with their numbers in the book,
        and where each chapter of another volume that this one cites is."""
        run, volume = self.run, self.volume
        parts = volume_parts(book, volume)
        mine = Book(book.title, book.author, book.language, parts)
        part_no = {p.key: n for n, p in enumerate(book.parts, 1)}
        counters = {p.key: rf"\setcounter{{part}}{{{part_no[p.key] - 1}}}\setcounter{{chapter}}"
                           rf"{{{p.chapters[0].number - 1}}}" for p in parts}
        holder = run.holder(book)
        ids = {c.post.id for c in mine.chapters()}
        cited = {target.post.id: target for source, _, target in find_links(book)
                 if target is not None and source.post.id in ids and target.post.id not in ids}
        lines = []
        for pid, chapter in sorted(cited.items(), key=lambda item: item[1].number):
            other = holder[pid].key
            override = self.cfg.posts.get(pid)
            where, dest = elsewhere_target(chapter, f"{other}.pdf" if other in run.built else None,
                                           (override.url if override else "") or self.cfg.blog.url)
            target = url_target(where) + (rf"\#{dest}" if dest else "") if where else ""
            lines.append(rf"\sbelsewhere{{{label_name(pid, 'chapter')}}}{{{target}}}{{{chapter.number}}}")
        title = volume.title or "、".join(p.title for p in parts)
        context = {"title": escape(title), "number": run.volumes.index(volume) + 1, "count": len(run.volumes),
                   "counters": counters, "elsewhere": "\n".join(lines)}
        return render_book(mine, self.cfg, lambda pid: pid, run.verdicts.rejected, volume=context)

    def prepare(self, book: Book) -> Path:
        """The volume's TeX folder: styles, figures (the book's), assembly and a seeded contents."""
        cfg, opts, work = self.cfg, self.opts, self.work
        write_styles(cfg, work)
        figures = work / TEX_FIGURES  # TeX reads only inside its folder: the book's figures through a link
        if not figures.is_symlink():
            os.symlink(os.path.relpath(cfg.build_dir / "tex" / TEX_FIGURES, work), figures)
        if write_if_changed(work / f"{JOBNAME}.tex", self.assembly(book)):
            say(opts, f"assembly: {work.relative_to(cfg.root)}/{JOBNAME}.tex rewritten")
        parts = volume_parts(book, self.volume)
        numbers = [book.parts.index(p) + 1 for p in parts]
        if not (work / f"{JOBNAME}.toc").exists():
            mine = Book(book.title, book.author, book.language, parts)
            seed_toc(work / f"{JOBNAME}.toc", mine, toc_titles(mine, self.run.verdicts.rejected), numbers)
        return work

    def typeset(self, book: Book, state: BuildState, tmp: Path) -> tuple[str, bool]:
        """TeX over the volume through the book's driver (again with what it rejected set as source); to tmp."""
        cfg, opts, run, work = self.cfg, self.opts, self.run, self.work
        work.mkdir(parents=True, exist_ok=True)
        if opts.always_make:
            clean_intermediates(work, JOBNAME)
        mine = Book(book.title, book.author, book.language, volume_parts(book, self.volume))

        def write() -> ChapterWarnings:
            report = run.chapters(book, opts, state)
            self.prepare(book)
            return report.by_post

        document = Document(work, JOBNAME, f"{self.name}.pdf", mine, write)
        result = TexDriver(book, cfg, opts, state, run.verdicts, run.lock).typeset(document)
        shutil.copyfile(result.pdf, tmp)
        return f"{result.pages} pages, {result.passes} TeX pass(es), {result.index_runs} index run(s)", True


def choose(volumes: list[Volume], keys: list[str], cfg: Config) -> list[Volume]:
    """The volumes named on the command line (all when none is), in book.yaml's order."""
    known = [v.key for v in volumes]
    for key in keys:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            raise BuildFailed(f"no volume '{key}' in {cfg.path.name}" + (f"; did you mean '{close[0]}'?" if close
                              else f" (its volumes: {', '.join(known)})"))
    return [v for v in volumes if not keys or v.key in keys]


def build_volumes(cfg: Config, opts: Options, keys: Optional[list[str]] = None) -> list[Path]:
    """Build the volumes named (all by default), opts.jobs at a time; the paths of their PDFs."""
    volumes = planned(cfg)
    if not volumes:
        raise BuildFailed(f"{cfg.path.name} sets no volumes (volumes: series, or a list of volumes); "
                          "`book pdf` builds the whole book")
    chosen = choose(volumes, keys or [], cfg)
    run = VolumeRun(cfg, volumes, [v.key for v in chosen])
    outputs = [VolumeOutput(cfg, opts, run, v) for v in chosen]
    state = BuildState.load(cfg.build_dir)
    order = list(outputs)
    if opts.always_make or not all(state.up_to_date(o.name, o.inputs(), o.target) for o in outputs):
        book = run.book(opts.dry_run)  # a volume whose parts have no posts has nothing to build
        for o in [o for o in outputs if not volume_parts(book, o.volume)]:
            opts.channel.add(Diagnostic(Location(cfg.path.name, 0), f"volume '{o.volume.key}' has no chapters (its "
                                        "parts have no posts); not built"))
            outputs.remove(o)
        # The largest first: side by side, the build lasts as long as its largest volume, not that plus the
        # small ones queued before it.
        order = sorted(outputs, key=lambda o: -sum(c.post.text_size() for p in volume_parts(book, o.volume)
                                                    for c in p.chapters))
    if opts.jobs > 1 and len(outputs) > 1:  # each volume's TeX is a process of its own: N run side by side
        with ThreadPoolExecutor(max_workers=opts.jobs) as pool:
            futures = {o.name: pool.submit(build_output, o, cfg, opts) for o in order}
            return [futures[o.name].result() for o in outputs]
    return [build_output(o, cfg, opts) for o in outputs]
