"""`book watch`: rebuild when the dumps, book.yaml, styles/ or images/ change, one build per burst of saves."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from builder.config.settings import Config
from builder.series.figures import IMAGES_DIR

QUIET_SECONDS = 0.5  # a burst of saves (an editor writing several files) becomes one build


def watch(cfg: Config, opts, rebuild: Callable[[Config], object], stop: threading.Event | None = None) -> int:
    """Build with rebuild(config), then again after each burst of changes, with book.yaml read afresh."""
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    from builder.build.options import BuildFailed, build_lock

    changed = threading.Event()
    stop = stop or threading.Event()
    watched_dirs = {cfg.root / "styles", cfg.root} | {(cfg.root / pattern).parent for pattern in cfg.sources}
    images = cfg.root / IMAGES_DIR  # images/<post id>/<n>.png: watched with its post folders

    def relevant(path: str) -> bool:
        p = Path(path)
        if cfg.build_dir in p.parents or cfg.chapters_dir in p.parents or p.name.startswith("."):
            return False
        return p == cfg.path.resolve() or p.parent == cfg.root / "styles" or p == images or images in p.parents \
            or any(p.match(str(cfg.root / pattern)) for pattern in cfg.sources)

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event):
            if event.event_type not in ("created", "modified", "moved", "deleted"):
                return  # opening or reading a file (the build reads them all) is no change
            paths = [getattr(event, "src_path", ""), getattr(event, "dest_path", "")]
            if any(p and relevant(p) for p in paths):
                changed.set()

    observer = Observer()
    for d in watched_dirs:
        if d.is_dir():
            observer.schedule(Handler(), str(d), recursive=False)
    if images.is_dir():
        observer.schedule(Handler(), str(images), recursive=True)
    observer.start()
    print(f"watching {cfg.path.name}, styles/, {IMAGES_DIR}/ and {', '.join(cfg.sources)}; Ctrl-C stops",
          file=opts.out, flush=True)
    try:
        _run_once(cfg, opts, rebuild, build_lock, BuildFailed)
        while not stop.is_set():
            if not changed.wait(timeout=0.2):
                continue
            # Coalesce: wait until no event arrived for QUIET_SECONDS.
            while changed.is_set() and not stop.is_set():
                changed.clear()
                time.sleep(QUIET_SECONDS)
            if not stop.is_set():
                _run_once(cfg, opts, rebuild, build_lock, BuildFailed)
    except KeyboardInterrupt:
        pass
    finally:
        observer.stop()
        observer.join()
    return 0


def _run_once(cfg, opts, rebuild, build_lock, BuildFailed) -> None:
    from builder.config.loading import load
    from builder.config.problems import ConfigError

    try:
        fresh = load(cfg.path)  # book.yaml may have changed too
        with build_lock(fresh, opts):
            rebuild(fresh)
    except ConfigError as exc:
        print("\n".join(exc.report()), file=opts.out)
    except BuildFailed as exc:
        print(f"error: {exc}", file=opts.out)
    print("watching for changes …", file=opts.out, flush=True)
