"""A formula parsed once into the typed `Formula` that renderers, numbering and checks all read."""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from typing import Optional

from builder.mathtex import dialect
from builder.mathtex.arrays import (
    BEGIN,
    END,
    check_column_spec,
    matching_end,
    widen_arrays,
)
from builder.mathtex.lexer import (
    ALIGN,
    CHAR,
    CLOSE,
    CS,
    OPEN,
    PARAM,
    SHIFT,
    SPACE,
    SUB,
    SUP,
    LexError,
    Token,
    argument,
    optional_argument,
    plain_text,
    serialize,
    skip_spaces,
    strip_spaces,
    tokenize,
)
from builder.mathtex.macros import MacroError, MacroTable
from builder.mathtex.normalize import FormulaError, normalize

# Token kinds the parser adds: a reference (text = label name) and a colour (text = RRGGBB).
EQREF, REF = "eqref", "ref"
MAX_SOURCE = 20000  # characters; a longer formula is not mathematics a reader can use
MAX_DEPTH = 100  # nested groups, \left…\right and environments
# Tokens TeX typesets, counting each as often as the commands around it make TeX typeset it (\phantom
# nested 14 deep: 4^14 times). A long formula of 20,000 tokens, each typeset ten times, stays below.
MAX_TYPESET = 200_000
ROW_SEP = Token(CS, "\\")
DERIVED = {"stamp": False}
# Inner forms of display environments met inside other math (LaTeX allows them only at the top).
INNER_FORM = {"align": "aligned", "flalign": "aligned", "eqnarray": "aligned", "alignat": "alignedat",
              "xalignat": "alignedat", "xxalignat": "alignedat", "gather": "gathered", "multline": "gathered",
              "equation": ""}
# Display environments amsmath lacks or numbers differently, as the amsmath one that sets their lines alike.
AMSMATH_FORM = {"eqnarray": "align", "flalign": "align", "xalignat": "alignat", "xxalignat": "alignat"}
# Inner environments that a one-line display may hold and still be scaled to fit the line.
FIT_SAFE_ENVS = frozenset("array pmatrix bmatrix matrix vmatrix cases".split())


@dataclass(frozen=True)
class Row:
    """One line of a display (the whole formula when it has no lines), numbering commands taken out."""

    tokens: tuple[Token, ...]
    labels: tuple[str, ...] = ()
    tag: Optional[tuple[Token, ...]] = None
    tag_star: bool = False
    nonumber: bool = False
    end: tuple[Token, ...] = ()  # the `\\` (and its [space]) that ends the line; () for the last

    @property
    def tag_text(self) -> str:
        return serialize(list(self.tag or ())).strip()


@dataclass(frozen=True)
class Formula:
    # Content stamps (builder/build/stamps.py) read only the source and the display flag: the rest follows
    # from them, the post's earlier macros and the tool, all stamped elsewhere.
    source: str  # as written in the dump, without its $ or $$
    display: bool
    env: str = field(default="", metadata=DERIVED)  # stand-alone display environment (align, …), no star
    starred: bool = field(default=False, metadata=DERIVED)
    env_args: tuple[Token, ...] = field(default=(), metadata=DERIVED)  # alignat's {2}
    rows: tuple[Row, ...] = field(default=(), metadata=DERIVED)
    macros: tuple[str, ...] = field(default=(), metadata=DERIVED)  # the post's own macros it used (expanded)
    problem: Optional[str] = field(default=None, metadata=DERIVED)  # why it cannot be typeset: shown as source
    notes: tuple[str, ...] = field(default=(), metadata=DERIVED)  # what was changed (unknown colour: black)
    counter: Optional[int] = field(default=None, metadata=DERIVED)  # \setCounter{N}: next equation is N+1
    loc: object = field(default=None, compare=False, metadata=DERIVED)

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def empty(self) -> bool:
        """Nothing to print: only definitions, \\require or spaces."""
        return self.ok and all(all(t.kind == SPACE for t in r.tokens) and not r.tag for r in self.rows)

    @property
    def numbering(self) -> str:
        """'rows' (a number per line), 'one' (one for the display) or 'none'."""
        if not self.display or not self.ok:
            return "none"
        if self.env:
            return "none" if self.starred else dialect.DISPLAY_ENVIRONMENTS[self.env]
        return "one" if any(r.labels for r in self.rows) else "none"

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(label for row in self.rows for label in row.labels)

    @property
    def sole_ref(self) -> Optional[tuple[str, str]]:
        """(eqref|ref, label) when the formula is nothing but one reference (`$\\eqref{eq:x}$`)."""
        if not self.ok or self.display or len(self.rows) != 1 or self.rows[0].tag is not None:
            return None
        toks = [t for t in self.rows[0].tokens if t.kind != SPACE]
        return (toks[0].kind, toks[0].text) if len(toks) == 1 and toks[0].kind in (EQREF, REF) else None

    def refs(self) -> list[tuple[str, str]]:
        """(eqref|ref, label) for every reference in the formula, in order."""
        return [(t.kind, t.text) for row in self.rows for t in row.tokens if t.kind in (EQREF, REF)]

    @property
    def commands(self) -> set[str]:
        return {t.text for r in self.rows for t in (*r.tokens, *(r.tag or ())) if t.kind == CS}

    @property
    def packages(self) -> list[str]:
        """Optional LaTeX packages this formula needs (cancel, mhchem, …)."""
        return dialect.packages_for(self.commands)

    @property
    def fits_one_line(self) -> bool:
        """One line with no alignment: may be scaled down when wider than the text."""
        if (self.env and self.env != "equation") or len(self.rows) != 1:
            return False
        toks = self.rows[0].tokens
        for _i, (kind, text) in enumerate(toks):
            if kind == ALIGN or (kind == CS and text == "\\"):
                return False
            if kind == BEGIN and text not in FIT_SAFE_ENVS:
                return False
        return True


def parse(source: str, display: bool, loc=None, macros: Optional[MacroTable] = None,
          strict_tex: bool = True) -> Formula:
    """Source as written -> Formula. Never raises: what cannot be typeset gets a `problem`."""
    used: tuple[str, ...] = ()
    try:
        if len(source) > MAX_SOURCE:
            raise FormulaError(f"formula is longer than {MAX_SOURCE} characters")
        tokens = tokenize(source)
        table = macros if macros is not None else MacroTable()
        tokens, used = table.define_and_expand(tokens)
        tokens, notes = normalize(tokens)
        tokens, counter = _set_counter(tokens)
        tokens = widen_arrays(_brace_scripts(_structure(tokens, strict_tex)))
        _check_scripts(tokens)
        _check_typesetting_work(tokens)
        env, starred, env_args, body = _outer_environment(tokens, display)
        body = _inner_forms(body)
        rows = _rows(body, env, display)
    except (LexError, MacroError, FormulaError) as exc:
        return Formula(source, display, macros=used, problem=str(exc), loc=loc)
    return Formula(source, display, env, starred, tuple(env_args), tuple(rows), used, None, tuple(notes), counter,
                   loc)


def _check_scripts(tokens: list[Token]) -> None:
    """`x^^2`, also when a macro definition stood between the two: MathJax refuses it ("Double exponent"), and
    written together the two carets are TeX's character-code notation."""
    for a, b in pairwise(tokens):
        if a.kind == SUP and b.kind == SUP:
            raise FormulaError("double exponent (x^^2): use braces to clarify")
        if a.kind == SUB and b.kind == SUB:
            raise FormulaError("double subscript (x__2): use braces to clarify")


def _check_typesetting_work(tokens: list[Token]) -> None:
    """Refuse a formula TeX would typeset for hours: the sum, over its tokens, of how many times the commands
    around each make TeX typeset it (dialect.BRANCHING, measured), must stay under MAX_TYPESET."""
    work, times = 0, 1
    stack: list[int] = []  # `times` outside each open group
    armed: list[tuple[int, int]] = []  # (factor, arguments left) of a branching command at this depth
    armed_at: list[int] = []  # the depth each armed entry belongs to
    for kind, text in tokens:
        if kind == SPACE:
            continue
        factor = 1
        if armed and armed_at[-1] == len(stack) and kind != CLOSE:
            factor, left = armed[-1]
            armed.pop()
            armed_at.pop()
            if left > 1:
                armed.append((factor, left - 1))
                armed_at.append(len(stack))
        if kind == OPEN:
            stack.append(times)
            times *= factor
        elif kind == CLOSE:
            times = stack.pop() if stack else 1
            while armed and armed_at[-1] > len(stack):
                armed.pop()
                armed_at.pop()
        else:
            work += times * factor
            if kind == CS and text in dialect.BRANCHING:
                armed.append((dialect.BRANCHING[text] * factor, dialect.ARGUMENTS.get(text, 1) or 1))
                armed_at.append(len(stack))
        if work > MAX_TYPESET:
            raise FormulaError("formula nests \\phantom, \\hat or the like so deep that TeX would typeset it "
                               f"more than {MAX_TYPESET:,} times over")


def _structure(tokens: list[Token], strict_tex: bool) -> list[Token]:
    """Check commands, groups, \\left…\\right and environments; mark \\begin/\\end and references."""
    out: list[Token] = []
    stack: list[str] = []
    i, n = 0, len(tokens)
    while i < n:
        tok = tokens[i]
        kind, text = tok
        if kind == OPEN:
            stack.append("{")
        elif kind == CLOSE:
            if not stack or stack[-1] != "{":
                raise FormulaError("formula has an unmatched '}'" if not stack else
                                   f"formula closes a group inside {_opened(stack[-1])}")
            stack.pop()
        elif kind == PARAM:
            raise FormulaError("formula contains '#' outside a macro definition")
        elif kind == SHIFT:
            raise FormulaError("formula contains an unclosed or nested '$'")
        elif kind == CS:
            if text in ("begin", "end"):
                arg = argument(tokens, i + 1)
                name = plain_text(arg[0]) if arg else ""
                if arg is None or not name:
                    raise FormulaError(f"\\{text} without an environment name")
                if text == "begin":
                    problem = dialect.environment_problem(name, strict_tex)
                    if problem:
                        raise FormulaError(problem)
                    stack.append("env:" + name)
                    out.append(Token(BEGIN, name))
                    i = arg[1]
                    if name == "array" or name == "subarray":
                        check_column_spec(tokens, i)
                    if len(stack) > MAX_DEPTH:
                        raise FormulaError(f"formula nests deeper than {MAX_DEPTH} levels")
                    continue
                if not stack or stack[-1] != "env:" + name:
                    raise FormulaError(f"formula has \\end{{{name}}} without its \\begin")
                stack.pop()
                out.append(Token(END, name))
                i = arg[1]
                continue
            if text in ("eqref", "ref"):
                arg = argument(tokens, i + 1)
                if arg is None:
                    raise FormulaError(f"\\{text} without a label")
                out.append(Token(EQREF if text == "eqref" else REF, plain_text(arg[0])))
                i = arg[1]
                continue
            if text == "left":
                stack.append("left")
            elif text == "right":
                if not stack or stack[-1] != "left":
                    raise FormulaError("formula has \\right without \\left" if "left" not in stack else
                                       f"formula closes \\left…\\right across {_opened(stack[-1])}")
                stack.pop()
            elif text not in dialect.STRUCTURAL:
                problem = dialect.command_problem(text, strict_tex)
                if problem:
                    raise FormulaError(problem)
            if text in ("left", "right", "middle"):
                j = skip_spaces(tokens, i + 1)
                if j >= n or not _is_delimiter(tokens[j]):
                    raise FormulaError(f"\\{text} is not followed by a delimiter")
        if len(stack) > MAX_DEPTH:
            raise FormulaError(f"formula nests deeper than {MAX_DEPTH} levels")
        out.append(tok)
        i += 1
    if stack:
        what = stack[-1]
        raise FormulaError("formula has unbalanced braces" if what == "{" else
                           "formula has \\left without \\right" if what == "left" else
                           f"formula has \\begin{{{what[4:]}}} without its \\end")
    return out


def _set_counter(tokens: list[Token]) -> tuple[list[Token], Optional[int]]:
    """The blog's \\setCounter{N} taken out of the formula: the equation number to continue from."""
    counter = None
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        if tokens[i] == Token(CS, "setCounter"):
            arg = argument(tokens, i + 1)
            digits = plain_text(arg[0]) if arg else ""
            if arg is None or not digits.isdigit() or len(digits) > 6:
                raise FormulaError("\\setCounter needs an equation number")
            counter, i = int(digits), arg[1]
            continue
        out.append(tokens[i])
        i += 1
    return out, counter


def _brace_scripts(tokens: list[Token]) -> list[Token]:
    """`x^\\,` and `x^\\frac12`: MathJax takes a command with its arguments as the script; TeX takes one
    token, and a macro that expands to several fails (`^\\,` is `^\\mskip…`). The script gets its braces."""
    out: list[Token] = []
    i, n = 0, len(tokens)
    while i < n:
        tok = tokens[i]
        out.append(tok)
        i += 1
        if tok.kind not in (SUP, SUB):
            continue
        j = skip_spaces(tokens, i)
        if j >= n or tokens[j].kind != CS or tokens[j].text in ("left", "right", "middle", "limits", "nolimits"):
            continue
        end = j + 1
        for _ in range(dialect.ARGUMENTS.get(tokens[j].text, 0)):
            arg = argument(tokens, end)
            if arg is None:
                break
            end = arg[1]
        out.extend([Token(OPEN, "{"), *tokens[j:end], Token(CLOSE, "}")])
        i = end
    return out


def _opened(what: str) -> str:
    return "a \\left…\\right" if what == "left" else ("a group" if what == "{" else f"environment {what[4:]}")


def _is_delimiter(tok: Token) -> bool:
    if tok.kind == CHAR:
        return tok.text in dialect.DELIMITER_CHARS
    return tok.kind == CS and tok.text in dialect.DELIMITER_COMMANDS


def _outer_environment(tokens: list[Token], display: bool) -> tuple[str, bool, list[Token], list[Token]]:
    """A display that is one stand-alone environment (align, equation*, …): its name, star, arguments, body."""
    tokens = strip_spaces(tokens)
    outer = dialect.display_environment(tokens[0].text) if display and tokens and tokens[0].kind == BEGIN else None
    if outer:
        end = matching_end(tokens, 0)
        if end == len(tokens) - 1:
            base, starred = outer
            body = tokens[1:end]
            args: list[Token] = []
            if base in ("alignat", "xalignat", "xxalignat"):
                arg = argument(body, 0)
                if arg is None:
                    raise FormulaError(f"{tokens[0].text} without its number of columns")
                args = [Token(OPEN, "{"), *arg[0], Token(CLOSE, "}")]
                body = body[arg[1]:]
            return base, starred, args, body
    return "", False, [], tokens


def _inner_forms(tokens: list[Token]) -> list[Token]:
    """Display environments inside other math become their inner forms (align -> aligned), as LaTeX needs."""
    if not any(t.kind in (BEGIN, END) and dialect.display_environment(t.text) for t in tokens):
        return tokens
    out = []
    for tok in tokens:
        env = dialect.display_environment(tok.text) if tok.kind in (BEGIN, END) else None
        if env:
            inner = INNER_FORM[env[0]]
            out.append(Token(tok.kind, inner) if inner else Token(OPEN if tok.kind == BEGIN else CLOSE,
                                                                   "{" if tok.kind == BEGIN else "}"))
        else:
            out.append(tok)
    return out


def _top_level(tokens: list[Token]):
    """(index, token) of the tokens outside any group or inner environment."""
    depth = 0
    for i, tok in enumerate(tokens):
        kind = tok.kind
        if kind in (OPEN, BEGIN):
            depth += 1
        elif kind in (CLOSE, END):
            depth -= 1
        elif depth == 0:
            yield i, tok


def _rows(body: list[Token], env: str, display: bool) -> list[Row]:
    separators = [i for i, tok in _top_level(body) if tok == ROW_SEP]
    if separators and (not env or dialect.DISPLAY_ENVIRONMENTS[env] == "one") and env != "multline":
        # Lines in a display that has none (`$$a\\b$$`, an equation): MathJax stacks them, so does gathered.
        inner = "aligned" if any(tok.kind == ALIGN for _, tok in _top_level(body)) else "gathered"
        body = [Token(BEGIN, inner), *body, Token(END, inner)]
        separators = []
    rows: list[Row] = []
    last = 0
    for sep in separators:
        end = sep + 1
        if end < len(body) and body[end] == Token(CHAR, "*"):
            end += 1
        if end < len(body) and body[end] == Token(CHAR, "["):  # \\[4pt]: MathJax reads it only right after
            opt = optional_argument(body, end)
            if opt is not None:
                end = opt[1]
        rows.append(_row(body[last:sep], tuple(body[sep:end])))
        last = end
    rows.append(_row(body[last:], ()))
    if len(rows) > 1 and _blank(rows[-1]):  # `…\\ \end{align}`: MathJax drops the empty last line, so do we
        rows[-1:] = []
        rows[-1] = Row(rows[-1].tokens, rows[-1].labels, rows[-1].tag, rows[-1].tag_star, rows[-1].nonumber, ())
    return rows


def _blank(row: Row) -> bool:
    return not row.labels and row.tag is None and not row.nonumber and all(t.kind == SPACE for t in row.tokens)


def _row(tokens: list[Token], end: tuple[Token, ...]) -> Row:
    """Take \\label, \\tag and \\nonumber out of a line (at any depth, as LaTeX and MathJax find them)."""
    labels: list[str] = []
    tag: Optional[list[Token]] = None
    tag_star = nonumber = False
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        kind, text = tokens[i]
        if kind == CS and text == "label":
            arg = argument(tokens, i + 1)
            if arg is None or not plain_text(arg[0]):
                raise FormulaError("\\label without a name")
            if labels:
                raise FormulaError("formula has two \\label on one line (MathJax rejects it too)")
            labels.append(plain_text(arg[0]))
            i = arg[1]
            continue
        if kind == CS and text == "tag":
            if tag is not None:
                raise FormulaError("formula has two \\tag on one line (MathJax rejects it too)")
            j = i + 1
            if j < len(tokens) and tokens[j] == Token(CHAR, "*"):
                tag_star, j = True, j + 1
            arg = argument(tokens, j)
            if arg is None or tokens[skip_spaces(tokens, j)].kind != OPEN:
                raise FormulaError("\\tag without its text in braces")
            tag = list(arg[0])
            i = arg[1]
            continue
        if kind == CS and text in ("nonumber", "notag"):
            nonumber = True
            i += 1
            continue
        out.append(tokens[i])
        i += 1
    return Row(tuple(out), tuple(labels), tuple(tag) if tag is not None else None, tag_star, nonumber, end)

