"""Body lines of one post -> typed blocks (paragraphs, headings, figures, math, lists)."""
from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import Literal, Optional

from builder.mathtex import MacroTable
from builder.mathtex import parse as parse_formula
from builder.mathtex.find import display_end, display_opener, find_inline
from builder.model.content import (
    Block,
    CodeBlock,
    DisplayMath,
    Figure,
    Heading,
    Inline,
    ListBlock,
    Location,
    Logo,
    Math,
    Paragraph,
    Table,
    Text,
    Url,
)
from builder.read import kinds
from builder.read.code import dedent, language, split_code

Warn = Callable[[Location, str], None]

LIST_ITEM_RE = re.compile(r"^(?:\d{1,2}、|[(（]\d{1,2}[)）]\s*)")

STATEMENT_RE = re.compile(r"^([^\s$，,。：:]{2,14}(?:引理|定理|定义|推论|命题|结论|原理|公式|猜想))\s*[:：]\s*\S")

LOGO_RE = re.compile(r"^\s*\\(LaTeX|TeX)\s*(?:\{\})?\s*$")


def split_inline(text: str, loc: Location, warn: Warn, macros: Optional[MacroTable] = None) -> tuple[Inline, ...]:
    """Split prose into text, inline math and TeX logos, as MathJax finds them: `$…$`, `\\(…\\)`, and a
    bare `\\eqref{…}`/`\\ref{…}`; `\\$` and a lone `$` stay literal. Formulas are parsed here, in order,
    with the post's macros."""
    out: list[Inline] = []
    buf: list[str] = []
    for kind, piece in find_inline(text):
        if kind == "text":
            buf.append(piece)
            continue
        if kind == "unclosed":
            warn(loc, "unclosed '$' in text; printed as a dollar sign")
            buf.append(piece)
            continue
        if buf:
            out.append(Text("".join(buf)))
            buf = []
        logo = LOGO_RE.match(piece)
        if logo:
            out.append(Logo("LaTeX" if logo.group(1) == "LaTeX" else "TeX"))
        else:
            out.append(Math(parse_formula(piece.strip(), False, loc, macros)))
    if buf:
        out.append(Text("".join(buf)))
    return tuple(p for part in out for p in (split_urls(part) if isinstance(part, Text) else (part,)))


URL_RE = re.compile(r"https?://[^\s\u3000-\u303f\u4e00-\u9fff\uff00-\uffef<>\"'“”《》「」]+")


def split_urls(text: Text) -> tuple[Inline, ...]:
    """Text with each web address in it made a Url piece (the one rule for what an address is)."""
    out: list[Inline] = []
    last = 0
    for m in URL_RE.finditer(text.text):
        url = m.group(0).rstrip(".,;:!?)]")  # sentence punctuation after an address is not part of it
        if text.text[last:m.start()]:
            out.append(Text(text.text[last:m.start()]))
        out.append(Url(url))
        last = m.start() + len(url)
    if text.text[last:]:
        out.append(Text(text.text[last:]))
    return tuple(out) if out else (text,)


def _list_style(text: str) -> Literal["dun", "paren"]:
    """'paren' for (1) items, 'dun' for 1、 items: a change of style starts a new list."""
    return "paren" if text.lstrip()[:1] in "(（" else "dun"


def _display_block(source: str, loc: Location, macros: MacroTable) -> DisplayMath:
    """`$$…$$`, `\\[…\\]` or a bare environment (which MathJax also typesets as a display)."""
    src = source.strip()
    if (src.startswith("$$") and src.endswith("$$") and len(src) >= 4) \
            or (src.startswith("\\[") and src.endswith("\\]")):
        src = src[2:-2]
    return DisplayMath(parse_formula(src.strip(), True, loc, macros), loc)


def _split_displays(lines: list[tuple[int, str]], path: str, warn: Warn) -> list[tuple[str, int, str]]:
    """Cut lines into ('text', line, str) and ('math', line, source) pieces; math may span lines."""
    pieces: list[tuple[str, int, str]] = []
    k = 0
    pending = list(lines)
    while k < len(pending):
        lineno, text = pending[k]
        at = display_opener(text)
        if at < 0:
            pieces.append(("text", lineno, text))
            k += 1
            continue
        before = text[:at]
        if before.strip():
            pieces.append(("text", lineno, before))
        rest = [text[at:]] + [t for _, t in pending[k + 1:]]
        found = display_end(rest)
        if found is None:
            token = rest[0][:2] if rest[0][:1] != "\\" or rest[0][1:2] == "[" else rest[0].split("}")[0] + "}"
            warn(Location(path, lineno), f"display math opened with {token} is never closed; kept as text")
            pieces.append(("text", lineno, text[at:]))
            k += 1
            continue
        end_k, end_col = found
        source = "\n".join(rest[:end_k] + [rest[end_k][:end_col]])
        after = rest[end_k][end_col:]
        pieces.append(("math", lineno, source))
        consumed = k + end_k
        if after.strip():
            pending[consumed] = (pending[consumed][0], after)
            k = consumed
        else:
            k = consumed + 1
    # A text piece that is only "$$" is the remnant of a wrapper around an environment.
    return [p for p in pieces if not (p[0] == "text" and p[2].strip() in ("$$", ""))]


def _display_lines(texts: list[str]) -> frozenset[int]:
    """Indexes of the lines inside a closed display formula opened by `$$` or `\\begin{…}` (MathJax reads
    them as math, however much a row looks like code). `\\[` is left out: Mathematica writes `\\[Theta]`."""
    inside: set[int] = set()
    k = 0
    while k < len(texts):
        at = display_opener(texts[k])
        if at < 0 or texts[k][at:at + 2] == "\\[":
            k += 1
            continue
        found = display_end([texts[k][at:]] + texts[k + 1:k + 200])
        if found is None:
            k += 1
            continue
        inside.update(range(k, k + found[0] + 1))
        k += found[0] + 1
    return frozenset(inside)


def build_blocks(lines: list[tuple[int, str]], path: str, warn: Warn) -> list[Block]:
    """Classify a post's body lines; every body line ends up in exactly one block. The post's macros
    (\\newcommand in its math) hold from their definition on, as on the blog's page."""
    blocks: list[Block] = []
    macros = MacroTable()
    stripped = [(n, t.rstrip()) for n, t in lines]
    alone = _alone([n for n, t in stripped if t.strip()])
    runs = split_code(stripped, _display_lines([t for _, t in stripped]))
    for k, (kind, run) in enumerate(runs):
        if kind == "code":  # before any math or prose rule: `\[` in code is code
            texts = [t for _, t in run]
            blocks.append(CodeBlock(dedent(texts), language(texts), Location(path, run[0][0])))
        else:
            blocks.extend(_prose_blocks(run, path, warn, macros, alone, before_code=k + 1 < len(runs)))
    return blocks


def _alone(numbers: list[int]) -> Callable[[int], bool]:
    """Whether a line stands apart as its own paragraph. A dump that separates paragraphs with blank lines
    (format B) keeps the lines of one paragraph together, and a multi-line paragraph is no heading; in a
    dump without blank lines (format A) every line is a paragraph."""
    present = set(numbers)
    if all(b == a + 1 for a, b in itertools.pairwise(numbers)):
        return lambda n: True
    return lambda n: n - 1 not in present  # a heading may run into its paragraph without a blank line


DOLLAR_RE = re.compile(r"(?<!\\)\$")

MAX_JOINED = 5  # lines one inline formula may run over


def _join_broken_formulas(pieces: list[tuple[str, int, str]]) -> list[tuple[str, int, str]]:
    """A line with an odd number of `$` ends inside a formula: it and the lines up to the one that closes it
    are one paragraph (MathJax reads math across the line breaks of a paragraph; a scraper kept them)."""
    out: list[tuple[str, int, str]] = []
    k = 0
    while k < len(pieces):
        kind, line, text = pieces[k]
        if kind == "text" and len(DOLLAR_RE.findall(text)) % 2:
            count, j = len(DOLLAR_RE.findall(text)), k + 1
            while j < len(pieces) and j - k < MAX_JOINED and pieces[j][0] == "text" and count % 2:
                count += len(DOLLAR_RE.findall(pieces[j][2]))
                j += 1
            if count % 2 == 0:
                out.append(("text", line, "\n".join(p[2] for p in pieces[k:j])))
                k = j
                continue
        out.append(pieces[k])
        k += 1
    return out


def _prose_blocks(lines: list[tuple[int, str]], path: str, warn: Warn, macros: MacroTable,
                  alone: Callable[[int], bool] = lambda n: True, before_code: bool = False) -> list[Block]:
    """Prose lines -> blocks. The kind of each short line (heading, caption, table row, prose) is decided by
    the rules of kinds.py; `alone(line)` says whether the dump set the line apart (format B's blank lines)
    and `before_code` whether program code follows the last line."""
    clean = [(n, t.strip()) for n, t in lines if t.strip()]
    pieces = _join_broken_formulas(_split_displays(clean, path, warn))
    blocks: list[Block] = []
    lines_here = {n for n, _ in clean}

    def text_at(k: int) -> Optional[str]:
        if k < 0 or k >= len(pieces):
            return None
        return pieces[k][2] if pieces[k][0] == "text" else "$$"

    def caption_at(k: int, prev_caption: Optional[str], after_figure: bool) -> bool:
        text = text_at(k)
        if text is None or text == "$$" or (k == len(pieces) - 1 and before_code):
            return False  # a short line right before code labels the code ("Mathematica代码为", "修改为")
        n = pieces[k][1]
        by_itself = alone(n) and (n + 1 not in lines_here or alone(n + 1))  # no line of its paragraph after
        return text == text_at(k + 1) or kinds.is_caption(text, text_at(k - 1), text_at(k + 1), prev_caption,
                                                           by_itself, after_figure)

    i = 0
    while i < len(pieces):
        kind, lineno, text = pieces[i]
        loc = Location(path, lineno)
        if kind == "math":
            blocks.append(_display_block(text, loc, macros))
            i += 1
            continue
        prev_text, next_text = text_at(i - 1), text_at(i + 1)
        prev_caption = blocks[-1].caption if blocks and isinstance(blocks[-1], Figure) else None
        table = kinds.table_at(_unit_texts(pieces, i), 0)
        if table:  # rows of cells (tabs, pipes, aligned columns) are a table, never prose
            blocks.append(Table(tuple(tuple(row) for row in table[1]), loc, kinds.table_has_head(table[1])))
            i += table[0]
            continue
        # A caption printed twice in a row is an image the scraper lost.
        if next_text == text and not text.startswith("$"):
            blocks.append(Figure(caption=text, loc=loc))
            i += 2
            continue
        if caption_at(i, prev_caption, bool(blocks) and isinstance(blocks[-1], Figure)):
            blocks.append(Figure(caption=text, loc=loc))
            i += 1
            continue
        if LIST_ITEM_RE.match(text):
            items = []
            style = _list_style(text)
            while i < len(pieces) and pieces[i][0] == "text" and LIST_ITEM_RE.match(pieces[i][2]) \
                    and _list_style(pieces[i][2]) == style:
                item_text = LIST_ITEM_RE.sub("", pieces[i][2], count=1)
                items.append(split_inline(item_text, Location(path, pieces[i][1]), warn, macros))
                i += 1
            if len(items) >= 2:
                blocks.append(ListBlock(items=tuple(items), loc=loc, style=style))
                continue
            i -= 1
            blocks.append(Paragraph(split_inline(text, loc, warn, macros), loc))
            i += 1
            continue
        if kinds.is_heading(text, prev_text, next_text, alone(lineno), i == len(pieces) - 1 and before_code):
            title = text.rstrip(" #").strip()
            blocks.append(Heading(title=title, loc=loc, inlines=split_inline(title, loc, warn, macros)))
            i += 1
            continue
        kind_name: Literal["body", "statement"] = "statement" if STATEMENT_RE.match(text) else "body"
        for part in _bounded(split_inline(text, loc, warn, macros), loc, warn):
            blocks.append(Paragraph(part, loc, kind=kind_name))
            kind_name = "body"
        # "如下图所示：" with no caption line after it: the scraper lost the figure and its caption.
        if kinds.leads_to_figure(text) and not caption_at(i + 1, None, False):
            blocks.append(Figure(caption="", loc=loc))
        i += 1
    return _no_heading_runs(blocks)


HEADING_RUN_MAX = 2  # a section and its subsection; three headings in a row are short prose lines


def _no_heading_runs(blocks: list[Block]) -> list[Block]:
    """Runs of more than HEADING_RUN_MAX headings with nothing between are lines of prose (a page cannot
    break inside a run of headings: TeX overflows the page)."""
    out = list(blocks)
    k = 0
    while k < len(out):
        j = k
        while j < len(out) and isinstance(out[j], Heading):
            j += 1
        if j - k > HEADING_RUN_MAX:  # the last may title the prose after the run
            for m in range(k, j - 1 if j < len(out) else j):
                heading = out[m]
                if isinstance(heading, Heading):  # always: the run is headings only
                    out[m] = Paragraph(heading.inlines, heading.loc)
        k = max(j, k + 1)
    return out


def _unit_texts(pieces: list[tuple[str, int, str]], i: int) -> list[str]:
    """The text lines from pieces[i] on that one table may span: consecutive dump lines (one paragraph of
    format B, which separates paragraphs with blank lines)."""
    out = [pieces[i][2]]
    k = i + 1
    while k < len(pieces) and pieces[k][0] == "text" and pieces[k][1] == pieces[k - 1][1] + 1 \
            and "\n" not in pieces[k - 1][2]:
        out.append(pieces[k][2])
        k += 1
    return out


# Characters in one paragraph. The blog's longest is under 3,000; TeX's line breaking slows down sharply
# with a paragraph's length (one line of 1 MB keeps it busy for minutes).
PARAGRAPH_MAX = 10_000

SENTENCE_ENDS = "。！？；.!?; "


def _size(piece: Inline) -> int:
    if isinstance(piece, Text):
        return len(piece.text)
    if isinstance(piece, Url):
        return len(piece.url)
    return len(piece.formula.source) if isinstance(piece, Math) else 1


def _bounded(inlines: tuple[Inline, ...], loc: Location, warn: Warn) -> list[tuple[Inline, ...]]:
    """The paragraph, or, beyond PARAGRAPH_MAX characters, paragraphs cut at sentence ends (a formula or
    link is never cut)."""
    total = sum(_size(p) for p in inlines)
    if total <= PARAGRAPH_MAX:
        return [inlines]
    parts: list[tuple[Inline, ...]] = []
    current: list[Inline] = []
    size = 0
    for piece in inlines:
        if isinstance(piece, Text):
            text = piece.text
            while size + len(text) > PARAGRAPH_MAX:
                room = PARAGRAPH_MAX - size
                cut = max(text.rfind(ch, 0, room) for ch in SENTENCE_ENDS) + 1 or room
                if cut:
                    current.append(Text(text[:cut]))
                parts.append(tuple(current))
                current, size, text = [], 0, text[cut:]
            if text:
                current.append(Text(text))
                size += len(text)
            continue
        if current and size + _size(piece) > PARAGRAPH_MAX:
            parts.append(tuple(current))
            current, size = [], 0
        current.append(piece)
        size += _size(piece)
    if current:
        parts.append(tuple(current))
    warn(loc, f"paragraph of {total:,} characters set as {len(parts)} paragraphs of at most {PARAGRAPH_MAX:,}")
    return parts
