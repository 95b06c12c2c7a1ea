"""Images for the blog's lost figures: images/<post id>/<n>.<ext> in the book's folder fills figure n of that post."""
from __future__ import annotations

import dataclasses
import hashlib
import io
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from builder.config.settings import Config, inside_book
from builder.model.book import Book, Post
from builder.model.content import Figure, FigureImage, ImageKind, Location
from builder.model.diagnostics import Diagnostic
from builder.util import procs
from builder.util.printable import printable

IMAGES_DIR = "images"

EXTENSIONS: dict[str, ImageKind] = {"png": "png", "jpg": "jpeg", "jpeg": "jpeg", "pdf": "pdf", "svg": "svg"}

NAME_RE = re.compile(r"(\d{1,4})\.(png|jpe?g|pdf|svg)", re.I)

MAX_BYTES = 20_000_000  # a figure of the blog is a few hundred kB; every EPUB reader must hold it in memory

MAX_PIXELS = 40_000_000  # decoding is what costs (xdvipdfmx decodes a PNG whole); 40 MP is a large photograph

PDF_CHECK_SECONDS = 20.0

SVG = "{http://www.w3.org/2000/svg}"


# What a file's first bytes say it is (a `.png` that is really a JPEG is named for what it is).
SIGNATURES = (("png", b"\x89PNG\r\n\x1a\n"), ("jpeg", b"\xff\xd8\xff"), ("pdf", b"%PDF-"), ("gif", b"GIF8"),
              ("bmp", b"BM"))


KIND_NAMES = {"png": "PNG", "jpeg": "JPEG", "pdf": "PDF", "svg": "SVG", "gif": "GIF", "bmp": "BMP",
              "webp": "WebP"}


KIND_EXT = {"png": "png", "jpeg": "jpg", "pdf": "pdf", "svg": "svg"}


# An SVG goes into the EPUB as it is: it must need nothing outside itself, run nothing, and declare no entities.
DOCTYPE_RE = re.compile(rb"<!DOCTYPE[^>\[]*>", re.I)

EXTERNAL_URL_RE = re.compile(r"url\(\s*['\"]?(?!#|data:)", re.I)


def sniff(data: bytes) -> Optional[str]:
    """The image kind a file's bytes are, whatever its name says."""
    for kind, magic in SIGNATURES:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<") and b"<svg" in head:
        return "svg"
    return None


def _entries(folder: Path) -> list[Path]:
    """A folder's entries by name, without hidden ones (.DS_Store); none when it cannot be read."""
    try:
        return sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    except OSError:
        return []


def image_files(cfg: Config) -> list[Path]:
    """Every file in images/ and in its post folders (what the images' stamps cover), in order."""
    root = cfg.root / IMAGES_DIR
    if not root.is_dir():
        return []
    out: list[Path] = []
    for entry in _entries(root):
        if entry.is_dir():
            out.extend(f for f in _entries(entry) if f.is_file())
        elif entry.is_file():
            out.append(entry)
    return out


def svg_data(data: bytes) -> tuple[Optional[bytes], str]:
    """(the SVG as the EPUB gets it: a plain DOCTYPE dropped, or None, why it cannot be used)."""
    if b"<!ENTITY" in data or re.search(rb"<!DOCTYPE[^>]*\[", data, re.I):
        return None, "declares XML entities (an SVG image must be plain SVG)"
    data = DOCTYPE_RE.sub(b"", data, count=1)  # an external DTD: EPUB readers load none, epubcheck refuses it
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        return None, f"is not well-formed XML ({exc})"
    if root.tag == "svg":
        return None, 'is not an SVG image: its <svg> lacks xmlns="http://www.w3.org/2000/svg"'
    if root.tag != SVG + "svg":
        return None, f"is not an SVG image (its root element is <{root.tag.split('}')[-1]}>)"
    for el in root.iter():
        name = el.tag.split("}")[-1] if isinstance(el.tag, str) else ""
        if name in ("script", "foreignObject"):
            return None, f"contains <{name}> (an image must not run code or embed HTML)"
        for attr, value in el.attrib.items():
            local = attr.split("}")[-1]
            if local.lower().startswith("on"):
                return None, f"has an event handler ({local}=…): an image must not run code"
            if local == "href" and name != "a" and not value.startswith(("#", "data:")):
                return None, f"refers to another file ({value[:60]}): the SVG must hold everything it shows"
            if local == "style" and EXTERNAL_URL_RE.search(value):
                return None, "refers to another file in a style: the SVG must hold everything it shows"
        if name == "style" and (EXTERNAL_URL_RE.search(el.text or "") or "@import" in (el.text or "")):
            return None, "refers to another file in a style: the SVG must hold everything it shows"
    return data, ""


def _check_bitmap(data: bytes, kind: str) -> str:
    """Why Pillow says a PNG or JPEG cannot be used ("" if it can): damaged, or too large to decode."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                return f"has {width}×{height} pixels, more than {MAX_PIXELS // 1_000_000} million: scale it down"
            image.verify()  # a PNG's chunks and their checksums; a damaged one would stop xdvipdfmx
    except Exception as exc:
        return f"is a damaged {KIND_NAMES[kind]} file ({type(exc).__name__}: {str(exc)[:80]})"
    return ""


def _check_pdf(path: Path) -> str:
    """Why the PDF cannot be included ("" if it can): pdfinfo (poppler) must read it and find a page."""
    if not shutil.which("pdfinfo"):
        return "cannot be checked: pdfinfo not found (Debian package poppler-utils; run `make deps`)"
    code, out, err, timed_out = procs.run(["pdfinfo", str(path)], PDF_CHECK_SECONDS, stdin=subprocess.DEVNULL)
    if timed_out or code != 0:
        return "is a damaged PDF file (pdfinfo: " + (err.strip().splitlines() or ["no answer"])[-1][:80] + ")"
    if re.search(r"^Encrypted:\s+yes", out, re.M):
        return "is an encrypted PDF file"
    pages = re.search(r"^Pages:\s+(\d+)", out, re.M)
    if not pages or int(pages.group(1)) < 1:
        return "is a PDF file without a page"
    return ""


def examine(cfg: Config, path: Path, kind: ImageKind) -> tuple[Optional[FigureImage], str]:
    """(the image, or None and why the placeholder stays): what the bytes are is checked, never trusted."""
    rel = str(path.relative_to(cfg.root))
    if not inside_book(cfg, path):
        return None, "is a link to a file outside the book's folder"
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return None, f"is {size / 1e6:.0f} MB, more than {MAX_BYTES // 1_000_000} MB"
        data = path.read_bytes()
    except OSError as exc:
        return None, f"cannot be read ({exc.strerror})"
    actual = sniff(data)
    if actual != kind:
        name = KIND_NAMES[kind]
        if actual in KIND_EXT:
            return None, (f"is not a {name} file: its bytes are a {KIND_NAMES[actual]} image "
                          f"(rename it {path.stem}.{KIND_EXT[actual]})")
        if actual:
            return None, f"is not a {name} file: its bytes are a {KIND_NAMES[actual]} image (convert it to PNG)"
        return None, f"is not a {name} file (its first bytes are no image's)"
    if kind == "svg":
        problem = svg_data(data)[1]
    elif kind == "pdf":
        problem = _check_pdf(path)
    else:
        problem = _check_bitmap(data, kind)
    if problem:
        return None, problem
    return FigureImage(rel, kind, hashlib.sha256(data).hexdigest()), ""


def figure_indexes(post: Post) -> list[int]:
    """Where the post's figures are among its blocks: figure n is post.blocks[figure_indexes(post)[n - 1]]."""
    return [i for i, block in enumerate(post.blocks) if isinstance(block, Figure)]


def attach_images(posts: list[Post], cfg: Config, diags: list[Diagnostic]) -> list[Post]:
    """The posts with each image of images/<post id>/ in its figure (Figure.image; images/<post id>/<n>.<ext>
    fills the post's figure n); a file that fills none, or that is not the image its name says, is a warning in
    `diags`, and the figure keeps its placeholder."""
    root = cfg.root / IMAGES_DIR
    if not root.is_dir():
        return posts
    by_id = {post.id: post for post in posts}
    images: dict[tuple[str, int], FigureImage] = {}  # (post id, figure n) -> the image that fills it

    def warn(path: Path, message: str) -> None:
        diags.append(Diagnostic(Location(printable(str(path.relative_to(cfg.root))), 0), message))

    for entry in _entries(root):
        if not entry.is_dir():
            warn(entry, "is not in a post's folder: a figure's image goes at images/<post id>/<n>.png "
                        "(`book list --figures` shows where); not used")
            continue
        files = _entries(entry)
        post = by_id.get(entry.name)
        if post is None:
            for f in files:
                warn(f, f"no post of the book has the id '{printable(entry.name)}' (`book list` prints the ids); "
                        "not used")
            continue
        slots = figure_indexes(post)
        candidates: dict[int, list[Path]] = {}
        for f in files:
            m = NAME_RE.fullmatch(f.name)
            if not m or not f.is_file():
                warn(f, "is not a figure's image: name it <n>.png, .jpg, .jpeg, .pdf or .svg, n counting the "
                        "post's figures from 1; not used")
            elif not 1 <= int(m.group(1)) <= len(slots):
                warn(f, f"post {post.id} has {len(slots)} figure(s), so no figure {int(m.group(1))} "
                        "(`book list --figures` shows them); not used")
            else:
                candidates.setdefault(int(m.group(1)), []).append(f)
        for n, paths in sorted(candidates.items()):
            for f in paths:  # the first usable one, by name, fills the figure
                if (post.id, n) in images:
                    warn(f, f"figure {n} of post {post.id} already has {Path(images[post.id, n].path).name}; "
                            "not used")
                    continue
                image, problem = examine(cfg, f, EXTENSIONS[f.suffix[1:].lower()])
                if image is None:
                    warn(f, f"{problem}; not used" if len(paths) > 1 else
                         f"{problem}; figure {n} of post {post.id} keeps its placeholder")
                else:
                    images[post.id, n] = image
    return [_with_images(post, images) for post in posts]


def _with_images(post: Post, images: dict[tuple[str, int], FigureImage]) -> Post:
    slots = {at: n for n, at in enumerate(figure_indexes(post), 1)}
    if not any((post.id, n) in images for n in slots.values()):
        return post
    blocks = tuple(dataclasses.replace(block, image=images[post.id, slots[k]])
                   if isinstance(block, Figure) and k in slots and (post.id, slots[k]) in images else block
                   for k, block in enumerate(post.blocks))
    return dataclasses.replace(post, blocks=blocks)



@dataclass
class Slot:
    """A figure of the book, with the image that fills it, if any: what `book list --figures` shows."""

    post_id: str
    n: int  # the post's figure n, from 1: its image is images/<post id>/<n>.<ext>
    label: str  # 图 N.k, as the book numbers it
    caption: str
    loc: Location
    image: Optional[FigureImage]

    @property
    def path(self) -> str:
        """Where an image for this figure goes (the file that fills it, if one does)."""
        return self.image.path if self.image else f"{IMAGES_DIR}/{self.post_id}/{self.n}.png"


def figure_slots(book: Book) -> list[Slot]:
    out = []
    for chapter in book.chapters():
        post = chapter.post
        figures = [block for block in post.blocks if isinstance(block, Figure)]  # as figure_indexes counts
        for n, figure in enumerate(figures, 1):
            out.append(Slot(post.id, n, f"图 {chapter.number}.{n}", figure.caption, figure.loc, figure.image))
    return out


def images_digest(cfg: Config) -> str:
    """The images' part of the build stamps: each file's name and bytes (a file that is refused unread by
    size or place, its size and time, so that no stamp reads a huge file or one outside the book)."""
    h = hashlib.sha256()
    for f in image_files(cfg):
        h.update(str(f.relative_to(cfg.root)).encode("utf-8", "surrogateescape") + b"\0")
        try:
            st = f.stat()
            if st.st_size > MAX_BYTES or not inside_book(cfg, f):
                h.update(f"{st.st_size} {st.st_mtime_ns}".encode())
            else:
                h.update(hashlib.sha256(f.read_bytes()).digest())
        except OSError as exc:  # unreadable: the build says so; the stamp changes when it becomes readable
            h.update(f"unreadable {exc.errno}".encode())
    return h.hexdigest()


SVG_CONVERTER = "rsvg-convert"  # librsvg (Debian: librsvg2-bin): SVG to PDF for XeLaTeX, which reads no SVG


def svg_converter() -> str:
    """The SVG converter's path, or "" when none is installed (an SVG then keeps its placeholder in the PDF)."""
    return shutil.which(SVG_CONVERTER) or ""
