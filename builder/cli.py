"""The `book` command: targets like make (pdf, epub, all, chapters, list, clean, watch)."""
from __future__ import annotations

import argparse
import errno
import sys
import tempfile
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import __version__
from .config import ConfigError, load, located

BUILD_TARGETS = ("pdf", "epub", "all", "chapters", "clean", "watch")
OUT_OF_ROOM = (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG)  # the disk, not the tool


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
        ("clean", "remove build/ and the generated chapters"),
        ("watch", "rebuild on every change to the dumps, book.yaml or styles/"),
    ]:
        t = sub.add_parser(name, help=help_text)
        t.add_argument("--strict", action="store_true", help="warnings fail the build")
        t.add_argument("-q", "--quiet", action="store_true", help="print only warnings and errors")
        t.add_argument("-B", "--always-make", action="store_true", help="redo everything, TeX from scratch")
        t.add_argument("-n", "--dry-run", action="store_true", help="say what would be redone and why; change nothing")
        t.add_argument("-j", "--jobs", type=int, default=1, help="outputs built in parallel (`all`, `watch`)")
        t.add_argument("--tex-timeout", type=float, default=None, metavar="SECONDS",
                       help="seconds one TeX pass or pandoc run may take (default: 60, plus 60 per MB of input)")
    lst = sub.add_parser("list", help="print every post: id, series, date, title, source file:line")
    lst.add_argument("--strict", action="store_true")
    lst.add_argument("--links", action="store_true", help="print the links between posts instead")
    for name, t in sub.choices.items():
        if name == "epub":
            t.add_argument("--math", choices=("mathml", "images"), default="mathml",
                           help="formulas as MathML (build/book.epub) or as images rendered by XeLaTeX, for "
                                "readers without MathML such as Kindle and Kobo (build/book-images.epub)")
    conf = sub.add_parser("config", help="print the settings in effect: book.yaml with every default filled in")
    conf.add_argument("--defaults", action="store_true", help="print every setting, its default and what it does")
    sub.add_parser("schema", help="print the JSON Schema of book.yaml, for editors")
    sub.add_parser("check", help="check that build/book.pdf holds every post's Chinese text, in order")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.target is None:
        args = _parser().parse_args((argv or sys.argv[1:]) + ["pdf"])
    from . import procs
    procs.die_with_signals()
    try:
        return _run(args)
    except SystemExit as exc:  # SIGTERM or SIGHUP: the children were killed; say so like Ctrl-C does
        if isinstance(exc.code, int) and exc.code > 128:
            print("stopped by a signal; TeX and pandoc stopped with it", file=sys.stderr)
        raise
    except ConfigError as exc:
        print("\n".join(exc.report()), file=sys.stderr)
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
        if isinstance(exc, OSError) and exc.errno in OUT_OF_ROOM:
            from .model import printable
            # Outputs are written beside their final names and renamed: what was built before is intact.
            print(f"error: {printable(str(exc.filename or ''))}: {exc.strerror}; the previous outputs were "
                  "left as they were", file=sys.stderr)
            return 1
        with tempfile.NamedTemporaryFile("w", prefix="book-crash-", suffix=".txt", delete=False) as fh:
            traceback.print_exc(file=fh)
        print(f"internal error: {type(exc).__name__}: {exc}\nfull trace in {fh.name}; please report it",
              file=sys.stderr)
        return 3
    finally:
        procs.kill_all()


def _run(args) -> int:
    if args.target in ("config", "schema"):
        from .configdoc import describe, effective, schema_text
        if args.target == "schema" or args.defaults:
            print(schema_text() if args.target == "schema" else describe())
            return 0
        cfg = load(Path(args.config))
        for warning in cfg.warnings:
            print(located(cfg.path, warning, "warning"), file=sys.stderr)
        print(effective(cfg))
        return 0
    cfg = load(Path(args.config))
    targets = cfg.outputs if args.target == "all" else [args.target]
    if args.target == "epub" and args.math == "images":
        targets = ["epub-images"]
    # The no-op case stays cheap: stamps only, no parsing, no TeX, not even the renderer's imports.
    if args.target in ("pdf", "epub", "all") and not args.always_make:
        from .stamps import is_up_to_date, target_output
        if all(is_up_to_date(cfg, t) for t in targets):
            if not args.quiet:
                for t in targets:
                    print(f"{target_output(cfg, t).relative_to(cfg.root)} is up to date", file=sys.stderr)
            return 0
    from . import build

    if args.target == "list":
        return _list(cfg, args)
    if args.target == "check":
        return _check(cfg)
    opts = build.Options(strict=args.strict, quiet=args.quiet, always_make=args.always_make,
                         dry_run=args.dry_run, jobs=max(1, args.jobs), tex_timeout=args.tex_timeout)
    if args.target == "watch":
        from .watch import watch
        return watch(cfg, opts, lambda: _build_targets(cfg, cfg.outputs, opts))
    with build.build_lock(cfg, opts):
        if args.target == "clean":
            build.clean(cfg, opts)
        elif args.target == "chapters":
            build.build_chapters(cfg, opts)
        else:
            _build_targets(cfg, targets, opts)
    return 0


def _build_targets(cfg, targets: list[str], opts) -> None:
    from . import build

    def one(target: str):
        return build.build_output(_output(target, cfg, opts), cfg, opts)

    if opts.jobs > 1 and len(targets) > 1:
        # TeX and pandoc are separate processes: the two outputs really build side by side.
        with ThreadPoolExecutor(max_workers=opts.jobs) as pool:
            for future in [pool.submit(one, t) for t in targets]:
                future.result()
    else:
        for target in targets:
            one(target)


def _output(target: str, cfg, opts):
    """The output a target names (imported when built, so that the no-op check stays cheap)."""
    if target == "pdf":
        from .pdf import PdfOutput
        return PdfOutput(cfg, opts)
    if target == "epub":
        from .epub import EpubOutput
        return EpubOutput(cfg, opts)
    from .epubimages import ImageEpubOutput
    return ImageEpubOutput(cfg, opts)


def _check(cfg) -> int:
    from .build import load_book
    from .check import check_book, report

    pdf = cfg.build_dir / "book.pdf"
    if not pdf.exists():
        print(f"error: {pdf.relative_to(cfg.root)} does not exist; run `book pdf` first", file=sys.stderr)
        return 1
    text, complete = report(check_book(load_book(cfg), pdf))
    print(text)
    return 0 if complete else 1


def _list(cfg, args) -> int:
    from .build import Options, load_book, report_diagnostics

    book = load_book(cfg)
    if getattr(args, "links", False):
        try:
            from .links import describe_links
        except ImportError:
            print("error: links between posts are not available in this version", file=sys.stderr)
            return 1
        print(describe_links(book))
        return 0
    rows = []
    for part in book.parts:
        for ch in part.chapters:
            p = ch.post
            rows.append((p.id, part.key, p.date.iso() if p.date else "-", p.display_title,
                         ", ".join(str(s) for s in p.sources)))
    widths = [max(len(r[i]) for r in rows) for i in range(3)] if rows else [0, 0, 0]
    for r in rows:
        print(f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}  [{r[4]}]")
    report_diagnostics(book, Options(strict=args.strict))
    return 0


if __name__ == "__main__":
    sys.exit(main())
