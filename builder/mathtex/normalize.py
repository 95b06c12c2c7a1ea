"""MathJax-only forms rewritten to what both LaTeX and pandoc read, once, on the token list."""
from __future__ import annotations

import unicodedata

from builder.mathtex import dialect
from builder.mathtex.lexer import (
    CHAR,
    CLOSE,
    CS,
    OPEN,
    PERCENT,
    SHIFT,
    SPACE,
    TILDE,
    VERB,
    Token,
    argument,
    optional_argument,
    plain_text,
    skip_spaces,
)

COLOR = "color"  # token kind the normaliser adds: a colour as RRGGBB, right after a colour command


class FormulaError(ValueError):
    """Why a formula cannot be typeset; shown to the user with the dump location."""


def is_cjk(ch: str) -> bool:
    """Chinese characters and full-width punctuation: TeX's math fonts have none of them."""
    o = ord(ch)
    return (0x3000 <= o <= 0x303F or 0x3400 <= o <= 0x4DBF or 0x4E00 <= o <= 0x9FFF or 0xFF00 <= o <= 0xFFEF
            or 0x20000 <= o <= 0x3134F or 0xF900 <= o <= 0xFAFF)


def _wrap_text(chars: list[str]) -> list[Token]:
    return [Token(CS, "text"), Token(OPEN, "{"), *(Token(CHAR, c) for c in chars), Token(CLOSE, "}")]


BOLD = frozenset(["boldsymbol", "bm"])  # bm runs TeX out of memory on \boldsymbol{f(\boldsymbol{x})}


def normalize(tokens: list[Token], bold: bool = False) -> tuple[list[Token], list[str]]:
    """Drop \\require and size switches, unwrap web-only wrappers, turn \\unicode, colours and Unicode
    symbols into commands, put Chinese into \\text{}. Returns the tokens and notes on what was lost."""
    out: list[Token] = []
    notes: list[str] = []
    i, n = 0, len(tokens)
    while i < n:
        tok = tokens[i]
        kind, text = tok
        if kind == PERCENT:
            i = _comment_end(tokens, i)
            continue
        if kind == VERB:  # MathJax's \verb|…|: the text in typewriter type, every character as written
            out.extend([Token(CS, "texttt"), Token(OPEN, "{"), *_literal(text), Token(CLOSE, "}")])
            i += 1
            continue
        if kind == CHAR:
            if text.isascii():
                out.append(tok)
                i += 1
                continue
            if is_cjk(text):
                run = []
                while i < n and tokens[i].kind == CHAR and is_cjk(tokens[i].text):
                    run.append(tokens[i].text)
                    i += 1
                out.extend(_wrap_text(run))
                continue
            out.extend(_symbol(text))
            i += 1
            continue
        if kind != CS:
            out.append(tok)
            i += 1
            continue
        if text == "require":
            arg = argument(tokens, i + 1)
            i = arg[1] if arg else i + 1
            continue
        if text in dialect.SIZE_SWITCHES:
            i += 1
            continue
        if text in BOLD:
            # Bold inside bold is bold already: the inner command goes, its group stays.
            arg = argument(tokens, i + 1)
            if arg is None:
                raise FormulaError(f"\\{text} without its argument")
            inner, inner_notes = normalize(list(arg[0]), bold=True)
            notes.extend(inner_notes)
            out.extend(([] if bold else [tok]) + [Token(OPEN, "{"), *inner, Token(CLOSE, "}")])
            i = arg[1]
            continue
        if text in dialect.UNWRAP:
            count, keep = dialect.UNWRAP[text]
            args, j = _arguments(tokens, i + 1, count, text)
            inner, _ = normalize(args[keep])
            out.extend([Token(OPEN, "{"), *inner, Token(CLOSE, "}")])
            i = j
            continue
        if text == "unicode":
            opt = optional_argument(tokens, i + 1)
            arg = argument(tokens, opt[1] if opt else i + 1)
            if arg is None:
                raise FormulaError("\\unicode without a character code")
            out.extend(_symbol(_code_point(plain_text(arg[0]))))
            i = arg[1]
            continue
        if text in dialect.TEXT_ARGUMENT or text in dialect.NAME_ARGUMENT:
            out.append(tok)
            j = i + 1
            if text == "tag" and j < n and tokens[j] == Token(CHAR, "*"):
                out.append(tokens[j])
                j += 1
            arg = argument(tokens, j)
            if arg is None:
                raise FormulaError(f"\\{text} without its argument")
            if text in dialect.NAME_ARGUMENT:
                out.extend(tokens[j:arg[1]])  # a label's name, kept exactly
            else:
                out.extend([Token(OPEN, "{"), *text_argument(arg[0]), Token(CLOSE, "}")])
            i = arg[1]
            continue
        if text in dialect.COLOR_COMMANDS:
            i = _color(tokens, i, out, notes)
            continue
        if text in dialect.FONT_SWITCHES:
            # {\frak AB} -> {\mathfrak{AB}}: the switch runs to the end of its group.
            end = _group_rest(tokens, i + 1)
            inner, _ = normalize(tokens[i + 1:end])
            out.extend([Token(CS, dialect.FONT_SWITCHES[text]), Token(OPEN, "{"), *inner, Token(CLOSE, "}")])
            i = end
            continue
        if text in dialect.PLAIN_MATRICES and i + 1 < n and tokens[skip_spaces(tokens, i + 1)].kind == OPEN:
            arg = argument(tokens, i + 1)
            if arg is None:  # the group is never closed: refused here as _structure would refuse it
                raise FormulaError("formula has unbalanced braces")
            env = dialect.PLAIN_MATRICES[text]
            inner, _ = normalize([Token(CS, "\\") if t == Token(CS, "cr") else t for t in arg[0]])
            out.extend(_environment(env, inner))
            i = arg[1]
            continue
        if text in dialect.LOGOS:
            out.extend([Token(CS, "text"), Token(OPEN, "{"), tok, Token(CLOSE, "}")])
            i += 1
            continue
        if text == "bbox":
            i = _bbox(tokens, i, out, notes)
            continue
        if text == "enclose":
            i = _enclose(tokens, i, out, notes)
            continue
        out.append(tok)
        i += 1
    return out, notes


def _environment(name: str, body: list[Token]) -> list[Token]:
    return [Token(CS, "begin"), Token(OPEN, "{"), *(Token(CHAR, c) for c in name), Token(CLOSE, "}"), *body,
            Token(CS, "end"), Token(OPEN, "{"), *(Token(CHAR, c) for c in name), Token(CLOSE, "}")]


def _group_rest(tokens: list[Token], i: int) -> int:
    """Index of the `}` that closes the group i is in (or the end)."""
    depth = 0
    while i < len(tokens):
        if tokens[i].kind == OPEN:
            depth += 1
        elif tokens[i].kind == CLOSE:
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return i


def _bbox(tokens: list[Token], i: int, out: list[Token], notes: list[str]) -> int:
    r"""\bbox[yellow,5px,border:1px solid red]{x}: a coloured ground as \sbcolorbbox, a border as \boxed."""
    opt = optional_argument(tokens, i + 1)
    arg = argument(tokens, opt[1] if opt else i + 1)
    if arg is None:
        raise FormulaError("\\bbox without its content")
    inner, _ = normalize(list(arg[0]))
    options = [o.strip() for o in plain_text(opt[0]).split(",")] if opt else []
    colour = next((dialect.color_hex(o) for o in options if dialect.color_hex(o)), None)
    if colour:
        out.extend([Token(CS, "sbcolorbbox"), Token(COLOR, colour), Token(OPEN, "{"), *inner, Token(CLOSE, "}")])
    elif any(o.startswith("border") for o in options):
        out.extend([Token(CS, "boxed"), Token(OPEN, "{"), *inner, Token(CLOSE, "}")])
    else:
        out.extend([Token(OPEN, "{"), *inner, Token(CLOSE, "}")])
    return arg[1]


def _enclose(tokens: list[Token], i: int, out: list[Token], notes: list[str]) -> int:
    r"""\enclose{circle updiagonalstrike}[attributes]{x}: each notation as its nearest LaTeX form."""
    what = argument(tokens, i + 1)
    if what is None:
        raise FormulaError("\\enclose without its notation")
    j = what[1]
    opt = optional_argument(tokens, j)
    arg = argument(tokens, opt[1] if opt else j)
    if arg is None:
        raise FormulaError("\\enclose without its content")
    body, _ = normalize(list(arg[0]))
    for notation in plain_text(what[0]).replace(",", " ").split():
        command = dialect.ENCLOSE.get(notation)
        if command:
            body = [Token(CS, command), Token(OPEN, "{"), *body, Token(CLOSE, "}")]
        else:
            notes.append(f"\\enclose{{{notation}}} has no printed form here; the content is shown unmarked")
    out.extend([Token(OPEN, "{"), *body, Token(CLOSE, "}")])
    return arg[1]


TEXT_MATH = "textmath"  # token kind: a `$` that opens or closes math inside \text{…}


def _comment_end(tokens: list[Token], i: int) -> int:
    """Where a comment at i ends: after the line break, or before the `}` that closes the group it is in
    (MathJax reads an argument before it reads comments in it)."""
    depth = 0
    while i < len(tokens):
        kind, text = tokens[i]
        if kind == SPACE and text == "\n":
            return i + 1
        if kind == OPEN:
            depth += 1
        elif kind == CLOSE:
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return i


def _literal(chars: str) -> list[Token]:
    """Characters printed as they are in LaTeX's text mode."""
    out: list[Token] = []
    for c in chars:
        if c in "#$%&_{}":
            out.append(Token(CS, c))
        elif c in "^~\\":
            out.extend([Token(CS, {"^": "textasciicircum", "~": "textasciitilde", "\\": "textbackslash"}[c]),
                        Token(OPEN, "{"), Token(CLOSE, "}")])
        else:
            out.append(Token(CHAR, c))
    return out


def text_argument(tokens: list[Token]) -> list[Token]:
    """The argument of \\text (\\mbox, \\textbf, \\tag…) as MathJax 3 reads it: plain text, where `$…$` and
    `\\(…\\)` are math, \\ref and \\eqref references, `\\$ \\{ \\} \\\\` those characters, and anything else (`_`, `&`,
    a command) printed as written."""
    out: list[Token] = []
    in_math = False
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        kind, text = tok
        i += 1
        if kind == SHIFT or (kind == CS and text == ("(" if not in_math else ")")):
            in_math = not in_math
            out.append(Token(TEXT_MATH, "$"))
        elif kind == PERCENT and in_math:
            i = _comment_end(tokens, i - 1)
        elif kind == VERB:
            out.extend([Token(CS, "texttt"), Token(OPEN, "{"), *_literal(text), Token(CLOSE, "}")])
        elif in_math or kind in (SPACE, TILDE) or (kind == CHAR and text not in "#$%&_{}^~\\"):
            out.append(tok)
        elif kind == CS and text in ("ref", "eqref"):
            arg = argument(tokens, i)
            out.extend([tok, *tokens[i:arg[1]]] if arg else [tok])
            i = arg[1] if arg else i
        elif kind == CS and text in "${}\\" and len(text) == 1:
            out.extend(_literal(text))
        elif kind == CS:
            out.extend(_literal("\\" + text))
        else:
            out.extend(_literal(text))
    if in_math:
        raise FormulaError("\\text{…} opens math with $ and does not close it")
    return out


def _arguments(tokens: list[Token], i: int, count: int, name: str) -> tuple[list[list[Token]], int]:
    args = []
    for _ in range(count):
        arg = argument(tokens, i)
        if arg is None:
            raise FormulaError(f"\\{name} needs {count} arguments")
        args.append(list(arg[0]))
        i = arg[1]
    return args, i


def _code_point(spec: str) -> str:
    try:
        code = int(spec[1:], 16) if spec[:1] in "xX" else int(spec)
    except ValueError:
        raise FormulaError(f"\\unicode{{{spec}}} is not a character code") from None
    if not 0x20 <= code <= 0x10FFFF or unicodedata.category(chr(code)) in ("Cc", "Cs", "Cn"):
        raise FormulaError(f"\\unicode{{{spec}}} is not a printable character")
    return chr(code)


def _symbol(ch: str) -> list[Token]:
    """A non-ASCII character in math: its MathJax command when LaTeX has one, else the text font's glyph."""
    if is_cjk(ch):
        return _wrap_text([ch])
    name = dialect.UNICODE_COMMANDS.get(ch)
    if name is not None and dialect.command_problem(name) is None:
        return [Token(CS, name)]
    if unicodedata.category(ch).startswith(("Z", "C")):  # a no-break or zero-width space: a plain space
        return [Token(SPACE, " ")]
    return _wrap_text([ch])


def _color(tokens: list[Token], i: int, out: list[Token], notes: list[str]) -> int:
    """\\color, \\textcolor, \\colorbox, \\fcolorbox with their colour(s) as RRGGBB tokens.

    MathJax 2 wrote \\color{red}{x} for a red x; MathJax 3's \\color is LaTeX's switch. The blog's posts
    were written for the first, so \\color{c}{x} (a group right after the colour) colours x only."""
    name = tokens[i].text
    j = i + 1
    model = optional_argument(tokens, j)
    if model is not None:
        j = model[1]
    colours = 2 if name == "fcolorbox" else 1
    hexes = []
    for _ in range(colours):
        arg = argument(tokens, j)
        if arg is None:
            raise FormulaError(f"\\{name} without a colour")
        spec = plain_text(arg[0])
        hexes.append(_color_hex(spec, plain_text(model[0]) if model else "", notes))
        j = arg[1]
    if name == "color":
        k = j
        while k < len(tokens) and tokens[k].kind == SPACE:
            k += 1
        if k < len(tokens) and tokens[k].kind == OPEN:
            name = "textcolor"
    if hexes[0] is None and name in ("color", "textcolor"):
        return j  # an unknown colour: MathJax's browser ignores it, and so does the book
    out.append(Token(CS, name))
    out.extend(Token(COLOR, h or "000000") for h in hexes)
    return j


def _color_hex(spec: str, model: str, notes: list[str]) -> str | None:
    if model:
        try:
            values = [float(v) for v in spec.split(",")]
            if model == "rgb" and len(values) == 3 and all(0 <= v <= 1 for v in values):
                return "".join(f"{round(v * 255):02X}" for v in values)
            if model == "RGB" and len(values) == 3 and all(0 <= v <= 255 for v in values):
                return "".join(f"{int(v):02X}" for v in values)
            if model == "gray" and len(values) == 1 and 0 <= values[0] <= 1:
                return f"{round(values[0] * 255):02X}" * 3
        except ValueError:
            pass
        if model == "HTML" and dialect.color_hex("#" + spec):
            return dialect.color_hex("#" + spec)
        notes.append(f"colour [{model}]{{{spec}}} is not one MathJax reads; printed black")
        return None
    found = dialect.color_hex(spec)
    if found is None:
        notes.append(f"unknown colour '{spec}'; printed black, as MathJax's browser would")
    return found
