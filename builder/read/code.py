"""Program code inside a post: runs of lines that can only be code, kept verbatim with their indentation."""
from __future__ import annotations

import re

from builder.text.typography import HAN_RE

# Lines that can only be program code (Python first: the blog's code is mostly Python). Each alternative
# is a statement form that prose never takes.
STRONG_RE = re.compile(
    r"^\s*(def \w+\(|class \w+[(:]|import \w|from [\w.]+ import |@\w+|return\b|print[( ]|if __name__|"
    r"(el)?if .*:$|for \w+(, ?\w+)* in .*:$|while .*:$|try:$|except\b.*:$|else:$|with .*:$|"
    r"(assert|yield|raise|global|nonlocal) \S|(pass|break|continue)$|"
    r"#include|int main|public static|function \w+\(|var |let |const |}$|"
    # assignment, also to a tuple (`y, s = s2y()`) or an item (`abc[''] = 0`)
    r"\w+(\.\w+)*(\[.*\])?(\s*,\s*\w+(\[.*\])?)*\s*([-+*/%]|\*\*|//)?=\s*[-\w\[({'\"]|"
    # a call, complete or continued on the next lines (`model.compile(loss='mse',`)
    r"[\w.]+\(.*\)$|[\w.]+\((.*[,(\[{])?$|"
    r"In\[\d+\]:=|[A-Z][A-Za-z0-9]*\[|\\\[[A-Z][A-Za-z]*\]|"  # Mathematica: In[1]:= …, Solve[…, \[Theta]
    r"<\?php|\$\w+(\[[^\]]*\])*\s*(=|->|\.=|\+=|\[).*;$|"  # PHP: `$x = $_GET['a'];` (never a formula: ends in ;)
    r"(sudo |\$ )?(wget|curl|git|pip3?|conda|apt(-get)?|cd|cp|mv|rm|mkdir|ls|cat|unzip|tar|make|cmake|gcc|g\+\+|"
    r"python3?|bash|sh|export|echo|chmod|ssh|scp|nohup|source)( [^\u4e00-\u9fff]*)?$|\./[\w./-]+( .*)?$)"  # shell
)


# Lines that are code when they sit among code: indented lines (the scraper collapsed indentation to one
# space, so one is enough), comments, docstring quotes, Mathematica's continued expressions.
WEAK_RE = re.compile(r"^(\s+)\S|^\s*(\"\"\"|''')|^\s*(#|//)|^[^\u4e00-\u9fff]*(->|/\.|//|]]|:=)"
                     r"|^[^\u4e00-\u9fff]*[,+\[]$")


# Lines that may stand alone as a code block: the start of a program, or a shell command with arguments.
STARTER_RE = re.compile(r"^\s*(def |class |import |from \S+ import |<\?php|(sudo )?(pip3?|conda|apt(-get)?) install |"
                        r"git clone |wget )")


DOCSTRING_RE = re.compile(r"\"\"\"|'''")


# What a code line may carry in Chinese: string literals and a comment (`#`, `//`) after the code.
STRING_RE = re.compile(r"\"\"\".*?(\"\"\"|$)|'''.*?('''|$)|\"(\\.|[^\"\\])*\"|'(\\.|[^'\\])*'")

COMMENT_RE = re.compile(r"(^|\s|(?<=[\w)\]}'\"]))(#|//).*$")


def code_part(text: str) -> str:
    """The line without its string literals and its trailing comment: where Chinese never is in code."""
    return COMMENT_RE.sub("", STRING_RE.sub("''", text))


def is_strong(text: str) -> bool:
    """A statement only code has; a trailing comment does not count (`sys.exit(1) # 退出`)."""
    return bool(STRONG_RE.match(text) or STRONG_RE.match(code_part(text).rstrip()))


def is_code_line(text: str) -> bool:
    if HAN_RE.search(code_part(text)) and not WEAK_RE.match(text):
        return False  # Chinese prose, unless the Chinese is in a string, a comment or an indented line
    return is_strong(text) or bool(WEAK_RE.match(text))


def language(lines: list[str]) -> str:
    joined = "\n".join(lines)
    if re.search(r"^\s*(def |import |from \w+ import|print\()", joined, re.M):
        return "python"
    if re.search(r"#include|int main|std::", joined):
        return "cpp"
    if re.search(r"<\?php", joined):
        return "php"
    if re.search(r"function |const |let |=>", joined):
        return "javascript"
    if re.search(r"^\s*(wget|cd|make|pip3?|git|sudo|unzip|cp) ", joined, re.M):
        return "bash"
    return ""


def split_code(lines: list[tuple[int, str]],
               math: frozenset[int] = frozenset()) -> list[tuple[str, list[tuple[int, str]]]]:
    """('code', lines) for runs of two or more program lines (or one unmistakable one); ('text', lines) else.
    Lines at the indexes in `math` are inside a display formula (`y = ax + b \\`): never code. Inside a
    docstring opened in the run, every line is code (`'''` … Chinese notes … `'''`)."""
    out: list[tuple[str, list[tuple[int, str]]]] = []
    i = 0
    while i < len(lines):
        j, in_doc = i, False
        while j < len(lines) and j not in math and (in_doc or is_code_line(lines[j][1])
                                                    or (j > i and not lines[j][1].strip())):
            if len(DOCSTRING_RE.findall(lines[j][1])) % 2:
                in_doc = not in_doc
            j += 1
        while j > i and not lines[j - 1][1].strip():
            j -= 1
        run = lines[i:j]
        strong = any(is_strong(t) for _, t in run)
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
