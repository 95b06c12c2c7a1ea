"""The assembly file book.tex and the preamble shared with every TeX run of the book."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Optional

from builder.config.settings import Config
from builder.config.styles import style_dirs
from builder.mathtex import dialect
from builder.model.book import Book, post_formulas
from builder.render.latex.chapter import overview_row
from builder.render.latex.templates import template_env
from builder.render.latex.texescape import escape
from builder.render.presentation import book_source
from builder.text.numerals import zh_numeral
from builder.text.typography import cjk_punctuation

STYLE_FILES = ("sciblog.sty", "sbmathjax.sty", "sciblog.ist")

URL_UNSAFE_RE = re.compile(r"[^A-Za-z0-9:/._~?=&+@!,;*()'-]")


def preamble_context(cfg: Config, packages: list[str]) -> dict:
    """What styles/preamble.tex.jinja needs: shared by the book and by the formula check."""
    return {"page": cfg.page, "fonts": cfg.fonts, "title_plain": escape(cfg.title),
            "author_plain": escape(cfg.author), "language": escape(cfg.language),
            "math_packages": [(p, dialect.PACKAGE_OPTIONS.get(p, "")) for p in packages]}


def render_preamble(cfg: Config, packages: Optional[list[str]] = None) -> str:
    """The book's preamble alone (classes, packages, fonts), for typesetting formulas as the book does;
    by default with every optional math package."""
    env = template_env(style_dirs(cfg))
    packages = list(dialect.LATEX_PACKAGES) if packages is None else packages
    return env.get_template("preamble.tex.jinja").render(**preamble_context(cfg, packages))


def book_packages(book: Book) -> list[str]:
    """The optional LaTeX packages the book's formulas need (\\cancel, \\ce, …), in loading order."""
    needed = {p for c in book.chapters() for _, formula in post_formulas(c.post) for p in formula.packages}
    return [p for p in dialect.LATEX_PACKAGES if p in needed]


def render_book(book: Book, cfg: Config, chapter_file: Callable[[str], str],
                rejected: Optional[dict[str, str]] = None, volume: Optional[dict] = None) -> str:
    """The assembly file: preamble, front matter, parts and \\input of each chapter, index. A volume's (its
    parts in `book`) is given what only a volume has (builder/build/volumes.py)."""
    env = template_env(style_dirs(cfg))
    parts = [{"key": p.key, "title": escape(p.title), "description": escape(cjk_punctuation(p.description)),
              "files": [chapter_file(c.post.id) for c in p.chapters],
              "rows": [overview_row(c, p.title, rejected) for c in p.chapters],
              "widest_label": max((f"第{zh_numeral(c.number)}章" for c in p.chapters), key=len, default="")}
             for p in book.parts]
    return env.get_template("book.tex.jinja").render(
        **preamble_context(cfg, book_packages(book)),
        config_name=cfg.path.name,
        title=escape(cfg.title),
        author=escape(cfg.author),
        blog_name=escape(cfg.blog.name),
        blog_url=URL_UNSAFE_RE.sub("", cfg.blog.url),
        preface=escape(cfg.preface),
        parts=parts,
        chapter_count=len(book.chapters()),
        part_count=len(book.parts),
        has_series=bool(cfg.series),
        volume=volume,
        source=book_source(book),
    )
