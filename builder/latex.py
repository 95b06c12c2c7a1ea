"""Book model -> LaTeX: one chapter file per post and the assembly file, through jinja templates."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

import jinja2
from pylatex import Command
from pylatex.base_classes import Options
from pylatex.utils import NoEscape

from .blocks import split_inline
from .config import Config
from .index import TermMarker
from .links import LinkTable
from .model import (
    Book, Chapter, CodeBlock, DisplayMath, Figure, Heading, Inline, ListBlock, Location, Logo, Math, Paragraph, Text, Url,
)
from .typography import cjk_punctuation
from .texescape import check_math, escape, escape_code, escape_url, escape_verbatim, label_name, url_target

STYLE_FILES = ("sciblog.sty", "sciblog.ist")
LABEL_RE = re.compile(r"\\label\{[^{}]*\}")
FIT_UNSAFE_RE = re.compile(r"\\\\|&|\\tag|\\begin\{(?!array|pmatrix|bmatrix|matrix|vmatrix|cases)")
INLINE_TAG_RE = re.compile(r"\\tag\*?\s*\{([^{}]*)\}")
DISPLAY_ENV_RE = re.compile(r"\s*\\begin\{(equation|align|gather|multline|eqnarray|flalign)\*?\}")
URL_UNSAFE_RE = re.compile(r"[^A-Za-z0-9:/._~?=&+@!,;*()'-]")


def template_env(styles: Path, cache: Optional[Path] = None) -> jinja2.Environment:
    """Jinja with delimiters that never occur in LaTeX: << var >>, <% block %>, <# comment #>."""
    bytecode_cache = None
    if cache is not None:  # compiled templates kept between builds: compiling costs more than rendering
        cache.mkdir(parents=True, exist_ok=True)
        bytecode_cache = jinja2.FileSystemBytecodeCache(str(cache))
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(styles)), bytecode_cache=bytecode_cache,
        variable_start_string="<<", variable_end_string=">>",
        block_start_string="<%", block_end_string="%>",
        comment_start_string="<#", comment_end_string="#>",
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        autoescape=False, undefined=jinja2.StrictUndefined,
    )


@dataclass
class RenderReport:
    """What rendering had to degrade, with locations."""

    warnings: list[tuple[Location, str]] = field(default_factory=list)


class ChapterRenderer:
    """Renders one chapter; prose goes through the escaper, math through the whitelist."""

    def __init__(self, chapter: Chapter, part_title: str, marker: TermMarker, report: RenderReport,
                 math_as_source: bool = False, links: Optional[LinkTable] = None):
        self.links = links
        self.chapter = chapter
        self.post = chapter.post
        self.part_title = part_title
        self.marker = marker
        self.report = report
        self.math_as_source = math_as_source
        self.prefix = self.post.id

    def warn(self, loc: Location, message: str) -> None:
        self.report.warnings.append((loc, message))

    # inline ------------------------------------------------------------------
    def inline_math(self, source: str, loc: Location) -> str:
        checked = check_math(source, self.prefix)
        if checked.problem or self.math_as_source:
            if checked.problem:
                self.warn(loc, f"{checked.problem}; shown as source")
            return r"\sbmathsource{" + escape_verbatim("$" + source + "$") + "}"
        if not checked.source.strip():
            return ""  # `$\require{AMScd}$`: nothing left to print
        # \tag is for displays; inline, MathJax prints the tag after the formula.
        return "$" + INLINE_TAG_RE.sub(r"\\qquad(\1)", checked.source) + "$"

    def inlines(self, inlines: tuple[Inline, ...], loc: Location, seen: Optional[set[str]] = None,
                index: bool = True) -> str:
        out = []
        for piece in inlines:
            if isinstance(piece, Text):
                prose = cjk_punctuation(piece.text)
                segments = self.links.split(prose) if self.links and index else [(prose, None)]
                for segment, cited in segments:
                    if cited is not None:  # a title in 《》 that is a chapter of this book: a link
                        out.append(rf"\sbcite{{{label_name(cited.post.id, 'chapter')}}}{{{escape(segment)}}}")
                    elif not index or seen is None:
                        out.append(escape(segment))
                    else:
                        for text, term in self.marker.split(segment, seen):
                            out.append(escape(text))
                            if term is not None:
                                out.append(r"\index{" + term.entry(escape(term.text)) + "}")
            elif isinstance(piece, Math):
                out.append(self.inline_math(piece.source, loc))
            elif isinstance(piece, Logo):
                out.append("\\" + piece.name + "{}")
            elif isinstance(piece, Url):
                out.append(rf"\href{{{url_target(piece.url)}}}{{\sburl{{{escape_url(piece.url)}}}}}")
        return "".join(out)

    def title_tex(self, title: str, loc: Location) -> tuple[str, str]:
        """(typeset title, plain-text bookmark) for a heading that may contain math."""
        parts = split_inline(title, loc, lambda l, m: self.warn(l, m))
        tex = self.inlines(parts, loc, index=False)
        plain = "".join(cjk_punctuation(p.text) if isinstance(p, Text) else (p.name if isinstance(p, Logo) else p.source)
                        for p in parts)
        return tex, escape(plain)

    # blocks ------------------------------------------------------------------
    def block(self, block, seen: set[str]) -> str:
        if isinstance(block, Paragraph):
            if block.kind == "statement":
                first = block.inlines[0]
                name, _, rest = first.text.replace("：", ":").partition(":")
                body = (Text(rest.lstrip()),) + block.inlines[1:]
                return Command("sbstatement", arguments=[NoEscape(escape(cjk_punctuation(name.strip()))),
                               NoEscape(self.inlines(body, block.loc, seen))]).dumps()
            return self.inlines(block.inlines, block.loc, seen)
        if isinstance(block, Heading):
            tex, plain = self.title_tex(block.title, block.loc)
            return Command("section", arguments=NoEscape(rf"\texorpdfstring{{{tex}}}{{{plain}}}")).dumps()
        if isinstance(block, Figure):
            return Command("sbfigure", arguments=NoEscape(escape(cjk_punctuation(block.caption)))).dumps()
        if isinstance(block, DisplayMath):
            return self.display(block)
        if isinstance(block, CodeBlock):
            lines = "\n".join(rf"\sbcodeline{{{len(l) - len(l.lstrip(' '))}}}{{{escape_code(l.lstrip(' '))}}}"
                              for l in block.lines)
            return "\\begin{sbcode}\n" + lines + "\n\\end{sbcode}"
        if isinstance(block, ListBlock):
            items = "\n".join(r"  \item " + self.inlines(item, block.loc, seen) for item in block.items)
            label = "(\\arabic*)" if block.style == "paren" else "\\arabic*、"
            return f"\\begin{{enumerate}}[label={label},leftmargin=2em]\n" + items + "\n\\end{enumerate}"
        raise TypeError(block)

    def display(self, block: DisplayMath) -> str:
        checked = check_math(block.source, self.prefix)
        if checked.problem or self.math_as_source:
            if checked.problem:
                self.warn(block.loc, f"{checked.problem}; shown as source")
            return r"\sbmathsourcedisplay{" + escape_verbatim(block.source) + "}"
        src = checked.source
        if DISPLAY_ENV_RE.match(src):
            return src  # already a display environment (align, gather, …)
        env = "equation" if block.numbered else "equation*"
        if not FIT_UNSAFE_RE.search(src):
            # One line of math: if it is wider than the text, TeX scales it down (and the build says so).
            labels = "".join(LABEL_RE.findall(src))
            body = LABEL_RE.sub("", src).strip()
            # The block's index, not its dump line: a line moving in the dump must not rewrite this chapter.
            src = rf"\sbfit{{{self.prefix}:{self.post.blocks.index(block)}}}{{{body}}}{labels}"
        return f"\\begin{{{env}}}\n{src}\n\\end{{{env}}}"

    # chapter -----------------------------------------------------------------
    def context(self) -> dict:
        post, chapter = self.post, self.chapter
        tex, plain = self.title_tex(post.display_title, post.loc)
        heading = Command("chapter", arguments=NoEscape(tex),
                          options=Options(NoEscape(rf"\texorpdfstring{{{tex}}}{{{plain}}}"))).dumps()
        if chapter.series_number is not None:
            series_line = f"{escape(self.part_title)} · 第{chapter.series_number}篇"
        elif chapter.related:
            series_line = f"{escape(self.part_title)} · 相关文章"
        else:
            series_line = ""
        seen: set[str] = set()
        body = []
        for i, b in enumerate(post.blocks):
            # A formula belongs to the paragraph around it: no blank line, so no new indented paragraph.
            glue = "\n" if isinstance(b, DisplayMath) or (i and isinstance(post.blocks[i - 1], DisplayMath)
                                                          and isinstance(b, Paragraph)) else "\n\n"
            body.append((glue if i else "") + self.block(b, seen))
        if not post.blocks:
            note = "抓取的列表中此文没有正文"
        elif post.truncated:
            note = "摘录至此，全文见原博客"
        else:
            note = "摘录"
        return {
            # File names only: a line moving in the dump must not rewrite this chapter.
            "sources": ", ".join(dict.fromkeys(s.path for s in post.sources)),
            "heading": heading,
            "anchor": label_name(post.id, "chapter"),
            "series_line": series_line,
            "date": escape(post.date.chinese()) if post.date else "",
            "readers": str(post.readers) if post.readers is not None else "",
            "body": "".join(body),
            "note": note,
        }


def render_chapters(book: Book, cfg: Config, marker: TermMarker, report: RenderReport,
                    degraded: frozenset[str] = frozenset(), only: Optional[set[str]] = None) -> dict[str, str]:
    """post id -> chapter .tex text, for every chapter of the book (or the ids in `only`)."""
    env = template_env(cfg.root / "styles", cfg.build_dir / ".jinja-cache")
    template = env.get_template("chapter.tex.jinja")
    links = LinkTable(book)
    out = {}
    for part in book.parts:
        for chapter in part.chapters:
            if only is not None and chapter.post.id not in only:
                continue
            renderer = ChapterRenderer(chapter, part.title, marker, report,
                                       math_as_source=chapter.post.id in degraded, links=links)
            out[chapter.post.id] = template.render(**renderer.context())
    return out


def overview_row(chapter: Chapter, part_title: str) -> dict:
    """One line of a part's opening overview: chapter label, title, date."""
    renderer = ChapterRenderer(chapter, part_title, TermMarker([]), RenderReport())
    tex, _ = renderer.title_tex(chapter.post.display_title, chapter.post.loc)
    d = chapter.post.date
    date = "" if d is None else (f"{d.year}-{d.month:02d}-{d.day:02d}" if d.full else f"{d.month}月{d.day}日")
    return {"label": label_name(chapter.post.id, "chapter"), "title": tex, "date": date}


def render_book(book: Book, cfg: Config, chapter_file: Callable[[str], str]) -> str:
    """The assembly file: preamble, front matter, parts and \\input of each chapter, index."""
    env = template_env(cfg.root / "styles", cfg.build_dir / ".jinja-cache")
    parts = [{"title": escape(p.title), "description": escape(cjk_punctuation(p.description)),
              "files": [chapter_file(c.post.id) for c in p.chapters],
              "rows": [overview_row(c, p.title) for c in p.chapters]} for p in book.parts]
    return env.get_template("book.tex.jinja").render(
        config_name=cfg.path.name,
        paper=cfg.paper,
        fonts=cfg.fonts,
        title=escape(cfg.title),
        title_plain=escape(cfg.title),
        author=escape(cfg.author),
        author_plain=escape(cfg.author),
        language=escape(cfg.language),
        blog_name=escape(cfg.blog.name),
        blog_url=URL_UNSAFE_RE.sub("", cfg.blog.url),
        preface=escape(cfg.preface),
        parts=parts,
        chapter_count=len(book.chapters()),
        part_count=len(book.parts),
    )
