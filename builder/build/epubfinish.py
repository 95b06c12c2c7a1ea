"""The EPUB pandoc wrote, finished: our stylesheet, the real time, the cover, each formula's TeX as its
alttext, accents a MathML engine centres, chapter titles, landmarks in the book's language."""
from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

COVER_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


# A title's formula in the navigation: its TeX, as toc.ncx and the PDF's bookmarks have it (MathML there
# would fail epubcheck).
NAV_MATH_RE = re.compile(rb'<math\b.*?<annotation encoding="application/x-tex">(.*?)</annotation>.*?</math>', re.S)


# pandoc writes each formula's TeX in an annotation; readers without MathML (and screen readers) want it as
# the <math> element's alttext.
MATH_RE = re.compile(rb'<math ([^>]*)>(.*?)</math>', re.S)

TEX_ANNOTATION_RE = re.compile(rb'<annotation encoding="application/x-tex">(.*?)</annotation>', re.S)


# pandoc writes \\hat, \\tilde, \\dot… as combining characters alone in an accent <mo>; a MathML Core engine
# (Chromium) draws them up and to the left of the letter. The spacing forms, as MathJax writes them, sit
# centred over it.
SPACING_ACCENTS = {"\u0300": "\u0060", "\u0301": "\u00b4", "\u0302": "\u02c6", "\u0303": "\u02dc",
                   "\u0304": "\u00af", "\u0306": "\u02d8", "\u0307": "\u02d9", "\u0308": "\u00a8",
                   "\u030a": "\u02da", "\u030c": "\u02c7", "\u20d7": "\u2192"}


ACCENT_MO_RE = re.compile(rb'(<mo [^>]*accent="true"[^>]*>)([^<]+)(</mo>)')


def spacing_accents(xhtml: bytes) -> bytes:
    def swap(m: re.Match) -> bytes:
        text = m.group(2).decode("utf-8")
        return m.group(1) + "".join(SPACING_ACCENTS.get(ch, ch) for ch in text).encode("utf-8") + m.group(3)
    return ACCENT_MO_RE.sub(swap, xhtml)


def _with_alttext(m: re.Match) -> bytes:
    attributes, body = m.group(1), m.group(2)
    tex = TEX_ANNOTATION_RE.search(body)
    if tex is None or b"alttext=" in attributes:
        return m.group(0)
    alt = b" ".join(tex.group(1).split()).replace(b'"', b"&quot;")  # already XML-escaped, one line
    return b"<math " + attributes + b' alttext="' + alt + b'">' + body + b"</math>"


HEADING_RE = re.compile(rb"<h[12][^>]*>(.*?)</h[12]>", re.S)


def titled(xhtml: bytes) -> bytes:
    """A chapter file's <title> is its heading (pandoc gives it the file name, which readers show)."""
    heading = HEADING_RE.search(xhtml)
    if heading is None:
        return xhtml
    inner = re.sub(rb'<math [^>]*alttext="([^"]*)".*?</math>', rb"\1", heading.group(1), flags=re.S)  # its TeX
    text = b" ".join(re.sub(rb"<[^>]+>", b"", inner).split())
    return re.sub(rb"<title>[^<]*</title>", lambda _: b"<title>" + text + b"</title>", xhtml, count=1)


def landmarks(nav: bytes, first_body: str | None) -> bytes:
    """Landmarks in the book's language, with the start of the body matter (where a reader opens a book)."""
    nav = nav.replace(b'epub:type="titlepage">Title Page</a>', 'epub:type="titlepage">扉页</a>'.encode())
    nav = nav.replace(b'epub:type="toc">Table of Contents</a>', 'epub:type="toc">目录</a>'.encode())
    if first_body and b'epub:type="bodymatter"' not in nav:
        entry = f'    <li>\n      <a href="{first_body}" epub:type="bodymatter">正文</a>\n    </li>\n  </ol>\n</nav>'
        at = nav.find(b'<nav epub:type="landmarks"')
        end = nav.find(b"  </ol>\n</nav>", at)
        if at >= 0 and end >= 0:
            nav = nav[:end] + entry.encode() + nav[end + len(b"  </ol>\n</nav>"):]
    return nav


def finish_epub(epub: Path, css: bytes, modified: str, cover: Path | None, math_images: bool = False) -> int:
    """What --sandbox keeps pandoc from doing, done on its output: our stylesheet instead of pandoc's,
    the real modification time (the sandbox's clock says 1970), the cover image; and each formula's TeX as
    its alttext, MathML among the accessibility features (formulas as images: described math, the TeX
    being each image's alt text). Returns the <math> count."""
    rewritten = epub.with_name(epub.name + ".fix")
    mathml = 0
    with zipfile.ZipFile(epub) as src, zipfile.ZipFile(rewritten, "w") as dst:
        chapters = sorted(n for n in src.namelist() if re.search(r"/text/ch\d+\.xhtml$", n))
        first_body = chapters[0].split("EPUB/", 1)[-1] if chapters else None
        for info in src.infolist():  # mimetype stays first and stored, as EPUB requires
            data = src.read(info.filename)
            if info.filename.endswith("styles/stylesheet1.css"):
                data = css
            elif info.filename.endswith("content.opf"):
                opf = re.sub(r'(<meta property="dcterms:modified">)[^<]*', rf"\g<1>{modified}", data.decode("utf-8"))
                features = ["MathML"] if 'properties="mathml"' in opf else []
                features += ["describedMath"] if math_images else []
                for feature in features:  # formulas are MathML with their TeX as alttext, or images with it as alt
                    opf = opf.replace('<meta property="schema:accessibilityHazard">',
                                      f'<meta property="schema:accessibilityFeature">{feature}</meta>\n    '
                                      '<meta property="schema:accessibilityHazard">', 1)
                if cover:
                    suffix = cover.suffix.lower()
                    opf = opf.replace("</manifest>", f'    <item id="cover-image" href="media/cover{suffix}"'
                                      f' media-type="{COVER_TYPES[suffix]}" properties="cover-image" />'
                                      "\n  </manifest>", 1)
                data = opf.encode("utf-8")
            elif info.filename.endswith("nav.xhtml"):  # a title's formula as its TeX, as toc.ncx and the PDF's
                data = landmarks(NAV_MATH_RE.sub(rb"\1", data), first_body)  # bookmarks have it
            elif info.filename.endswith(".xhtml"):
                mathml += data.count(b"<math ")
                data = titled(spacing_accents(MATH_RE.sub(_with_alttext, data)))
            dst.writestr(info, data)
        if cover:
            dst.write(cover, f"EPUB/media/cover{cover.suffix.lower()}", compress_type=zipfile.ZIP_STORED)
    os.replace(rewritten, epub)
    return mathml
