"""Content stamps: what each output was built from, so a build redoes only what is out of date."""
from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from builder.config.settings import Config, source_files
from builder.model.codec import Codec, DecodeError
from builder.model.content import Location
from builder.model.diagnostics import Diagnostic
from builder.series.figures import images_digest, svg_converter
from builder.util.hashing import digest, file_digest, tool_digest
from builder.util.store import Store

STATE_FILE = ".book-state.json"
_CODEC = Codec((Diagnostic, Location))

_SAVE_LOCK = threading.Lock()


def styles_digest(cfg: Config) -> str:
    """The style files the book uses (its own where it has them, else the shipped ones)."""
    from builder.config.styles import style_file, style_names
    return digest(*(name + "\0" + file_digest(style_file(cfg, name)) for name in style_names(cfg)))


def inputs_digest(cfg: Config, target: str) -> str:
    """Everything a target is built from: config, dumps, figures' images, styles, the tool (and pandoc, for the
    EPUB; the SVG converter, for the PDF)."""
    names = [f"{p.relative_to(cfg.root)}\0{file_digest(p)}" for p in source_files(cfg)]
    converter = ""
    if target.startswith("epub"):
        from importlib.metadata import PackageNotFoundError, version
        try:
            converter = version("pypandoc_binary")
        except PackageNotFoundError:
            converter = "?"
    if target == "pdf":  # installing the converter lets an SVG into the PDF
        converter = svg_converter()
    return digest(target, converter, cfg.path.read_bytes(), tool_digest(), styles_digest(cfg), images_digest(cfg),
                  *names)


@dataclass
class BuildState:
    """Stamps of the last successful build, kept in build/.book-state.json."""

    store: Store
    targets: dict[str, dict] = field(default_factory=dict)  # target -> {inputs, output, content, warnings}
    chapters: dict[str, str] = field(default_factory=dict)  # post id -> render stamp
    touched: set[str] = field(default_factory=set)  # the targets this build recorded or forgot
    chapters_set: bool = False  # this build rendered the chapters (set_chapters)

    @classmethod
    def load(cls, build_dir: Path) -> BuildState:
        store = Store(build_dir)
        data = store.read(STATE_FILE)
        if not (isinstance(data, dict) and isinstance(data.get("targets"), dict)
                and isinstance(data.get("chapters"), dict)
                and all(isinstance(v, dict) for v in data["targets"].values())):
            return cls(store)
        return cls(store, dict(data["targets"]), dict(data["chapters"]))

    def save(self) -> None:
        """Merge into the file: the PDF and EPUB builds of `book all -j 2` each save their own stamps."""
        with _SAVE_LOCK:
            current = BuildState.load(self.store.folder)
            # Only the targets this build recorded: its copies of the others may be older than the file's.
            current.targets.update({t: self.targets[t] for t in self.touched})
            if self.chapters_set:
                current.chapters = self.chapters
            self.store.write(STATE_FILE, {"targets": current.targets, "chapters": current.chapters})

    def up_to_date(self, target: str, inputs: str, output: Path) -> bool:
        entry = self.targets.get(target) or {}
        return bool(entry) and entry.get("inputs") == inputs and output.exists() \
            and entry.get("output") == file_digest(output)

    def same_content(self, target: str, content: str, output: Path) -> bool:
        """The output's converter would be given what it was given last time, and the output is that one."""
        entry = self.targets.get(target) or {}
        return bool(entry) and entry.get("content") == content and output.exists() \
            and entry.get("output") == file_digest(output)

    def record(self, target: str, inputs: str, output: Path, content: str = "",
               warnings: Sequence[Diagnostic] = ()) -> None:
        self.targets[target] = {"inputs": inputs, "output": file_digest(output), "content": content,
                                "warnings": _CODEC.encode(list(warnings))}
        self.touched.add(target)

    def warnings(self, target: str) -> list[Diagnostic]:
        """The warnings the build that made the target's file gave (said again while it is up to date)."""
        try:
            return _CODEC.decode(self.targets.get(target, {}).get("warnings", []), list[Diagnostic])
        except DecodeError:  # another tool's record: the file is rebuilt (its output digest will not match either)
            return []

    def set_chapters(self, stamps: dict[str, str]) -> None:
        self.chapters, self.chapters_set = stamps, True

    def forget(self, target: str) -> None:
        self.targets[target] = {}
        self.touched.add(target)


# Each output's file under build/ (the names in book.yaml's outputs).
OUTPUT_FILES = {"pdf": "book.pdf", "epub": "book.epub", "epub-images": "book-images.epub"}


def target_output(cfg: Config, target: str) -> Path:
    return cfg.build_dir / OUTPUT_FILES[target]


def is_up_to_date(cfg: Config, target: str) -> bool:
    """The no-op check: cheap, reads no dump as posts and starts no TeX."""
    state = BuildState.load(cfg.build_dir)
    return state.up_to_date(target, inputs_digest(cfg, target), target_output(cfg, target))
