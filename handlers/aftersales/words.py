"""Reading after-sales messages: what is asked for, why, and what the customer describes."""

import re

from core.patterns import without_numbers
from handlers.answers import bare_yes_or_no
from handlers.words import AFTER_SALES_WORDS, contains_any, filler, without_words
from knowledge.normalize import clean

# Request types, stored on the ticket.
RETURN, EXCHANGE, REFUND, REPAIR = "return", "exchange", "refund", "repair"
# Reasons: a fault of the product or the shop, a change of mind, or help with using it.
QUALITY, NO_REASON, USAGE = "quality", "no_reason", "usage"

# Reporting that something received is wrong. "过敏了" is a report, "会过敏吗" is a question.
PROBLEM_WORDS = (
    "坏了",
    "坏的",
    "坏掉",
    "破了",
    "破损",
    "碎了",
    "裂了",
    "漏了",
    "漏液",
    "漏出",
    "过敏了",
    "发错",
    "错发",
    "少发",
    "漏发",
    "变质",
    "质量问题",
    "有问题",
    "用不了",
    "不能用",
    "没法用",
    "不会用",
)
# Signs of a fault, for telling a quality problem from a change of mind.
QUALITY_WORDS = (
    "坏",
    "破",
    "碎",
    "裂",
    "漏",
    "过敏",
    "质量",
    "发错",
    "错发",
    "少发",
    "漏发",
    "变质",
    "过期",
    "假货",
    "瑕疵",
    "异物",
    "刺痛",
    "红肿",
    "发红",
    "起疹",
    "闷痘",
    "有问题",
    "按不出",
    "压不出",
    "挤不出",
    "喷不出",
    "打不开",
    "变色",
    "变味",
    "发臭",
)
NO_REASON_WORDS = (
    "不喜欢",
    "不想要",
    "不要了",
    "不合适",
    "不适合",
    "买错",
    "拍错",
    "选错",
    "买多",
    "多买",
    "多拍",
    "无理由",
    "不需要",
    "用不上",
    "用不到",
    "不想用",
    "没拆",
    "没用过",
    "未使用",
    "没开封",
    "未开封",
    "改变主意",
    "反悔",
    "太贵",
    "降价",
)
USAGE_WORDS = ("用不了", "不能用", "没法用", "不会用", "怎么用", "怎么使用", "用法", "使用问题")
_NOT_A_FAULT = re.compile(r"(没有|没|不是|并非|无)(什么)?(质量问题|问题|坏|破|漏)")
# Someone who wants to start a request: "我要退货", "想换一个", "申请退款", "帮我退了吧".
_WANTS = re.compile(
    r"(我要|我想|想要|想|要|申请|帮我|给我|需要|麻烦)(办理|办|做)?(个|一下)?(退|换|修|售后)"
)
# Asking how to go about it is asking for it: "退货怎么弄" starts the request.
_HOW_TO_START = re.compile(
    r"怎么办|怎么弄|怎么搞|怎么处理|怎么操作|怎么申请|如何申请|怎么退|怎么换"
)
# What is left of a bare request once its words are gone ("我要退货啊" → "").
_REQUEST_EXTRA = (
    "我要",
    "我想",
    "想要",
    "想",
    "要",
    "申请",
    "给我",
    "需要",
    "办理",
    "一下",
    "这个",
    "那个",
    "东西",
    "商品",
    "产品",
    "宝贝",
    "收到的",
    "收到",
    "买的",
    "个",
    "一个",
    "可以吗",
    "行吗",
    "好吗",
)
_REQUEST_FILLER = filler(*_REQUEST_EXTRA)
# Nothing of what happened either: how much ("质量太差了"), and that there is nothing to say.
_NO_DETAIL = filler(
    *_REQUEST_EXTRA,
    "太",
    "很",
    "真的",
    "真",
    "非常",
    "特别",
    "超级",
    "有点",
    "就",
    "都",
    "也",
    "还",
    "又",
    "不知道",
    "不清楚",
    "不晓得",
    "随便",
    "都行",
    "没什么",
    "没啥",
    "就这样",
    "如题",
    "同上",
)
_CHINESE = re.compile(r"[\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# "阿巴阿巴", "哈哈": one short sound said over and over.
_REPEATED = re.compile(r"(.{1,3}?)\1+")
_QUESTION = re.compile(
    r"吗|么|谁|多久|几天|多少|哪|怎样|如何|是否|能不能|可不可以|会不会|有没有|为什么|为啥|怎么"
)
_HYPOTHETICAL = re.compile(r"如果|万一|的话|会不会|假如|要是")
# Exclamations built from a question word: "什么破东西", "搞什么", "什么玩意儿" ask nothing.
_RHETORICAL = re.compile(r"什么(破|烂|鬼|玩意)|搞什么|干什么吃的")
WRONG_ORDER = (
    "不是这个订单",
    "不是这单",
    "不是这笔",
    "订单不对",
    "订单错了",
    "换个订单",
    "换一个订单",
)
WRONG_ITEM = ("不是这个", "不是这件", "不是这款", "商品不对", "选错了", "不是它")
# Taking back an earlier answer: with an order number or an item, a correction, not a story.
CORRECTION_WORDS = ("不对", "不是", "搞错", "弄错", "错了", "还是")


def is_question(text: str) -> bool:
    """Whether the message asks something, beyond asking how to start a request."""
    if "?" in text or "？" in text:
        return True
    cleaned = _RHETORICAL.sub("", _HOW_TO_START.sub("", clean(text)))
    for word in USAGE_WORDS + PROBLEM_WORDS:
        cleaned = cleaned.replace(word, "")
    return bool(_QUESTION.search(cleaned) or _HYPOTHETICAL.search(cleaned))


def reports_problem(text: str) -> bool:
    """Something received is wrong ("收到的东西坏了"), said as a fact, not a what-if."""
    cleaned = clean(text)
    return contains_any(cleaned, PROBLEM_WORDS) and not _HYPOTHETICAL.search(cleaned)


def names_request(text: str) -> bool:
    """An after-sales request by name ("退货"), or a wish for one ("我要换个大瓶的")."""
    cleaned = clean(text)
    return contains_any(cleaned, AFTER_SALES_WORDS) or _WANTS.search(cleaned) is not None


def wants_request(text: str) -> bool:
    """The customer asks to start a request, in so many words or with nothing else said."""
    cleaned = clean(text)
    if _WANTS.search(cleaned):
        return True
    rest = _HOW_TO_START.sub("", cleaned)
    for word in AFTER_SALES_WORDS:
        rest = rest.replace(word, "")
    return len(_REQUEST_FILLER.sub("", rest)) <= 1


def request_type(text: str) -> str | None:
    """The type of request the text names, if it names one clearly."""
    cleaned = clean(text)
    if contains_any(cleaned, ("仅退款", "只退款", "只要退款", "不退货")):
        return REFUND
    if contains_any(cleaned, ("退货", "退回", "退掉", "寄回")):
        return RETURN
    if contains_any(cleaned, ("退款", "退钱", "退费")):
        return REFUND
    if "换" in cleaned.replace("退换", ""):
        return EXCHANGE
    if "退换" in cleaned:
        return None  # return or exchange: ask
    if contains_any(cleaned, ("维修", "修理", "修一下", "报修", "返修", "保修")):
        return REPAIR
    if re.search(r"(想|要|我)退", cleaned):
        return RETURN
    return None


def reason(text: str) -> str | None:
    """A quality problem, a change of mind, or a usage problem, when the text says which."""
    cleaned = _NOT_A_FAULT.sub("", clean(text))
    if contains_any(cleaned, QUALITY_WORDS):
        return QUALITY
    if contains_any(cleaned, NO_REASON_WORDS):
        return NO_REASON
    if contains_any(cleaned, USAGE_WORDS):
        return USAGE
    return None


def detail(text: str) -> str:
    """What the text says beyond the request, the problem and reason words, questions,
    order and phone numbers and filler ("面霜收到就漏了" → "面霜")."""
    rest = clean(without_numbers(text))
    for words in (AFTER_SALES_WORDS, PROBLEM_WORDS, QUALITY_WORDS, NO_REASON_WORDS, USAGE_WORDS):
        rest = without_words(rest, words)
    rest = _QUESTION.sub("", _HOW_TO_START.sub("", rest))
    return _NO_DETAIL.sub("", rest)


def _says_something(rest: str, text: str) -> bool:
    """Whether the detail of a text has content: not a yes or no ("确认提交"), not one sound
    over and over ("阿巴阿巴"), and in Latin letters at least two words."""
    if bare_yes_or_no(text) is not None or len(set(rest)) < 2 or _REPEATED.fullmatch(rest):
        return False
    return bool(_CHINESE.search(rest)) or len(_LATIN_WORD.findall(without_numbers(text))) >= 2


def has_details(text: str) -> bool:
    """Whether the text says more than the request itself, so it can serve as a description.

    With a problem or a reason in it ("面霜收到就漏了") a little more is enough; a usage
    problem needs to say what does not work ("精华不会用" does not).
    """
    rest = detail(text)
    if not _says_something(rest, text):
        return False
    return len(rest) >= (2 if reason(text) in (QUALITY, NO_REASON) else 4)


def describes(text: str) -> bool:
    """Whether an answer to "what happened?" says anything: a problem or a reason, or some
    detail. A bare request ("换货"), a yes or no ("确认") and sounds ("阿巴阿巴") do not."""
    if reason(text) is not None or reports_problem(text):
        return True
    return _says_something(detail(text), text)


def says_wrong_order(text: str) -> bool:
    return contains_any(clean(text), WRONG_ORDER)


def says_wrong_item(text: str) -> bool:
    cleaned = clean(text)
    return len(cleaned) <= 8 and contains_any(cleaned, WRONG_ITEM)


def corrects(text: str) -> bool:
    """Whether the text takes something back ("哦不对", "还是刚才那个"); a correction when
    it names an order or an item too."""
    return contains_any(clean(text), CORRECTION_WORDS)
