"""book.yaml's settings as typed dataclasses, with their defaults and documentation."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Union

from builder.config.paper import PAGE_NAMES, page_layout
from builder.config.problems import Problem

OUTPUTS = ("pdf", "epub", "epub-images")  # epub-images: formulas as images (book epub --math images)

VOLUME_MODES = ("none", "series")  # or a list of VolumeConfig

OTHER_PART = "other"  # the key of the final part (the posts in no series), in posts.<id>.series and volumes


@dataclass(frozen=True)
class SeriesConfig:
    key: str
    """Short name, used in messages and in `posts.<id>.series`."""
    title: str
    """Part title printed in the book."""
    match: str = ""
    """Posts whose title starts with this text (punctuation width ignored) belong here; defaults to `title`."""
    related: list[str] = field(default_factory=list)
    """Title keywords that pull other posts in after the numbered ones, marked as related."""
    order: list[str] = field(default_factory=list)
    """Post ids in the order to print them; posts not listed follow in their natural order."""
    description: str = ""
    """A sentence printed on the part's opening page."""


@dataclass(frozen=True)
class PostOverride:
    title: Optional[str] = None
    """Replaces the scraped title."""
    date: Optional[str] = field(default=None, metadata={"date": True})
    """YYYY-MM-DD, replaces the scraped date."""
    series: Optional[str] = None
    """Key of the series to put the post in (or `other`)."""
    url: str = ""
    """The post's address on the blog: where a link from a volume to this post goes when the post's own volume
    is not built (`book volumes KEY`); empty: the blog's address."""
    accept: list[str] = field(default_factory=list)
    """Warnings known and accepted for this post, by the code shown in brackets after them (empty-body,
    untitled): no longer printed, and --strict passes."""


@dataclass(frozen=True)
class VolumeConfig:
    key: str
    """Short name (letters, digits, `.`, `_`, `-`): the volume is build/volumes/<key>.pdf, and `book volumes
    <key>` builds it alone."""
    parts: list[str]
    """Keys of the series it holds (`other`: the final part, the posts in no series); printed in the book's
    order."""
    title: str = ""
    """Title on the volume's title page, under the book's; empty: its parts' titles."""


@dataclass(frozen=True)
class FontsConfig:
    cjk_serif: str = "Noto Serif CJK SC"
    """Chinese body font (a family name `fc-list :lang=zh family` prints)."""
    cjk_sans: str = "Noto Sans CJK SC"
    """Chinese heading and bold font."""
    fallback: list[str] = field(default_factory=lambda: ["HanaMinA", "HanaMinB", "Symbola"])
    """Fonts tried in order for characters the main fonts lack (rare CJK such as 𠀀, emoji); one that is not
    installed is left out, with a warning."""


@dataclass(frozen=True)
class BlogConfig:
    name: str = ""
    """The blog's name, printed on the title page and in the preface (empty: not mentioned)."""
    url: str = ""
    """The blog's address, printed beside its name."""


@dataclass(frozen=True)
class PaperSize:
    width: str = field(metadata={"length": True})
    """Page width with a unit: mm, cm, in or pt (90mm)."""
    height: str = field(metadata={"length": True})
    """Page height with a unit (120mm)."""


@dataclass(frozen=True)
class Config:
    title: str = ""
    """Book title; empty means the name of the book's folder."""
    author: str = ""
    """Author, on the title page and in the metadata (empty: none)."""
    language: str = "zh-CN"
    """Language tag of the text (BCP 47), for the PDF and EPUB metadata."""
    date: str = field(default="", metadata={"date": True})
    """Publication date for the metadata, YYYY-MM-DD; empty means the build date."""
    identifier: str = ""
    """The EPUB's dc:identifier; empty means one derived from the title, author and blog (a UUID that stays
    the same from build to build, and differs between books, so readers' libraries keep them apart)."""
    cover_image: str = ""
    """A PNG or JPEG in the book's folder, the EPUB's cover; empty: no cover."""
    sources: list[str] = field(default_factory=lambda: ["excerpts/*.txt"])
    """Globs of dump files, relative to book.yaml."""
    sources_outside: list[str] = field(default_factory=list)
    """Folders outside the book's folder that a dump may really lie in (a symbolic link in excerpts/ to a
    dump elsewhere); by default none, and such a dump is skipped with an error."""
    blog: BlogConfig = field(default_factory=BlogConfig)
    """The blog the posts come from."""
    preface: str = ""
    """Extra preface text; the preface always says where the excerpts come from."""
    series: list[SeriesConfig] = field(default_factory=list)
    """The book's parts, in order."""
    other_title: str = "其他文章"
    """Title of the final part that holds every post in no series."""
    exclude: list[str] = field(default_factory=list)
    """Post ids to leave out."""
    posts: dict[str, PostOverride] = field(default_factory=dict)
    """Per-post corrections, by id (`book list` prints the ids)."""
    paper: Union[str, PaperSize] = field(default="a4paper", metadata={"choices": PAGE_NAMES})
    """Page size of the PDF: a4paper, a5paper, b5paper, letterpaper; an e-reader screen: kindle (90 × 122 mm),
    kobo-clara (91 × 122 mm), ereader-7in (107 × 143 mm); or {width: 90mm, height: 120mm}. Margins and the
    type size follow the page (12pt from 170 mm wide, 10.5pt below)."""
    fonts: FontsConfig = field(default_factory=FontsConfig)
    """Fonts of the PDF."""
    glossary: list[str] = field(default_factory=list)
    """Chinese terms for the index."""
    index_terms: list[str] = field(default_factory=list)
    """Extra Latin-script index terms beyond those found automatically."""
    index_ignore: list[str] = field(default_factory=list)
    """Latin-script words never to index, on top of styles/index-stopwords.txt."""
    index_pinyin: dict[str, str] = field(default_factory=dict)
    """Readings for sorting Chinese index terms pypinyin reads wrongly ({重参数: chong2 can1 shu4}): one
    syllable with its tone digit (1-5, 5 neutral; ü as v) per character; a term starting with the key sorts
    by it too."""
    outputs: list[str] = field(default_factory=lambda: ["pdf", "epub"], metadata={"choices": OUTPUTS})
    """What `book all` builds: pdf (build/book.pdf), epub (build/book.epub, formulas as MathML) and
    epub-images (build/book-images.epub, formulas as images, for readers without MathML)."""
    volumes: Union[str, list[VolumeConfig], None] = field(default="none", metadata={"choices": VOLUME_MODES})
    """The book split into volumes, one PDF each (build/volumes/<key>.pdf, by `book volumes` and `book all`),
    besides the whole book: none; series (each part a volume, keyed by its series key, `other` for the final
    part); or a list of volumes, every part in exactly one. Chapters keep the whole book's numbers."""

    # Set by load(), not by the user.
    root: Path = field(default=Path("."), metadata={"internal": True})
    path: Path = field(default=Path("book.yaml"), metadata={"internal": True})
    lines: dict[str, int] = field(default_factory=dict, metadata={"internal": True})
    """Key path -> its line in book.yaml, for messages."""
    warnings: list[Problem] = field(default_factory=list, metadata={"internal": True})
    """`book.yaml:LINE: warning: …` lines: settings that were left out (a fallback font not installed)."""

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    @property
    def chapters_dir(self) -> Path:
        return self.root / "chapters"

    @property
    def page(self) -> dict:
        """The page's size, margins and base size, for styles/preamble.tex.jinja (see builder/config/paper.py)."""
        return page_layout(self.paper)


def source_files(cfg: Config, refused: Optional[list[Path]] = None) -> list[Path]:
    """The dump files the sources globs name, each once, in glob order; one that really lies outside the
    book's folder (through a symbolic link) and outside sources_outside is left out (and put in `refused`)."""
    seen: dict[Path, None] = {}
    for pattern in cfg.sources:
        for p in sorted(cfg.root.glob(pattern)):
            if not p.is_file():
                continue
            if inside_book(cfg, p):
                seen.setdefault(p, None)
            elif refused is not None and p not in refused:
                refused.append(p)
    return list(seen)


def inside_book(cfg: Config, path: Path) -> bool:
    """Whether a file, links followed, is in the book's folder or a folder sources_outside allows."""
    real = path.resolve()
    allowed = [cfg.root.resolve()] + [(cfg.root / d).expanduser().resolve() for d in cfg.sources_outside]
    return any(real == a or a in real.parents for a in allowed)
