"""The figures' images as each output takes them: files in TeX's work dir (SVG made PDF), data URIs for the EPUB."""
from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Optional

from builder.config.settings import Config
from builder.model.book import Book
from builder.model.content import Figure, FigureImage
from builder.render.latex.blocks import TexFigures
from builder.series.figures import KIND_EXT, SVG_CONVERTER, svg_converter, svg_data
from builder.util import procs
from builder.util.store import atomic_write

TEX_FIGURES = "figures"  # under build/tex: TeX reads nothing outside its work dir (openin_any=p)

EPUB_FIGURES = "figure-images"  # under build/: a PDF figure rasterised for the EPUB, kept by its digest

CONVERT_SECONDS = 60.0

EPUB_PDF_DPI = 150  # a PDF figure in the EPUB: sharp on a tablet

EPUB_PDF_WIDTH = 1600  # pixels along its longer side, at most

MEDIA_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "svg": "image/svg+xml"}


def image_bytes(cfg: Config, image: FigureImage) -> Optional[bytes]:
    """The image's bytes, if they are still those that were checked (a file replaced during the build is not)."""
    try:
        data = (cfg.root / image.path).read_bytes()
    except OSError:
        return None
    return data if hashlib.sha256(data).hexdigest() == image.digest else None


def book_images(book: Book) -> dict[str, FigureImage]:
    return {b.image.digest: b.image for c in book.chapters() for b in c.post.blocks
            if isinstance(b, Figure) and b.image is not None}


def tex_figures(book: Book, cfg: Config, dry_run: bool = False) -> TexFigures:
    """Each image copied into build/tex/figures under its digest (a changed image is a new name, so the chapter
    changes and TeX runs again); an SVG converted to PDF, or left out when no converter is installed.
    Files no figure uses any more are removed."""
    out = TexFigures()
    work = cfg.build_dir / "tex" / TEX_FIGURES
    converter = svg_converter()
    for digest, image in book_images(book).items():
        ext = "pdf" if image.kind == "svg" else KIND_EXT[image.kind]
        name = f"{TEX_FIGURES}/{digest[:20]}.{ext}"
        if image.kind == "svg" and not converter:
            out.problems[digest] = (f"XeLaTeX reads no SVG and {SVG_CONVERTER} is not installed (Debian package "
                                    "librsvg2-bin); the PDF keeps the placeholder, the EPUB shows the SVG")
            continue
        if dry_run:
            out.names[digest] = name
            continue
        target = cfg.build_dir / "tex" / name
        data = image_bytes(cfg, image)
        if data is None:
            out.problems[digest] = "changed or vanished during the build; build again"
            continue
        work.mkdir(parents=True, exist_ok=True)
        if image.kind == "svg":
            problem = "" if target.exists() else _svg_to_pdf(converter, svg_data(data)[0] or b"", target)
            if problem:
                out.problems[digest] = problem
                continue
        elif not target.exists() or target.read_bytes() != data:
            atomic_write(target, data)
        out.names[digest] = name
    if work.is_dir() and not dry_run:
        used = {Path(n).name for n in out.names.values()}
        for old in work.iterdir():
            if old.name not in used:
                old.unlink()
    return out


def _svg_to_pdf(converter: str, svg: bytes, target: Path) -> str:
    """Why the SVG could not be converted ("" when target now holds it as PDF)."""
    source = target.with_suffix(".svg.tmp")
    tmp = target.with_name(target.name + ".tmp")
    source.write_bytes(svg)
    try:
        code, _, err, timed_out = procs.run([converter, "-f", "pdf", "-o", tmp.name, source.name], CONVERT_SECONDS,
                                            cwd=target.parent, stdin=subprocess.DEVNULL)
        if timed_out or code != 0 or not tmp.exists() or not tmp.read_bytes().startswith(b"%PDF-"):
            reason = "took too long" if timed_out else (err.strip().splitlines() or ["no PDF written"])[-1][:100]
            return f"{SVG_CONVERTER} could not convert it ({reason}); the PDF keeps the placeholder"
        os.replace(tmp, target)
        return ""
    finally:
        source.unlink(missing_ok=True)
        tmp.unlink(missing_ok=True)


def epub_uri(cfg: Config, image: FigureImage) -> tuple[str, str]:
    """(the image as a data: URI pandoc stores as a media file, or "", why not). PNG, JPEG and SVG are EPUB
    core media types and go in as they are; a PDF is not, and goes in as its first page rasterised."""
    data = image_bytes(cfg, image)
    if data is None:
        return "", "changed or vanished during the build; build again"
    kind = image.kind
    if kind == "svg":
        data = svg_data(data)[0] or b""
    elif kind == "pdf":
        data, problem = _pdf_to_png(cfg, image, data)
        if not data:
            return "", problem
        kind = "png"
    return f"data:{MEDIA_TYPES[kind]};base64," + base64.b64encode(data).decode("ascii"), ""


def _pdf_to_png(cfg: Config, image: FigureImage, data: bytes) -> tuple[bytes, str]:
    cache = cfg.build_dir / EPUB_FIGURES
    png = cache / f"{image.digest[:20]}.png"
    if png.exists():
        return png.read_bytes(), ""
    if not shutil.which("pdftoppm"):
        return b"", "pdftoppm not found (Debian package poppler-utils; run `make deps`)"
    cache.mkdir(parents=True, exist_ok=True)
    source = cache / f"{image.digest[:20]}.pdf.tmp"
    source.write_bytes(data)
    base = png.with_name(png.stem + "-tmp")
    try:
        code, info, _, _ = procs.run(["pdfinfo", source.name], CONVERT_SECONDS, cwd=cache, stdin=subprocess.DEVNULL)
        size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+)", info, re.M)
        # At most EPUB_PDF_WIDTH pixels across (a poster-sized page must not become a huge bitmap), never more
        # than EPUB_PDF_DPI (a small figure is not blown up).
        dpi = min(EPUB_PDF_DPI, EPUB_PDF_WIDTH * 72 / max(float(size.group(1)), float(size.group(2)), 1.0)) \
            if code == 0 and size else EPUB_PDF_DPI
        code, _, err, timed_out = procs.run(
            ["pdftoppm", "-png", "-singlefile", "-f", "1", "-l", "1", "-r", f"{dpi:.2f}", source.name, base.name],
            CONVERT_SECONDS, cwd=cache, stdin=subprocess.DEVNULL)
        made = base.with_name(base.name + ".png")
        if timed_out or code != 0 or not made.exists():
            return b"", "pdftoppm could not rasterise it for the EPUB (" + (
                err.strip().splitlines() or ["took too long" if timed_out else "no image written"])[-1][:100] + ")"
        os.replace(made, png)
        return png.read_bytes(), ""
    finally:
        source.unlink(missing_ok=True)
        base.with_name(base.name + ".png").unlink(missing_ok=True)
