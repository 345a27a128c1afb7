"""Reading short answers to the bot's questions: yes or no, and a choice from a numbered list."""

import re

from core.patterns import CHINESE_DIGITS, fold, number_value
from handlers.words import contains_any
from knowledge.normalize import clean

# Particles that end a short answer without changing it ("好的呀", "不用了").
_PARTICLES = "吧呀啊哦呢啦的了"
# Messages made of nothing but these say yes or no ("好的", "确认提交", "没有没有").
_BARE_YES = (
    "是的",
    "是",
    "对的",
    "对",
    "嗯",
    "好的",
    "好滴",
    "好",
    "要",
    "行",
    "可以",
    "确认",
    "确定",
    "提交",
    "没错",
    "没问题",
    "okay",
    "ok",
    "yes",
)
_BARE_NO = ("没有", "没什么", "没啥", "没", "无", "不用", "不", "no")
# A short answer starting with one of these says yes ("是这个", "可以了，谢谢") …
_YES = ("是", "对", "嗯", "好", "确认", "提交", "可以", "行", "没错", "要", "需要", "能", "解决了")
_YES_WHOLE = frozenset({"ok", "okay", "yes", "y", "没问题", "有用", "有帮助"})
# … unless it holds one of these ("不是", "还是不行").
_NO = (
    "不是",
    "不对",
    "不要",
    "不用",
    "不需要",
    "不行",
    "不能",
    "不提交",
    "没有",
    "没用",
    "没解决",
    "用不了",
    "还是不",
    "没拍",
    "不方便",
    "否",
    "错了",
)
_NO_WHOLE = frozenset({"不", "no", "n", "没", "不了"})
_LONGEST_ANSWER = 10


def _words(words: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(f"(?:{alternatives})+")


_ONLY_YES = _words(_BARE_YES)
_ONLY_NO = _words(_BARE_NO)
# "2", "第二个", "2." (punctuation is gone once cleaned), "两件".
_CHOICE = re.compile(f"(?:第)?([1-9]|[{''.join(CHINESE_DIGITS)}])(?:个|件|种|号|项|条)?")


def _short(text: str) -> str:
    return clean(text).rstrip(_PARTICLES)


def yes_or_no(text: str) -> bool | None:
    """True for yes, False for no, None for anything longer or unclear.

    A short answer is read by how it starts ("是这个", "可以了，谢谢"), so it may say more.
    """
    cleaned = _short(text)
    if not cleaned or len(cleaned) > _LONGEST_ANSWER:
        return None
    if cleaned in _NO_WHOLE or contains_any(cleaned, _NO):
        return False
    if cleaned in _YES_WHOLE or cleaned.startswith(_YES):
        return True
    return None


def bare_yes_or_no(text: str) -> bool | None:
    """A whole message that is only a yes or only a no ("好的", "确认提交", "没有"), else None."""
    cleaned = _short(text)
    if _ONLY_NO.fullmatch(cleaned):
        return False
    if _ONLY_YES.fullmatch(cleaned):
        return True
    return None


def choice(text: str, count: int) -> int | None:
    """A number from 1 to `count` ("2", "第二个", "2."), or None."""
    found = _CHOICE.fullmatch(_short(fold(text)))
    if not found:
        return None
    number = number_value(found.group(1))
    return number if 1 <= number <= count else None
