"""The `book` command: targets like make (pdf, epub, all, chapters, list, clean, watch)."""
from __future__ import annotations

import errno
import os
import sys
import tempfile
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from builder.cli.args import completion, parser
from builder.config.loading import load
from builder.config.problems import ConfigError, located

OUT_OF_ROOM = (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG)  # the disk, not the tool


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.target is None:
        args = parser().parse_args((argv or sys.argv[1:]) + ["pdf"])
    from builder.util import procs
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
    except BrokenPipeError:  # `book list | head`: the reader has what it wanted; nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # (so that the exit's flush is quiet)
        return 0
    except Exception as exc:  # a bug: short message, full trace in a file
        from builder.build.options import BuildFailed
        from builder.tex.sandbox import TexMissing
        if isinstance(exc, (BuildFailed, TexMissing)):
            print(f"error: {exc}", file=sys.stderr)
            return 1
        if isinstance(exc, OSError) and exc.errno in OUT_OF_ROOM:
            from builder.util.printable import printable
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


def find_config(given: str | None) -> Path:
    """--config as given; else book.yaml in the current folder or the nearest one above it (as git finds .git)."""
    if given:
        return Path(given)
    here = Path.cwd()
    for folder in [here, *here.parents]:
        if (folder / "book.yaml").is_file():  # named as the user would (book.yaml, ../book.yaml) in messages
            return Path(os.path.relpath(folder / "book.yaml"))
    raise ConfigError(Path("book.yaml"), ["not found here or in any folder above; `book init` makes a new "
                                          "book, --config names one elsewhere"])


def _run(args) -> int:
    if args.target == "completion":
        print(completion(args.shell), end="")
        return 0
    if args.target == "init":
        return _init(args.dir)
    if args.target in ("config", "schema"):
        from builder.config.describe import describe, effective, schema_text
        if args.target == "schema" or args.defaults:
            print(schema_text() if args.target == "schema" else describe())
            return 0
        cfg = load(find_config(args.config))
        for warning in cfg.warnings:
            print(located(cfg.path, warning, "warning"), file=sys.stderr)
        print(effective(cfg))
        return 0
    cfg = load(find_config(args.config))
    targets = cfg.outputs if args.target == "all" else [args.target]
    if args.target == "epub" and args.math == "images":
        targets = ["epub-images"]
    from builder.config.volumes import planned
    # The no-op case stays cheap: stamps only, no parsing, no TeX, not even the renderer's imports.
    # (Volumes are checked by their own build: `all` with volumes goes on to it.)
    if args.target in ("pdf", "epub", "all") and not args.always_make and not (args.target == "all" and planned(cfg)):
        from builder.build.stamps import BuildState, is_up_to_date, target_output
        if all(is_up_to_date(cfg, t) for t in targets):
            if not args.quiet:
                for t in targets:
                    print(f"{target_output(cfg, t).relative_to(cfg.root)} is up to date", file=sys.stderr)
            # The warnings of the build that made them, said again: an up-to-date book is not a clean one.
            state = BuildState.load(cfg.build_dir)
            warnings = list(dict.fromkeys(w for t in targets for w in state.warnings(t)))
            for recorded in warnings:
                print(recorded, file=sys.stderr)
            if args.strict and warnings:
                print(f"error: up to date, but its build gave {len(warnings)} warning(s) and --strict", file=sys.stderr)
                return 1
            return 0
    from builder.build.chapters import build_chapters, clean
    from builder.build.options import Options, build_lock

    if args.target == "list":
        return _list(cfg, args)
    if args.target == "check":
        return _check(cfg)
    given = vars(args)  # `clean` has no build options
    opts = Options(strict=given.get("strict", False), quiet=args.quiet, always_make=given.get("always_make", False),
                         dry_run=given.get("dry_run", False), jobs=max(1, given.get("jobs", 1)),
                         tex_timeout=given.get("tex_timeout"))
    if args.target == "preview":
        from builder.build.preview import preview, watch_preview
        if args.watch:
            return watch_preview(cfg, opts, args.post)
        with build_lock(cfg, opts):
            preview(cfg, opts, args.post)
        return 0
    if args.target == "watch":
        from builder.build.watch import watch
        return watch(cfg, opts, lambda fresh: _build_targets(fresh, fresh.outputs, opts))
    with build_lock(cfg, opts):
        if args.target == "clean":
            clean(cfg, opts)
        elif args.target == "chapters":
            build_chapters(cfg, opts)
        elif args.target == "volumes":
            from builder.build.volumes import build_volumes
            build_volumes(cfg, opts, args.keys)
        else:
            _build_targets(cfg, targets, opts)
            if args.target == "all" and planned(cfg):  # after the outputs: they write the same chapter files
                from builder.build.volumes import build_volumes
                build_volumes(cfg, opts)
    return 0


def _build_targets(cfg, targets: list[str], opts) -> None:
    from builder.build.lifecycle import build_output

    def one(target: str):
        return build_output(_output(target, cfg, opts), cfg, opts)

    if opts.jobs > 1 and len(targets) > 1:
        # TeX and pandoc are separate processes: the two outputs really build side by side.
        with ThreadPoolExecutor(max_workers=opts.jobs) as pool:
            for future in [pool.submit(one, t) for t in targets]:
                future.result()
    else:
        for target in targets:
            one(target)


def _init(folder: Path) -> int:
    from builder.cli.init import init

    try:
        written = init(folder)
    except FileExistsError as exc:
        print(f"error: {exc} already exists; nothing was written", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}", file=sys.stderr)
    print(f"next: put the blog's dumps (.txt) in {folder / 'excerpts'}, then run `book pdf` there", file=sys.stderr)
    return 0


def _output(target: str, cfg, opts):
    """The output a target names (imported when built, so that the no-op check stays cheap)."""
    if target == "pdf":
        from builder.build.pdf import PdfOutput
        return PdfOutput(cfg, opts)
    if target == "epub":
        from builder.build.epub import EpubOutput
        return EpubOutput(cfg, opts)
    from builder.build.epubimages import ImageEpubOutput
    return ImageEpubOutput(cfg, opts)


def _check(cfg) -> int:
    from builder.build.book import load_book
    from builder.build.check import check_book, report

    pdf = cfg.build_dir / "book.pdf"
    if not pdf.exists():
        print(f"error: {pdf.relative_to(cfg.root)} does not exist; run `book pdf` first", file=sys.stderr)
        return 1
    text, complete = report(check_book(load_book(cfg), pdf))
    print(text)
    return 0 if complete else 1


def _list(cfg, args) -> int:
    from builder.build.book import load_book, report_diagnostics
    from builder.build.options import Options

    book = load_book(cfg)
    if getattr(args, "links", False):
        try:
            from builder.series.links import describe_links
        except ImportError:
            print("error: links between posts are not available in this version", file=sys.stderr)
            return 1
        print(describe_links(book))
        return 0
    if args.figures or args.json:
        from builder.cli.listing import book_json, describe_figures
        print(book_json(book) if args.json else describe_figures(book))
        report_diagnostics(book, Options(strict=args.strict))  # on stderr: images that fill no figure
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
