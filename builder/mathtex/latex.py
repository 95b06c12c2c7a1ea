"""A Formula as LaTeX: labels made safe per post, references, colours, displays in their environments."""
from __future__ import annotations

from builder.mathtex.formula import BEGIN, END, EQREF, REF, Formula, Row
from builder.mathtex.lexer import (
    ALIGN,
    CHAR,
    CLOSE,
    CS,
    OPEN,
    SPACE,
    SUB,
    SUP,
    Token,
    serialize,
    strip_spaces,
)
from builder.mathtex.normalize import COLOR

# Label names may hold anything (Chinese, spaces, braces); TeX and hyperref get letters, digits, ':' and '-',
# every other character as .hex. so that two different names never meet.
LABEL_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789:-")


def label_name(prefix: str, name: str) -> str:
    """The LaTeX label of `name` in the post `prefix` (labels are per post, as on the blog's pages)."""
    return prefix + ":" + "".join(c if c in LABEL_SAFE else f".{ord(c):x}." for c in name.strip())


# mathtools (TeX Live 2022) breaks aligned and alignedat when a row starts with `&` followed by an
# operator such as \sin (`Missing control sequence inserted`); an empty group before the `&` avoids it
# and prints nothing. MathJax posts write `\begin{aligned}&…\\&…` all the time.
EMPTY_FIRST_CELL = frozenset(["aligned", "alignedat"])
ROW_END = Token(CS, "\\")


def tex(tokens: tuple[Token, ...] | list[Token], prefix: str) -> str:
    """Tokens as LaTeX source."""
    out: list[Token] = []
    n = len(tokens)
    envs: list[str] = []
    row_start = skip_group = in_spacing = False
    for i, tok in enumerate(tokens):
        kind = tok.kind
        if row_start and kind == CHAR and tok.text in "[]" and (in_spacing or tokens[i - 1] == ROW_END):
            in_spacing = tok.text == "["  # the row break's [4pt]: the row starts after it
        elif row_start and kind != SPACE and not skip_group and not in_spacing:
            if kind == ALIGN:
                out.extend((Token(OPEN, "{"), Token(CLOSE, "}")))
            row_start = False
        if kind in (EQREF, REF):
            out.extend((Token(CS, kind), Token(OPEN, "{"), Token(CHAR, label_name(prefix, tok.text)),
                        Token(CLOSE, "}")))
        elif kind in (BEGIN, END):
            out.extend((Token(CS, kind), Token(OPEN, "{"), Token(CHAR, tok.text), Token(CLOSE, "}")))
            if kind == BEGIN:
                envs.append(tok.text)
                row_start = tok.text in EMPTY_FIRST_CELL
                skip_group = tok.text == "alignedat"  # its {n} comes first
            elif envs:
                envs.pop()
        elif kind == COLOR:
            out.append(Token(CHAR, "[HTML]{" + tok.text + "}"))
        else:
            out.append(tok)
            if skip_group and kind == CLOSE:
                skip_group = False
            if kind == CS and tok.text == "\\":
                row_start = bool(envs) and envs[-1] in EMPTY_FIRST_CELL
                # `\\ [x]` is a line break then [x] for MathJax; LaTeX's arrays would read [x] as a space.
                j = i + 1
                while j < n and tokens[j].kind == SPACE:
                    j += 1
                if j > i + 1 and j < n and tokens[j] == Token(CHAR, "["):
                    out.append(Token(CS, "relax"))
    return serialize(out)


# Where a display too wide for the line may break: before a relation or a binary + or -, outside every
# group, \left…\right pair and environment (GB/T: the operator begins the continuation line).
RELATIONS = frozenset("= < >".split())
RELATION_CS = frozenset("le leq ge geq ne neq approx equiv sim simeq cong propto to leqslant geqslant".split())
BINARY = frozenset("+ -".split())
BREAK = Token(CS, "sbbreak")


def breakable(tokens: list[Token]) -> tuple[list[Token], list[Token]] | None:
    """(left side, rest with \\sbbreak before each operator where a line may break), or None when there is
    no such place. The left side is what precedes the first relation (the continuation lines align after
    it); empty when the formula has no relation or starts with one."""
    out: list[Token] = []
    depth = 0
    split = None
    previous: Token | None = None
    for tok in tokens:
        kind, text = tok
        if kind in (OPEN, BEGIN) or (kind == CS and text == "left"):
            depth += 1
        elif kind in (CLOSE, END) or (kind == CS and text == "right"):
            depth -= 1
        elif depth == 0 and previous is not None:
            relation = (kind == CHAR and text in RELATIONS) or (kind == CS and text in RELATION_CS)
            binary = kind == CHAR and text in BINARY and not _is_operator(previous)
            if relation or binary:
                if relation and split is None:
                    split = len(out)
                else:
                    out.append(BREAK)
        out.append(tok)
        if kind != SPACE:
            previous = tok
    if BREAK not in out:
        return None
    split = split or 0
    return out[:split], out[split:]


def _is_operator(tok: Token) -> bool:
    """After this token a + or - is a sign, not a binary operator."""
    if tok.kind in (SUP, SUB):
        return True
    if tok.kind == CHAR:
        return tok.text in "+-=<>(,[|"
    return tok.kind == CS and (tok.text in RELATION_CS or tok.text in ("left", "cdot", "times", "pm", "mp"))


def _annotations(row: Row, prefix: str) -> str:
    out = "".join(rf"\label{{{label_name(prefix, label)}}}" for label in row.labels)
    if row.tag is not None:
        out += rf"\tag{'*' if row.tag_star else ''}{{{tex(row.tag, prefix)}}}"
    if row.nonumber:
        out += r"\nonumber"
    return out


def inline(formula: Formula, prefix: str) -> str:
    """`$…$`; an inline \\tag prints after the formula, as MathJax prints it; empty when nothing prints."""
    if formula.empty:
        return ""
    row = formula.rows[0]
    body = tex(strip_spaces(row.tokens), prefix)
    if row.tag is not None:
        tag = tex(row.tag, prefix)
        body += rf"\qquad\text{{{tag if row.tag_star else '(' + tag + ')'}}}"
    return "$" + body + "$"


def counter(formula: Formula) -> str:
    """The blog's \\setCounter{N} as LaTeX (outside the formula): the next equation is numbered N+1."""
    return "" if formula.counter is None else rf"\setcounter{{equation}}{{{formula.counter}}}"


def display(formula: Formula, prefix: str, fit_key: str) -> str:
    """The display in its environment; a one-line formula wider than the text is scaled (\\sbfit)."""
    if formula.env and formula.env != "equation":  # equation is set below, like a display without one
        name = formula.env + ("*" if formula.starred else "")
        # An empty line would end a paragraph inside the environment: an empty row is written `{}`.
        lines = [(tex(strip_spaces(row.tokens), prefix) or "{}") + _annotations(row, prefix) + tex(row.end, prefix)
                 for row in formula.rows]
        return f"\\begin{{{name}}}{tex(formula.env_args, prefix)}\n" + "\n".join(lines) + f"\n\\end{{{name}}}"
    env = "equation" if formula.numbering == "one" else "equation*"
    row = formula.rows[0]
    body = tex(strip_spaces(row.tokens), prefix)
    if formula.fits_one_line:
        broken = breakable(strip_spaces(row.tokens))
        if broken:  # too wide for the line: broken before an operator, as a typesetter would
            lhs, rest = broken
            body = rf"\sbfitbreak{{{fit_key}}}{{{tex(lhs, prefix)}}}{{{tex(rest, prefix)}}}"
        else:  # nowhere to break: scaled down
            body = rf"\sbfit{{{fit_key}}}{{{body}}}"
    return f"\\begin{{{env}}}\n{body}{_annotations(row, prefix)}\n\\end{{{env}}}"
