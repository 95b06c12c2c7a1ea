"""Page sizes (named papers, e-reader presets, {width, height}) and the margins and type size for each."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

# LaTeX's own paper names: the class and geometry know them.
PAPERS = {"a4paper": (210.0, 297.0), "a5paper": (148.0, 210.0), "b5paper": (176.0, 250.0),
          "letterpaper": (215.9, 279.4)}


# E-reader screens, in mm: a page this size is shown at its own size, neither scaled down nor letterboxed.
PRESETS = {
    "kindle": (90.0, 122.0),       # 6-inch Kindle / Paperwhite (600×800 or 1072×1448 px)
    "kobo-clara": (91.0, 122.0),   # 6-inch Kobo Clara (1072×1448 px at 300 ppi)
    "ereader-7in": (107.0, 143.0),  # 7-inch readers: Kindle Oasis, Kobo Libra (1264×1680 px at 300 ppi)
}

PAGE_NAMES = sorted(PAPERS) + list(PRESETS)

UNITS_MM = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72.27}

LENGTH_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mm|cm|in|pt)\s*$")


SMALLEST, LARGEST = 60.0, 600.0  # mm, either side: below, the text block is a few characters wide


@dataclass(frozen=True)
class PageClass:
    """The design for pages from `min_width` mm wide: margins in mm for a page of `ref` size, scaled to the
    page (widths by its width, heights by its height), and ctexbook's `zihao` base size."""
    min_width: float
    zihao: str
    points: str      # what zihao means, for messages
    ref: tuple[float, float]
    inner: float
    outer: float
    top: float       # page edge to the text block, over the running head
    bottom: float    # text block to the page edge, over the folio
    headsep: float   # mm, not scaled
    headheight: str
    footskip: Optional[float]  # mm; None: the class's (30pt)
    screen: bool = False  # one page at a time, small: compact headings, no blank versos (the preamble)


# Widest first. A4 keeps the book's first design exactly; A5 and trade sizes get 10.5pt (五号) and
# book-like margins; e-reader screens have no binding (equal sides) and want every millimetre for text.
PAGE_CLASSES = (
    PageClass(170, "-4", "12pt", (210, 297), inner=25, outer=20, top=25, bottom=22, headsep=6, headheight="15pt",
              footskip=None),
    PageClass(120, "5", "10.5pt", (148, 210), inner=18, outer=14, top=19, bottom=17, headsep=4.5, headheight="13pt",
              footskip=8),
    PageClass(0, "5", "10.5pt", (90, 122), inner=6, outer=6, top=11, bottom=10, headsep=2.5, headheight="12pt",
              footskip=6, screen=True),
)

MIN_MARGIN = 4.0  # mm: what a screen's bezel or a trim needs


def length_mm(text: str) -> Optional[float]:
    """'90mm', '3.5in', '255pt' in mm; None when it is not a length with one of the units."""
    m = LENGTH_RE.match(str(text))
    return float(m.group(1)) * UNITS_MM[m.group(2)] if m else None


def size_problem(text: str) -> Optional[str]:
    """Why a page width or height cannot be used, or None."""
    mm = length_mm(text)
    if mm is None:
        unit = " needs a unit:" if re.match(r"^\s*\d+(\.\d+)?\s*$", str(text)) else " is not a length in"
        return f"'{text}'{unit} mm, cm, in or pt (like 90mm)"
    if not SMALLEST <= mm <= LARGEST:
        return f"'{text}' is {mm:.0f} mm; a page side must be {SMALLEST:.0f} to {LARGEST:.0f} mm"
    return None


def page_size(paper) -> tuple[float, float]:
    """(width, height) in mm of a valid `paper` setting: a name or an object with width and height."""
    if isinstance(paper, str):
        return PAPERS.get(paper) or PRESETS[paper]
    width, height = length_mm(paper.width), length_mm(paper.height)
    if width is None or height is None:  # load() refuses such a paper (size_problem)
        raise ValueError(f"not a page size: {paper.width} × {paper.height}")
    return width, height


def _mm(value: float) -> str:
    return f"{round(value, 1):g}mm"


def page_layout(paper) -> dict:
    """What styles/preamble.tex.jinja needs for the page: the class option for named papers, ctexbook's
    zihao, and the \\geometry options."""
    width, height = page_size(paper)
    c = next(c for c in PAGE_CLASSES if width >= c.min_width)
    sx, sy = width / c.ref[0], height / c.ref[1]
    named = paper if isinstance(paper, str) and paper in PAPERS else ""
    size = [named] if named else [f"paperwidth={_mm(width)}", f"paperheight={_mm(height)}"]
    options = size + [f"inner={_mm(max(MIN_MARGIN, c.inner * sx))}", f"outer={_mm(max(MIN_MARGIN, c.outer * sx))}",
                      f"top={_mm(max(MIN_MARGIN, c.top * sy))}", f"bottom={_mm(max(MIN_MARGIN, c.bottom * sy))}",
                      f"headsep={_mm(c.headsep)}", f"headheight={c.headheight}"]
    if c.footskip is not None:
        options.append(f"footskip={_mm(c.footskip)}")
    return {"class_paper": named, "zihao": c.zihao, "points": c.points, "geometry": ",".join(options),
            "screen": c.screen,
            "width_mm": width, "height_mm": height}


def describe_layout(paper) -> str:
    """One line for `book config`: the page, the base size and the margins in effect."""
    layout = page_layout(paper)
    return (f"{layout['width_mm']:g} × {layout['height_mm']:g} mm, text {layout['points']} "
            f"(zihao={layout['zihao']}); "
            f"\\geometry{{{layout['geometry']}}}")
