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
    # `[` after \item or a command with an optional argument would open that argument (`1、[注意]`).
    "[": "{[}",
    "]": "{]}",
}

_PROSE_RE = re.compile("|".join(re.escape(k) for k in PROSE_ESCAPES))


def escape(text: str) -> str:
    """Any string -> LaTeX that prints exactly that string."""
    return _PROSE_RE.sub(lambda m: PROSE_ESCAPES[m.group(0)], text)


# Limits that keep TeX's own limits out of reach whatever the text (see README, "Hostile input").
TEX_LINE_MAX = 4000  # characters per generated line; TeX's input buffer holds 200,000, a line is read whole

UNBROKEN_MAX = 40  # characters TeX may meet with no place to break a line (a longer run gets places)

SHOWN_SOURCE_MAX = 3000  # characters of a formula shown as source; a longer one is cut, saying how much

_BREAK = "\x00"  # stands for a break opportunity until the text is escaped (NUL never reaches a post)


# A run of characters with no line-break opportunity: no space, not CJK (xeCJK breaks between CJK characters).
_UNBROKEN_RE = re.compile(r"[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]{" + str(UNBROKEN_MAX + 1) + ",}")


def escape_prose(text: str) -> str:
    """Prose for a paragraph: escaped; a long run with nowhere to break gets break opportunities (a line
    of 12,000 `~` would otherwise be one box wider than TeX can measure); long lines wrapped."""
    text = _UNBROKEN_RE.sub(lambda m: _BREAK.join(m.group(0)[i:i + UNBROKEN_MAX // 2]
                                                  for i in range(0, len(m.group(0)), UNBROKEN_MAX // 2)), text)
    return wrap_lines(escape(text).replace(_BREAK, r"\allowbreak{}"))


def wrap_lines(tex: str, limit: int = TEX_LINE_MAX) -> str:
    """Escaped prose on lines of at most about `limit` characters, TeX reading exactly the same: a space
    becomes a line end (TeX reads both as one space), else `%` and a line end go after a `}` or a CJK
    character that no space follows (in escaped prose no control word runs into either)."""
    if len(tex) <= limit:
        return tex
    out: list[str] = []
    start = 0
    while len(tex) - start > limit:
        window = tex[start:start + limit]
        cut = window.rfind(" ")
        while cut > 0 and "\n" in (window[cut - 1], tex[start + cut + 1:start + cut + 2]):
            cut = window.rfind(" ", 0, cut)  # next to a line end, a new one would make an empty line (\par)
        if cut > 0:
            out.append(window[:cut] + "\n")
            start += cut + 1
            continue
        for k in range(len(window) - 1, 0, -1):
            ch, nxt = window[k - 1], tex[start + k]
            if (ch == "}" or "\u2e80" <= ch <= "\u9fff") and not nxt.isspace():
                out.append(window[:k] + "%\n")
                start += k
                break
        else:  # nowhere safe in this window (cannot happen after escape_prose's break opportunities)
            out.append(window)
            start += limit
    out.append(tex[start:])
    return "".join(out)


def join_pieces(pieces: list[str], limit: int = TEX_LINE_MAX) -> str:
    """A paragraph's pieces (prose, formulas, index entries) on lines of about `limit` characters: `%` and
    a line end between two pieces; none ends in a control word, and one that starts with a space is not
    moved to the start of a line (TeX would skip that space)."""
    out: list[str] = []
    col = 0
    for piece in pieces:
        if col and col + len(piece) > limit and not piece[:1].isspace():
            out.append("%\n")
            col = 0
        out.append(piece)
        nl = piece.rfind("\n")
        col = len(piece) - nl - 1 if nl >= 0 else col + len(piece)
    return "".join(out)


def escape_verbatim(text: str) -> str:
    """Source shown as code: escaped, cut after SHOWN_SOURCE_MAX characters (saying so), breakable after
    any character that can end a piece of TeX, and at least every UNBROKEN_MAX // 2 characters."""
    omitted = len(text) - SHOWN_SOURCE_MAX
    if omitted > 0:
        text = text[:SHOWN_SOURCE_MAX]
    out, run = [], 0
    for ch in text:
        out.append(escape(ch))
        run += 1
        if ch in " ,;=+-)(}{^_&\\" or run >= UNBROKEN_MAX // 2:
            out.append(r"\allowbreak{}")
            run = 0
    tail = rf"\allowbreak{{}}…（以下 {omitted} 个字符从略）" if omitted > 0 else ""
    return wrap_lines("".join(out) + tail)


def escape_code(line: str) -> str:
    """A line of program code: every character printed as is, spaces kept, breakable anywhere, but inside a
    name (`range`, `batch_size`) only when nothing else is left (\\sbcodemid): a wrapped line breaks at a
    space or after punctuation, as a programmer would break it."""
    out = []
    for ch, nxt in zip(line, line[1:] + " "):
        if ch == " ":
            out.append(r"\ ")
        elif (ch.isalnum() or ch == "_") and (nxt.isalnum() or nxt == "_"):
            out.append(escape(ch) + r"\sbcodemid{}")
        else:
            out.append(escape(ch) + r"\allowbreak{}")
    return "".join(out)


URL_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789:/._-?=&+,;@!*()'")


def url_target(url: str) -> str:
    """An address for \\href: anything TeX could read as a command is percent-encoded, and % escaped."""
    encoded = "".join(ch if ch in URL_SAFE or (ch == "%" and re.match(r"[0-9A-Fa-f]{2}", url[i + 1:i + 3]))
                      else "".join(f"%{b:02X}" for b in ch.encode("utf-8")) for i, ch in enumerate(url))
    return encoded.replace("%", r"\%").replace("&", r"\&")


URL_RUN_MAX = 8  # characters of an address between break opportunities (a commit hash is 40)


def escape_url(url: str) -> str:
    """The printed address: escaped, with a break allowed after each / . - _ ? = &, and within any longer
    run of other characters every URL_RUN_MAX (a line of text is about 40 characters of it)."""
    out, run = [], 0
    for ch in url:
        run = 0 if ch in "/.-_?=&" else run + 1
        out.append(escape(ch))
        if run == 0 or run % URL_RUN_MAX == 0:
            out.append(r"\allowbreak{}")
    return "".join(out)
