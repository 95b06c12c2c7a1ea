"""Which kind a short prose line is: section heading, a lost figure's caption, table row, or prose."""
from __future__ import annotations

import re
from typing import Optional

from builder.mathtex.find import display_opener
from builder.text.typography import display_width

HEADING_MAX = 18  # characters (full width) of a section heading; the blog's longest is 13


# A line that ends a sentence or announces something is prose: a heading never ends like this.
PROSE_END = ("。", "；", ";", "，", ",", "、", "：", ":", "…", "...", "（", "(", "—", "～")  # "就这样完了～"

COMMA_HEADING_MAX = 10  # characters of a heading with a comma ("反过来，从结果到过程"); longer is a sentence


# Inside a heading the blog writes ？！，“” and a colon between two parts ("外积：张成并投影"); a period or
# semicolon inside means a sentence; so does a colon before a space ("结论： 正文" runs a label into prose) or
# right after a first letter or digit ("b：首字" defines).
PROSE_INSIDE = re.compile(r"[。；;]|[：:]\s|^[A-Za-z0-9][：:]")

HEADING_NUM_RE = re.compile(r"^(?:[一二三四五六七八九十]{1,3}、|\d{1,2}\.\s*)")

NUMBER_RE = re.compile(r"^[-+]?[\d.,%\s]+$")


# Words that point at what follows or at a figure: a line with them leads into something ("从下面的例子出发",
# "Mathematica代码为", "大概可以图示为"), it does not title a section.
LEAD_IN_RE = re.compile(r"下面|如下|下图|下表|如图|图示为|所示|(?<!作)为$")


# Captions. The scraper dropped the images but kept their caption lines.
CAPTION_RE = re.compile(r"(示意图|图示|流程图|架构图|框图|效果图|结构图|演示图|截图|曲线图|对比图)$|"
                        r"图片来自|模型生成的|"
                        r"的\S{0,16}(结构|曲线|样本|人脸|列表|序列|生成)\d*$")


PARENTHETICAL_END = re.compile(r"\s*[（(][^）)]*[）)]$")


# A caption whose first sentence names the figure ("信息泄漏示意图。训练阶段，…").
LONG_CAPTION_RE = re.compile(r"^[^。，,]{2,20}(示意图|图示|流程图|效果图|结构图)。")


# The paragraph before points at a figure below it; the paragraph after at one above it.
FIGURE_AHEAD_RE = re.compile(r"下图|(如图|如图所示|图示如下|示意图如下|图示为|如下所示)[：:。]?$")

FIGURE_BEHIND_RE = re.compile(r"上图")

FIGURE_BEHIND_START_RE = re.compile(r"^(如图|如上图|上图|在上图中|图中)")


# A paragraph that ends by pointing at a figure below; when no caption line follows, the figure is lost
# without one and gets a placeholder of its own.
FIGURE_LEAD_RE = re.compile(r"(如下图所示|如下图|如图所示|图示如下|示意图如下|图示为|如下图示)[：:。]?$")

TABLE_SEPARATOR_RE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")


def heading_shape(text: str) -> bool:
    """Short, no formula, no sentence: what a section title looks like on its own."""
    core = text.rstrip(" #").strip()
    if not core or "$" in core or "\\" in core or "http" in core:
        return False
    if display_width(core) > HEADING_MAX * 2 or NUMBER_RE.match(core):
        return False  # a number alone is a caption or a table cell ("0", "100"), never a section
    body = HEADING_NUM_RE.sub("", core)
    if re.search("[，,]", body) and display_width(body) > COMMA_HEADING_MAX * 2:
        return False
    if body.endswith(PROSE_END) or PROSE_INSIDE.search(body) \
            or (body.startswith(("《", "“")) and body.endswith(("》", "”"))):
        return False
    return not LEAD_IN_RE.search(body)


def is_heading(text: str, prev: Optional[str], nxt: Optional[str], alone: bool, before_code: bool) -> bool:
    """A section heading: heading-shaped, set apart, and leading into prose: not into a formula ("或者",
    "其loss一般为"), nor into code, nor the content a colon announced."""
    if not alone or before_code or not heading_shape(text):  # heading_shape refuses addresses
        return False
    if nxt is not None and display_opener(nxt.lstrip()) == 0:
        return False
    return not (prev is not None and prev.rstrip().endswith(("：", ":")))


def caption_shape(text: str) -> bool:
    """Short and not a sentence: what a caption line looks like."""
    core = text.strip()
    return bool(core) and display_width(core) <= 80 and "$" not in core and not core.endswith(PROSE_END) \
        and "http" not in core and not PROSE_INSIDE.search(core)


def names_a_figure(text: str) -> bool:
    """A caption by its own words: 示意图, 效果图, …, "模型生成的…", "…的网络结构", "…的KNN样本1"."""
    core = PARENTHETICAL_END.sub("", text.strip())
    return bool(caption_shape(text) and CAPTION_RE.search(core)) or bool(LONG_CAPTION_RE.match(text.strip()))


def is_caption(text: str, prev: Optional[str], nxt: Optional[str], prev_caption: Optional[str],
               alone: bool = True, after_figure: bool = False) -> bool:
    """A lost figure's caption: its own words say so, or the text around points at a figure, or it runs
    parallel to the caption next to it ("…样本1", "…样本2"), or it is a sentence the author left without
    its full stop, as the blog's captions are. `alone`: the line is a paragraph of its own; `after_figure`:
    the block before is a figure."""
    if names_a_figure(text):
        return True
    if not alone or not caption_shape(text) or (nxt is not None and nxt.startswith("$$")):
        return False  # a short line leading into a formula is prose ("利用椭圆常见的参数方程")
    if unfinished_sentence(text) and not heading_shape(text) and (nxt is None or not LIST_START_RE.match(nxt)):
        return True
    if not heading_shape(text):
        return False
    if prev is not None and FIGURE_AHEAD_RE.search(prev[-60:]):
        return True
    if prev is not None and prev.rstrip().endswith(("：", ":")) and not re.search("[：:]", text):
        return True  # after an announcing colon comes the thing announced (a figure), not a section
    if nxt is not None and (FIGURE_BEHIND_START_RE.match(nxt)
                            or (not after_figure and FIGURE_BEHIND_RE.search(nxt[:40]))):
        return True  # "如图，…" refers to the line before; "…根据上图…" may refer to a figure before a heading
    return (prev_caption is not None and parallel(text, prev_caption)) or (
        nxt is not None and caption_shape(nxt) and heading_shape(nxt) and parallel(text, nxt))


LIST_START_RE = re.compile(r"^(\d{1,2}、|[(（]\d{1,2}[)）])")

HAN_END_RE = re.compile(r"[\u4e00-\u9fff]$")


def unfinished_sentence(text: str) -> bool:
    """A sentence with a comma but no full stop, standing alone and not leading into a formula, list or
    code: the blog writes its captions so ("简单的耦合使得其中一部分仍然保持恒等，信息没有充分混合"), its
    paragraphs never."""
    core = text.strip()
    return bool(HAN_END_RE.search(core)) and "，" in core and not LEAD_IN_RE.search(core) \
        and not re.search(r"[：:]", core)


def parallel(a: str, b: str) -> bool:
    """Two lines written as a pair (captions of figures side by side): a shared start of 3 characters."""
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n >= 3 and a != b


def leads_to_figure(text: str) -> bool:
    return bool(FIGURE_LEAD_RE.search(text.rstrip()))


def table_cells(line: str, kind: str) -> Optional[list[str]]:
    """The cells of a table row written with tabs, pipes or runs of spaces; None if the line is no row."""
    s = line.strip()
    if not s or "$" in s:
        return None
    if kind == "tab":
        cells = [c.strip() for c in s.split("\t")]
    elif kind == "pipe":
        if not (s.startswith("|") or " | " in s):
            return None
        cells = [c.strip() for c in s.strip("|").split("|")]
    elif kind == "spaces":
        if s.endswith(PROSE_END):
            return None
        cells = re.split(r"\s{2,}", s)
    else:  # "words": single spaces, short rows whose last cell is a number ("龙脑 10.271244")
        cells = s.split()
        if not NUMBER_RE.match(cells[-1]) or any(p in s for p in "。，；：！？"):
            return None
    return cells if len(cells) >= 2 and all(cells) else None


def table_at(texts: list[str], start: int) -> Optional[tuple[int, list[list[str]]]]:
    """(number of lines, rows) of the table starting at texts[start], if one does: two rows or more with the
    same number of cells (three for rows of single-space words), a Markdown separator row dropped."""
    for kind, least in (("tab", 2), ("pipe", 2), ("spaces", 2), ("words", 3)):
        rows: list[list[str]] = []
        k = start
        while k < len(texts):
            if kind == "pipe" and TABLE_SEPARATOR_RE.match(texts[k].strip()) and rows:
                k += 1
                continue
            cells = table_cells(texts[k], kind)
            if cells is None or (rows and len(cells) != len(rows[0])):
                break
            rows.append(cells)
            k += 1
        if len(rows) >= least:
            return k - start, rows
    return None


def table_has_head(rows: list[list[str]]) -> bool:
    """Whether the first row names the columns: over a column of numbers it is not a number ("准确率" over
    "92.1"), or its cells are short labels over a column of long text ("测试结果"). A list of words and
    scores ("龙脑 10.271244") has none."""
    first, body = rows[0], rows[1:]
    for k, cell in enumerate(first):
        column = [row[k] for row in body]
        if not NUMBER_RE.match(cell) and all(NUMBER_RE.match(c) for c in column):
            return True
        if len(cell) <= 6 and max(len(c) for c in column) > 3 * len(cell):
            return True
    return False
