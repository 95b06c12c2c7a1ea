"""Program code inside a post: runs of lines that can only be code, kept verbatim with their indentation."""
from __future__ import annotations

import re

# Lines that can only be program code (Python first: the blog's code is mostly Python).
STRONG_RE = re.compile(
    r"^\s*(def \w+\(|class \w+[(:]|import \w|from [\w.]+ import |@\w+|return\b|print\(|if __name__|"
    r"for \w+(, ?\w+)* in .*:$|while .*:$|try:$|except\b.*:$|else:$|elif .*:$|with .*:$|"
    r"#include|int main|public static|function \w+\(|var |let |const |}$|"
    r"\w+(\.\w+)*(\[.*\])?\s*[-+*/]?=\s*[\w\[({'\"]|[\w.]+\(.*\)$|"
    r"In\[\d+\]:=|[A-Z]\w*\[.*\]\s*;?$)"  # Mathematica: In[1]:= …, Solve[…]
)
# Lines that are code when they sit among code: indented lines, comments, docstring quotes.
WEAK_RE = re.compile(r"^(\s{2,}|\t)\S|^\s*(\"\"\"|''')|^\s*#")
STARTER_RE = re.compile(r"^\s*(def |class |import |from \S+ import )")
HAN_RE = re.compile(r"[\u4e00-\u9fff]")
COMMENT_RE = re.compile(r"^\s*(#|//|\"\"\"|''')|\s(#|//)\s")


def is_code_line(text: str) -> bool:
    if HAN_RE.search(text) and not COMMENT_RE.search(text) and not WEAK_RE.match(text):
        return False  # Chinese prose, unless it is a comment, a docstring or indented code
    return bool(STRONG_RE.match(text) or WEAK_RE.match(text))


def language(lines: list[str]) -> str:
    joined = "\n".join(lines)
    if re.search(r"^\s*(def |import |from \w+ import|print\()", joined, re.M):
        return "python"
    if re.search(r"#include|int main|std::", joined):
        return "cpp"
    if re.search(r"function |const |let |=>", joined):
        return "javascript"
    return ""


def split_code(lines: list[tuple[int, str]], math: frozenset[int] = frozenset()) -> list[tuple[str, list[tuple[int, str]]]]:
    """('code', lines) for runs of two or more program lines (or one unmistakable one); ('text', lines) else.
    Lines at the indexes in `math` are inside a display formula (`y = ax + b \\`): never code."""
    out: list[tuple[str, list[tuple[int, str]]]] = []
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and j not in math and (is_code_line(lines[j][1]) or (j > i and not lines[j][1].strip())):
            j += 1
        while j > i and not lines[j - 1][1].strip():
            j -= 1
        run = lines[i:j]
        strong = any(STRONG_RE.match(t) for _, t in run)
        if run and strong and (len([t for _, t in run if t.strip()]) >= 2 or STARTER_RE.match(run[0][1])):
            out.append(("code", run))
            i = j
            continue
        if out and out[-1][0] == "text":
            out[-1][1].append(lines[i])
        else:
            out.append(("text", [lines[i]]))
        i += 1
    return out


def dedent(lines: list[str]) -> tuple[str, ...]:
    indent = min((len(t) - len(t.lstrip()) for t in lines if t.strip()), default=0)
    return tuple(t[indent:].replace("\t", "    ") for t in lines)
