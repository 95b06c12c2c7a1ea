"""Volumes as book.yaml sets them: which parts each holds, checked with the rest of book.yaml before any build."""
from __future__ import annotations

import re
from dataclasses import dataclass

from builder.config.problems import Problems, one_of
from builder.config.settings import OTHER_PART, VOLUME_MODES, Config

# A volume's key names its file (build/volumes/<key>.pdf) and is written in a link's target: nothing a file
# system or a PDF link would read differently.
KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class Volume:
    key: str
    title: str  # empty: its parts' titles (known once the book is read)
    parts: tuple[str, ...]  # part keys: series keys, `other` for the final part


def planned(cfg: Config) -> list[Volume]:
    """The volumes book.yaml asks for, in its order; none for the single book."""
    if cfg.volumes is None or cfg.volumes == "none":
        return []
    if cfg.volumes == "series":
        return [Volume(s.key, s.title, (s.key,)) for s in cfg.series] + \
            [Volume(OTHER_PART, cfg.other_title, (OTHER_PART,))]
    if isinstance(cfg.volumes, str):  # check_volumes refuses any other mode before a build
        raise ValueError(f"volumes: '{cfg.volumes}' is not one of {', '.join(VOLUME_MODES)}")
    return [Volume(v.key, v.title, tuple(v.parts)) for v in cfg.volumes]


def part_keys(cfg: Config) -> list[str]:
    """Every part a volume may hold, in the book's order."""
    return [s.key for s in cfg.series if s.key] + [OTHER_PART]


def check_volumes(cfg: Config, problems: Problems) -> None:
    """volumes: a mode, or a list in which every part is in exactly one volume; every problem at once."""

    if not problems.clean("volumes") or cfg.volumes is None:
        return
    if isinstance(cfg.volumes, str):
        if cfg.volumes not in VOLUME_MODES:
            problems.add("volumes", one_of(cfg.volumes, list(VOLUME_MODES), " or a list of volumes "
                                           "({key: v1, title: …, parts: [series keys]})"))
        return
    if not cfg.volumes:
        problems.add("volumes", "an empty list; give at least one volume, or `none` for the single book")
        return
    parts = part_keys(cfg)
    keys: dict[str, int] = {}
    holder: dict[str, int] = {}  # part key -> the volume that holds it
    for i, volume in enumerate(cfg.volumes):
        key = f"volumes[{i}]"
        if problems.clean(f"{key}.key") and volume.key:
            if not KEY_RE.match(volume.key):
                problems.add(f"{key}.key", f"'{volume.key}' cannot name a file: use letters, digits, ., _ and - "
                                           "(it names build/volumes/<key>.pdf)")
            elif volume.key in keys:
                problems.add(f"{key}.key", f"'{volume.key}' is the key of volumes[{keys[volume.key]}] too")
            keys.setdefault(volume.key, i)
        if not problems.clean(f"{key}.parts"):
            continue
        if not volume.parts:
            problems.add(f"{key}.parts", "a volume needs at least one part (a series key, or `other`)")
        for j, part in enumerate(volume.parts):
            if part not in parts:
                problems.add(f"{key}.parts[{j}]", one_of(part, parts).replace("is not one of", "is not a part:"))
            elif part in holder:
                problems.add(f"{key}.parts[{j}]", f"'{part}' is in volumes[{holder[part]}] already; each part goes "
                                                  "in exactly one volume")
            else:
                holder[part] = i
    if all(problems.clean(f"volumes[{i}].parts") for i in range(len(cfg.volumes))):
        missing = [p for p in parts if p not in holder]
        if missing:
            problems.add("volumes", f"{', '.join(repr(p) for p in missing)} {'is' if len(missing) == 1 else 'are'} "
                                    f"in no volume; each part goes in exactly one (`{OTHER_PART}`: the posts in no "
                                    "series)")
