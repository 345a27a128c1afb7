"""Text normalisation shared by every matcher: width, case, script, punctuation, filler, numbers."""

import re
import unicodedata
from functools import lru_cache

from opencc import OpenCC

from core.patterns import CHINESE_DIGITS

# Words customers wrap around a question that say nothing about what they ask.
FILLER = (
    "我想问一下",
    "我想问下",
    "想问一下",
    "想问下",
    "请问一下",
    "问一下",
    "请问",
    "麻烦问下",
    "麻烦",
    "您好",
    "你好",
    "亲亲",
    "亲",
    "客服",
    "在吗",
    "谢谢",
)
_FILLER_RE = re.compile("|".join(sorted(FILLER, key=len, reverse=True)))
_TRAILING_PARTICLES = re.compile(r"[呢啊呀吗嘛吧哦噢哈啦哇]+$")
_REPEATS = re.compile(r"(.)\1{2,}")

_DIGITS = {"零": 0, "〇": 0, **CHINESE_DIGITS}
_POWERS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
# Chinese numerals count something only before a unit: 三天 is 3天, but 一下 and 统一 stay.
_UNITS = "天日号个件次年月周星期小时分钟元块毛角瓶盒支只套包单斤克毫升折期岁"
_NUMBER = re.compile(f"[零〇一二两三四五六七八九十百千万]+(?=[{_UNITS}])")
# Matching reads at most this many characters of a text. A question is a sentence or two (the
# longest of thousands of real ones is under 60 characters; an FAQ question is at most 200),
# and a pasted essay must cost the event loop a few milliseconds, not hundreds. The text itself
# is stored whole.
MATCHED_CHARS = 200


@lru_cache(maxsize=1)
def _to_simplified() -> OpenCC:
    return OpenCC("t2s")


# The rules read one message many times over (some 25 calls for one message): clean it once.
@lru_cache(maxsize=256)
def clean(text: str) -> str:
    """Width, case and script folded; punctuation, symbols, spaces and control characters gone."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _to_simplified().convert(text)
    kept = [ch for ch in text if unicodedata.category(ch)[0] in "LN"]
    return _REPEATS.sub(r"\1\1", "".join(kept))


def chinese_number(numeral: str) -> int | None:
    """The value of a Chinese numeral (三, 十五, 二十, 一百零八, 两千); None if malformed."""
    if not numeral.strip("零〇"):
        return None  # 零件, not "0件"
    total = section = digit = 0
    seen_digit = False
    for char in numeral:
        if char in _DIGITS:
            if seen_digit and digit:
                return None  # 一二三: digits in a row are no number
            digit, seen_digit = _DIGITS[char], True
        elif char == "万":
            if not (total or section or digit):
                return None  # 万元户
            total = (total + section + digit) * 10000
            section = digit = 0
            seen_digit = False
        elif char in _POWERS:
            # A bare 十 at the start means ten: 十五 is 15.
            section += (digit if seen_digit else 1) * _POWERS[char]
            digit, seen_digit = 0, False
        else:
            return None
    return total + section + digit


def fold_numbers(text: str) -> str:
    """Chinese numerals before a unit written as digits, so 三天 and 3天 read alike."""

    def digits(match: re.Match[str]) -> str:
        value = chinese_number(match.group())
        return match.group() if value is None else str(value)

    return _NUMBER.sub(digits, text)


def matched_part(text: str) -> str:
    """The part of a text that matching reads: its first `MATCHED_CHARS` characters."""
    return text[:MATCHED_CHARS]


def normalize(text: str) -> str:
    """`clean` plus numbers as digits and no filler words or trailing particles; for matching.
    Only the `matched_part` is read, and the result is no longer (NFKC may lengthen text)."""
    cleaned = fold_numbers(clean(matched_part(text)))
    stripped = _TRAILING_PARTICLES.sub("", _FILLER_RE.sub("", cleaned))
    return matched_part(stripped or cleaned)
