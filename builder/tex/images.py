"""Formulas as images: each typeset by XeLaTeX with the book's own preamble, one PNG each, cached by content."""
from __future__ import annotations

import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builder.mathtex.images import MACROS, FormulaTex
from builder.tex.log import ERROR_RE
from builder.tex.probe import ProbeFailed, ProbeItem, ProbeTimeout, probe
from builder.tex.sandbox import require_tex, tex_environment, xelatex_command
from builder.util import procs
from builder.util.hashing import digest
from builder.util.store import Store

# Amazon asks for 300 ppi at the size an image is shown; formulas are set at the body's size, so a
# reader's 12 pt line gets its 300 ppi.
IMAGE_DPI = 300

BORDER_PT = 1.0  # around each formula's box, so that ink sticking out of it (an italic's overhang) is kept

JOBNAME = "formulas"

CACHE_INDEX = "index.json"


SECONDS_BASE, SECONDS_PER_FORMULA = 60.0, 0.05  # one run: a few seconds per 500 formulas here


SIZE_RE = re.compile(r"^sbimgsize:([\d.]+)", re.M)

BOX_RE = re.compile(r"^sbimg:([0-9a-f]+):([\d.]+)pt:([\d.]+)pt:([\d.]+)pt", re.M)


@dataclass(frozen=True)
class MathImage:
    """A formula's PNG and its size in ems of the text it was set in (depth: below the baseline)."""

    path: Path
    width: float
    height: float
    depth: float


class FormulaImages:
    """Images of formulas, kept in build/math-images/ under the digest of what made them: a rebuild sets
    only formulas it has not set before."""

    def __init__(self, folder: Path, preamble: str, search_dirs: list[Path], stamp: str, root: Path,
                 timeout: float | None = None) -> None:
        """`preamble`: the book's own; `search_dirs`: where TeX finds its styles; `stamp`: what else every image
        depends on (the styles, the tool); `root`: the book's folder, that messages name files from."""
        self.dir, self.search_dirs, self.root = folder, search_dirs, root
        self.preamble = preamble + "\\usepackage[active,tightpage]{preview}\n" \
            f"\\setlength\\PreviewBorder{{{BORDER_PT}pt}}\n"
        # What every image depends on besides its own TeX: the preamble, the styles, the tool, the resolution.
        self.common = digest(self.preamble, stamp, MACROS, str(IMAGE_DPI))
        self.timeout = timeout

    def key(self, item: FormulaTex) -> str:
        return digest(self.common, repr(item))[:32]

    def _index(self) -> dict[str, Any]:
        """{"size": the text size formulas are set in (pt), "images": {key: [width, height, depth] in pt}}."""
        index = Store(self.dir).read(CACHE_INDEX)
        if isinstance(index, dict) and isinstance(index.get("size"), float) and isinstance(index.get("images"), dict):
            return index
        return {"size": 0.0, "images": {}}

    def render(self, items: dict[str, FormulaTex], say=lambda message: None,
               fresh: bool = False) -> tuple[dict[str, MathImage], dict[str, str]]:
        """({key: image}, {key: TeX's error}) for the items, keys being self.key(item); fresh: cache unused."""
        self.dir.mkdir(parents=True, exist_ok=True)
        index: dict[str, Any] = {"size": 0.0, "images": {}} if fresh else self._index()
        known = index["images"]
        todo = {k: v for k, v in items.items() if k not in known or not (self.dir / f"{k}.png").exists()}
        rejected: dict[str, str] = {}
        if todo:
            say(f"formula images: setting {len(todo)} new of {len(items)} (the others are cached)")
            rejected = self._typeset(todo, index)
        else:
            say(f"formula images: all {len(items)} cached")
        known = index["images"]  # a new text size started it afresh
        # Keep what this book uses: an edit leaves its old image behind only until the next build.
        for stale in set(known) - set(items):
            del known[stale]
        for path in self.dir.glob("*.png"):  # also those a build that stopped early left unlisted
            if path.stem not in known:
                path.unlink()
        Store(self.dir).write(CACHE_INDEX, index)
        size = index["size"]
        images = {k: MathImage(self.dir / f"{k}.png", *(v / size for v in known[k])) for k in items if k in known}
        return images, rejected

    def _typeset(self, todo: dict[str, FormulaTex], index: dict) -> dict[str, str]:
        """Set the formulas in one XeLaTeX run, each on a page; formulas TeX rejects (found again by the
        formula check, which tells apart an error and its spill-over) are left out of a second run."""
        require_tex()
        if not shutil.which("pdftoppm"):
            raise ProbeFailed("pdftoppm not found (Debian package poppler-utils; run `make deps`)")
        work = self.dir / "tex"
        work.mkdir(parents=True, exist_ok=True)
        # Grey images where the formula has no colour: a third of the size, and e-ink is grey.
        order = sorted(todo, key=lambda k: todo[k].colour)
        rejected: dict[str, str] = {}
        for attempt in range(2):
            keys = [k for k in order if k not in rejected]
            try:
                log, errors = self._run(keys, todo, work)
            except ProbeTimeout as exc:  # a formula that keeps TeX busy: the check finds it, by halving
                if attempt:
                    raise
                log, errors = "", [str(exc)]
            if not errors:
                break
            if attempt:
                raise ProbeFailed(f"setting the formula images failed: {errors[0]}")
            items = [ProbeItem(k, todo[k].measure or todo[k].tex, False) for k in keys]
            rejected = probe(self.preamble, items, self.search_dirs, workdir=self.dir / "probe")
            if not rejected:
                raise ProbeFailed(f"setting the formula images failed outside any formula: {errors[0]}")
        size_said = SIZE_RE.search(log)
        if not size_said:
            raise ProbeFailed("setting the formula images failed before the first formula (see "
                              f"{(work / (JOBNAME + '.log')).relative_to(self.root)})")
        size = float(size_said.group(1))
        boxes = BOX_RE.findall(log)
        pages = self._rasterise(work, [todo[k].colour for k, *_ in boxes])
        if len(pages) != len(boxes):
            raise ProbeFailed(f"the formula images: {len(boxes)} formulas set but {len(pages)} pages made")
        if size != index["size"]:  # another text size (book.yaml): the cached images are of the old one
            index["size"], index["images"] = size, {}
        for (key, _ht, dp, _wd), page in zip(boxes, pages):
            # The size the page was rasterised to (whole pixels), so that the image is shown unstretched;
            # the baseline where TeX put it.
            width, height = png(page, self.dir / f"{key}.png")
            page.unlink()
            index["images"][key] = [width * 72 / IMAGE_DPI, height * 72 / IMAGE_DPI, float(dp) + BORDER_PT]
        return rejected

    def _run(self, keys: list[str], todo: dict[str, FormulaTex], work: Path) -> tuple[str, list[str]]:
        """One XeLaTeX run over the formulas: (its log, its errors)."""
        body = "\n".join(todo[k].source(k) for k in keys)
        (work / f"{JOBNAME}.tex").write_text(f"{self.preamble}\\begin{{document}}{MACROS}\n{body}\n\\end{{document}}\n",
                                             encoding="utf-8")
        (work / f"{JOBNAME}.pdf").unlink(missing_ok=True)
        limit = self.timeout or SECONDS_BASE + SECONDS_PER_FORMULA * len(keys)
        cmd = xelatex_command(JOBNAME, "quiet", first_error=False, recorder=False)
        _, _, _, timed_out = procs.run(cmd, limit, cwd=work, env=tex_environment(self.search_dirs),
                                       stdin=subprocess.DEVNULL)
        if timed_out:
            raise ProbeTimeout(f"setting the formula images did not finish within {limit:.0f} s")
        log = (work / f"{JOBNAME}.log").read_text(encoding="utf-8", errors="replace")
        errors = [m.group("msg") for m in ERROR_RE.finditer(log)]
        if not errors and not (work / f"{JOBNAME}.pdf").exists() and keys:
            errors = ["TeX wrote no PDF"]
        return log, errors

    def _rasterise(self, work: Path, colour: list[bool]) -> list[Path]:
        """The PDF's pages as images (grey ones in two halves, one per core, then colour ones), pdftoppm's
        raw PGM/PPM; PNGs are made of them by png()."""
        for old in work.glob("page-*.p?m"):
            old.unlink()
        grey, half = colour.count(False), colour.count(False) // 2
        runs = [(["-gray"], 1, half, "page-g"), (["-gray"], half + 1, grey, "page-h"),
                ([], grey + 1, len(colour), "page-c")]
        cmds = [["pdftoppm", "-r", str(IMAGE_DPI), *opts, "-f", str(first), "-l", str(last),
                 f"{JOBNAME}.pdf", prefix] for opts, first, last, prefix in runs if first <= last]
        limit = SECONDS_BASE + SECONDS_PER_FORMULA * len(colour)
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(lambda cmd: procs.run(cmd, limit, cwd=work, stdin=subprocess.DEVNULL), cmds))
        for code, _, stderr, timed_out in results:
            if code != 0 or timed_out:
                raise ProbeFailed(f"pdftoppm failed on the formula images: {stderr.strip()[-300:]}")
        # pdftoppm names pages prefix-<page number>.pgm, with as many digits as the last page has.
        return sorted(work.glob("page-*.p?m"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))


# 16 greys: antialiasing needs no more, and a 4-bit PNG is a third of pdftoppm's own 24-bit one.
GREY_LEVEL = [(v * 15 + 127) // 255 for v in range(256)]

GREY_PALETTE = [c for k in range(16) for c in (k * 17,) * 3]


def png(raw: Path, target: Path) -> tuple[int, int]:
    """A page as a small PNG: 16 greys (4 bits) where it is grey, else 256 colours; its size in pixels."""
    from PIL import Image

    with Image.open(raw) as image:
        size = image.size
        if image.mode == "L":
            levels = image.point(GREY_LEVEL)
            paletted = Image.frombytes("P", levels.size, levels.tobytes())
            paletted.putpalette(GREY_PALETTE)
            paletted.save(target, "PNG", bits=4)
        else:
            image.quantize(256).save(target, "PNG")
    return size
