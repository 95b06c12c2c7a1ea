"""`book watch`: a burst of saves becomes one rebuild; unrelated files trigger none."""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager

from conftest import make_book
from fixtures_text import FORMAT_A

from builder import config
from builder.build.options import Options
from builder.build.watch import watch


def wait_for(predicate, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@contextmanager
def watching(cfg):
    """`book watch` in a thread, its builds counted (the list of their start times); stopped after the block."""
    calls: list[float] = []
    stop = threading.Event()
    thread = threading.Thread(target=watch, args=(cfg, Options(quiet=True), lambda cfg: calls.append(time.monotonic()),
                                                   stop), daemon=True)
    thread.start()
    try:
        yield calls
    finally:
        stop.set()
        thread.join(timeout=5)
    assert not thread.is_alive()


def test_burst_of_saves_is_one_rebuild(tmp_path, capsys):
    cfg = config.load(make_book(tmp_path, {"a.txt": FORMAT_A}))
    with watching(cfg) as calls:
        assert wait_for(lambda: len(calls) == 1)  # the initial build
        time.sleep(0.3)
        dump = tmp_path / "excerpts" / "a.txt"
        for i in range(5):  # an editor saving several times in a row
            dump.write_text(FORMAT_A + f"补充{i}\n", encoding="utf-8")
            time.sleep(0.05)
        assert wait_for(lambda: len(calls) == 2)
        time.sleep(1.5)
        assert len(calls) == 2
        (tmp_path / "notes.md").write_text("not an input", encoding="utf-8")
        (tmp_path / "build").mkdir(exist_ok=True)
        (tmp_path / "build" / "scratch.txt").write_text("output", encoding="utf-8")
        time.sleep(1.5)
        assert len(calls) == 2
        (tmp_path / "styles" / "sciblog.sty").write_text("% changed\n", encoding="utf-8")
        assert wait_for(lambda: len(calls) == 3)


def test_an_image_dropped_into_a_post_folder_rebuilds(tmp_path):
    cfg = config.load(make_book(tmp_path, {"a.txt": FORMAT_A}))
    (tmp_path / "images" / "some-post").mkdir(parents=True)
    with watching(cfg) as calls:
        assert wait_for(lambda: len(calls) == 1)
        time.sleep(0.3)
        (tmp_path / "images" / "some-post" / "1.png").write_bytes(b"\x89PNG\r\n\x1a\n")
        assert wait_for(lambda: len(calls) == 2)
