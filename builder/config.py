"""book.yaml: typed, documented settings; every problem is reported at once with its key."""
from __future__ import annotations

import dataclasses
import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, get_args, get_origin

import yaml

from .typography import HAN_RE


class ConfigError(Exception):
    """All problems found in a config file, one line each."""

    def __init__(self, path: Path, problems: list[str]):
        self.path = path
        self.problems = problems
        super().__init__("\n".join(f"{path}: {p}" for p in problems))


@dataclass
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


@dataclass
class PostOverride:
    title: Optional[str] = None
    """Replaces the scraped title."""
    date: Optional[str] = None
    """YYYY-MM-DD, replaces the scraped date."""
    series: Optional[str] = None
    """Key of the series to put the post in (or `other`)."""
    accept: list[str] = field(default_factory=list)
    """Warnings known and accepted for this post, by the code shown in brackets after them (empty-body,
    untitled): no longer printed, and --strict passes."""


@dataclass
class FontsConfig:
    cjk_serif: str = "Noto Serif CJK SC"
    """Chinese body font (fontconfig family name)."""
    cjk_sans: str = "Noto Sans CJK SC"
    """Chinese heading font."""
    fallback: list[str] = field(default_factory=lambda: ["HanaMinA", "HanaMinB", "Symbola"])
    """Fonts tried in order for characters the main fonts lack (rare CJK such as 𠀀, emoji)."""


@dataclass
class BlogConfig:
    name: str = ""
    """The blog's name, printed on the title page and in the preface (empty: not mentioned)."""
    url: str = ""
    """The blog's address, printed beside its name."""


@dataclass
class Config:
    title: str = ""
    """Book title; empty means the name of the book's folder."""
    author: str = ""
    """Printed on the title page and in the metadata (empty: none)."""
    language: str = "zh-CN"
    """The book's language (BCP 47), for the PDF's and the EPUB's metadata."""
    date: str = ""
    """Publication date for the metadata; empty means the build date."""
    identifier: str = ""
    """The EPUB's dc:identifier; empty means one derived from the title, author and blog (a UUID that stays
    the same from build to build, and differs between books, so readers' libraries keep them apart)."""
    cover_image: str = ""
    """A PNG or JPEG, relative to book.yaml, for the EPUB's cover."""
    sources: list[str] = field(default_factory=lambda: ["excerpts/*.txt"])
    """Globs of dump files, relative to book.yaml."""
    sources_outside: list[str] = field(default_factory=list)
    """Folders outside the book's folder that a dump may really lie in (a symbolic link in excerpts/ to a
    dump elsewhere); by default none, and such a dump is skipped with an error."""
    blog: BlogConfig = field(default_factory=BlogConfig)
    preface: str = ""
    """Extra preface text; the preface always says where the excerpts come from."""
    series: list[SeriesConfig] = field(default_factory=list)
    """The book's parts, in order."""
    other_title: str = "其他文章"
    """Title of the final part that holds every post in no series."""
    exclude: list[str] = field(default_factory=list)
    """Post ids to leave out."""
    posts: dict[str, PostOverride] = field(default_factory=dict)
    """Per-post corrections, by id."""
    paper: str = "a4paper"
    fonts: FontsConfig = field(default_factory=FontsConfig)
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
    outputs: list[str] = field(default_factory=lambda: ["pdf", "epub"])
    """What `book all` builds: pdf (build/book.pdf), epub (build/book.epub, formulas as MathML) and
    epub-images (build/book-images.epub, formulas as images, for readers without MathML)."""

    # Set by load(), not by the user.
    root: Path = field(default=Path("."), metadata={"internal": True})
    path: Path = field(default=Path("book.yaml"), metadata={"internal": True})

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    @property
    def chapters_dir(self) -> Path:
        return self.root / "chapters"


PAPERS = {"a4paper", "a5paper", "b5paper", "letterpaper"}
OUTPUTS = {"pdf", "epub", "epub-images"}  # epub-images: formulas as images (book epub --math images)
FONT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]*$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SYLLABLE_RE = re.compile(r"^[a-z]{1,6}[1-5]$")


def _convert(value: Any, typ: Any, key: str, problems: list[str]) -> Any:
    """Check and convert one YAML value against a dataclass field type."""
    origin = get_origin(typ)
    if typ is Any:
        return value
    if origin is list:
        (item_type,) = get_args(typ)
        if not isinstance(value, list):
            problems.append(f"{key}: expected a list, got {type(value).__name__}")
            return []
        return [_convert(v, item_type, f"{key}[{i}]", problems) for i, v in enumerate(value)]
    if origin is dict:
        _, item_type = get_args(typ)
        if not isinstance(value, dict):
            problems.append(f"{key}: expected a mapping, got {type(value).__name__}")
            return {}
        return {str(k): _convert(v, item_type, f"{key}.{k}", problems) for k, v in value.items()}
    if origin is not None and type(None) in get_args(typ):  # Optional[X]
        if value is None:
            return None
        inner = [a for a in get_args(typ) if a is not type(None)][0]
        return _convert(value, inner, key, problems)
    if dataclasses.is_dataclass(typ):
        if not isinstance(value, dict):
            problems.append(f"{key}: expected a mapping, got {type(value).__name__}")
            return typ.__new__(typ)
        return _build(typ, value, key + ".", problems)
    if typ is str:
        if isinstance(value, datetime.date):  # YAML reads 2020-01-02 as a date
            return value.isoformat()
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value)
        problems.append(f"{key}: expected text, got {type(value).__name__}")
        return ""
    if typ is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        problems.append(f"{key}: expected a whole number, got {type(value).__name__}")
        return 0
    return value


def _build(cls: Any, data: dict, prefix: str, problems: list[str]) -> Any:
    fields = {f.name: f for f in dataclasses.fields(cls) if not f.metadata.get("internal")}
    kwargs = {}
    for name, value in data.items():
        key = f"{prefix}{name}"
        if name not in fields:
            close = [f for f in fields if f.replace("_", "") == str(name).replace("_", "").replace("-", "")]
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            problems.append(f"{key}: unknown key{hint}")
            continue
        kwargs[name] = _convert(value, _resolve_type(cls, fields[name]), key, problems)
    missing = [
        n for n, f in fields.items()
        if n not in kwargs and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]
    for name in missing:
        problems.append(f"{prefix}{name}: required key is missing")
        kwargs[name] = ""
    return cls(**kwargs)


def _resolve_type(cls: Any, f: dataclasses.Field) -> Any:
    hints = _HINTS.get(cls)
    if hints is None:
        import typing
        hints = _HINTS[cls] = typing.get_type_hints(cls)
    return hints[f.name]


_HINTS: dict[Any, dict] = {}


def load(path: Path) -> Config:
    """Read and validate a book.yaml; raises ConfigError with every problem found."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(path, ["file not found"]) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(path, [f"not UTF-8 text (byte offset {exc.start})"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        raise ConfigError(path, [f"{where}invalid YAML: {getattr(exc, 'problem', exc)}"]) from None
    raw = raw or {}
    problems: list[str] = []
    if not isinstance(raw, dict):
        raise ConfigError(path, ["top level must be a mapping of settings"])
    cfg: Config = _build(Config, raw, "", problems)
    cfg.root = path.resolve().parent
    cfg.path = path
    cfg.title = cfg.title or cfg.root.name
    _check_values(cfg, problems)
    if problems:
        raise ConfigError(path, problems)
    return cfg


def _check_values(cfg: Config, problems: list[str]) -> None:
    if cfg.paper not in PAPERS:
        problems.append(f"paper: '{cfg.paper}' is not one of {', '.join(sorted(PAPERS))}")
    for i, out in enumerate(cfg.outputs):
        if out not in OUTPUTS:
            problems.append(f"outputs[{i}]: '{out}' is not one of {', '.join(sorted(OUTPUTS))}")
    for name in ("cjk_serif", "cjk_sans"):
        if not FONT_RE.match(getattr(cfg.fonts, name)):
            problems.append(f"fonts.{name}: '{getattr(cfg.fonts, name)}' is not a font family name")
    for i, name in enumerate(cfg.fonts.fallback):
        if not FONT_RE.match(name):
            problems.append(f"fonts.fallback[{i}]: '{name}' is not a font family name")
    keys = set()
    for i, s in enumerate(cfg.series):
        if not s.key:
            continue
        if s.key in keys or s.key == "other":
            problems.append(f"series[{i}].key: '{s.key}' is used twice or reserved")
        keys.add(s.key)
        if not s.match:
            s.match = s.title
    for post_id, override in cfg.posts.items():
        if override.date and not DATE_RE.match(override.date):
            problems.append(f"posts.{post_id}.date: '{override.date}' is not YYYY-MM-DD")
        if override.series and override.series not in keys | {"other"}:
            problems.append(f"posts.{post_id}.series: no series with key '{override.series}'")
    _check_readings(cfg, problems)
    if cfg.cover_image:
        cover = cfg.root / cfg.cover_image
        if Path(cfg.cover_image).is_absolute() or ".." in Path(cfg.cover_image).parts or not cover.is_file() \
                or not inside_book(cfg, cover):
            problems.append(f"cover_image: '{cfg.cover_image}' is not a file inside the book's folder")
        elif cover.suffix.lower() not in (".png", ".jpg", ".jpeg"):
            problems.append(f"cover_image: '{cfg.cover_image}' must be a PNG or JPEG image")
    if not cfg.sources:
        problems.append("sources: at least one glob is needed")
    for i, pattern in enumerate(cfg.sources):
        if Path(pattern).is_absolute() or ".." in Path(pattern).parts:
            problems.append(f"sources[{i}]: '{pattern}' must stay inside the book's folder")
        elif not sorted(cfg.root.glob(pattern)):
            problems.append(f"sources[{i}]: '{pattern}' matches no file")


def _check_readings(cfg: Config, problems: list[str]) -> None:
    """index_pinyin: a syllable with a tone digit for each Chinese character of the key; stored as
    pypinyin writes them (lower case, ü as v) so they sort with its readings."""
    for term, reading in list(cfg.index_pinyin.items()):
        normal = reading.strip().lower().replace("ü", "v").replace("u:", "v")
        chars = len(HAN_RE.findall(term))
        syllables = normal.split()
        if not chars:
            problems.append(f"index_pinyin.{term}: the term has no Chinese characters to read")
        elif not syllables or not all(SYLLABLE_RE.match(s) for s in syllables):
            problems.append(f"index_pinyin.{term}: '{reading}' is not pinyin syllables with tone digits "
                            f"(like chang2 du4)")
        elif len(syllables) != chars:
            problems.append(f"index_pinyin.{term}: '{reading}' has {len(syllables)} syllable(s) for "
                            f"{chars} Chinese character(s)")
        else:
            cfg.index_pinyin[term] = " ".join(syllables)


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


def describe() -> str:
    """Every setting with its default and documentation, for `book config`."""
    import inspect

    lines = []
    src = inspect.getsource(Config)
    docs = dict(re.findall(r"^    (\w+): [^\n]*\n    \"\"\"(.*?)\"\"\"", src, re.M | re.S))
    for f in dataclasses.fields(Config):
        if f.metadata.get("internal"):
            continue
        default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
        if dataclasses.is_dataclass(default):
            default = dataclasses.asdict(default)
        lines.append(f"{f.name}: {default!r}")
        if f.name in docs:
            lines.append(f"    {docs[f.name].strip()}")
    return "\n".join(lines)
