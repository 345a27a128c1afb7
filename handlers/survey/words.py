"""Reading a 1–5 satisfaction rating from a short answer: "5", "五星", "⭐⭐⭐⭐", "非常满意".

A message is a rating only when it is essentially nothing else: rating phrases and a few
filler words around them ("打5分吧", "物流很满意，谢谢"). Anything left over ("5天能到吗",
"满意的话能返现吗") or phrases that disagree ("质量很好，物流很差") mean it is no rating.

Phrases are read with a little grammar, degree words and negations before a word of praise
or blame: "满意" 4, "很满意" 5, "不满意" 2, "不是很满意" 2, "很不满意" 1, "太差了" 1.
"""

import re
import unicodedata
from collections.abc import Iterable

from core.patterns import CHINESE_DIGITS, number_value
from knowledge.normalize import clean

LOWEST, HIGHEST = 1, 5
# A longer message is a sentence that happens to hold a rating word, not an answer.
_LONGEST_ANSWER = 16
_STARS = ("★", "⭐", "🌟")
# "4/5": a score out of five, written as on review sites.
_OUT_OF_FIVE = re.compile(r"(\d)\s*/\s*5(?!\d)\s*分?")
# "好不好", "满不满意": asking, in the A-not-A form.
_A_NOT_A = re.compile(r"(.)[不没]\1")

# Ratings as set phrases, read before the grammar below ("还好" is 3, though "挺好" is 4).
_PHRASES = {
    "满分": 5,
    "好评": 5,
    "完美": 5,
    "点赞": 5,
    "中评": 3,
    "一般般": 3,
    "一般": 3,
    "还好": 3,
    "还行": 3,
    "还可以": 3,
    "凑合": 3,
    "马马虎虎": 3,
    "马虎": 3,
    "中规中矩": 3,
    "及格": 3,
    "不怎么样": 2,
    "不咋样": 2,
    "不咋地": 2,
    "差评": 1,
}
# Degree words before praise or blame: strong ones make it the top or bottom mark.
_STRONG = (
    "非常",
    "很",
    "特别",
    "超级",
    "超",
    "十分",
    "太",
    "相当",
    "真的",
    "真",
    "极其",
    "极",
    "巨",
    "好",
)
_MILD = ("挺", "比较", "蛮", "还算", "还", "算是", "较", "有点", "有些")
# Negations that soften ("不是很满意") rather than reverse; a plain "不" reverses.
_SOFT_NEGATIONS = (
    "不太",
    "不怎么",
    "不是很",
    "不是太",
    "不是特别",
    "不是非常",
    "不是那么",
    "不算",
    "不够",
    "不大",
    "没那么",
    "没有很",
)
# Words of praise and blame, with the rating each gives: plain, after a mild degree word,
# after a strong one, negated, strongly negated ("很不满意"). None: no rating ("好" alone is
# "OK", "不差" is unclear).
_Grades = tuple[int | None, int | None, int | None, int | None, int | None]
_WORDS: dict[str, _Grades] = {
    "满意": (4, 4, 5, 2, 1),
    "好": (None, 4, 5, 2, 1),
    "不错": (4, 4, 5, None, None),
    "棒": (5, 4, 5, 2, 1),
    "赞": (5, 4, 5, None, None),
    "差": (1, 2, 1, None, None),
    "差劲": (1, 2, 1, None, None),
    "烂": (1, 2, 1, None, None),
    "糟糕": (1, 2, 1, None, None),
    "垃圾": (1, 2, 1, None, None),
    "失望": (2, 2, 1, None, None),
}
# Words around a rating that say nothing more: who rates, how, about what, politeness.
_FILLER = (
    "我的评分是",
    "总的来说",
    "我给",
    "我打",
    "给你们",
    "给您",
    "给个",
    "打个",
    "评分",
    "打分",
    "我",
    "你们",
    "您",
    "给",
    "打",
    "评",
    "选",
    "是",
    "就",
    "都",
    "也",
    "还是",
    "当然",
    "必须",
    "肯定",
    "整体",
    "总体",
    "这次",
    "服务",
    "态度",
    "东西",
    "商品",
    "产品",
    "宝贝",
    "质量",
    "物流",
    "快递",
    "包装",
    "体验",
    "用着",
    "谢谢",
    "感谢",
    "亲",
    "嗯",
    "的",
    "了",
    "吧",
    "啊",
    "呀",
    "哦",
    "啦",
    "哈",
    "呢",
    "哇",
)


def _alternatives(words: Iterable[str]) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


_DEGREE = re.compile(_alternatives(_STRONG + _MILD))
# One token of an answer: a set phrase, a graded word, a number with its unit, or filler.
# Set phrases come first, so "一般" is not the number one.
_TOKEN = re.compile(
    f"(?P<phrase>{_alternatives(_PHRASES)})"
    f"|(?P<degree>(?:{_DEGREE.pattern})+)?"
    f"(?P<negation>{_alternatives(_SOFT_NEGATIONS)}|不)?"
    f"(?P<word>{_alternatives(_WORDS)})"
    f"|(?P<number>[0-9]+|[{''.join(CHINESE_DIGITS)}])(?:颗星|个星|星星|颗|星|分)?"
    f"|(?P<filler>{_alternatives(_FILLER)})"
)


def read_rating(text: str) -> int | None:
    """The 1–5 rating a short answer gives, or None when it is no rating, or not only one."""
    folded = _OUT_OF_FIVE.sub(r"\1分", unicodedata.normalize("NFKC", text))
    if "?" in folded:
        return None
    words = clean(folded)
    if len(words) > _LONGEST_ANSWER or _A_NOT_A.search(words):
        return None
    ratings: list[int | None] = []
    has_number = False
    position = 0
    while position < len(words):
        token = _TOKEN.match(words, position)
        if token is None or not token.group():
            return None  # a word that is neither a rating nor filler
        position = token.end()
        if token["filler"] is None:
            has_number = has_number or token["number"] is not None
            ratings.append(_rating_of(token))
    stars = sum(folded.count(star) for star in _STARS)
    if stars and not has_number:  # "5⭐" is five stars, not five and one
        ratings.append(min(stars, HIGHEST))
    found = set(ratings)
    if len(found) != 1:
        return None  # no rating at all, or ratings that disagree
    rating = found.pop()
    return rating if rating is not None and LOWEST <= rating <= HIGHEST else None


def _rating_of(token: re.Match[str]) -> int | None:
    if token["phrase"] is not None:
        return _PHRASES[token["phrase"]]
    if token["number"] is not None:
        return number_value(token["number"])
    plain, mild, strong, negated, strongly_negated = _WORDS[token["word"]]
    degree = token["degree"] or ""
    if token["word"] == "好" and not degree.strip("好"):
        degree = ""  # "好好" is a nod, not "very good"
    is_strong = any(d in _STRONG for d in _DEGREE.findall(degree))
    if token["negation"] == "不":
        return strongly_negated if is_strong else negated
    if token["negation"] is not None:
        return negated
    if not degree:
        return plain
    return strong if is_strong else mild
