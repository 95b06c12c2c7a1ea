"""When TeX rejects the book: find what caused it (a formula, a block, a title), remember it, build again.

TeX's verdicts are kept in build/.tex-verdicts.json by content, so the next build sets a rejected formula
as source straight away and pays nothing: formulas by the digest of their LaTeX, blocks and titles by the
digest of their content. Verdicts are forgotten when the tool or the styles change.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from builder.config.settings import Config
from builder.config.styles import style_dirs
from builder.model.book import Book, Chapter, post_formulas
from builder.model.content import DisplayMath, Heading, Location
from builder.model.diagnostics import Diagnostic
from builder.render.latex.assembly import render_preamble
from builder.render.latex.chapter import (
    display_tex,
    formula_digest,
    inline_tex,
    unit_digest,
)
from builder.tex.log import TexResult
from builder.tex.probe import CHUNK_TIMEOUT, ProbeFailed, ProbeItem, probe
from builder.util.store import Store

VERDICT_FILE = ".tex-verdicts.json"

MARK_RE = re.compile(r"%@(/?)([fbt])(\d*)\s*$")

TOC_ANCHOR_RE = re.compile(r"\{(chapter|section)\.(\d+)(?:\.(\d+))?\}%?\s*$")

AUX_LABEL_RE = re.compile(r"\\newlabel\{([^{}:]+):")

ROW_LABEL_RE = re.compile(r"\\sbpartrow\{([^{}:]+):chapter\}")


# Files TeX reads back that can carry a title's TeX into the next run (and fail it again).
CARRIERS = (".aux", ".toc", ".out")


@dataclass
class Verdicts:
    """What TeX rejected (digest -> its error) and which formulas it typesets alone (digests)."""

    store: Store
    stamp: str
    rejected: dict[str, str] = field(default_factory=dict)
    accepted: set[str] = field(default_factory=set)
    posts: dict[str, list[str]] = field(default_factory=dict)  # rejected digest -> the posts it is in

    @classmethod
    def load(cls, build_dir: Path, stamp: str) -> Verdicts:
        store = Store(build_dir)
        data = store.read(VERDICT_FILE, key=stamp)
        try:
            return cls(store, stamp, {str(k): str(v) for k, v in data["rejected"].items()},
                       {str(d) for d in data["accepted"]},
                       {str(k): [str(p) for p in v] for k, v in data["posts"].items()})
        except (TypeError, KeyError, AttributeError):  # none yet, for other styles, or not this tool's
            return cls(store, stamp)

    def reject(self, digest: str, message: str, post_ids: list[str]) -> bool:
        """Record TeX's verdict; False when it was known already."""
        known = digest in self.rejected
        self.rejected.setdefault(digest, message)
        self.posts[digest] = sorted(set(self.posts.get(digest, [])) | set(post_ids))
        return not known

    def of_post(self) -> dict[str, list[str]]:
        """post id -> the rejected digests in it: what its chapter's stamp depends on."""
        out: dict[str, list[str]] = {}
        for digest, post_ids in self.posts.items():
            for post_id in post_ids:
                out.setdefault(post_id, []).append(digest)
        return out

    def save(self) -> None:
        self.store.write(VERDICT_FILE, {"rejected": self.rejected, "posts": self.posts,
                                        "accepted": sorted(self.accepted)}, key=self.stamp)


def blame_line(lines: list[str], line: int) -> Optional[str]:
    """The unit of a chapter file a TeX error at `line` (from 1) belongs to: 'f3' (the formula whose line it
    is, or the display around it), 't' (the title), 'b5' (the block, for any other line); None before any."""
    i = min(max(line, 1), len(lines)) - 1
    if not lines:
        return None
    m = MARK_RE.search(lines[i])
    if m:
        return "t" if m.group(2) == "t" else ("f" if m.group(1) or m.group(2) == "f" else "b") + m.group(3)
    for k in range(i - 1, -1, -1):
        m = MARK_RE.search(lines[k])
        if not m:
            continue
        if m.group(2) == "b":
            return "b" + m.group(3)
        if m.group(2) == "t":
            return "t"
        if m.group(1):  # the end of an earlier display: this line is prose after it
            continue
        end = f"%@/f{m.group(3)}"  # a display's first line, if its last line is at or below the error
        if any(lines[j].rstrip().endswith(end) for j in range(i, len(lines))):
            return "f" + m.group(3)
    return None


class Diagnosis:
    """Turns a failed TeX run into new verdicts; says what it blamed."""

    def __init__(self, book: Book, cfg: Config, verdicts: Verdicts, say: Callable[[str], None],
                 warn: Callable[[Diagnostic], None], timeout: float = 900.0, scope: Optional[Book] = None):
        """`scope`: the part of the book the failed document sets (its formulas are the ones checked)."""
        self.book, self.cfg, self.verdicts, self.say, self.warn = book, cfg, verdicts, say, warn
        self.scope = scope or book
        self.timeout = timeout
        self.chapters = {c.post.id: c for c in book.chapters()}
        self.probed = False

    def __call__(self, result: TexResult, work: Path) -> int:
        """How many new things were found to blame (0: the failure cannot be mapped to the input)."""
        # Read before anything is deleted: an error in the contents or the labels names its chapter there.
        places = [(self.place(stem, line, ext, work), message) for stem, line, message, ext in result.error_places]
        if any(ext in CARRIERS or stem == "book" for stem, _, _, ext in result.error_places):
            for carrier in CARRIERS:  # they hold a title's TeX: the next run must not read it again
                (work / f"book{carrier}").unlink(missing_ok=True)
            for stem, _, _, ext in result.error_places:
                if ext in CARRIERS and stem in self.chapters:
                    (work / f"{stem}{ext}").unlink(missing_ok=True)
        if not self.probed:
            self.probed = True
            found = self.check_formulas()
            if found:
                return found
        found = 0
        for unit, message in places:
            if unit is None:
                continue
            chapter, key = unit
            digest = self.unit_key(chapter, key)
            if digest and self.verdicts.reject(digest, message, [chapter.post.id]):
                found += 1
        return found

    def check_formulas(self) -> int:
        """Typeset every formula of the book whose verdict is not known yet, alone: the ones TeX rejects."""
        items: list[ProbeItem] = []
        owners: dict[str, list[str]] = {}  # digest -> posts it is in
        for chapter in self.scope.chapters():
            for key, formula in post_formulas(chapter.post):
                if not formula.ok or formula.empty:
                    continue
                tex = self.formula_tex(chapter, key, formula)
                digest = formula_digest(tex)
                if digest in self.verdicts.accepted or digest in self.verdicts.rejected:
                    continue
                if digest not in owners:
                    if key.startswith("t"):  # a title's formula also travels to the contents and the bookmarks;
                        # \makeatletter on a line of its own, so the next is read with it (local to the item)
                        tex = "\\makeatletter\n" + r"\protected@edef\sbprobetitle{" + tex + r"}\sbprobetitle"
                    items.append(ProbeItem(digest, tex, formula.display))
                owners.setdefault(digest, []).append(chapter.post.id)
        if not items:
            return 0
        self.say(f"checking {len(items)} formula(s) one by one to find what TeX rejects")
        try:
            failed = probe(render_preamble(self.cfg), items, style_dirs(self.cfg),
                           timeout=min(self.timeout, CHUNK_TIMEOUT), workdir=self.cfg.build_dir / "probe")
        except ProbeFailed as exc:
            self.warn(Diagnostic(None, f"the formula check could not run: {exc}"))
            return 0
        for digest, post_ids in owners.items():
            if digest in failed:
                self.verdicts.reject(digest, failed[digest], post_ids)
            else:
                self.verdicts.accepted.add(digest)
        return len(failed)

    def formula_tex(self, chapter: Chapter, key: str, formula) -> str:
        if not formula.display:
            return inline_tex(chapter.post, formula)
        block = next(b for b in chapter.post.blocks if isinstance(b, DisplayMath) and b.formula is formula)
        return display_tex(chapter.post, block)

    def where(self, stem: str, line: int, ext: str, work: Path) -> Optional[Location]:
        """The dump location of what an error at stem:line belongs to (the post's title line, a block's line)."""
        found = self.place(stem, line, ext, work)
        if found is None:
            return self.chapters[stem].post.loc if stem in self.chapters else None
        chapter, key = found
        post = chapter.post
        if key.startswith("b") and int(key[1:]) < len(post.blocks):
            return post.blocks[int(key[1:])].loc
        if key.startswith("f"):
            formula = dict(post_formulas(post)).get(key)
            if formula is not None and isinstance(formula.loc, Location):
                return formula.loc
        return post.loc

    def place(self, stem: str, line: int, ext: str, work: Path) -> Optional[tuple[Chapter, str]]:
        """(chapter, unit key) an error in file stem:line belongs to, or None."""
        if stem in self.chapters and ext not in CARRIERS:
            path = self.cfg.chapters_dir / f"{stem}.tex"
            lines = path.read_text(encoding="utf-8", errors="replace").split("\n") if path.exists() else []
            key = blame_line(lines, line)
            return (self.chapters[stem], key) if key else None
        if stem != "book" and stem not in self.chapters:
            return None
        path = work / f"{stem}{ext}"  # (book.toc, book.aux, or an \include'd chapter's own .aux)
        lines = path.read_text(encoding="utf-8", errors="replace").split("\n") if path.exists() else []
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        if ext == ".toc" and (m := TOC_ANCHOR_RE.search(text)):
            chapter = self.book.chapters()[int(m.group(2)) - 1] if int(m.group(2)) <= len(self.chapters) else None
            if chapter is None:
                return None
            if m.group(1) == "chapter":
                return chapter, "t"
            headings = [i for i, b in enumerate(chapter.post.blocks) if isinstance(b, Heading)]
            section = int(m.group(3)) - 1
            return (chapter, f"b{headings[section]}") if section < len(headings) else None
        m = AUX_LABEL_RE.search(text) or ROW_LABEL_RE.search(text)
        if m and m.group(1) in self.chapters:
            return self.chapters[m.group(1)], "t"
        return None

    def unit_key(self, chapter: Chapter, key: str) -> Optional[str]:
        post = chapter.post
        if key == "t":
            return unit_digest("t", post.title_inlines)
        if key.startswith("b"):
            index = int(key[1:])
            return unit_digest("b", post.blocks[index]) if index < len(post.blocks) else None
        formula = dict(post_formulas(post)).get(key)
        return formula_digest(self.formula_tex(chapter, key, formula)) if formula is not None and formula.ok else None
