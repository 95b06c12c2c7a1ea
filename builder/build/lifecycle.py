"""The one lifecycle every output shares: stamp check → load → render → write atomically → record."""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from builder.build.book import load_book, report_diagnostics
from builder.build.options import Options, OutputLines, Warnings, replay_warnings, say
from builder.build.stamps import BuildState, inputs_digest, target_output
from builder.config.settings import Config, source_files
from builder.model.book import Book
from builder.util.store import atomic_file


@dataclass
class Rendered:
    """An output rendered from the book model, up to the converter that makes the file (TeX, pandoc)."""

    write: Callable[[Path], tuple[str, bool]]  # writes the file at the given path: (summary, complete)
    content: str = ""  # stamp of what the converter is given: when unchanged, the converter is not run
    would: str = ""  # what a dry run says it would do


class Output:
    """One output of the book (PDF, EPUB, …). How it is built is the same for all (build_output); each
    output says only how it renders the book and runs its converter."""

    name = ""  # its name in book.yaml's outputs and in build/.book-state.json
    converter = ""  # the program that makes the file from what the output renders

    def __init__(self, cfg: Config, opts: Options) -> None:
        self.cfg, self.opts = cfg, opts

    @property
    def target(self) -> Path:
        return target_output(self.cfg, self.name)

    def inputs(self) -> str:
        """The stamp of everything the output is built from."""
        return inputs_digest(self.cfg, self.name)

    def load(self) -> Book:
        """The book model (outputs built together may share one)."""
        return load_book(self.cfg, self.opts.dry_run)

    def render(self, book: Book, state: BuildState) -> Rendered:
        raise NotImplementedError


def build_output(output: Output, cfg: Config, opts: Options) -> Path:
    """Every output's lifecycle: stamp check, load the book, render, write atomically, record.
    A failed build leaves the previous file in place: the new one is written beside it and renamed."""
    target, name = output.target, output.name
    shown = target.relative_to(cfg.root)
    state = BuildState.load(cfg.build_dir)
    inputs = output.inputs()
    if not opts.always_make and state.up_to_date(name, inputs, target):
        say(opts, f"{shown} is up to date")
        replay_warnings(state.warnings(name), opts, str(shown))
        return target
    lines = OutputLines(opts.out, f"{name}: " if opts.jobs > 1 else "")
    output.opts = opts = dataclasses.replace(opts, out=lines, warnings=Warnings(lines, opts.said))
    say(opts, f"{name}: reading {cfg.path.name} and {len(source_files(cfg))} dump(s)")
    book = output.load()
    say(opts, f"book: {len(book.parts)} parts, {len(book.chapters())} chapters")
    report_diagnostics(book, opts)
    rendered = output.render(book, state)
    if rendered.content and not opts.always_make and state.same_content(name, rendered.content, target):
        say(opts, f"{shown} is up to date (its {output.converter} input did not change)")
        if not opts.dry_run:
            state.record(name, inputs, target, rendered.content, opts.channel.items)
            state.save()
        return target
    if opts.dry_run:
        say(opts, rendered.would)
        return target
    with atomic_file(target) as tmp:
        summary, complete = rendered.write(tmp)
    if complete:
        state.record(name, inputs, target, rendered.content, opts.channel.items)
    else:  # worth building again next time (and saying why again)
        state.forget(name)
    state.save()
    say(opts, f"wrote {shown} ({summary})")
    return target
