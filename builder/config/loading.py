"""Reading book.yaml: every key's type, value and line checked, every problem reported at once."""
from __future__ import annotations

import calendar
import dataclasses
import datetime
import re
import typing
from pathlib import Path
from typing import Any, Optional, Union, get_args, get_origin

import yaml

from builder.config import fonts
from builder.config.paper import PAGE_NAMES, size_problem
from builder.config.problems import ConfigError, Problem, Problems, one_of, suggest
from builder.config.settings import OUTPUTS, Config, PaperSize, inside_book
from builder.config.volumes import check_volumes
from builder.text.typography import HAN_RE

DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")

SYLLABLE_RE = re.compile(r"^[a-z]{1,6}[1-5]$")


class Loader(yaml.SafeLoader):
    """YAML as book.yaml is read: dates stay text (checked here, so 2024-02-30 is an error with its key,
    not a crash in the YAML library)."""


def _date_as_text(loader: Loader, node: yaml.ScalarNode) -> str:
    return loader.construct_scalar(node)  # a timestamp is always a scalar


Loader.add_constructor("tag:yaml.org,2002:timestamp", _date_as_text)


def read(path: Path) -> Config:
    """book.yaml -> Config; ConfigError with every problem found."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(path, ["file not found"]) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(path, [f"not UTF-8 text (byte offset {exc.start})"]) from None
    lines: dict[str, int] = {}
    problems = Problems(lines)
    loader = Loader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _record_lines(node, "", lines, problems, set())
        raw = loader.construct_document(node) if node is not None else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError(path, [Problem(f"invalid YAML: {getattr(exc, 'problem', None) or exc}",
                                         mark.line + 1 if mark else None)]) from None
    finally:
        loader.dispose()
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(path, [Problem(f"the file must be a mapping of settings (title: …), got "
                                         f"{describe_value(raw)}", 1)])
    cfg: Config = build(Config, raw, "", problems)
    root = path.resolve().parent
    cfg = dataclasses.replace(cfg, root=root, path=path, lines=lines,
                              title=cfg.title or root.name)  # a new book's default: its folder's name
    cfg = check_values(cfg, problems)
    if problems.items:  # in the file's order, as an editor lists them
        ordered = sorted(problems.items, key=lambda p: p.line or 0)
        raise ConfigError(path, ordered, lines)
    return cfg


def _record_lines(node: yaml.Node, key: str, lines: dict[str, int], problems: Problems, seen: set) -> None:
    """Key path -> line of the key (of the item, in a list); a key given twice is a problem. A node reached
    again through an alias is not walked again (aliases may nest exponentially)."""
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        first: dict[str, int] = {}
        for k, v in node.value:
            name = str(k.value) if isinstance(k, yaml.ScalarNode) else "?"
            path = f"{key}.{name}" if key else name
            line = k.start_mark.line + 1
            if name in first and name != "<<":
                problems.add(key, f"'{name}' is given twice (lines {first[name]} and {line}); only the last "
                                  f"would count", line)
            first.setdefault(name, line)
            lines[path] = line
            _record_lines(v, path, lines, problems, seen)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[f"{key}[{i}]"] = item.start_mark.line + 1
            _record_lines(item, f"{key}[{i}]", lines, problems, seen)


def describe_value(value: Any) -> str:
    """A YAML value as a message shows it: `12`, `'text'`, `a list`, `a mapping`."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:40] + "…")
    return str(value)


def field_types(cls: Any) -> dict[str, tuple[dataclasses.Field, Any]]:
    """The user-facing fields of a config dataclass: name -> (field, resolved type)."""
    hints = typing.get_type_hints(cls)
    return {f.name: (f, hints[f.name]) for f in dataclasses.fields(cls) if not f.metadata.get("internal")}


def expected(typ: Any) -> str:
    """What a type asks for, in words: `a mapping (cjk_serif, cjk_sans, fallback)`, `a list of text`."""
    origin = get_origin(typ)
    if origin is list:
        return "a list" + ("" if get_args(typ)[0] is str else f" of {expected(get_args(typ)[0])}s")
    if origin is dict:
        return "a mapping"
    if origin is Union:
        args = [a for a in get_args(typ) if a is not type(None)]
        return " or ".join(expected(a) for a in args)
    if dataclasses.is_dataclass(typ):
        return f"a mapping ({', '.join(field_types(typ))})"
    return "text"


def convert(value: Any, typ: Any, key: str, problems: Problems) -> Any:
    """Check and convert one YAML value against a dataclass field type."""
    origin = get_origin(typ)
    if origin is list:
        if value is None:  # `exclude:` with nothing after it: none
            return []
        if not isinstance(value, list):
            problems.add(key, f"expected {expected(typ)}, got {describe_value(value)}")
            return []
        (item_type,) = get_args(typ)
        return [convert(v, item_type, f"{key}[{i}]", problems) for i, v in enumerate(value)]
    if origin is dict:
        if value is None:
            return {}
        if not isinstance(value, dict):
            problems.add(key, f"expected {expected(typ)}, got {describe_value(value)}")
            return {}
        _, item_type = get_args(typ)
        return {str(k): convert(v, item_type, f"{key}.{k}", problems) for k, v in value.items()}
    if origin is Union:
        args = [a for a in get_args(typ) if a is not type(None)]
        if value is None and type(None) in get_args(typ):
            return None
        if len(args) > 1:  # text or a mapping (paper), text or a list (volumes): the value's shape chooses
            chosen = next((a for a in args if dataclasses.is_dataclass(a) == isinstance(value, dict)
                           and (get_origin(a) is list) == isinstance(value, list)), None)
            if chosen is None or not isinstance(value, (dict, list, str, int, float)) or isinstance(value, bool):
                problems.add(key, f"expected {expected(typ)}, got {describe_value(value)}")
                return None
            return convert(value, chosen, key, problems)
        return convert(value, args[0], key, problems)
    if dataclasses.is_dataclass(typ):
        if not isinstance(value, dict):
            problems.add(key, f"expected {expected(typ)}, got {describe_value(value)}")
            return build(typ, {}, key, Problems({}))  # the defaults; the type error above is the problem
        return build(typ, value, key, problems)
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value)  # `title: 1984` is the title "1984"
    if isinstance(value, datetime.date):
        return value.isoformat()
    problems.add(key, f"expected text, got {describe_value(value)}")
    return ""


def build(cls: Any, data: dict, key: str, problems: Problems) -> Any:
    """A dataclass from a mapping; unknown keys and missing required keys are problems. Built from {} with
    problems that are then dropped: the defaults (required text empty) for a value that was not a mapping."""
    fields = field_types(cls)
    kwargs = {}
    for name, value in data.items():
        path = f"{key}.{name}" if key else str(name)
        if name not in fields:
            known = f"the keys here are {', '.join(fields)}" if key else \
                "`book config --defaults` lists every setting"
            problems.add(key, f"unknown key '{name}'; {suggest(str(name), list(fields), known)}",
                         problems.lines.get(path))
            continue
        kwargs[name] = convert(value, fields[name][1], path, problems)
    for name, (f, _) in fields.items():
        if name not in kwargs and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            problems.add(key, f"required key '{name}' is missing")
            kwargs[name] = ""
    return cls(**kwargs)


def check_date(text: str) -> Optional[str]:
    """Why a YYYY-MM-DD text is not a date on the calendar, or None."""
    m = DATE_RE.match(text)
    if not m:
        return f"'{text}' is not a date written YYYY-MM-DD (like 2019-10-19)"
    year, month, day = (int(g) for g in m.groups())
    if not 1 <= month <= 12:
        return f"'{text}' has no month {month}"
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return f"'{text}' is not a date: {calendar.month_name[month]} {year} has {days} days"
    return None


def check_values(cfg: Config, problems: Problems) -> Config:
    """What types alone do not say: names, dates, files, fonts, references between keys. Returns the config as
    the build uses it: the fallback fonts that are installed, each series' match, the readings normalised."""
    if isinstance(cfg.paper, PaperSize):
        for side in ("width", "height"):
            if problems.clean(f"paper.{side}") and (why := size_problem(getattr(cfg.paper, side))):
                problems.add(f"paper.{side}", why)
    elif problems.clean("paper") and cfg.paper not in PAGE_NAMES:
        problems.add("paper", one_of(cfg.paper, PAGE_NAMES, " or {width: 90mm, height: 120mm}"))
    for i, out in enumerate(cfg.outputs):
        if problems.clean(f"outputs[{i}]") and out not in OUTPUTS:
            problems.add(f"outputs[{i}]", one_of(out, list(OUTPUTS)))
    if cfg.date and problems.clean("date") and (why := check_date(cfg.date)):
        problems.add("date", why)
    fallback, font_warnings = fonts.check(cfg, problems)
    keys = set()
    for i, s in enumerate(cfg.series):
        if not s.key or not problems.clean(f"series[{i}].key"):
            continue
        if s.key in keys or s.key == "other":
            problems.add(f"series[{i}].key", f"'{s.key}' is used twice or reserved")
        keys.add(s.key)
    series_keys = [s.key for s in cfg.series if s.key] + ["other"]
    for post_id, override in cfg.posts.items():
        if override.date and problems.clean(f"posts.{post_id}.date") and (why := check_date(override.date)):
            problems.add(f"posts.{post_id}.date", why)
        if override.series and problems.clean(f"posts.{post_id}.series") and override.series not in series_keys:
            problems.add(f"posts.{post_id}.series", one_of(override.series, series_keys)
                         .replace("is not one of", "is not a series key:"))
    readings = check_readings(cfg, problems)
    check_volumes(cfg, problems)
    if cfg.cover_image and problems.clean("cover_image"):
        cover = cfg.root / cfg.cover_image
        if Path(cfg.cover_image).is_absolute() or ".." in Path(cfg.cover_image).parts or not cover.is_file() \
                or not inside_book(cfg, cover):
            problems.add("cover_image", f"'{cfg.cover_image}' is not a file inside the book's folder")
        elif cover.suffix.lower() not in (".png", ".jpg", ".jpeg"):
            problems.add("cover_image", f"'{cfg.cover_image}' must be a PNG or JPEG image")
    if not cfg.sources and problems.clean("sources"):
        problems.add("sources", "at least one glob is needed (like excerpts/*.txt)")
    for i, pattern in enumerate(cfg.sources):
        if not problems.clean(f"sources[{i}]"):
            continue
        if Path(pattern).is_absolute() or ".." in Path(pattern).parts:
            problems.add(f"sources[{i}]", f"'{pattern}' must stay inside the book's folder")
        elif not sorted(cfg.root.glob(pattern)):
            problems.add(f"sources[{i}]", f"'{pattern}' matches no file")
    return dataclasses.replace(
        cfg, fonts=dataclasses.replace(cfg.fonts, fallback=fallback), warnings=[*cfg.warnings, *font_warnings],
        index_pinyin=readings, series=[s if s.match else dataclasses.replace(s, match=s.title) for s in cfg.series])


def check_readings(cfg: Config, problems: Problems) -> dict[str, str]:
    """index_pinyin: a syllable with a tone digit for each Chinese character of the key; kept as pypinyin
    writes them (lower case, ü as v) so they sort with its readings."""
    readings = dict(cfg.index_pinyin)
    for term, reading in list(cfg.index_pinyin.items()):
        normal = reading.strip().lower().replace("ü", "v").replace("u:", "v")
        chars = len(HAN_RE.findall(term))
        syllables = normal.split()
        key = f"index_pinyin.{term}"
        if not problems.clean(key):
            continue
        if not chars:
            problems.add(key, "the term has no Chinese characters to read")
        elif not syllables or not all(SYLLABLE_RE.match(s) for s in syllables):
            problems.add(key, f"'{reading}' is not pinyin syllables with tone digits (like chang2 du4)")
        elif len(syllables) != chars:
            problems.add(key, f"'{reading}' has {len(syllables)} syllable(s) for {chars} Chinese character(s)")
        else:
            readings[term] = " ".join(syllables)
    return readings


def load(path: Path) -> Config:
    """Read and validate a book.yaml; raises ConfigError with every problem found."""
    return read(Path(path))
