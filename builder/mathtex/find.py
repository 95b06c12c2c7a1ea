"""Where the math is in a post's text, by MathJax's rules: delimiters, bare environments, bare references."""
from __future__ import annotations

import re
from typing import Optional

from builder.mathtex import dialect

# Display openers: $$, \[, or \begin{name} of any environment MathJax knows (it typesets them as displays).
OPENER_RE = re.compile(r"\\\$|\$\$|\$|\\\[|\\\(|\\begin\s*\{([^{}]*)\}")
REF_RE = re.compile(r"\\(?:eqref|ref)\s*\{[^{}]*\}")


def display_opener(text: str) -> int:
    """Index of the first display opener in a line that is not inside inline math; -1 if none."""
    i = 0
    while True:
        m = OPENER_RE.search(text, i)
        if m is None:
            return -1
        token = m.group(0)
        if token == "\\$":
            i = m.end()
        elif token in ("$", "\\("):
            end = _inline_end(text, m.end(), "$" if token == "$" else "\\)")
            if end < 0:
                return -1
            i = end
        elif token.startswith("\\begin"):
            if dialect.is_environment(m.group(1).strip()):
                return m.start()
            i = m.end()
        else:
            return m.start()


def _inline_end(text: str, start: int, closer: str) -> int:
    """Index after the closer of inline math opened before `start`, at brace depth 0; -1 if none."""
    depth, i, n = 0, start, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\":
            if closer == "\\)" and text.startswith("\\)", i) and depth == 0:
                return i + 2
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(depth - 1, 0)
        elif ch == "$" and closer == "$" and depth == 0:
            return i + 1
        i += 1
    return -1


def display_end(lines: list[str]) -> Optional[tuple[int, int]]:
    """For lines[0] starting with a display opener: (line index, column after the closer), or None."""
    head = lines[0]
    if head.startswith("$$"):
        return _find(lines, re.compile(r"\\.|\$\$", re.S), 2, lambda tok, depth: tok == "$$")
    if head.startswith("\\["):
        return _find(lines, re.compile(r"\\\]|\\.", re.S), 2, lambda tok, depth: tok == "\\]")
    m = re.match(r"\\begin\s*\{([^{}]*)\}", head)
    if m is None:
        raise ValueError(f"not a display opener: {head[:20]!r}")
    name = re.escape(m.group(1))
    pattern = re.compile(r"\\(begin|end)\s*\{" + name + r"\}|\\.", re.S)
    depth = [0]

    def closes(tok: str, _):
        if tok.startswith("\\begin"):
            depth[0] += 1
        elif tok.startswith("\\end"):
            depth[0] -= 1
            return depth[0] == 0
        return False
    return _find(lines, pattern, 0, closes)


def _find(lines: list[str], pattern: re.Pattern, start: int, is_closer) -> Optional[tuple[int, int]]:
    col = start
    for k, line in enumerate(lines):
        for m in pattern.finditer(line, col):
            if is_closer(m.group(0), None):
                return k, m.end()
        col = 0
    return None


def find_inline(text: str) -> list[tuple[str, str]]:
    """('text', str), ('math', source) and ('unclosed', '$') pieces of a line of prose."""
    out: list[tuple[str, str]] = []
    i, last, n = 0, 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\":
            nxt = text[i + 1:i + 2]
            if nxt == "$":
                out.append(("text", text[last:i] + "$"))
                i += 2
                last = i
                continue
            if nxt == "(":
                end = _inline_end(text, i + 2, "\\)")
                if end > 0:
                    out.append(("text", text[last:i]))
                    out.append(("math", text[i + 2:end - 2]))
                    i = last = end
                    continue
            ref = REF_RE.match(text, i)
            if ref:  # MathJax typesets a bare \eqref{…} in text as a formula
                out.append(("text", text[last:i]))
                out.append(("math", ref.group(0)))
                i = last = ref.end()
                continue
            i += 1
            continue
        if ch == "$":
            end = _inline_end(text, i + 1, "$")
            if end < 0 or end == i + 2:
                out.append(("text", text[last:i]))
                out.append(("unclosed", "$"))
                i = last = i + 1
                continue
            out.append(("text", text[last:i]))
            out.append(("math", text[i + 1:end - 1]))
            i = last = end
            continue
        i += 1
    out.append(("text", text[last:]))
    return [(k, s) for k, s in out if s or k != "text"]
