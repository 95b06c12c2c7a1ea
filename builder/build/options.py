"""A build's options and messages; one build at a time per build/."""
from __future__ import annotations

import fcntl
import os
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator, Optional, TextIO

from builder.config.settings import Config


@dataclass
class Options:
    strict: bool = False
    quiet: bool = False
    always_make: bool = False
    dry_run: bool = False
    jobs: int = 1
    tex_timeout: Optional[float] = None  # seconds per TeX pass; None: scaled with the book's size
    out: TextIO = field(default_factory=lambda: sys.stderr)
    said: set = field(default_factory=set)  # warnings printed by this run (shared by its outputs): each once


class BuildFailed(Exception):
    pass


class OutputLines:
    """An output's messages: passed on (prefixed with the output's name when outputs build side by side), its
    warnings kept for the record; a warning another output of the same run printed already is not repeated."""

    def __init__(self, out: TextIO, said: set, prefix: str = "") -> None:
        self.out, self.said, self.prefix = out, said, prefix
        self.warnings: list[str] = []
        self._partial = ""
        self._lock = threading.Lock()

    def write(self, text: str) -> int:
        with self._lock:
            lines = (self._partial + text).split("\n")
            self._partial = lines.pop()
            lines = [line.rsplit("\r", 1)[-1] for line in lines]  # what a spinner frame before it left on the line
            if self.isatty():  # a live display: its partial lines and cursor moves go out as they come
                self.out.write(text)
                warned = [line for line in lines if ": warning: " in line]
                self.warnings += warned
                self.said.update(warned)
                return len(text)
            for line in lines:
                if ": warning: " in line:
                    self.warnings.append(line)
                    if line in self.said:
                        continue
                    self.said.add(line)
                named = line.startswith(self.prefix)  # a message that names its output already
                self.out.write(f"{'' if named else self.prefix}{line}\n")
        return len(text)

    def flush(self) -> None:
        self.out.flush()

    def isatty(self) -> bool:  # a spinner only where the real stream is a terminal and no prefix mixes lines
        return not self.prefix and hasattr(self.out, "isatty") and self.out.isatty()


def replay_warnings(warnings: list[str], opts: Options, what: str) -> None:
    """An up-to-date output's warnings, said again: --strict fails on them as on a fresh build's."""
    for line in warnings:
        if line not in opts.said:
            opts.said.add(line)
            print(line, file=opts.out)
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
