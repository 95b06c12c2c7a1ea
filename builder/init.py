"""`book init`: a new book's folder, with a book.yaml that documents every setting and its default."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import yaml

from .config import Config
from .configdoc import default_of, field_docs, schema

EXCERPTS_README = """\
Put the blog's dumps here, one or more `.txt` files (any name): the text a scraper saved from the blog's
listing pages, in either format `book` reads (see the tool's README, "What it does"). Then run `book pdf`
from anywhere inside the book's folder. `book list` shows the posts found, with their ids.
"""
GITIGNORE = "build/\nchapters/\n"
SCHEMA_FILE = "book.schema.json"


def _yaml_value(value) -> str:
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=1000).strip()
    return text.removesuffix("\n...").removesuffix("...").strip()


def book_yaml(title: str) -> str:
    """The commented book.yaml of a new book: the title set, every other setting commented out at its default,
    each with what it means."""
    docs = field_docs(Config)
    lines = [f"# yaml-language-server: $schema={SCHEMA_FILE}",
             "# The book: what goes in, in which order, and how it looks. Every setting is listed with its",
             "# default (commented out); `book config` prints the settings in effect, `book list` the posts' ids.",
             ""]
    for f in dataclasses.fields(Config):
        if f.metadata.get("internal"):
            continue
        if f.name in docs:
            lines += [f"# {line}" for line in _wrap(docs[f.name])]
        default = default_of(f)
        if f.name == "title":
            lines.append(f"title: {_yaml_value(title)}")
        elif f.name == "sources":
            lines.append(f"sources: {_yaml_value(default)}")
        elif f.name == "series":
            lines += ["# series:", "#   - key: vae               # a short name, used in messages and posts.<id>.series",
                      "#     title: 变分自编码器     # the part's title; posts whose title starts with it go here",
                      "#     related: [NVAE]       # title keywords that pull other posts in after the numbered ones",
                      "#     description: 一句话介绍  # printed on the part's opening page"]
        elif f.name == "posts":
            lines += ["# posts:", "#   <post id>:               # from `book list`",
                      "#     title: 修正后的标题", "#     date: 2024-01-31", "#     series: vae            # or other"]
        elif isinstance(default, dict) and default and dataclasses.is_dataclass(getattr(Config(), f.name)):
            sub = dataclasses.fields(type(getattr(Config(), f.name)))
            subdocs = field_docs(type(getattr(Config(), f.name)))
            lines.append(f"# {f.name}:")
            for s in sub:
                lines += [f"#   # {line}" for line in _wrap(subdocs.get(s.name, ""))] if s.name in subdocs else []
                lines.append(f"#   {s.name}: {_yaml_value(default[s.name])}")
        else:
            lines.append(f"# {f.name}: {_yaml_value(default)}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _wrap(text: str, width: int = 100) -> list[str]:
    out, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return out + ([line] if line else [])


def init(folder: Path) -> list[Path]:
    """Make a new book in `folder` (created if need be); the files written. Never overwrites a book.yaml; the
    JSON Schema (book schema) beside it is what the first line of book.yaml points editors to."""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "book.yaml"
    if config.exists():
        raise FileExistsError(str(config))
    written = []
    for path, text in [(config, book_yaml(folder.resolve().name)),
                       (folder / "excerpts" / "README.md", EXCERPTS_README),
                       (folder / ".gitignore", GITIGNORE),
                       (folder / SCHEMA_FILE, json.dumps(schema(), ensure_ascii=False, indent=1) + "\n")]:
        if path.exists() and path != config:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
