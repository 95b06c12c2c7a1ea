"""Chinese typography shared by the renderers: half-width punctuation beside Chinese becomes full-width."""
from __future__ import annotations

import re
import unicodedata

# Chinese characters: every CJK ideograph block, for typesetting and reading PDFs back; HAN_RE is the
# common block alone, what the parsing rules (code, index terms, pinyin readings) count as Chinese.
HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"

HAN_RE = re.compile(r"[\u4e00-\u9fff]")

CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef\U00020000-\U0002ffff“”‘’《》"


# Punctuation the dumps write half-width inside Chinese sentences, and its full-width form.
FULL_WIDTH = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"}


# An ellipsis beside Chinese is two …, centred (GB/T 15834): `...`, `。。。` and a lone `…` become “……”.
_ELLIPSIS = re.compile(rf"(?<=[{CJK}])\s*(?:\.{{3,}}|。{{3,}}|…{{1,2}})\s*"
                       rf"|\s*(?:\.{{3,}}|。{{3,}}|…{{1,2}})\s*(?=[{CJK}])")


_BESIDE_CJK = re.compile(rf"(?<=[{CJK}])\s*([,:;?!()])\s*|\s*([,:;?!()])\s*(?=[{CJK}])")


def cjk_punctuation(text: str) -> str:
    """`模型(十五):构建` -> `模型（十五）：构建`, `乱了...）` -> `乱了……）`; Latin and math context is left alone."""
    text = _ELLIPSIS.sub("……", text)
    for _ in range(3):  # a converted mark can make its neighbour CJK-adjacent: `(四):GAN`
        new = _BESIDE_CJK.sub(lambda m: FULL_WIDTH[m.group(1) or m.group(2)], text)
        if new == text:
            break
        text = new
    return text


_IDEOGRAPH = re.compile(f"[{HAN}]")

_LATIN = re.compile(r"[A-Za-z0-9\u00c0-\u024f]")


def cjk_latin_boundary(before: str, after: str) -> bool:
    """True when xeCJK would put its Chinese–Latin space between `before` and `after` (one character each,
    or "math" for an inline formula after): TeX loses that space when anything (an \\index) sits between."""
    if not before or not after:
        return False
    if _IDEOGRAPH.match(before):
        return after == "math" or bool(_LATIN.match(after))
    return bool(_LATIN.match(before)) and bool(_IDEOGRAPH.match(after))


def display_width(text: str) -> int:
    """Width in half-width cells: a Chinese character (or any wide one) counts two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# A comma typed half-width between two Latin words of a Chinese title ("VQ一下Key,Transformer的复杂度").
_TITLE_LATIN_COMMA = re.compile(r"(?<=[A-Za-z0-9]),(?=[A-Za-z])")


def title_commas(texts: list[str]) -> list[str]:
    """A title's text pieces with the commas of a Chinese title full-width, even between Latin words (in prose
    `a,b` may be code or a list of symbols, so only titles get this rule)."""
    if not any(_IDEOGRAPH.search(t) for t in texts):
        return texts
    return [_TITLE_LATIN_COMMA.sub("，", t) for t in texts]


def printed_title(title: str) -> str:
    """A title without formulas as both renderers print it: its punctuation full-width beside Chinese."""
    return cjk_punctuation(title_commas([title])[0])
