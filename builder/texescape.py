"""Escaping as data: the prose escape table every dump string outside a formula passes through."""
from __future__ import annotations

import re

# Prose: each character that means something to TeX, and what prints it.
PROSE_ESCAPES: dict[str, str] = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "%": r"\%",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    "\u00a0": "~",
    "\t": " ",
    # Keep TeX ligatures from joining punctuation the writer did not join.
    "-": "-{}",
    "`": r"\textasciigrave{}",
    "'": r"\textquotesingle{}",
    '"': r"\textquotedbl{}",
}
_PROSE_RE = re.compile("|".join(re.escape(k) for k in PROSE_ESCAPES))


def escape(text: str) -> str:
    """Any string -> LaTeX that prints exactly that string."""
    return _PROSE_RE.sub(lambda m: PROSE_ESCAPES[m.group(0)], text)


def escape_verbatim(text: str) -> str:
    """Source shown as code: escaped, and breakable after any character so it never overflows."""
    return "".join(escape(ch) + (r"\allowbreak{}" if ch in " ,;=+-)(" else "") for ch in text)


def escape_code(line: str) -> str:
    """A line of program code: every character printed as is, spaces kept, breakable anywhere."""
    out = []
    for ch in line:
        if ch == " ":
            out.append(r"\ ")
        else:
            out.append(escape(ch) + r"\allowbreak{}")
    return "".join(out)


URL_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789:/._-?=&+,;@!*()'")


def url_target(url: str) -> str:
    """An address for \\href: anything TeX could read as a command is percent-encoded, and % escaped."""
    encoded = "".join(ch if ch in URL_SAFE or (ch == "%" and re.match(r"[0-9A-Fa-f]{2}", url[i + 1:i + 3]))
                      else "".join(f"%{b:02X}" for b in ch.encode("utf-8")) for i, ch in enumerate(url))
    return encoded.replace("%", r"\%").replace("&", r"\&")


def escape_url(url: str) -> str:
    """The printed address: escaped, with a break allowed after each / . - _ ? = &."""
    return "".join(escape(ch) + (r"\allowbreak{}" if ch in "/.-_?=&" else "") for ch in url)
