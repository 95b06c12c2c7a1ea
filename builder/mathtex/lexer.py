"""The security lexer: formula source -> TeX tokens, refusing what TeX would read as more than math."""
from __future__ import annotations

import re
from typing import NamedTuple, Optional

# Token kinds. Control words and symbols keep their name without the backslash.
CS = "cs"  # \alpha, \\, \{, \,
CHAR = "char"  # any character that is not special
SPACE = "space"  # a run of white space (one token, printed as one space)
OPEN = "{"
CLOSE = "}"
ALIGN = "&"
SUP = "^"
SUB = "_"
PARAM = "#"  # #1..#9: only inside a macro definition's body
TILDE = "~"
SHIFT = "$"  # only inside \text{…}, where MathJax reads $…$ as math
PERCENT = "%"  # a comment to the end of the line, except inside \text{…} (resolved by the normaliser)
VERB = "verb"  # \verb|…|: its text, read raw as MathJax reads it

# One alternative per kind; TeX's rule that spaces after a control word are skipped is applied here.
TOKEN_RE = re.compile(r"""
    (?P<verb>\\verb(?P<delim>[^A-Za-z\s])(?P<verbatim>.*?)(?P=delim))   # \verb|…|: raw text to the same delimiter
  | \\(?P<word>[A-Za-z]+)[ \t\r\n]*     # control word, and the spaces TeX skips after it
  | \\(?P<symbol>[^A-Za-z])              # control symbol: \\ \{ \, \; \  …
  | (?P<caret>\^\^)                       # TeX's ^^ character-code notation
  | (?P<percent>%)                        # a comment, or a `%` in text: which one depends on where it is
  | (?P<space>[ \t\r\n]+)
  | (?P<special>[{}&^_~$\#])
  | (?P<char>.)
""", re.S | re.X)


class Token(NamedTuple):
    kind: str
    text: str  # the control sequence's name, or the character(s)

    def tex(self) -> str:
        return "\\" + self.text if self.kind == CS else self.text


class LexError(ValueError):
    """Source TeX must never see: the message says what and is shown to the user."""


def tokenize(source: str) -> list[Token]:
    """Tokens of a formula; `^^` and a lone trailing backslash are refused."""
    out: list[Token] = []
    append = out.append
    for m in TOKEN_RE.finditer(source):
        kind = m.lastgroup
        if kind == "word":
            append(Token(CS, m.group("word")))
        elif kind == "char":
            append(Token(CHAR, m.group(0)))
        elif kind == "space":  # a line break is kept: it ends a comment
            append(Token(SPACE, "\n" if "\n" in m.group(0) else " "))
        elif kind == "special":
            ch = m.group(0)
            append(Token(ch if ch != "#" else PARAM, ch))
        elif kind == "symbol":
            append(Token(CS, m.group("symbol")))
        elif kind == "caret":
            raise LexError("formula uses '^^' character codes")
        elif kind == "percent":
            append(Token(PERCENT, "%"))
        elif kind == "verb":
            append(Token(VERB, m.group("verbatim")))
    if source.endswith("\\") and not source.endswith("\\\\"):
        raise LexError("formula ends with a lone backslash")
    return out


def serialize(tokens: list[Token]) -> str:
    """Tokens back to TeX; a space keeps a control word from running into the letter after it."""
    parts: list[str] = []
    prev_word = False
    for tok in tokens:
        kind, text = tok
        if kind == CS:
            if len(text) > 1 or text.isalpha():
                parts.append("\\" + text)
                prev_word = True
                continue
            parts.append("\\" + text)
        elif prev_word and (text[:1].isalpha() or text[:1] == "@"):
            parts.append(" " + text)
        elif text[:1] == "^" and parts and parts[-1].endswith("^"):
            parts.append("{}" + text)  # never TeX's ^^ character-code notation (^^5c is a backslash)
        else:
            parts.append(text)
        prev_word = False
    return "".join(parts)


def group_end(tokens: list[Token], start: int) -> Optional[int]:
    """Index just past the `}` that closes the `{` at tokens[start]; None if it is never closed."""
    depth = 0
    for i in range(start, len(tokens)):
        kind = tokens[i].kind
        if kind == OPEN:
            depth += 1
        elif kind == CLOSE:
            depth -= 1
            if depth == 0:
                return i + 1
    return None


def strip_spaces(tokens):
    """The tokens without leading and trailing spaces (on tokens: stripping the string would eat a `\\ `)."""
    a, b = 0, len(tokens)
    while a < b and tokens[a].kind == SPACE:
        a += 1
    while b > a and tokens[b - 1].kind == SPACE:
        b -= 1
    return tokens[a:b]


def skip_spaces(tokens: list[Token], i: int) -> int:
    while i < len(tokens) and tokens[i].kind == SPACE:
        i += 1
    return i


def argument(tokens: list[Token], i: int) -> Optional[tuple[list[Token], int]]:
    """TeX's undelimited argument at i: a braced group (braces removed) or one token; and the index after."""
    i = skip_spaces(tokens, i)
    if i >= len(tokens):
        return None
    if tokens[i].kind == OPEN:
        end = group_end(tokens, i)
        if end is None:
            return None
        return tokens[i + 1:end - 1], end
    if tokens[i].kind == CLOSE:
        return None
    return [tokens[i]], i + 1


def optional_argument(tokens: list[Token], i: int) -> Optional[tuple[list[Token], int]]:
    """A `[…]` argument at i (brackets inside braces do not end it); None when there is none."""
    j = skip_spaces(tokens, i)
    if j >= len(tokens) or tokens[j] != Token(CHAR, "["):
        return None
    depth = 0
    for k in range(j + 1, len(tokens)):
        kind, text = tokens[k]
        if kind == OPEN:
            depth += 1
        elif kind == CLOSE:
            depth -= 1
        elif depth == 0 and kind == CHAR and text == "]":
            return tokens[j + 1:k], k + 1
    return None


def plain_text(tokens: list[Token]) -> str:
    """The characters of an argument such as a label name or a colour: no control sequences expected."""
    return "".join(t.text if t.kind != CS else "\\" + t.text for t in tokens).strip()
