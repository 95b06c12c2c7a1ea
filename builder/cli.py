"""The `book` command: targets like make (pdf, epub, all, chapters, list, clean)."""
from __future__ import annotations

import argparse
import sys
import tempfile
import traceback
from pathlib import Path

from . import __version__
from .config import ConfigError, describe, load


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="book", description="Compile scraped blog dumps into a typeset book.")
    p.add_argument("--config", "-c", default="book.yaml", help="book.yaml to build (outputs go to build/ beside it)")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="target", metavar="TARGET")
    for name, help_text in [
        ("pdf", "build build/book.pdf"),
        ("epub", "build build/book.epub"),
        ("all", "build every output book.yaml lists"),
        ("chapters", "write chapters/*.tex and build/tex/book.tex only"),
    ]:
        t = sub.add_parser(name, help=help_text)
        t.add_argument("--strict", action="store_true", help="warnings fail the build")
        t.add_argument("-q", "--quiet", action="store_true", help="print only warnings and errors")
        t.add_argument("-B", "--always-make", action="store_true", help="redo everything")
        t.add_argument("--tex-timeout", type=float, default=900.0, help="seconds before TeX is stopped")
    lst = sub.add_parser("list", help="print every post: id, series, date, title, source file:line")
    lst.add_argument("--strict", action="store_true")
    sub.add_parser("clean", help="remove build/ and generated chapters")
    sub.add_parser("config", help="print every book.yaml setting with its default")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.target is None:
        args.target = "pdf"
        args.strict = args.quiet = args.always_make = False
        args.tex_timeout = 900.0
    try:
        return _run(args)
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"{exc.path}: error: {problem}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: short message, full trace in a file
        from .build import BuildFailed
        from .texrun import TexMissing
        if isinstance(exc, (BuildFailed, TexMissing)):
            print(f"error: {exc}", file=sys.stderr)
            return 1
        with tempfile.NamedTemporaryFile("w", prefix="book-crash-", suffix=".txt", delete=False) as fh:
            traceback.print_exc(file=fh)
        print(f"internal error: {type(exc).__name__}: {exc}\nfull trace in {fh.name}; please report it",
              file=sys.stderr)
        return 3


def _run(args) -> int:
    from . import build

    if args.target == "config":
        print(describe())
        return 0
    cfg = load(Path(args.config))
    opts = build.Options(strict=getattr(args, "strict", False), quiet=getattr(args, "quiet", False),
                         always_make=getattr(args, "always_make", False),
                         tex_timeout=getattr(args, "tex_timeout", 900.0))
    if args.target == "list":
        return _list(cfg, opts)
    if args.target == "clean":
        build.clean(cfg, opts)
        return 0
    if args.target == "chapters":
        build.build_chapters(cfg, opts)
        return 0
    targets = cfg.outputs if args.target == "all" else [args.target]
    for target in targets:
        if target == "pdf":
            build.build_pdf(cfg, opts)
        elif target == "epub":
            from .epub import build_epub
            build_epub(cfg, opts)
    return 0


def _list(cfg, opts) -> int:
    from .build import load_book, report_diagnostics

    book = load_book(cfg)
    rows = []
    for part in book.parts:
        for ch in part.chapters:
            p = ch.post
            rows.append((p.id, part.key, p.date.iso() if p.date else "-", p.display_title,
                         ", ".join(str(s) for s in p.sources)))
    widths = [max(len(r[i]) for r in rows) for i in range(3)] if rows else [0, 0, 0]
    for r in rows:
        print(f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}  [{r[4]}]")
    report_diagnostics(book, opts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
