"""After an edit to a few chapters, the whole PDF from one short pass: those chapters set alone and spliced in."""
from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from builder.tex.log import ERROR_RE
from builder.tex.passes import (
    STATE_SUFFIX,
    makeindex_command,
    run_step,
    xelatex_command,
)
from builder.tex.sandbox import MAX_PASSES, RUNNING_MARKER, tex_environment
from builder.util.hashing import digest, file_digest
from builder.util.progress import Progress
from builder.util.store import Store

# How it works (README, "make-style builds"): each chapter is an \include, so TeX keeps its labels, contents
# lines and closing counters in its own <id>.aux. After a build, book.inputs.json records the digest of every
# file TeX read. When only chapter files changed since, XeLaTeX runs `\includeonly{changed}` as the job
# `bookpart`: the front matter, the part pages, the index and the changed chapters, every other chapter's
# numbers taken from its .aux. When the changed chapters keep their pages (same first page, same count) and
# their headings, their pages and the front and back matter's are put in place of the old ones in the last
# PDF, keeping its outline, page labels and named destinations; otherwise the full build runs.
MANIFEST = "book.inputs.json"

PART_JOB = "bookpart"

SAFE_ID_RE = re.compile(r"[a-z0-9][a-z0-9-]*")  # ids as ingest makes them: nothing TeX reads as markup in \includeonly

WORTH_IT = 0.5  # above this share of chapters changed, a full pass is as quick


# Lines of the job's .aux about its own pages, not the book's: its page total and its page labels.
JOB_PAGES_RE = re.compile(r"^(?:\\gdef ?\\@abspage@last\{\d+\}|\\HyPL@Entry\{.*\})$", re.M)

PAGE_LABEL_RE = re.compile(r"^\\HyPL@Entry\{(\d+)<<(.*?)>>\}$", re.M)

CHAPTER_PAGE_RE = re.compile(r"\\newlabel\{([^{}]*):chapter\}\{\{[^{}]*\}\{(\d+)\}")

END_PAGE_RE = re.compile(r"\\setcounter\{page\}\{(\d+)\}")

TOC_RE = re.compile(r"^\\@writefile\{toc\}\{(.*)\{[^{}]*\}\{([^{}]*)\}\\protected@file@percent \}$", re.M)

INDEX_PAGE_RE = re.compile(r"\{([^{}]*)\}\s*$")

LOG_FACT_RE = re.compile(r"^(?:Missing character: There is no .*|.*sciblog: formula scaled to fit: \S+:\d+.*)$", re.M)

SCALED_ID_RE = re.compile(r"sciblog: formula scaled to fit: ([^:\s]+):")

MISSING_CHAR_RE = re.compile(r"Missing character: There is no (.+?) \(U\+")


@dataclass
class Spliced:
    """What the spliced build did, with the attributes of a full TeX run the PDF output reports."""

    pdf: Path
    log: str  # the short pass's log, with the last full log's facts about the chapters not set again
    pages: int
    passes: int
    index_runs: int
    chapters: list[str] = field(default_factory=list)
    ok: bool = True


def inputs_of(work: Path, chapters_dir: Path, ids: list[str]) -> dict:
    """What TeX reads for the book: the assembly, the styles in its work folder, each chapter file."""
    styles = sorted(p for p in work.iterdir() if p.suffix in (".sty", ".ist", ".cls"))
    return {"assembly": file_digest(work / "book.tex"),
            "styles": digest(*(p.name + file_digest(p) for p in styles)),
            "chapters": {pid: file_digest(chapters_dir / f"{pid}.tex") for pid in ids}}


def forget(work: Path) -> None:
    """Before a full TeX run: the record no longer describes the files (a failed run leaves them changed)."""
    (work / MANIFEST).unlink(missing_ok=True)


def record(work: Path, chapters_dir: Path, ids: list[str], log: str, pages: int) -> None:
    """After a good build: what TeX read for book.pdf, and the log's facts that a later splice keeps."""
    manifest = inputs_of(work, chapters_dir, ids)
    manifest.update(pdf=file_digest(work / "book.pdf"), pages=pages, facts=LOG_FACT_RE.findall(log))
    Store(work).write(MANIFEST, manifest)


def changed_chapters(work: Path, chapters_dir: Path, ids: list[str]) -> tuple[Optional[list[str]], dict]:
    """The chapters whose files changed since the last good build, or None when more than chapters changed."""
    try:
        manifest = Store(work).read(MANIFEST)
        if not isinstance(manifest, dict) or not isinstance(manifest.get("chapters"), dict):
            return None, {}
        now = inputs_of(work, chapters_dir, ids)
    except (OSError, ValueError):
        return None, {}
    pdf = work / "book.pdf"
    if (not pdf.exists() or manifest.get("pdf") != file_digest(pdf) or manifest.get("assembly") != now["assembly"]
            or manifest.get("styles") != now["styles"] or list(manifest.get("chapters", {})) != ids):
        return None, manifest
    if not all((work / f"{pid}.aux").exists() for pid in ids) or not (work / "book.aux").exists():
        return None, manifest
    return [pid for pid in ids if manifest["chapters"][pid] != now["chapters"][pid]], manifest


def folio_range(aux_text: str, pid: str) -> Optional[tuple[int, int]]:
    """The chapter's first page and the page after its last, as its .aux says (pages in arabic numbers)."""
    first = dict(CHAPTER_PAGE_RE.findall(aux_text)).get(pid)
    end = END_PAGE_RE.findall(aux_text)
    return (int(first), int(end[-1])) if first and end else None


def headings(aux_text: str) -> list[str]:
    """The chapter's contents lines without their page numbers: when they change, the outline does too."""
    return [m.group(1) + m.group(2) for m in TOC_RE.finditer(aux_text)]


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def _index_page(line: str) -> str:
    found = INDEX_PAGE_RE.search(line)
    return found.group(1) if found else ""


def splice(work: Path, chapters_dir: Path, ids: list[str], changed: list[str], manifest: dict,
           timeout: float, say, progress: Progress) -> Optional[Spliced]:
    """Set the changed chapters with the front and back matter, until TeX's files settle, and splice; or None."""
    if not changed:  # a dump changed, but nothing TeX reads: the last PDF is this one
        return Spliced(pdf=work / "book.pdf", log="\n".join(manifest.get("facts", [])), pages=manifest.get("pages", 0),
                       passes=0, index_runs=0)
    if len(changed) > WORTH_IT * len(ids) or not all(SAFE_ID_RE.fullmatch(pid) for pid in changed):
        return None
    auxes = {pid: _read(work / f"{pid}.aux") for pid in ids}
    ranges = {pid: folio_range(auxes[pid], pid) for pid in ids}
    if any(r is None for r in ranges.values()):
        return None
    kept_folios = {str(page) for pid in ids if pid not in changed for page in range(*(ranges[pid] or (0, 0)))}
    old_index = _read(work / "book.idx").splitlines()
    kept_index = [line for line in old_index if _index_page(line) in kept_folios]
    for ext in (".aux", ".toc", ".ind"):
        if (work / f"book{ext}").exists():
            shutil.copyfile(work / f"book{ext}", work / f"{PART_JOB}{ext}")
    # \includeonly before the class: the book's own file, unchanged, with every other chapter left out.
    only = ",".join(changed)
    (work / f"{PART_JOB}.tex").write_text(f"\\includeonly{{{only}}}\\input{{book.tex}}\n", encoding="utf-8")
    passes = index_runs = 0
    env = tex_environment([chapters_dir])
    index_now = sorted(old_index)
    marker = work / RUNNING_MARKER
    log = ""
    try:
        while True:
            if passes == MAX_PASSES:
                say(f"splice: TeX's files did not settle in {MAX_PASSES} passes; setting the whole book")
                _undo(work, auxes, changed)
                return None
            before = _settled_state(work, changed)
            if (work / "book.out").exists():  # the outline as the whole book has it (the job writes only its own)
                shutil.copyfile(work / "book.out", work / f"{PART_JOB}.out")
            passes += 1
            label = f"xelatex pass {passes}: {len(changed)} changed chapter(s) with the front and back matter"
            marker.write_text("splice", encoding="utf-8")
            step = run_step(xelatex_command(PART_JOB), work, env, timeout, progress, label)
            progress.finish(f"{label}, {step.page} pages")
            marker.unlink(missing_ok=True)
            log = _read(work / f"{PART_JOB}.log")
            if step.timed_out or step.code != 0 or ERROR_RE.search(log) or not (work / f"{PART_JOB}.pdf").exists():
                say("splice: the changed chapters did not set alone; setting the whole book")
                _undo(work, auxes, changed)
                return None
            moved = [pid for pid in changed if folio_range(_read(work / f"{pid}.aux"), pid) != ranges[pid]
                     or headings(_read(work / f"{pid}.aux")) != headings(auxes[pid])]
            if moved:  # (its pages depend on nothing a later pass changes: its first page and its own text)
                say(f"splice: chapter {moved[0]} changed its pages or headings; setting the whole book")
                _undo(work, auxes, changed)
                return None
            index = kept_index + _read(work / f"{PART_JOB}.idx").splitlines()
            if sorted(index) != index_now:  # the whole book's entries, sorted as a full build sorts them
                (work / f"{PART_JOB}.idx").write_text("".join(l + "\n" for l in index), encoding="utf-8")
                index_runs += 1
                progress.step("makeindex: index entries changed, sorting the index")
                made = run_step(makeindex_command(PART_JOB), work, env, timeout, progress)
                if made.timed_out or made.code != 0:
                    _undo(work, auxes, changed)
                    return None
                index_now = sorted(index)
            if _settled_state(work, changed) == before:
                break
        pages = _splice_pdf(work / "book.pdf", work / f"{PART_JOB}.pdf", _read(work / f"{PART_JOB}.aux"), kept_folios,
                            work / f"{PART_JOB}-book.pdf")
        if pages is None:
            say("splice: the pages around the changed chapters moved; setting the whole book")
            _undo(work, auxes, changed)
            return None
    except BaseException:
        _undo(work, auxes, changed)
        raise
    # The book's own files now describe the spliced PDF, as a full build would have left them.
    (work / "book.idx").write_text("".join(l + "\n" for l in index), encoding="utf-8")
    for ext in (".toc", ".ind"):
        if (work / f"{PART_JOB}{ext}").exists():
            shutil.copyfile(work / f"{PART_JOB}{ext}", work / f"book{ext}")
    (work / f"book{STATE_SUFFIX}").unlink(missing_ok=True)  # the full run's record describes a PDF that is gone
    (work / f"{PART_JOB}-book.pdf").replace(work / "book.pdf")
    facts = [f for f in manifest.get("facts", []) if _still_true(f, changed, chapters_dir, ids)]
    return Spliced(pdf=work / "book.pdf", log=log + "\n" + "\n".join(facts) + "\n", pages=pages, passes=passes,
                   index_runs=index_runs, chapters=list(changed))


def _settled_state(work: Path, changed: list[str]) -> list[str]:
    """The files a pass reads and writes; when a pass leaves them as it found them, the PDF is final."""
    main = [line for line in _read(work / f"{PART_JOB}.aux").splitlines() if not JOB_PAGES_RE.match(line)]
    return ["\n".join(main), _read(work / f"{PART_JOB}.toc"), _read(work / f"{PART_JOB}.ind")] + [
        _read(work / f"{pid}.aux") for pid in changed]


def _undo(work: Path, auxes: dict[str, str], changed: list[str]) -> None:
    """Put back the changed chapters' .aux as the last full build wrote them: the full build starts from there."""
    for pid in changed:
        (work / f"{pid}.aux").write_text(auxes[pid], encoding="utf-8")


def _still_true(fact: str, changed: list[str], chapters_dir: Path, ids: list[str]) -> bool:
    """A fact of the last full log about a chapter not set again (the short pass reports the others)."""
    scaled = SCALED_ID_RE.search(fact)
    if scaled:
        return scaled.group(1) not in changed
    missing = MISSING_CHAR_RE.search(fact)
    char = missing.group(1) if missing else ""
    return any(char in _read(chapters_dir / f"{pid}.tex") for pid in ids if pid not in changed)


def page_labels(aux_text: str, count: int) -> Optional[list[str]]:
    """The page numbers a pass printed, from the page labels hyperref wrote to its .aux (its PDF has the last
    pass's: hyperref reads them back at the start)."""
    starts = [(int(m.group(1)), m.group(2)) for m in PAGE_LABEL_RE.finditer(aux_text)]
    labels: list[str] = []
    for n, (first, spec) in enumerate(starts):
        style = re.search(r"/S\s*/(\w)", spec)
        start = re.search(r"/St\s+(\d+)", spec)
        if "/P" in spec or (style and style.group(1) not in "rRD"):
            return None  # a prefix or letters: not in this book's styles
        end = starts[n + 1][0] if n + 1 < len(starts) else count
        for number in range(int(start.group(1)) if start else 1, (int(start.group(1)) if start else 1) + end - first):
            labels.append("" if not style else str(number) if style.group(1) == "D" else
                          roman(number) if style.group(1) == "r" else roman(number).upper())
    return labels if len(labels) == count and (not starts or starts[0][0] == 0) else None


def roman(number: int) -> str:
    out = ""
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"),
                           (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        count, number = divmod(number, value)
        out += letters * count
    return out


def _splice_pdf(book_pdf: Path, part_pdf: Path, part_aux: str, kept_folios: set[str], out: Path) -> Optional[int]:
    """The last PDF with every page the short pass set put in place of the old one; None when they differ in number."""
    import pikepdf

    with pikepdf.open(book_pdf) as book, pikepdf.open(part_pdf) as part:
        labels = [page.label for page in book.pages]
        replaced = [k for k, label in enumerate(labels) if label not in kept_folios]
        if page_labels(part_aux, len(part.pages)) != [labels[k] for k in replaced]:
            return None
        old_pages = {page.objgen: k for k, page in enumerate(book.pages)}
        dests = {}
        replaced_set = set(replaced)
        for name, dest in pikepdf.NameTree(book.Root.Names.Dests).items():
            target = _dest_array(dest)
            if target is not None and old_pages.get(target[0].objgen) not in replaced_set:
                dests[name] = dest
        for j, k in enumerate(replaced):
            book.pages[k] = part.pages[j]
        part_pages = {page.objgen: j for j, page in enumerate(part.pages)}
        for name, dest in pikepdf.NameTree(part.Root.Names.Dests).items():
            target = _dest_array(dest)
            at = part_pages.get(target[0].objgen) if target is not None else None
            if target is not None and at is not None:
                dests[name] = pikepdf.Array([book.pages[replaced[at]].obj, *list(target)[1:]])
        opening = book.Root.get("/OpenAction")
        if isinstance(opening, pikepdf.Array) and len(opening) and old_pages.get(opening[0].objgen) in replaced_set:
            book.Root.OpenAction = pikepdf.Array([book.pages[old_pages[opening[0].objgen]].obj, *list(opening)[1:]])
        tree = pikepdf.NameTree.new(book)
        for name in sorted(dests):
            tree[name] = dests[name]
        book.Root.Names.Dests = tree.obj
        count = len(book.pages)
        book.save(out)
    return count


def _dest_array(dest):
    import pikepdf

    if isinstance(dest, pikepdf.Dictionary) and "/D" in dest:
        dest = dest.D
    return dest if isinstance(dest, pikepdf.Array) and len(dest) and isinstance(dest[0], pikepdf.Dictionary) else None
