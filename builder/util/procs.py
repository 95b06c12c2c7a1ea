"""Child processes (TeX, makeindex, pandoc) that die with the build, however the build ends."""
from __future__ import annotations

import os
import signal
import subprocess
import threading
from typing import Any, Optional

# A watcher per child, outside the child's process group: it reads a pipe only `book` holds open. When `book`
# ends in any way, kill -9 included, the kernel closes the pipe; unless `book` said "done" first, the watcher
# kills the child's whole group (xelatex and the xdvipdfmx it pipes to with it). A shell starts in about a millisecond.
WATCHER = 'read done || kill -KILL -- "-$1" 2>/dev/null'


class Child:
    """A process in its own group (so it and its children can be killed at once), watched as above."""

    def __init__(self, cmd: list[str], **popen: Any):  # Popen's keyword arguments, passed on as they are
        self.proc = subprocess.Popen(cmd, start_new_session=True, **popen)
        try:
            self.watcher: Optional[subprocess.Popen] = subprocess.Popen(
                ["/bin/sh", "-c", WATCHER, "sh", str(self.proc.pid)], stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        except OSError:  # no /bin/sh: the exit paths of this process still kill the group
            self.watcher = None
        with _lock:
            _live.add(self)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def kill(self) -> None:
        """The child and everything it started, at once."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def wait(self, timeout: Optional[float] = None) -> int:
        return self.proc.wait(timeout)

    def close(self) -> None:
        """After the child ended: nothing of its group may outlive it; the watcher is dismissed."""
        if self.proc.poll() is None:
            self.kill()
            self.proc.wait()
        self.kill()  # a grandchild that outlived its parent (the group id stays until its last member exits)
        if self.watcher is not None:
            try:
                self.watcher.communicate(b"done\n", timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self.watcher.kill()
        with _lock:
            _live.discard(self)

    def __enter__(self) -> Child:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_live: set[Child] = set()

_lock = threading.Lock()


def run(cmd: list[str], timeout: float, **popen: Any) -> tuple[int, str, str, bool]:
    """(exit code, stdout, stderr, timed out) of a child given `timeout` seconds; killed with its group after."""
    with Child(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen) as child:
        try:
            out, err = child.proc.communicate(timeout=timeout)
            return child.proc.returncode, _text(out), _text(err), False
        except subprocess.TimeoutExpired:
            child.kill()
            out, err = child.proc.communicate()
            return -signal.SIGKILL, _text(out), _text(err), True


def _text(data: object) -> str:
    if isinstance(data, bytes):
        return data.decode("utf-8", errors="replace")
    return data or ""  # type: ignore[return-value]


def kill_all() -> None:
    """Every child still running: called on every way out of `book` (exit, exception, SIGTERM)."""
    with _lock:
        children = list(_live)
    for child in children:
        child.kill()


def die_with_signals() -> None:
    """SIGTERM and SIGHUP end `book` the way Ctrl-C does: through its exit paths, children killed."""
    def handler(signum: int, _frame: object) -> None:
        kill_all()
        raise SystemExit(128 + signum)

    for sig in (signal.SIGTERM, signal.SIGHUP):
        try:
            signal.signal(sig, handler)
        except (ValueError, OSError):  # not the main thread (a test calling main()): the watchers still hold
            pass
