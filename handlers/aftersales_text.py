"""Reading after-sales messages: what is asked for, why, and short answers to the questions."""

import re

from handlers.patterns import fold
from knowledge.normalize import clean

# Request types, stored on the ticket.
RETURN, EXCHANGE, REFUND, REPAIR = "return", "exchange", "refund", "repair"
# Reasons: a fault of the product or the shop, a change of mind, or help with using it.
QUALITY, NO_REASON, USAGE = "quality", "no_reason", "usage"

# Asking for an after-sales request by name.
REQUEST_WORDS = (
    "退货",
    "换货",
    "退换",
    "退款",
    "退钱",
    "退掉",
    "退回",
    "维修",
    "修理",
    "报修",
    "返修",
    "保修",
    "售后",
)
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
_REQUEST_FILLER = re.compile(
    r"我要|我想|想要|想|要|申请|帮我|给我|需要|麻烦|办理|一下|这个|那个|东西|商品|产品|宝贝"
    r"|收到的|收到|买的|我|的|了|吧|啊|呀|哦|呢|嗯|亲|你好|您好|请|个|一个|可以吗|行吗|好吗"
)
_QUESTION = re.compile(
    r"吗|么|谁|多久|几天|多少|哪|怎样|如何|是否|能不能|可不可以|会不会|有没有|为什么|为啥|怎么"
)
_HYPOTHETICAL = re.compile(r"如果|万一|的话|会不会|假如|要是")
_YES = ("是", "对", "嗯", "好", "确认", "提交", "可以", "行", "没错", "要", "需要", "能", "解决了")
_YES_WHOLE = frozenset({"ok", "okay", "yes", "y", "没问题", "有用", "有帮助"})
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
_BARE_NO = frozenset({"没有", "没", "无", "不", "不用", "没什么", "没啥", "no"})
_BARE_YES = frozenset({"好", "好的", "嗯", "嗯嗯", "是", "是的", "对", "行", "ok", "yes"})
_CHOICE_WORDS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6}
_CHOICE = re.compile(r"^(?:第)?([1-9]|[一二两三四五六])(?:个|件|种|号|项)?$")
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


def contains_any(text: str, words: tuple[str, ...]) -> bool:
    return any(word in text for word in words)


def is_question(text: str) -> bool:
    """Whether the message asks something, beyond asking how to start a request."""
    if "?" in text or "？" in text:
        return True
    cleaned = _HOW_TO_START.sub("", clean(text))
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
    return contains_any(cleaned, REQUEST_WORDS) or _WANTS.search(cleaned) is not None


def wants_request(text: str) -> bool:
    """The customer asks to start a request, in so many words or with nothing else said."""
    cleaned = clean(text)
    if _WANTS.search(cleaned):
        return True
    rest = _HOW_TO_START.sub("", cleaned)
    for word in REQUEST_WORDS:
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


def has_details(text: str) -> bool:
    """Whether the text says more than the request itself, so it can serve as a description."""
    rest = clean(text)
    for words in (REQUEST_WORDS, PROBLEM_WORDS, QUALITY_WORDS, NO_REASON_WORDS, USAGE_WORDS):
        for word in words:
            rest = rest.replace(word, "")
    rest = _HOW_TO_START.sub("", rest)
    return len(_REQUEST_FILLER.sub("", rest)) >= 4


def yes_or_no(text: str) -> bool | None:
    """True for yes, False for no, None for anything longer or unclear."""
    cleaned = clean(text).rstrip("吧呀啊哦呢啦的了")
    if not cleaned or len(cleaned) > 10:
        return None
    if cleaned in _NO_WHOLE or contains_any(cleaned, _NO):
        return False
    if cleaned in _YES_WHOLE or cleaned.startswith(_YES):
        return True
    return None


def bare_yes_or_no(text: str) -> bool | None:
    """A whole message that is only a yes or a no ("好的", "没有"), else None."""
    cleaned = clean(text).rstrip("吧呀啊哦呢啦的了")
    if cleaned in _BARE_NO:
        return False
    if cleaned in _BARE_YES:
        return True
    return None


def choice(text: str, count: int) -> int | None:
    """A number from 1 to `count` ("2", "第二个", "2."), or None."""
    cleaned = clean(fold(text))
    found = _CHOICE.match(cleaned)
    if not found:
        return None
    token = found.group(1)
    number = int(token) if token.isdigit() else _CHOICE_WORDS[token]
    return number if 1 <= number <= count else None


def says_wrong_order(text: str) -> bool:
    return contains_any(clean(text), WRONG_ORDER)


def says_wrong_item(text: str) -> bool:
    cleaned = clean(text)
    return len(cleaned) <= 8 and contains_any(cleaned, WRONG_ITEM)
