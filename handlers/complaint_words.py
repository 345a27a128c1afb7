"""The words of complaints: recognising one, how severe it is, what it is about, how clear.

All matching is on `clean` text (width, case and script folded, punctuation gone), except the
exclamation marks, which are counted on the text as written.
"""

import re
import unicodedata
from dataclasses import dataclass

from handlers.patterns import contains_any, fold
from handlers.smalltalk import GREETINGS
from knowledge.normalize import clean

# Threats to take it outside the shop, or accusations of fraud: urgent, and they interrupt
# any open dialog.
SEVERE_WORDS = (
    "消协",
    "消费者协会",
    "工商局",
    "找工商",
    "市场监管",
    "监管局",
    "找媒体",
    "记者",
    "电视台",
    "曝光",
    "律师",
    "起诉",
    "法院",
    "告你们",
    "报警",
    "警察",
    "公安",
    "骗子",
    "诈骗",
    "欺诈",
    "维权",
)
# Hotlines, only as a number of their own (not inside an order or tracking number).
_SEVERE_NUMBERS = re.compile(r"(?<![0-9])(12315|12345)(?![0-9])")

# Saying it is a complaint, or insulting the shop: a complaint whatever else is asked.
EXPLICIT_WORDS = (
    "投诉",
    "差评",
    "举报",
    "黑店",
    "奸商",
    "无良",
    "坑人",
    "坑钱",
    "坑爹",
    "骗钱",
    "垃圾",
    "破东西",
    "什么破",
    "傻逼",
    "他妈的",
)
_DEGREE = "太|很|真|超|特别|非常|这么|那么|极其|实在"
# "态度太差", "服务不好"; not "服务好不好", which is a question.
_EXPLICIT_PATTERNS = re.compile(rf"(态度|服务)(是)?({_DEGREE})?(差|烂|恶劣|不好)")
# Asking how a complaint is going ("投诉进度", "我的投诉处理得怎么样了") is a status question
# for the ticket-status rule, unless anger comes with it.
_PROGRESS = re.compile(
    r"(投诉|工单|售后)(单|的事情|的事|的那个|那个|的)?(处理)?(得|的)?"
    r"(进度|进展|结果|状态|怎么样|到哪|有结果|有进展|有回复|回复了|了没|了吗|完了|好了)"
)
# "不会给差评的" promises the opposite.
_NEGATED = re.compile(r"(不会|不给|不想|不用|不至于|没有|没)给?(差评|投诉|举报)")

# Anger and disappointment: a complaint on its own, but an answer inside another dialog, and
# second to an explicit after-sales request ("质量太差了，我要退货").
ANGER_WORDS = (
    "差劲",
    "无语",
    "气死",
    "过分",
    "恶心",
    "失望",
    "不像话",
    "忍无可忍",
    "受不了你们",
    "什么玩意",
    "什么鬼",
    "你们怎么回事",
    "到底怎么回事",
    "怎么搞的",
    "搞什么",
    "忽悠",
    "没人管",
    "欺负人",
)
_ANGER_PATTERNS = re.compile(rf"({_DEGREE}|好)(差|烂|慢)(?!价)")
ANGRY_EXCLAMATIONS = 3
# Exclamations of joy are not anger ("收到啦谢谢!!!").
PLEASED_WORDS = (
    "谢谢",
    "感谢",
    "好评",
    "太好了",
    "太棒",
    "好棒",
    "真棒",
    "爱了",
    "点赞",
    "好喜欢",
    "很喜欢",
    "超喜欢",
)
# An after-sales request the after-sales rule should take, unless the complaint is explicit.
AFTER_SALES_WORDS = ("退货", "换货", "退款", "退钱", "补发", "维修", "售后")

CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "logistics": (
        "快递",
        "物流",
        "没到",
        "没收到",
        "未收到",
        "慢",
        "丢件",
        "丢了",
        "配送",
        "派送",
        "送货",
        "发货",
        "没发",
        "包裹",
        "签收",
        "单号",
    ),
    "quality": (
        "质量",
        "坏",
        "破",
        "假货",
        "假的",
        "过敏",
        "烂",
        "变质",
        "过期",
        "漏",
        "刺痛",
        "红肿",
        "长痘",
        "闷痘",
        "没效果",
        "不好用",
        "味道",
        "发霉",
        "瑕疵",
    ),
    "service": (
        "态度",
        "客服",
        "不回",
        "不理",
        "没人理",
        "没人回",
        "回复",
        "服务",
        "敷衍",
        "骂人",
        "推卸",
        "踢皮球",
    ),
    "price": (
        "价格",
        "价钱",
        "差价",
        "降价",
        "涨价",
        "原价",
        "标价",
        "贵",
        "便宜",
        "多收",
        "多扣",
        "乱收费",
        "运费",
        "优惠",
    ),
}

# Words that say nothing about what happened ("我要去投诉你们家"); what remains of a message
# once they and the complaint words are gone is its detail.
_EMPTY_WORDS = re.compile(
    r"我们|我要|我想|我|你们|你|他们|要|想|去|给|向|找|打|跟|电话|了|的|吧|啊|呀|呢|吗|嘛|哦"
    r"|就|都|也|还|必须|一定|马上|立刻|现在|真的|真是|简直|这|那|个|家|店|什么|亲|在吗|客服"
)
UNCLEAR_AT_MOST = 2  # characters of detail


@dataclass(frozen=True)
class ComplaintSignal:
    """What recognising a message found: how severe, and whether it said "complaint"."""

    severe: bool
    explicit: bool


def exclamations(text: str) -> int:
    return unicodedata.normalize("NFKC", text).count("!")


def is_severe(text: str) -> bool:
    # Hotline numbers are looked for before `clean` joins them to the digits around them.
    return contains_any(clean(text), SEVERE_WORDS) or bool(_SEVERE_NUMBERS.search(fold(text)))


def recognise(text: str) -> ComplaintSignal | None:
    """The complaint in a message, or None when it is not one."""
    cleaned = _PROGRESS.sub("", _NEGATED.sub("", clean(text)))
    severe = is_severe(text)
    explicit = contains_any(cleaned, EXPLICIT_WORDS) or bool(_EXPLICIT_PATTERNS.search(cleaned))
    if severe or explicit:
        return ComplaintSignal(severe=severe, explicit=explicit)
    angry = contains_any(cleaned, ANGER_WORDS) or bool(_ANGER_PATTERNS.search(cleaned))
    shouting = (
        exclamations(text) >= ANGRY_EXCLAMATIONS
        and cleaned not in GREETINGS  # "在吗！！！" is impatience, not yet a complaint
        and not contains_any(cleaned, PLEASED_WORDS)
    )
    if (angry or shouting) and not contains_any(cleaned, AFTER_SALES_WORDS):
        return ComplaintSignal(severe=False, explicit=False)
    return None


def classify(text: str) -> str:
    """logistics, quality, service, price or other: the most words; a tie goes to the first."""
    cleaned = clean(text)
    best, best_key = "other", (0, 0)
    for category, words in CATEGORY_WORDS.items():
        positions = [cleaned.find(word) for word in words if word in cleaned]
        if positions:
            key = (len(positions), -min(positions))
            if key > best_key:
                best, best_key = category, key
    return best


def detail(text: str) -> str:
    """What a complaint says beyond the complaint itself."""
    cleaned = clean(_SEVERE_NUMBERS.sub("", fold(text)))
    for words in (SEVERE_WORDS, EXPLICIT_WORDS, ANGER_WORDS):
        for word in sorted(words, key=len, reverse=True):
            cleaned = cleaned.replace(word, "")
    cleaned = _EXPLICIT_PATTERNS.sub("", cleaned)
    cleaned = _ANGER_PATTERNS.sub("", cleaned)
    return _EMPTY_WORDS.sub("", cleaned)


def is_unclear(text: str) -> bool:
    """True when the message says it is a complaint but not what happened ("我要投诉")."""
    return len(detail(text)) <= UNCLEAR_AT_MOST
