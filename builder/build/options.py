"""A build's options and messages; one build at a time per build/."""
from __future__ import annotations

import fcntl
import os
import sys
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Optional

from builder.config.settings import Config
from builder.model.diagnostics import Diagnostic
from builder.util.progress import TextOut


@dataclass
class Options:
    strict: bool = False
    quiet: bool = False
    always_make: bool = False
    dry_run: bool = False
    jobs: int = 1
    tex_timeout: Optional[float] = None  # seconds per TeX pass; None: scaled with the book's size
    out: TextOut = field(default_factory=lambda: sys.stderr)
    said: set[str] = field(default_factory=set)  # warnings printed by this run (shared by its outputs): each once
    warnings: Optional[Warnings] = None  # this output's; by default one writing to `out`

    def __post_init__(self) -> None:
        if self.warnings is None:
            self.warnings = Warnings(self.out, self.said)

    @property
    def channel(self) -> Warnings:
        assert self.warnings is not None
        return self.warnings


class BuildFailed(Exception):
    pass


class Warnings:
    """The one channel of an output's diagnostics, as objects (place, text, level, code): each printed as
    `path:line: level: message`, a warning once per run (outputs built side by side share what was said),
    kept for the build's record (an up-to-date build says them again), counted by --strict."""

    _lock = threading.Lock()

    def __init__(self, out: TextOut, said: set[str]) -> None:
        self.out, self.said = out, said
        self.items: list[Diagnostic] = []  # this output's warnings, in the order they came

    def add(self, diagnostic: Diagnostic) -> None:
        line = str(diagnostic)
        if diagnostic.level == "warning":
            self.items.append(diagnostic)
            with self._lock:
                if line in self.said:
                    return
                self.said.add(line)
        print(line, file=self.out, flush=True)

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        for diagnostic in diagnostics:
            self.add(diagnostic)

    def fail_if_strict(self, opts: Options, found: Sequence[Diagnostic], what: str = "warning(s)") -> None:
        """Under --strict, what was just found fails the build (the previous output is kept)."""
        if opts.strict and found:
            raise BuildFailed(f"{len(found)} {what} and --strict")


class OutputLines:
    """An output's messages passed on, prefixed with the output's name when outputs build side by side."""

    def __init__(self, out: TextOut, prefix: str = "") -> None:
        self.out, self.prefix = out, prefix
        self._partial = ""
        self._lock = threading.Lock()

    def write(self, text: str) -> int:
        with self._lock:
            lines = (self._partial + text).split("\n")
            self._partial = lines.pop()
            lines = [line.rsplit("\r", 1)[-1] for line in lines]  # what a spinner frame before it left on the line
            if self.isatty():  # a live display: its partial lines and cursor moves go out as they come
                self.out.write(text)
                return len(text)
            for line in lines:
                named = line.startswith(self.prefix)  # a message that names its output already
                self.out.write(f"{'' if named else self.prefix}{line}\n")
        return len(text)

    def flush(self) -> None:
        self.out.flush()

    def isatty(self) -> bool:  # a spinner only where the real stream is a terminal and no prefix mixes lines
        return not self.prefix and hasattr(self.out, "isatty") and self.out.isatty()


def replay_warnings(warnings: list[Diagnostic], opts: Options, what: str) -> None:
    """An up-to-date output's warnings, said again: --strict fails on them as on a fresh build's."""
    opts.channel.extend(warnings)
    if opts.strict and warnings:
        raise BuildFailed(f"{what} is up to date, but its build gave {len(warnings)} warning(s) and --strict")


def say(opts: Options, message: str) -> None:
    if not opts.quiet:
        print(message, file=opts.out, flush=True)


@contextmanager
def build_lock(cfg: Config, opts: Options) -> Iterator[None]:
    """One build at a time per build/ directory; a second one waits and says why."""
    if opts.dry_run:  # a dry run writes nothing, not even the lock
        yield
        return
    cfg.build_dir.mkdir(parents=True, exist_ok=True)
    path = cfg.build_dir / ".lock"
    with open(path, "a+", encoding="utf-8") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "?"
            print(f"another build is running in {cfg.build_dir} (pid {holder}); waiting for it to finish",
                  file=opts.out, flush=True)
            fcntl.flock(fh, fcntl.LOCK_EX)
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
