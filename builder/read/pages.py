"""Whole post pages as a page scraper saved them (Markdown with the site's chrome) -> one post each.

The scraper escapes every Markdown character of the page, the math's too (`\\in` is TeX's `\\in`), and
MathJax's bare environments are prose to a Markdown parser. So, in this order: cut the page to the post
(from its `# [title](…/archives/N)` line to the first 转载 line), lift each display formula out of the
still-escaped text into a `$$` block of its own, parse with markdown-it-py (its dollarmath plugin finds the
inline math), undo the escapes of the math alone (the parser has undone the prose's), and drop the headings'
anchor links.
"""
from __future__ import annotations

import re
from typing import Optional

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin

from builder.mathtex import MacroTable
from builder.mathtex import parse as parse_formula
from builder.model.book import Post
from builder.model.content import (
    Block,
    CodeBlock,
    DisplayMath,
    Figure,
    Heading,
    Inline,
    Location,
    Math,
    Paragraph,
    PostDate,
    Table,
    Text,
)
from builder.model.diagnostics import Diagnostic
from builder.read.blocks import Warn, split_urls

TITLE_RE = re.compile(r"^# \[(?P<title>.+)\]\((?P<url>https?://(?:kexue\.fm|spaces\.ac\.cn)/archives/(?P<id>\d+))/?\)\s*$")
END_MARK = "转载到请包括本文地址"
BY_RE = re.compile(r"^By\s*(?P<author>[^\\|]+?)\s*\\?\|")  # `By 苏剑林 \|`, or compact `By苏剑林|2019-…|…`
DATE_RE = re.compile(r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})")
READERS_RE = re.compile(r"(?P<n>\d+)\s*位读者")
# What a page captured after MathJax ran starts with: its $ delimiters are gone, its TeX is bare prose.
MATHJAX_STATUS_RE = re.compile(r"^(?:Loading \\\[MathJax\\\]|Processing math: \d+%)")
ESCAPE_RE = re.compile(r"\\([!-/:-@\[-`{-~])")  # CommonMark's backslash escapes: any ASCII punctuation
BEGIN_RE = re.compile(r"\\\\begin\{(?P<env>[a-zA-Z]+\*?)\}")  # `\\begin{equation}` as the scraper escaped it
ANCHOR_RE = re.compile(r"\s*\[\\?#\]\([^)]*\)\s*$")  # a heading's `[\#](…#…)` anchor link

_PARSER = MarkdownIt("commonmark").enable("table").use(dollarmath_plugin, allow_space=True, allow_digits=True,
                                                        double_inline=True)


def recognises(lines: list[str]) -> bool:
    """A saved post page: its title line links to its archives page, and the 转载 line ends the post."""
    return any(TITLE_RE.match(line) for line in lines) and any(END_MARK in line for line in lines)


def unescape(text: str) -> str:
    return ESCAPE_RE.sub(r"\1", text)


def read_page(lines: list[str], display: str, diags: list[Diagnostic]) -> list[Post]:
    start = next(i for i, line in enumerate(lines) if TITLE_RE.match(line))
    title_line = TITLE_RE.match(lines[start])
    assert title_line is not None
    loc = Location(display, start + 1)

    def warn(where: Location, message: str) -> None:
        diags.append(Diagnostic(where, message))

    if any(MATHJAX_STATUS_RE.match(line) for line in lines[:3]):
        warn(Location(display, 1), "the page was saved after MathJax ran: its formulas lost their $ delimiters and "
                                   "are read as prose (save the page again, or its source)")
    end = next((i for i in range(start, len(lines)) if END_MARK in lines[i]), len(lines))
    body_start, author, date, readers = _meta(lines, start + 1, end)
    last = lines[end].split(END_MARK)[0].rstrip("_* ") if end < len(lines) else ""  # (glued to the text)
    body = lines[body_start:end] + ([last] if last.strip() else [])
    blocks = _blocks(_lift_displays(body), display, body_start, warn)
    title = unescape(title_line.group("title"))
    return [Post(id="", title=title, date=date, readers=readers, author=author, blocks=tuple(blocks), loc=loc,
                 sources=(loc,), title_inlines=(Text(title),), url=title_line.group("url"),
                 archive_id=title_line.group("id"), whole=True)]


def _meta(lines: list[str], i: int, end: int) -> tuple[int, Optional[str], Optional[PostDate], Optional[int]]:
    """(first body line, author, date, readers) from the `By … | date | N位读者 |` lines after the title."""
    author = date = readers = None
    k = i
    while k < end and not lines[k].strip():
        k += 1
    by = BY_RE.match(lines[k]) if k < end else None
    if by is None:
        return i, None, None, None
    author = by.group("author").strip()
    seen: list[str] = []
    while k < end and len(seen) < 5:
        line = lines[k]
        if line.strip():
            seen.append(line)
        k += 1
        if READERS_RE.search(line):
            break
    text = " ".join(seen)
    d = DATE_RE.search(text)
    if d:
        date = PostDate(int(d.group("y")), int(d.group("m")), int(d.group("d")))
    r = READERS_RE.search(text)
    readers = int(r.group("n")) if r else None
    return k, author, date, readers


def _lift_displays(body: list[str]) -> list[str]:
    """The body with each display formula on lines of its own between `$$` lines: a bare environment
    (`\\\\begin{X}` … its `\\\\end{X}`), `$$ … $$` over several lines, `\\\\\\[ … \\\\\\]`; still escaped."""
    out: list[str] = []
    i = 0
    while i < len(body):
        line = body[i]
        m = BEGIN_RE.search(line)
        close = None
        if m and "$" not in line[:m.start()]:
            close = f"\\\\end{{{m.group('env')}}}"
            head, start = line[:m.start()], m.start()
        elif line.lstrip().startswith("$$") and "$$" not in line.lstrip()[2:]:
            close, head, start = "$$", "", line.index("$$")
        if close is None:
            out.append(line)
            i += 1
            continue
        j, found = i, -1
        scan_from = start + (len(m.group(0)) if m and close != "$$" else 2)
        while j < len(body) and j - i < 200:
            found = body[j].find(close, scan_from if j == i else 0)
            if found >= 0:
                break
            j += 1
        if found < 0:
            out.append(line)
            i += 1
            continue
        stop = found + len(close)
        if close != "$$" and body[j][stop:].startswith("$$"):
            stop += 2  # `$$\\begin{equation}…\\end{equation}$$`
        if j == i:
            tex = body[i][start:stop].strip()
        else:
            tex = "\n".join([body[i][start:], *body[i + 1:j], body[j][:stop]]).strip()
        if tex.startswith("$$"):
            tex = tex[2:]
        if tex.endswith("$$"):
            tex = tex[:-2]
        if head.strip():
            out.append(head)
        out += ["", "$$"] + [t for t in tex.split("\n") if t.strip()] + ["$$", ""]
        tail = body[j][stop:]
        # (lines are kept in number: the lifted block takes the lines it came from, and blank ones)
        out += [""] * max(0, (j - i + 1) - (len(tex.split("\n")) + 4 + bool(head.strip())))
        if tail.strip():
            out.append(tail)
        i = j + 1
    return out


def _blocks(body: list[str], display: str, offset: int, warn: Warn) -> list[Block]:
    tokens = _PARSER.parse("\n".join(body))
    macros = MacroTable()
    blocks: list[Block] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        loc = Location(display, offset + 1 + (tok.map[0] if tok.map else 0))
        if tok.type == "heading_open":
            text = ANCHOR_RE.sub("", tokens[i + 1].content)
            inlines = _inlines(tokens[i + 1].children or [], loc, macros, warn, heading=True)
            blocks.append(Heading(unescape(text).strip(), loc, inlines))
            i += 3
            continue
        if tok.type == "inline":
            blocks += _paragraphs(tok.children or [], loc, macros, warn)
        elif tok.type == "math_block":
            blocks.append(DisplayMath(parse_formula(unescape(tok.content).strip(), True, loc, macros), loc))
        elif tok.type in ("fence", "code_block"):
            code = tok.content.rstrip("\n").split("\n")
            blocks.append(CodeBlock(tuple(code), tok.info.strip().split(" ")[0] if tok.info else "", loc))
        elif tok.type == "table_open":
            rows, i = _table(tokens, i)
            blocks.append(Table(rows, loc, head=bool(rows and any(rows[0]))))
            continue
        i += 1
    return blocks


def _table(tokens: list[Token], i: int) -> tuple[tuple[tuple[str, ...], ...], int]:
    rows: list[tuple[str, ...]] = []
    row: list[str] = []
    while tokens[i].type != "table_close":
        t = tokens[i]
        if t.type == "tr_open":
            row = []
        elif t.type == "inline":
            row.append(t.content.strip())
        elif t.type == "tr_close":
            rows.append(tuple(row))
        i += 1
    if rows and not any(rows[0]):  # the scraper's empty header row
        rows = rows[1:]
    width = max((len(r) for r in rows), default=0)  # every row as wide as the widest (TeX's table needs it)
    return tuple(r + ("",) * (width - len(r)) for r in rows), i + 1


def _paragraphs(children: list[Token], loc: Location, macros: MacroTable, warn: Warn) -> list[Block]:
    """A paragraph's pieces; an image is a figure of its own (its caption is the line after it, or its alt),
    a `$$…$$` inside the paragraph a display of its own."""
    out: list[Block] = []
    run: list[Token] = []

    def flush() -> None:
        inlines = _inlines(run, loc, macros, warn)
        if any(not isinstance(p, Text) or p.text.strip() for p in inlines):
            out.append(Paragraph(inlines, loc))
        run.clear()

    for child in children:
        if child.type == "image":
            flush()
            out.append(Figure(unescape(child.content or "").strip(), loc))
        elif child.type == "math_inline_double":
            flush()
            out.append(DisplayMath(parse_formula(unescape(child.content).strip(), True, loc, macros), loc))
        else:
            run.append(child)
    flush()
    # A caption line right after its figure repeats the image's alt text: said once, by the figure.
    kept: list[Block] = []
    for block in out:
        if kept and isinstance(kept[-1], Figure) and isinstance(block, Paragraph) \
                and _plain(block).strip() in (kept[-1].caption, ""):
            continue
        kept.append(block)
    return kept


def _plain(block: Paragraph) -> str:
    return "".join(p.text for p in block.inlines if isinstance(p, Text))


def _inlines(children: list[Token], loc: Location, macros: MacroTable, warn: Warn,
             heading: bool = False) -> tuple[Inline, ...]:
    out: list[Inline] = []
    text: list[str] = []

    def flush() -> None:
        if text:
            out.append(Text("".join(text)))
            text.clear()

    anchor = False  # inside a heading's `[#](…)` anchor link: left out
    for k, child in enumerate(children):
        kind = child.type
        if kind == "link_open" and heading and k + 1 < len(children) and children[k + 1].content == "#":
            anchor = True
        elif kind == "link_close" and anchor:
            anchor = False
        elif anchor:
            continue
        elif kind == "text":
            text.append(child.content)
        elif kind == "softbreak":
            text.append(_join_lines(text, children, child))
        elif kind == "hardbreak":
            text.append("\n" if not heading else " ")
        elif kind == "code_inline":
            text.append(child.content)
        elif kind == "math_inline":
            flush()
            out.append(Math(parse_formula(unescape(child.content).strip(), False, loc, macros)))
        elif kind == "image":
            text.append(child.content)
        # links, strong, em: their text is kept; where they lead and their emphasis are not (yet)
    flush()
    if heading and out and isinstance(out[-1], Text):  # (the space before the anchor)
        out[-1] = Text(out[-1].text.rstrip())
    return tuple(p for piece in out for p in (split_urls(piece) if isinstance(piece, Text) else (piece,)))


def _join_lines(text: list[str], children: list[Token], child: Token) -> str:
    """A line break inside a paragraph: nothing between Chinese characters, a space between Latin words."""
    before = text[-1][-1:] if text and text[-1] else ""
    k = children.index(child)
    after = children[k + 1].content[:1] if k + 1 < len(children) and children[k + 1].content else ""
    return " " if before.isascii() and after.isascii() and before.isalnum() and after.isalnum() else ""

