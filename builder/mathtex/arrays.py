"""Arrays and environments on the token list: matching ends, column specifications, rows wider than them."""
from __future__ import annotations

from builder.mathtex.lexer import (
    ALIGN,
    CHAR,
    CLOSE,
    CS,
    OPEN,
    Token,
    argument,
    plain_text,
)
from builder.mathtex.normalize import FormulaError

BEGIN, END = "begin", "end"  # token kinds the parser gives \\begin{name} and \\end{name}
MAX_ARRAY_REPEAT = 100  # *{n}{…} in a column specification
MAX_COLUMNS = 100  # an array wider than this is no table a page can hold (and 10,000 `&` a line TeX cannot read)
ROW_SEP = Token(CS, "\\")


def matching_end(tokens: list[Token], start: int) -> int:
    """Index of the END token matching the BEGIN at start (the structure was checked already)."""
    depth = 0
    for k in range(start, len(tokens)):
        if tokens[k].kind == BEGIN:
            depth += 1
        elif tokens[k].kind == END:
            depth -= 1
            if depth == 0:
                return k
    raise FormulaError("formula has an unclosed environment")


def check_column_spec(tokens: list[Token], i: int) -> None:
    spec = argument(tokens, i)
    if spec is None:
        raise FormulaError("array without its column specification")
    toks = spec[0]
    for k, tok in enumerate(toks):
        if tok == Token(CHAR, "*"):
            count = argument(toks, k + 1)
            digits = plain_text(count[0]) if count else ""
            if not digits.isdigit() or int(digits) > MAX_ARRAY_REPEAT:
                raise FormulaError(f"array column specification repeats a column {digits or '?'} times")


def _spec_columns(spec: list[Token]) -> int:
    """Columns of an array's column specification: l c r, p{…} m{…} b{…}, *{n}{…} repeats."""
    count, k = 0, 0
    while k < len(spec):
        tok = spec[k]
        if tok.kind == CHAR and tok.text in "lcrpmbX":
            count += 1
            if tok.text in "pmb":
                arg = argument(spec, k + 1)
                k = arg[1] if arg else k + 1
                continue
        elif tok.kind == CHAR and tok.text in "@!<>":  # material between or around columns, not a column
            arg = argument(spec, k + 1)
            k = arg[1] if arg else k + 1
            continue
        elif tok == Token(CHAR, "*"):
            times = argument(spec, k + 1)
            inner = argument(spec, times[1]) if times else None
            if times and inner:
                count += int(plain_text(times[0]) or 0) * _spec_columns(inner[0])
                k = inner[1]
                continue
        k += 1
    return count


def widen_arrays(tokens: list[Token]) -> list[Token]:
    """MathJax lets an array row have more cells than its column specification; LaTeX stops. Add columns."""
    if not any(t.kind == BEGIN and t.text == "array" for t in tokens):
        return tokens
    out = list(tokens)
    # From the last array back: inserts keep earlier indices.
    for start in reversed([i for i, t in enumerate(tokens) if t.kind == BEGIN and t.text == "array"]):
        spec = argument(out, start + 1)
        if spec is None:
            continue
        end = matching_end(out, start)
        widest = cells = 1
        depth = 0
        for tok in out[spec[1]:end]:
            if tok.kind in (OPEN, BEGIN):
                depth += 1
            elif tok.kind in (CLOSE, END):
                depth -= 1
            elif depth == 0 and tok.kind == ALIGN:
                cells += 1
                widest = max(widest, cells)
            elif depth == 0 and tok == ROW_SEP:
                cells = 1
        declared = _spec_columns(spec[0])
        if max(widest, declared) > MAX_COLUMNS:
            raise FormulaError(f"array has {max(widest, declared)} columns, more than {MAX_COLUMNS}")
        missing = widest - declared
        if missing > 0:
            close = spec[1] - 1  # the `}` of the specification
            out[close:close] = [Token(CHAR, "c")] * missing
    return out
