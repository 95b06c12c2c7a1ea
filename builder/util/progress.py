"""Progress: a live display on a terminal, plain one-line-per-step logs in a pipe or under CI."""
from __future__ import annotations

import os
import sys
import time
from typing import IO, TYPE_CHECKING, Optional, Protocol, cast

if TYPE_CHECKING:
    from rich.status import Status

HEARTBEAT_SECONDS = 10.0


class TextOut(Protocol):
    """Where messages go: a terminal's stream, or an output's lines prefixed with its name."""

    def write(self, text: str, /) -> int: ...

    def flush(self) -> None: ...


class Progress:
    """Stages and TeX passes; `alive()` keeps long passes visibly running."""

    def __init__(self, out: TextOut = sys.stderr, quiet: bool = False, live: Optional[bool] = None):
        self.out = out
        self.quiet = quiet
        if live is None:
            isatty = getattr(out, "isatty", None)  # (an output's prefixed lines are no terminal)
            live = bool(isatty and isatty()) and not os.environ.get("CI")
        self.live = live and not quiet
        self._status: Optional[Status] = None
        self._label = ""
        self._started = time.monotonic()
        self._last_line = self._started
        if self.live:
            from rich.console import Console
            self._console = Console(file=cast(IO[str], out), highlight=False)

    def step(self, message: str) -> None:
        """A finished step: one line in either mode."""
        if self.quiet:
            return
        self._stop_status()
        if self.live:
            self._console.print(message, markup=False)
        else:
            print(message, file=self.out, flush=True)
        self._last_line = time.monotonic()

    def start(self, label: str) -> None:
        """A step that takes a while (a TeX pass): a spinner live, a line otherwise."""
        self._label = label
        self._started = self._last_line = time.monotonic()
        if self.quiet:
            return
        if self.live:
            self._stop_status()
            self._status = self._console.status(label)
            self._status.start()
        else:
            print(f"{label} …", file=self.out, flush=True)

    def update(self, detail: str) -> None:
        if self.quiet:
            return
        now = time.monotonic()
        if self.live and self._status is not None:
            self._status.update(f"{self._label}: {detail}")
        elif not self.live and now - self._last_line >= HEARTBEAT_SECONDS:
            print(f"{self._label}: still running, {detail} ({now - self._started:.0f} s)", file=self.out, flush=True)
            self._last_line = now

    def finish(self, message: str) -> None:
        self.step(f"{message} ({time.monotonic() - self._started:.1f} s)")

    def _stop_status(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None

    def close(self) -> None:
        self._stop_status()
