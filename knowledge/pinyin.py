"""How text sounds: toneless pinyin, with the distinctions pinyin typists often miss folded."""

import re
from functools import cache

from pypinyin import Style, lazy_pinyin

_RETROFLEX = re.compile(r"^([zcs])h")
_NASAL = re.compile(r"(in|en|an)g$")


def syllable(char: str) -> str:
    """The sound of one character: zh/z, ch/c, sh/s, l/n and -ng/-n count as one; others
    are themselves."""
    if not "\u4e00" <= char <= "\u9fff":
        return char
    return _hanzi_syllable(char)


# Each character of the block is converted once and kept: the cache holds the whole block
# (about 21,000 entries), so random text costs each character one conversion in all, and other
# characters never evict the ones customers use.
@cache
def _hanzi_syllable(char: str) -> str:
    sound = lazy_pinyin(char, style=Style.NORMAL)[0]
    sound = _RETROFLEX.sub(r"\1", sound)
    if sound.startswith("l"):
        sound = "n" + sound[1:]
    return _NASAL.sub(r"\1", sound)


def sound(text: str) -> tuple[str, ...]:
    """One syllable for each character: homophones such as 退款 and 退宽 sound alike."""
    return tuple(syllable(char) for char in text)
