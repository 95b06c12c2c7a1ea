"""`book init`: a new book's folder, with a book.yaml that documents every setting and its default."""
from __future__ import annotations

import json
from pathlib import Path

from builder.config.describe import describe_lines, flow, schema

EXCERPTS_README = """\
Put the blog's dumps here, one or more `.txt` files (any name): the text a scraper saved from the blog's
listing pages, in either format `book` reads (see the tool's README, "What it does"). Then run `book pdf`
from anywhere inside the book's folder. `book list` shows the posts found, with their ids.
"""


GITIGNORE = "build/\nchapters/\n"

SCHEMA_FILE = "book.schema.json"


def book_yaml(title: str) -> str:
    """The commented book.yaml of a new book: the title and the sources set, every other setting commented out
    at its default with what it means (the text of `book config --defaults`)."""
    lines = [f"# yaml-language-server: $schema={SCHEMA_FILE}",
             "# The book: what goes in, in which order, and how it looks. Every setting is listed with its",
             "# default (commented out); `book config` prints the settings in effect, `book list` the posts' ids.",
             ""]
    for line in describe_lines():
        if line.startswith("#"):
            lines.append(line)
        elif line.startswith("title:"):
            lines.append(f"title: {flow(title)}")
        elif line.startswith("sources:"):
            lines.append(line)
        else:
            lines.append(f"# {line}")
    return "\n".join(lines) + "\n"


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
