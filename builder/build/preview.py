"""`book preview ID`: one chapter's pages in a second, numbered as in the full book, whatever the book's size."""
from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path
from typing import Optional

from builder.build.book import load_book, report_diagnostics
from builder.build.chapters import JOBNAME, verdict_stamp, write_chapters, write_styles
from builder.build.diagnosis import Verdicts
from builder.build.options import BuildFailed, Options, say
from builder.build.stamps import BuildState
from builder.build.texdriver import ChapterWarnings, Document, TexDriver
from builder.config.settings import Config
from builder.config.styles import style_dirs
from builder.mathtex.latex import label_name
from builder.model.book import Book, Chapter
from builder.render.latex.assembly import book_packages, preamble_context
from builder.render.latex.templates import template_env
from builder.render.latex.texescape import escape
from builder.tex.sandbox import require_tex
from builder.util.store import atomic_file, write_if_changed

PREVIEW = "preview"

SECONDS = 120.0  # one pass over one chapter takes a second or two


def find_chapter(book: Book, wanted: str) -> Optional[Chapter]:
    """The chapter a post id names, or `dump:line` (the post that line belongs to, as `book list` shows)."""
    chapters = book.chapters()
    for chapter in chapters:
        if chapter.post.id == wanted:
            return chapter
    path, _, line = wanted.rpartition(":")
    if not (path and line.isdigit()):
        return None
    best: Optional[tuple[int, Chapter]] = None
    for chapter in chapters:
        for loc in chapter.post.sources:
            same = loc.path == path or Path(loc.path).name == Path(path).name
            if same and loc.line <= int(line) and (best is None or loc.line > best[0]):
                best = (loc.line, chapter)
    return best[1] if best else None


def page_in_book(aux: Path, anchor: str) -> Optional[int]:
    """The page the full book's last build put the chapter's label on (its first page), from its .aux."""
    try:
        text = aux.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    found = re.search(r"\\newlabel\{" + re.escape(anchor) + r"\}\{\{[^{}]*\}\{(\d+)\}", text)
    return int(found.group(1)) if found else None


def preview(cfg: Config, opts: Options, wanted: str) -> Path:
    """Write build/preview.pdf: the chapter alone, in one XeLaTeX pass of a one-chapter document (through the
    book's TeX driver: a formula TeX rejects is found and set as source, as in the book)."""
    require_tex()
    book = load_book(cfg)
    report_diagnostics(book, opts)
    chapter = find_chapter(book, wanted)
    if chapter is None:
        raise BuildFailed(f"no post '{wanted}': give a post id or dump:line, as `book list` prints them")
    part = next(p for p in book.parts if chapter in p.chapters)
    state = BuildState.load(cfg.build_dir)
    verdicts = Verdicts.load(cfg.build_dir, verdict_stamp(cfg))
    work = cfg.build_dir / "tex"
    anchor = label_name(chapter.post.id, "chapter")
    pages: list[int] = []  # the chapter's first page in the book, once known

    def write() -> ChapterWarnings:
        report, _ = write_chapters(book, cfg, opts, state, verdicts, only={chapter.post.id})
        state.save()
        write_styles(cfg)  # (the assembly file, book.tex, is the full build's: not needed here)
        page = page_in_book(work / f"{chapter.post.id}.aux", anchor) if (work / f"{JOBNAME}.aux").exists() else None
        if page is None:
            if not pages:
                say(opts, "preview: the book has not been built yet (or not with this chapter): its page numbers "
                          "start at 1 and references to other chapters show ??; `book pdf` once makes them right")
            (work / f"{PREVIEW}.aux").unlink(missing_ok=True)
        else:  # every label of the book, as the last full build left them
            shutil.copyfile(work / f"{JOBNAME}.aux", work / f"{PREVIEW}.aux")
        pages[:] = [page or 1]
        source = template_env(style_dirs(cfg)).get_template("preview.tex.jinja").render(
            **preamble_context(cfg, book_packages(book)), first_page=page or 1, chapter_before=chapter.number - 1,
            part_title=escape(part.title), file=chapter.post.id)
        write_if_changed(work / f"{PREVIEW}.tex", source)
        return report.by_post

    alone = Book(book.title, book.author, book.language, (dataclasses.replace(part, chapters=(chapter,)),))
    document = Document(work, PREVIEW, "build/preview.pdf", alone, write, max_passes=1)
    result = TexDriver(book, cfg, opts, state, verdicts).typeset(document)
    target = cfg.build_dir / "preview.pdf"
    with atomic_file(target) as tmp:
        shutil.copyfile(result.pdf, tmp)
    first = pages[0] if pages else 1
    say(opts, f"wrote {target.relative_to(cfg.root)}: 第{chapter.number}章 {chapter.post.display_title}, "
              f"pages {first}–{first + result.pages - 1} of the book")
    return target


def watch_preview(cfg: Config, opts: Options, wanted: str, stop=None, poll: float = 0.3) -> int:
    """Preview, then again on every save of the post's dump (or book.yaml); Ctrl-C stops."""
    import threading

    stop = stop or threading.Event()

    def sources() -> list[Path]:
        files = [cfg.path]
        try:
            chapter = find_chapter(load_book(cfg), wanted)
        except Exception:  # a dump half-saved: look again at the next change
            chapter = None
        if chapter is not None:
            files += [cfg.root / loc.path for loc in chapter.post.sources]
        return files

    def stamp(files: list[Path]) -> list:
        return [(f, f.stat().st_mtime_ns) if f.exists() else (f, None) for f in files]

    def once() -> None:
        try:
            preview(cfg, opts, wanted)
        except BuildFailed as exc:
            print(f"error: {exc}", file=opts.out, flush=True)

    once()
    watched = sources()
    seen = stamp(watched)
    say(opts, f"watching {', '.join(str(f.relative_to(cfg.root)) for f in watched)}; Ctrl-C stops")
    while not stop.wait(poll):
        now = stamp(watched)
        if now != seen:
            once()
            watched = sources()
            seen = stamp(watched)
    return 0
