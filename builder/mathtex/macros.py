"""Post-local macros: \\newcommand, \\renewcommand, \\def and \\let inside a post's math, expanded in Python."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from builder.mathtex.lexer import (
    CHAR,
    CS,
    OPEN,
    PARAM,
    SPACE,
    Token,
    argument,
    optional_argument,
    skip_spaces,
)

# Limits: a post's macros must not make a formula explode or loop (\def\a{\a\a}).
MAX_EXPANSIONS = 2000
MAX_TOKENS = 20000
MAX_PARAMS = 9


class MacroError(ValueError):
    pass


@dataclass(frozen=True)
class Macro:
    name: str
    params: int
    default: Optional[tuple[Token, ...]]  # the optional first argument's default, \newcommand{\a}[2][x]{…}
    body: tuple[Token, ...]


@dataclass
class MacroTable:
    """The macros a post has defined so far; a definition holds for the formulas after it, as in MathJax."""

    macros: dict[str, Macro] = field(default_factory=dict)

    def copy(self) -> MacroTable:
        return MacroTable(dict(self.macros))

    def define_and_expand(self, tokens: list[Token]) -> tuple[list[Token], tuple[str, ...]]:
        """Take the definitions out of a formula (remembering them), then expand the macros it uses."""
        return self.expand(self._take_definitions(tokens))

    # definitions -------------------------------------------------------------------------------------
    def _take_definitions(self, tokens: list[Token]) -> list[Token]:
        out: list[Token] = []
        i = 0
        while i < len(tokens):
            kind, text = tokens[i]
            if kind == CS and text in ("newcommand", "renewcommand", "DeclareMathOperator"):
                i = self._newcommand(tokens, i + 1, operator=text == "DeclareMathOperator")
            elif kind == CS and text == "def":
                i = self._def(tokens, i + 1)
            elif kind == CS and text == "let":
                i = self._let(tokens, i + 1)
            else:
                out.append(tokens[i])
                i += 1
        return out

    def _name(self, tokens: list[Token], i: int, what: str) -> tuple[str, int]:
        """The macro's name: \\op, {\\op}, or {op} without its backslash (MathJax accepts that)."""
        arg = argument(tokens, i)
        if arg is None:
            raise MacroError(f"{what} without a macro name")
        name_tokens, end = arg
        name_tokens = [t for t in name_tokens if t.kind != SPACE]
        if len(name_tokens) == 1 and name_tokens[0].kind == CS:
            return name_tokens[0].text, end
        if name_tokens and all(t.kind == CHAR and t.text.isalpha() and t.text.isascii() for t in name_tokens):
            return "".join(t.text for t in name_tokens), end
        raise MacroError(f"{what}: the macro name must be a command such as \\op")

    def _newcommand(self, tokens: list[Token], i: int, operator: bool) -> int:
        what = "\\DeclareMathOperator" if operator else "\\newcommand"
        name, i = self._name(tokens, i, what)
        params, default = 0, None
        count = optional_argument(tokens, i)
        if count is not None and not operator:
            digits = "".join(t.text for t in count[0]).strip()
            if not digits.isdigit() or not 0 <= int(digits) <= MAX_PARAMS:
                raise MacroError(f"{what}{{\\{name}}}: [{digits}] is not a number of arguments from 0 to 9")
            params, i = int(digits), count[1]
            opt = optional_argument(tokens, i)
            if opt is not None:
                default, i = tuple(opt[0]), opt[1]
        body = argument(tokens, i)
        if body is None:
            raise MacroError(f"{what}{{\\{name}}} has no definition")
        body_tokens, i = body
        if operator:
            body_tokens = [Token(CS, "operatorname"), Token(OPEN, "{"), *body_tokens, Token("}", "}")]
        self._check_params(name, body_tokens, params)
        self.macros[name] = Macro(name, params, default, tuple(body_tokens))
        return i

    def _def(self, tokens: list[Token], i: int) -> int:
        i = skip_spaces(tokens, i)
        if i >= len(tokens) or tokens[i].kind != CS:
            raise MacroError("\\def without a macro name")
        name = tokens[i].text
        i += 1
        params = 0
        while i < len(tokens) and tokens[i].kind != OPEN:  # the parameter text: #1#2… only
            if tokens[i].kind == PARAM and i + 1 < len(tokens) and tokens[i + 1].text == str(params + 1):
                params += 1
                i += 2
            elif tokens[i].kind == SPACE:
                i += 1
            else:
                raise MacroError(f"\\def\\{name}: only undelimited parameters #1…#9 are supported")
        body = argument(tokens, i)
        if body is None:
            raise MacroError(f"\\def\\{name} has no definition")
        self._check_params(name, body[0], params)
        self.macros[name] = Macro(name, params, None, tuple(body[0]))
        return body[1]

    def _let(self, tokens: list[Token], i: int) -> int:
        i = skip_spaces(tokens, i)
        if i >= len(tokens) or tokens[i].kind != CS:
            raise MacroError("\\let without a macro name")
        name = tokens[i].text
        i = skip_spaces(tokens, i + 1)
        if i < len(tokens) and tokens[i] == Token(CHAR, "="):
            i = skip_spaces(tokens, i + 1)
        if i >= len(tokens):
            raise MacroError(f"\\let\\{name} has no meaning")
        target = tokens[i]
        existing = self.macros.get(target.text) if target.kind == CS else None
        self.macros[name] = existing if existing else Macro(name, 0, None, (target,))
        return i + 1

    @staticmethod
    def _check_params(name: str, body: list[Token], params: int) -> None:
        for k, tok in enumerate(body):
            if tok.kind == PARAM:
                nxt = body[k + 1] if k + 1 < len(body) else None
                if nxt is None or not nxt.text.isdigit() or not 1 <= int(nxt.text) <= params:
                    raise MacroError(f"\\{name}: its definition uses a parameter it does not have")

    # expansion ---------------------------------------------------------------------------------------
    def expand(self, tokens: list[Token]) -> tuple[list[Token], tuple[str, ...]]:
        """Every use of a defined macro replaced by its body, repeatedly, within the limits."""
        if not self.macros:
            return tokens, ()
        used: dict[str, None] = {}
        pending = list(reversed(tokens))  # a stack: expansions are pushed back and read again
        out: list[Token] = []
        expansions = 0
        while pending:
            tok = pending.pop()
            macro = self.macros.get(tok.text) if tok.kind == CS else None
            if macro is None:
                out.append(tok)
                if len(out) > MAX_TOKENS:
                    raise MacroError("macro expansion makes the formula too large")
                continue
            expansions += 1
            if expansions > MAX_EXPANSIONS:
                raise MacroError(f"macro \\{macro.name} expands without end")
            used[macro.name] = None
            rest = list(reversed(pending))
            args, consumed = self._arguments(macro, rest)
            del pending[len(pending) - consumed:]
            pending.extend(reversed(self._substitute(macro.body, args)))
            if len(pending) > MAX_TOKENS:
                raise MacroError("macro expansion makes the formula too large")
        return out, tuple(used)

    @staticmethod
    def _arguments(macro: Macro, rest: list[Token]) -> tuple[list[list[Token]], int]:
        args: list[list[Token]] = []
        i = 0
        wanted = macro.params
        if macro.default is not None:
            opt = optional_argument(rest, i)
            if opt is not None:
                args.append(opt[0])
                i = opt[1]
            else:
                args.append(list(macro.default))
            wanted -= 1
        for _ in range(wanted):
            arg = argument(rest, i)
            if arg is None:
                raise MacroError(f"\\{macro.name} needs {macro.params} argument(s)")
            args.append(arg[0])
            i = arg[1]
        return args, i

    @staticmethod
    def _substitute(body: tuple[Token, ...], args: list[list[Token]]) -> list[Token]:
        out: list[Token] = []
        k = 0
        while k < len(body):
            tok = body[k]
            if tok.kind == PARAM and k + 1 < len(body) and body[k + 1].text.isdigit():
                out.extend(args[int(body[k + 1].text) - 1])
                k += 2
            else:
                out.append(tok)
                k += 1
        return out
