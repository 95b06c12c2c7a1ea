"""Chinese numerals: 十五 → 15 and 15 → 十五, as ctex prints chapter numbers."""
from __future__ import annotations

from typing import Optional

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}

CN_UNITS = {"十": 10, "百": 100, "千": 1000}


def chinese_number(text: str) -> Optional[int]:
    """十五 -> 15, 二十三 -> 23, 一百零二 -> 102; Arabic digits pass through."""
    if text.isdigit():
        return int(text)
    total, digit = 0, 0
    for ch in text:
        if ch in CN_DIGITS:
            digit = CN_DIGITS[ch]
        elif ch in CN_UNITS:
            total += (digit or 1) * CN_UNITS[ch]
            digit = 0
        else:
            return None
    return total + digit


DIGITS = "零一二三四五六七八九"


def zh_numeral(n: int) -> str:
    """1 -> 一, 15 -> 十五, 38 -> 三十八, 105 -> 一百零五 (as ctex prints chapter numbers)."""
    if n < 10:
        return DIGITS[n]
    if n < 20:
        return "十" + (DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return DIGITS[n // 10] + "十" + (DIGITS[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        tail = "" if rest == 0 else ("零" + DIGITS[rest] if rest < 10 else
                                     ("一" + zh_numeral(rest) if rest < 20 else zh_numeral(rest)))
        return DIGITS[n // 100] + "百" + tail
    return str(n)
