"""A Formula as the TeX pandoc's texmath reads (for MathML): its gaps filled with equivalent forms."""
from __future__ import annotations

import re
from collections.abc import Callable

from builder.mathtex import dialect
from builder.mathtex.formula import BEGIN, END, EQREF, REF
from builder.mathtex.lexer import (
    CHAR,
    CLOSE,
    CS,
    OPEN,
    Token,
    argument,
    group_end,
    optional_argument,
    serialize,
    strip_spaces,
)
from builder.mathtex.normalize import COLOR

# Commands texmath cannot read, each as an equivalent it can.
RENAMED = {"cfrac": "dfrac", "dbinom": "binom", "tbinom": "binom", "hphantom": "phantom", "mathnormal": "mathit",
           "textnormal": "text", "thinspace": ",", "negthinspace": "!", "Bbb": "mathbb",
           "mathup": "mathrm", "gets": "leftarrow",
           # texmath draws no colour: a coloured formula keeps its content, a coloured box its text.
           "textcolor": "", "color": "", "sbcolorbbox": "", "colorbox": "text", "fcolorbox": "text",
           "rowcolor": "", "cellcolor": "", "columncolor": ""}
ENV_RENAMED = {"dcases": "cases", "subarray": "array", "rcases": "cases", "drcases": "cases",
               "crampedsubarray": "array", "multlined": "gathered", "lgathered": "gathered", "rgathered": "gathered"}
DROPPED = frozenset(["hline", "hdashline", "vphantom", "relax", "nonumber", "notag"])
CHARACTERS = {"lt": "<", "gt": ">"}  # commands texmath lacks for a character it has
# Commands whose argument texmath should show without them: struts, overlaps, root positions.
UNWRAPPED = frozenset("smash rlap llap clap mathrlap mathllap mathclap".split())
ROOT_SHIFTS = frozenset(["uproot", "leftroot"])  # \sqrt[\uproot{2}3]{x}: a nudge texmath cannot read
# texmath sizes `\big/` and `\big.` as <mi stretchy>, which is not MathML (epubcheck rejects it): unsized.
SIZES = frozenset("big Big bigg Bigg bigl Bigl biggl Biggl bigr Bigr biggr Biggr bigm Bigm biggm Biggm".split())


def _cd_to_array(body: str) -> str:
    """amscd's CD (MathJax's \\require{AMScd}) as an array of arrows, which pandoc's MathML can draw."""
    arrow_re = re.compile(r"@([><])([^><]*)[><]([^><]*)[><]|@([VA])([^VA]*)[VA]([^VA]*)[VA]|@=|@\||@\.")

    def arrow(m: re.Match) -> str:
        if m.group(1):
            out = "\\longrightarrow" if m.group(1) == ">" else "\\longleftarrow"
            if m.group(2).strip():
                out = f"\\overset{{{m.group(2)}}}{{{out}}}"
            if m.group(3).strip():
                out = f"\\underset{{{m.group(3)}}}{{{out}}}"
            return out
        if m.group(4):
            out = "\\downarrow" if m.group(4) == "V" else "\\uparrow"
            left, right = m.group(5).strip(), m.group(6).strip()
            return (f"{{\\scriptstyle {left}}}" if left else "") + out + (f"{{\\scriptstyle {right}}}" if right else "")
        return {"@=": "=", "@|": "\\|", "@.": ""}[m.group(0)]

    rows = []
    for row in body.split("\\\\"):
        cells, last = [], 0
        vertical = all(not t.strip() for t in arrow_re.split(row)[::7] if t is not None)
        for a in arrow_re.finditer(row):
            if not vertical:
                cells.append(row[last:a.start()].strip())
            cells.append(arrow(a))
            last = a.end()
        if not vertical:
            cells.append(row[last:].strip())
        rows.append(" & & ".join(cells) if vertical else " & ".join(cells))
    width = max(r.count("&") for r in rows) + 1
    return "\\begin{array}{" + "c" * width + "}" + " \\\\ ".join(rows) + "\\end{array}"


def _over(tokens: list[Token]) -> list[Token]:
    """{a \\over b} -> \\frac{a}{b}, innermost groups first (texmath has no \\over)."""
    for i, tok in enumerate(tokens):
        if tok == Token(CS, "over"):
            depth, start = 0, -1
            for k in range(i - 1, -1, -1):
                if tokens[k].kind == CLOSE:
                    depth += 1
                elif tokens[k].kind == OPEN:
                    if depth == 0:
                        start = k
                        break
                    depth -= 1
            end = group_end(tokens, start) if start >= 0 else len(tokens) + 1
            if end is None:
                return tokens
            inner_end = end - 1 if start >= 0 else len(tokens)
            frac = [Token(CS, "frac"), Token(OPEN, "{"), *tokens[start + 1:i], Token(CLOSE, "}"), Token(OPEN, "{"),
                    *tokens[i + 1:inner_end], Token(CLOSE, "}")]
            return _over(tokens[:start + 1] + frac + tokens[inner_end:])
    return tokens


def tokens_tex(tokens: tuple[Token, ...] | list[Token], ref: Callable[[str, str], str]) -> str:
    """The tokens as texmath's TeX; `ref(kind, label)` gives what a reference prints, e.g. "(3.1)"."""
    out: list[Token] = []
    toks = list(tokens)
    envs = 0  # environments open here: a `\\` outside any is spacing texmath cannot read (`\underbrace{x\\[9pt]}`)
    i = 0
    while i < len(toks):
        tok = toks[i]
        kind, text = tok
        envs += 1 if kind == BEGIN else -1 if kind == END else 0
        if kind == CS and text == "\\" and envs == 0:
            opt = optional_argument(toks, i + 1) if i + 1 < len(toks) and toks[i + 1] == Token(CHAR, "[") else None
            i = opt[1] if opt else i + 1
            continue
        if kind in (EQREF, REF):
            out.extend([Token(CS, "text"), Token(OPEN, "{"), Token(CHAR, ref(kind, text)), Token(CLOSE, "}")])
        elif kind == COLOR:
            pass  # see RENAMED: colours are dropped
        elif kind == BEGIN and text == "CD":
            depth, k = 1, i + 1
            while k < len(toks) and depth:
                depth += {BEGIN: 1, END: -1}.get(toks[k].kind, 0)
                k += 1
            out.append(Token(CHAR, _cd_to_array(serialize(toks[i + 1:k - 1]))))
            i = k
            continue
        elif kind in (BEGIN, END):
            name = ENV_RENAMED.get(text, text)
            out.extend([Token(CS, kind), Token(OPEN, "{"), Token(CHAR, name), Token(CLOSE, "}")])
            if kind == BEGIN and text in ("array", "subarray"):  # no rules (| or dashed :) in column specs
                spec = argument(toks, i + 1)
                if spec is not None:
                    cols = [t for t in spec[0] if t not in (Token(CHAR, "|"), Token(CHAR, ":"))] or [Token(CHAR, "c")]
                    out.extend([Token(OPEN, "{"), *cols, Token(CLOSE, "}")])
                    i = spec[1]
                    continue
        elif kind == CS and text in DROPPED:
            if text == "vphantom":  # height only: nothing to show
                arg = argument(toks, i + 1)
                i = arg[1] if arg else i + 1
                continue
        elif kind == CS and text in SIZES and i + 1 < len(toks) and toks[i + 1].kind == CHAR \
                and toks[i + 1].text in "/.":
            pass
        elif kind == CS and text in ("left", "right", "middle") and i + 1 < len(toks) and toks[i + 1] == SLASH:
            # texmath has no stretchy `/`: \left/ … \right. keeps its pairing with an empty delimiter
            out.extend([Token(CS, text), Token(CHAR, "."), SLASH] if text != "right" else
                       [SLASH, Token(CS, text), Token(CHAR, ".")])
            i += 2
            continue
        elif kind == CS and text in CHARACTERS:
            out.append(Token(CHAR, CHARACTERS[text]))
        elif kind == CS and text in ROOT_SHIFTS:
            arg = argument(toks, i + 1)
            i = arg[1] if arg else i + 1
            continue
        elif kind == CS and text in UNWRAPPED:
            opt = optional_argument(toks, i + 1)  # \smash[t]{x}
            i = opt[1] if opt else i + 1
            continue
        elif kind == CS and text == "xlongequal":  # \xlongequal[below]{above}: = with the text over it
            below = optional_argument(toks, i + 1)
            above = argument(toks, below[1] if below else i + 1)
            if above is not None:
                eq = [Token(CS, "overset"), Token(OPEN, "{"), *above[0], Token(CLOSE, "}"), Token(OPEN, "{"),
                      Token(CHAR, "="), Token(CLOSE, "}")]
                if below is not None:
                    eq = [Token(CS, "underset"), Token(OPEN, "{"), *below[0], Token(CLOSE, "}"), Token(OPEN, "{"),
                          *eq, Token(CLOSE, "}")]
                toks[i:above[1]] = eq  # read again: \overset and \underset as any other command
                continue
        elif kind == CS and text in RENAMED:
            if RENAMED[text]:
                out.append(Token(CS, RENAMED[text]))
        elif kind == CS and text in dialect.LOGOS:
            out.append(Token(CHAR, text))
        else:
            out.append(tok)
        i += 1
    return serialize(_over(out))


SLASH = Token(CHAR, "/")


def formula_tex(tokens: tuple[Token, ...], ref: Callable[[str, str], str]) -> str:
    """Spaces trimmed from both ends, as pandoc wants them."""
    return tokens_tex(strip_spaces(tokens), ref)
