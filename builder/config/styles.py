"""Where a book's styles come from: its own styles/ folder, file by file over the ones shipped with the tool."""
from __future__ import annotations

from pathlib import Path

from builder.config.settings import Config

# The templates, LaTeX styles, stylesheet and stop list every book starts from (package data).
PACKAGE_STYLES = Path(__file__).resolve().parents[1] / "styles"


def style_dirs(cfg: Config) -> list[Path]:
    """Where styles are looked up, the book's own folder first (it overrides the shipped file of the same name)."""
    own = cfg.root / "styles"
    return [own, PACKAGE_STYLES] if own.is_dir() else [PACKAGE_STYLES]


def style_file(cfg: Config, name: str) -> Path:
    """The file a book uses for `name`: its own styles/<name> when it has one, else the shipped one."""
    for folder in style_dirs(cfg):
        if (folder / name).is_file():
            return folder / name
    return PACKAGE_STYLES / name


def style_names(cfg: Config) -> list[str]:
    """Every style file the book sees, shipped or its own."""
    return sorted({p.name for folder in style_dirs(cfg) for p in folder.iterdir() if p.is_file()})
