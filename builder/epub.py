"""Book model -> EPUB 3 through pandoc: the AST is built in Python (no Markdown escaping to get wrong)."""
from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .config import Config
from .links import LinkTable
from .model import Book, Chapter, CodeBlock, DisplayMath, Figure, Heading, ListBlock, Location, Logo, Math, Paragraph, Text, Url
from .stamps import BuildState, inputs_digest, target_output
from .texescape import LABEL_ARG_RE, check_math, mathjax_compat
from .tocseed import zh_numeral
from .typography import cjk_punctuation

API_VERSION = [1, 23, 1, 1]
MATH_WARNING_RE = re.compile(r"Could not convert TeX math (.*?), rendering as TeX", re.S)
EQREF_ONLY_RE = re.compile(r"^\s*\\eqref\s*\{([^{}]*)\}\s*$")


def _attr(ident: str = "", classes: tuple[str, ...] = ()) -> list:
    return [ident, list(classes), []]


def _words(text: str) -> list:
    """Str/Space inlines; Chinese text has no spaces, so nothing is inserted between characters."""
    out: list = []
    for i, part in enumerate(re.split(r"[ \t\n]+", text)):
        if i:
            out.append({"t": "Space"})
        if part:
            out.append({"t": "Str", "c": part})
    return out


def _para(inlines: list) -> dict:
    return {"t": "Para", "c": inlines}


def _div(classes: tuple[str, ...], blocks: list, ident: str = "") -> dict:
    return {"t": "Div", "c": [_attr(ident, classes), blocks]}


@dataclass
class EpubRender:
    """State while turning one book into a pandoc document."""

    book: Book
    warnings: list[tuple[Location, str]] = field(default_factory=list)
    formulas: dict[str, Location] = field(default_factory=dict)  # TeX given to pandoc -> where it came from
    anchors: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)  # (post, label) -> (id, "(n.m)")

    def __post_init__(self) -> None:
        self.links = LinkTable(self.book)
        self.emitted: list[str] = []  # every formula given to pandoc, in order

    # numbering, consistent with the PDF (equations and figures per chapter) --------------------
    def number_equations(self) -> None:
        for chapter in self.book.chapters():
            n = 0
            for block in chapter.post.blocks:
                if isinstance(block, DisplayMath) and block.numbered and check_math(block.source, "x").problem is None:
                    n += 1
                    for label in block.labels:
                        self.anchors[(chapter.post.id, label)] = (f"eq-{chapter.number}-{n}", f"({chapter.number}.{n})")

    def resolve_refs(self, source: str, post_id: str) -> str:
        """\\eqref{x} -> (3.1) as text inside a formula; MathML has no cross-references."""
        def repl(m: re.Match) -> str:
            if m.group(1) == "label":
                return ""
            target = self.anchors.get((post_id, m.group(2).strip()))
            number = target[1] if target else "(?)"
            return f"\\text{{{number if m.group(1) == 'eqref' else number.strip('()')}}}"
        return LABEL_ARG_RE.sub(repl, source)

    def math(self, source: str, display: bool, post_id: str, loc: Location) -> dict:
        checked = check_math(source, post_id)
        if checked.problem:
            self.warnings.append((loc, f"{checked.problem}; shown as source"))
            return {"t": "Code", "c": [_attr(classes=("math-source",)), ("$$" if display else "$") + source +
                                       ("$$" if display else "$")]}
        tex = cd_to_array(self.resolve_refs(mathjax_compat(source, for_latex=False), post_id)).strip()
        if not tex:
            return {"t": "Str", "c": ""}  # `$\require{AMScd}$`: nothing to print
        self.formulas[tex] = loc
        self.emitted.append(tex)
        return {"t": "Math", "c": [{"t": "DisplayMath" if display else "InlineMath"}, tex]}

    def inlines(self, pieces, post_id: str, loc: Location) -> list:
        out: list = []
        for piece in pieces:
            if isinstance(piece, Text):
                for segment, cited in self.links.split(cjk_punctuation(piece.text)):
                    if cited is None:
                        out.extend(_words(segment))
                    else:  # a title in 《》 that is a chapter of this book: a link, and its number
                        out.append({"t": "Link", "c": [_attr(classes=("post-link",)), _words(segment),
                                                       [f"#chapter-{cited.number}", ""]]})
                        out.append({"t": "Str", "c": "》"})
                        out.append({"t": "Span", "c": [_attr(classes=("post-number",)),
                                                       [{"t": "Str", "c": f"（第{zh_numeral(cited.number)}章）"}]]})
            elif isinstance(piece, Logo):
                out.append({"t": "Str", "c": piece.name})
            elif isinstance(piece, Url):
                out.append({"t": "Link", "c": [_attr(classes=("url",)), [{"t": "Str", "c": piece.url}],
                                               [piece.url, ""]]})
            elif isinstance(piece, Math):
                ref = EQREF_ONLY_RE.match(piece.source)
                target = self.anchors.get((post_id, ref.group(1).strip())) if ref else None
                if target:  # `$\eqref{eq:x}$`: a real link to the equation
                    out.append({"t": "Link", "c": [_attr(classes=("eqref",)), [{"t": "Str", "c": target[1]}],
                                                   [f"#{target[0]}", ""]]})
                else:
                    out.append(self.math(piece.source, False, post_id, loc))
        return out

    def chapter(self, chapter: Chapter, part_title: str) -> list:
        post = chapter.post
        pid = post.id
        title = cjk_punctuation(post.display_title)
        blocks: list = [{"t": "Header", "c": [2, _attr(f"chapter-{chapter.number}"),
                                               _words(f"第{zh_numeral(chapter.number)}章 {title}")]}]
        meta = []
        if chapter.series_number is not None:
            meta.append(f"{part_title} · 第{chapter.series_number}篇")
        elif chapter.related:
            meta.append(f"{part_title} · 相关文章")
        if post.date:
            meta.append(f"发表于 {post.date.chinese()}")
        if post.readers is not None:
            meta.append(f"{post.readers} 位读者")
        if meta:
            blocks.append(_div(("post-meta",), [_para(_words("　".join(meta)))]))
        equation = figure = section = 0
        for block in post.blocks:
            if isinstance(block, Paragraph):
                inl = self.inlines(block.inlines, pid, block.loc)
                if block.kind == "statement" and inl and inl[0].get("t") == "Str":
                    blocks.append(_div(("statement",), [_para(inl)]))
                else:
                    blocks.append(_para(inl))
            elif isinstance(block, Heading):
                section += 1
                blocks.append({"t": "Header", "c": [3, _attr(f"section-{chapter.number}-{section}"),
                                                     _words(f"{chapter.number}.{section} {cjk_punctuation(block.title)}")]})
            elif isinstance(block, Figure):
                figure += 1
                blocks.append(_div(("figure-placeholder",), [
                    _para([{"t": "Str", "c": "（原文此处为图片）"}]),
                    _div(("caption",), [_para(_words(f"图 {chapter.number}.{figure}　{cjk_punctuation(block.caption)}"))]),
                ]))
            elif isinstance(block, DisplayMath):
                formula = self.math(block.source, True, pid, block.loc)
                ident, number = "", []
                if block.numbered and formula["t"] == "Math":
                    equation += 1
                    ident = f"eq-{chapter.number}-{equation}"
                    number = [{"t": "Span", "c": [_attr(classes=("eqno",)),
                                                  [{"t": "Str", "c": f"({chapter.number}.{equation})"}]]}]
                blocks.append(_div(("equation",), [_para([formula] + number)], ident))
            elif isinstance(block, ListBlock):
                items = [[{"t": "Plain", "c": self.inlines(item, pid, block.loc)}] for item in block.items]
                delim = {"t": "TwoParens"} if block.style == "paren" else {"t": "Period"}
                blocks.append({"t": "OrderedList", "c": [[1, {"t": "Decimal"}, delim], items]})
            elif isinstance(block, CodeBlock):
                classes = (block.language,) if block.language else ()
                blocks.append({"t": "CodeBlock", "c": [_attr(classes=classes), "\n".join(block.lines)]})
        note = "抓取的列表中此文没有正文" if not post.blocks else ("摘录至此，全文见原博客" if post.truncated else "摘录")
        blocks.append(_div(("excerpt-note",), [_para(_words(f"（{note}）"))]))
        return blocks

    def document(self, cfg: Config) -> dict:
        self.number_equations()
        blocks: list = []
        for number, part in enumerate(self.book.parts, 1):
            blocks.append({"t": "Header", "c": [1, _attr(f"part-{number}"),
                                                 _words(f"第{zh_numeral(number)}部分 {part.title}")]})
            if part.description:
                blocks.append(_div(("part-description",), [_para(_words(cjk_punctuation(part.description)))]))
            for chapter in part.chapters:
                blocks.extend(self.chapter(chapter, part.title))

        def meta_str(text: str) -> dict:
            return {"t": "MetaInlines", "c": _words(text)}
        meta = {"title": meta_str(cfg.title), "author": {"t": "MetaList", "c": [meta_str(cfg.author)]},
                "lang": meta_str(cfg.language), "identifier": meta_str(cfg.identifier),
                "date": meta_str(cfg.date or ""), "rights": meta_str(f"摘录自博客《{cfg.blog.name}》 {cfg.blog.url}")}
        if not cfg.date:
            del meta["date"]
        # Inline, because --sandbox lets pandoc read no stylesheet file.
        css = (cfg.root / "styles" / "epub.css").read_text(encoding="utf-8")
        meta["header-includes"] = {"t": "MetaBlocks", "c": [{"t": "RawBlock", "c": ["html", f"<style>\n{css}</style>"]}]}
        return {"pandoc-api-version": API_VERSION, "meta": meta, "blocks": blocks}


def pandoc_args(cfg: Config, out: Path) -> list[str]:
    args = ["--from=json", "--to=epub3", "--sandbox", "--mathml", "--toc", "--toc-depth=2", "--split-level=2",
            "--epub-title-page=true", f"--output={out}"]
    return args


COVER_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


def add_cover(epub: Path, image: Path) -> None:
    """Put the cover image into the EPUB ourselves: under --sandbox pandoc may not read it."""
    media_type = COVER_TYPES[image.suffix.lower()]
    name = f"EPUB/media/cover{image.suffix.lower()}"
    rewritten = epub.with_name(epub.name + ".cover")
    with zipfile.ZipFile(epub) as src, zipfile.ZipFile(rewritten, "w") as dst:
        for info in src.infolist():  # mimetype stays first and stored, as EPUB requires
            data = src.read(info.filename)
            if info.filename.endswith("content.opf"):
                item = f'<item id="cover-image" href="media/cover{image.suffix.lower()}" media-type="{media_type}" ' \
                       f'properties="cover-image" />'
                data = data.decode("utf-8").replace("</manifest>", f"    {item}\n  </manifest>", 1).encode("utf-8")
            dst.writestr(info, data)
        dst.write(image, name, compress_type=zipfile.ZIP_STORED)
    os.replace(rewritten, epub)


def build_epub(cfg: Config, opts) -> Path:
    """build/book.epub, replaced only after pandoc succeeded; skipped when nothing changed."""
    from . import build
    import pypandoc

    target = target_output(cfg, "epub")
    state = BuildState.load(cfg.build_dir)
    inputs = inputs_digest(cfg, "epub")
    if not opts.always_make and state.up_to_date("epub", inputs, target):
        build.say(opts, f"{target.relative_to(cfg.root)} is up to date")
        return target
    book = build.load_book(cfg)
    build.report_diagnostics(book, opts)
    render = EpubRender(book)
    doc = render.document(cfg)
    for loc, message in render.warnings:
        print(f"{loc}: warning: {message}", file=opts.out)
    if opts.dry_run:
        build.say(opts, "would run pandoc: the inputs of build/book.epub changed")
        return target
    if opts.strict and render.warnings:
        raise build.BuildFailed(f"{len(render.warnings)} formula warning(s) and --strict")
    cfg.build_dir.mkdir(parents=True, exist_ok=True)
    tmp = cfg.build_dir / ".book.epub.tmp"
    with tempfile.TemporaryDirectory(dir=cfg.build_dir) as scratch:
        source = Path(scratch) / "book.json"
        source.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        cmd = [pypandoc.get_pandoc_path(), str(source)] + pandoc_args(cfg, tmp)
        build.say(opts, f"pandoc: writing the EPUB ({len(book.chapters())} chapters)")
        proc = subprocess.run(cmd, cwd=scratch, capture_output=True, text=True, timeout=opts.tex_timeout)
    failed = [m.group(1).strip() for m in MATH_WARNING_RE.finditer(proc.stderr)]
    for tex in failed:
        loc = render.formulas.get(tex)
        print(f"{loc or 'build/book.epub'}: warning: pandoc could not convert the formula to MathML: {tex[:80]}",
              file=opts.out)
    if proc.returncode != 0 or not tmp.exists():
        tmp.unlink(missing_ok=True)
        raise build.BuildFailed(f"pandoc failed; the previous build/book.epub (if any) was left in place:\n"
                                f"{proc.stderr.strip()[-2000:]}")
    if cfg.cover_image:
        add_cover(tmp, cfg.root / cfg.cover_image)
    os.replace(tmp, target)
    total = len(render.emitted)
    not_converted = sum(1 for tex in render.emitted if tex in set(failed))
    build.say(opts, f"epub: {total} formulas, {total - not_converted} as MathML")
    if not failed:
        state.record("epub", inputs, target)
    state.save()
    build.say(opts, f"wrote {target.relative_to(cfg.root)}")
    return target


CD_RE = re.compile(r"\\begin\{CD\}(.*?)\\end\{CD\}", re.S)
CD_ARROW_RE = re.compile(r"@([><])([^><]*)[><]([^><]*)[><]|@([VA])([^VA]*)[VA]([^VA]*)[VA]|@=|@\||@\.")


def cd_to_array(tex: str) -> str:
    """amscd's CD (MathJax's \\require{AMScd}) as an array of arrows, which pandoc's MathML can draw."""
    def arrow(m: re.Match) -> str:
        if m.group(1):
            out = "\\longrightarrow" if m.group(1) == ">" else "\\longleftarrow"
            if m.group(2).strip():
                out = f"\\overset{{{m.group(2)}}}{{{out}}}"
            if m.group(3).strip():
                out = f"\\underset{{{m.group(3)}}}{{{out}}}"
            return out
        if m.group(4):
            out = "\\downarrow" if m.group(4) == "V" else "\\uparrow"
            left, right = m.group(5).strip(), m.group(6).strip()
            return (f"{{\\scriptstyle {left}}}" if left else "") + out + (f"{{\\scriptstyle {right}}}" if right else "")
        return {"@=": "=", "@|": "\\|", "@.": ""}[m.group(0)]

    def table(m: re.Match) -> str:
        rows = []
        for row in re.split(r"\\\\", m.group(1)):
            cells, last = [], 0
            vertical = all(not t.strip() for t in CD_ARROW_RE.split(row)[::7] if t is not None)
            for a in CD_ARROW_RE.finditer(row):
                if not vertical:
                    cells.append(row[last:a.start()].strip())
                cells.append(arrow(a))
                last = a.end()
            if not vertical:
                cells.append(row[last:].strip())
            rows.append(" & & ".join(cells) if vertical else " & ".join(cells))
        width = max(r.count("&") for r in rows) + 1
        return "\\begin{array}{" + "c" * width + "}" + " \\\\ ".join(rows) + "\\end{array}"
    return CD_RE.sub(table, tex)
