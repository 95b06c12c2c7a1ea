"""book.yaml's fonts against what fontconfig has installed, so a missing font is named before TeX runs."""
from __future__ import annotations

import difflib
import functools
import re
import shutil
import subprocess
from dataclasses import dataclass
from typing import Optional

from builder.config.problems import Problem, Problems, line_of
from builder.config.settings import Config

SHOWN = 6  # installed Chinese fonts a message lists


@dataclass(frozen=True)
class Installed:
    names: frozenset[str]    # every name XeTeX finds a font by: families, full names, PostScript names
    chinese: tuple[str, ...]  # families covering Chinese, as `fc-list :lang=zh family` prints them
    chinese_names: frozenset[str]


@functools.lru_cache(maxsize=1)
def installed() -> Optional[Installed]:
    """What fc-list reports, read once per process; None when fc-list is missing or fails (no check)."""
    fc = shutil.which("fc-list")
    if not fc:
        return None
    try:
        out = subprocess.run([fc, "--format", r"%{family}\t%{fullname}\t%{postscriptname}\t%{lang}\n"],
                             capture_output=True, text=True, timeout=60, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    names: set[str] = set()
    chinese: set[str] = set()
    chinese_names: set[str] = set()
    for row in out.splitlines():
        cols = row.split("\t")
        if len(cols) < 4:
            continue
        families = [f for f in cols[0].split(",") if f]
        these = {n for col in cols[:3] for n in col.split(",") if n}
        names |= these
        if any(lang == "zh" or lang.startswith("zh-") for lang in cols[3].split("|")) and families:
            chinese.add(families[0])
            chinese_names |= these
    # XeTeX looks names up exactly: case and spaces count (`noto serif cjk sc` is not found).
    # Simplified Chinese first (the book's language), Noto's SC families first of all.
    simplified = sorted(chinese, key=lambda f: ("SC" not in f.split(), not {"GB", "CN"} & set(f.split()),
                                                "Mono" in f, f))
    return Installed(frozenset(names), tuple(simplified), frozenset(chinese_names))


def close_name(name: str, fonts: Installed) -> Optional[str]:
    """The installed font a misspelt name most likely means (case ignored)."""
    folded = {n.lower(): n for n in fonts.names}
    match = difflib.get_close_matches(name.lower(), list(folded), n=1, cutoff=0.75)
    return folded[match[0]] if match else None


def chinese_listing(fonts: Installed) -> str:
    shown = list(fonts.chinese[:SHOWN])
    more = len(fonts.chinese) - len(shown)
    tail = f", … ({more} more: fc-list :lang=zh family)" if more > 0 else ""
    return f"installed Chinese fonts: {', '.join(shown) or 'none (install fonts-noto-cjk)'}{tail}"


def check(cfg: Config, problems: Problems) -> tuple[list[str], list[Problem]]:
    """fonts.cjk_serif and fonts.cjk_sans must be installed (TeX stops on a missing one); a fallback that is
    not installed is left out with a warning (TeX would stop at the first character it had to take from it).
    Returns (the fallback fonts kept, the warnings)."""
    warnings: list[Problem] = []
    fonts = installed()
    main = [(f"fonts.{name}", getattr(cfg.fonts, name), True) for name in ("cjk_serif", "cjk_sans")]
    fallback = [(f"fonts.fallback[{i}]", value, False) for i, value in enumerate(cfg.fonts.fallback)]
    kept = []
    for key, value, required in main + fallback:
        if not problems.clean(key):
            continue
        if not FONT_RE.match(value):
            problems.add(key, f"'{value}' is not a font family name (letters, digits, spaces, . _ -)")
            continue
        if fonts is not None and value not in fonts.names:
            near = close_name(value, fonts)
            if required:
                hint = f"did you mean '{near}'?" if near else chinese_listing(fonts)
                problems.add(key, f"'{value}' is not an installed font; {hint}")
                continue
            hint = f" (did you mean '{near}'?)" if near else ""
            where = "" if "fonts.fallback" in cfg.lines else " (a default; fonts.fallback in book.yaml sets the list)"
            warnings.append(_warning(cfg, key, f"'{value}' is not an installed font{hint}{where}; left out, "
                                                   f"so characters only it has will be missing from the PDF"))
            continue
        if required and fonts is not None and value not in fonts.chinese_names:
            warnings.append(_warning(cfg, key, f"'{value}' has no Chinese characters (fontconfig says); "
                                                   f"{chinese_listing(fonts)}"))
        if not required:
            kept.append(value)
    return kept, warnings


def _warning(cfg: Config, key: str, message: str) -> Problem:
    return Problem(f"{key}: {message}", line_of(cfg.lines, key))


FONT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]*$")
