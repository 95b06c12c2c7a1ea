"""Chinese typography shared by the renderers: half-width punctuation beside Chinese becomes full-width."""
from __future__ import annotations

import re

CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef\U00020000-\U0002ffff“”‘’《》"
# Punctuation the dumps write half-width inside Chinese sentences, and its full-width form.
FULL_WIDTH = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"}
_BESIDE_CJK = re.compile(rf"(?<=[{CJK}])\s*([,:;?!()])\s*|\s*([,:;?!()])\s*(?=[{CJK}])")


def cjk_punctuation(text: str) -> str:
    """`模型(十五):构建` -> `模型（十五）：构建`; Latin and math context is left alone."""
    for _ in range(3):  # a converted mark can make its neighbour CJK-adjacent: `(四):GAN`
        new = _BESIDE_CJK.sub(lambda m: FULL_WIDTH[m.group(1) or m.group(2)], text)
        if new == text:
            break
        text = new
    return text
