"""Words customers use across needs: after-sales requests, filler, questions, progress."""

import re

from core.patterns import fold
from core.ticket_numbers import TICKET_NUMBER
from knowledge.normalize import clean

# After-sales requests by name: the after-sales rule's to start, no complaint on their own.
AFTER_SALES_WORDS = (
    "退货",
    "换货",
    "退换",
    "退款",
    "退钱",
    "退掉",
    "退回",
    "补发",
    "维修",
    "修理",
    "报修",
    "返修",
    "保修",
    "售后",
)
# Words that say nothing of what a message is about: pronouns, greetings, politeness and
# particles. What is left of a message once its keywords and these are gone is what it adds;
# each reader adds the words that say nothing in its own matter (`filler`).
FILLER_WORDS = (
    "我们",
    "我的",
    "我",
    "你好",
    "您好",
    "亲",
    "请",
    "麻烦",
    "帮我",
    "了",
    "的",
    "吧",
    "啊",
    "呀",
    "哦",
    "呢",
    "吗",
    "嘛",
    "嗯",
)


def filler(*extra: str) -> re.Pattern[str]:
    """A pattern for the filler words and `extra`, the longest first."""
    words = sorted({*FILLER_WORDS, *extra}, key=len, reverse=True)
    return re.compile("|".join(re.escape(word) for word in words))


# Request words that add nothing to what is asked ("帮我查一下我的订单呢").
_REQUEST_WORDS = filler(
    "帮忙",
    "请问",
    "查一下",
    "查下",
    "查查",
    "看一下",
    "看下",
    "看看",
    "一下",
    "有哪些",
    "怎么样",
    "情况",
)


def without_words(text: str, words: tuple[str, ...]) -> str:
    """The text with every one of `words` taken out, longest first."""
    for word in sorted(words, key=len, reverse=True):
        text = text.replace(word, "")
    return text


# A message that asks something ("满多少包邮", "什么时候到？"), as opposed to telling it.
_QUESTION = re.compile(
    r"[?？]|吗|么|多少|多久|几天|几时|哪|如何|是否|能不能|可不可以|会不会|有没有|为什么|为啥|啥"
)


def asks_something(text: str) -> bool:
    """True when the message is worded as a question, not a statement ("满多少包邮")."""
    return _QUESTION.search(text) is not None


def contains_any(text: str, words: tuple[str, ...]) -> bool:
    return any(word in text for word in words)


def asks_nothing_else(cleaned: str, words: tuple[str, ...]) -> bool:
    """True when the cleaned text is one of `words` plus only request words.

    "帮我查一下我的订单" asks for the orders; "我的订单能改地址吗" asks something else.
    """
    return len(_REQUEST_WORDS.sub("", without_words(cleaned, words))) <= 1


# Asking for the progress of one's tickets in so many words.
_PROGRESS_PHRASES = (
    "售后进度",
    "工单进度",
    "投诉进度",
    "我的工单",
    "我的售后",
    "查工单",
    "工单状态",
    "售后状态",
    "投诉状态",
)
# Said alone ("多久能处理好", "处理好了吗"), these ask after what is being worked on: a ticket,
# when the chat has one open. Not "好了没" ("你好了没"), which says nothing of processing.
_BARE_PROGRESS_WORDS = (
    "进度",
    "进展",
    "处理到哪",
    "处理得怎么样",
    "处理好了吗",
    "处理好了没",
    "处理完了吗",
    "处理完了没",
    "处理了吗",
    "弄好了吗",
    "弄好了没",
    "什么时候处理好",
    "什么时候能处理好",
    "啥时候处理好",
    "啥时候能处理好",
    "多久能处理好",
    "多久能处理",
    "多久处理",
    "有结果了吗",
    "有结果了没",
)
# "我的退货申请有进展了吗", "售后弄好了没": a progress word with something a ticket is about.
_PROGRESS_WORDS = (
    *_BARE_PROGRESS_WORDS,
    "到哪一步",
    "哪一步了",
    "怎么样了",
    "办好了吗",
    "办好了没",
    "好了吗",
    "好了没",
    "多久能好",
    "有回复了吗",
    "有回音了吗",
)
_TICKET_SUBJECTS = ("售后", "工单", "投诉", "退货", "换货", "退款", "维修", "申请")
# Words around a bare progress question that name nothing else ("你们大概什么时候能处理好啊").
_BARE_PROGRESS_FILLER = filler(
    "你们",
    "请问",
    "大概",
    "大约",
    "一般",
    "现在",
    "到底",
    "究竟",
    "还要",
    "还得",
    "需要",
    "要",
    "能",
    "还",
    "就",
    "都",
    "那",
    "这个",
    "那个",
    "这事",
    "事情",
    "问题",
    "客服",
    "啊",
)


def asks_ticket_progress(text: str, *, has_active_ticket: bool = False) -> bool:
    """True for a question about one's tickets: "我的售后进度", "投诉进度", a ticket number.

    The after-sales and complaint rules, which come first, leave these to the ticket status
    rule: "售后进度" is not a new after-sales request, nor "投诉进度" a new complaint. When the
    caller knows the chat `has_active_ticket`, a progress question without a subject
    ("多久能处理好") is one too, if it names nothing else ("订单多久处理发货" does).
    """
    if TICKET_NUMBER.search(fold(text)):
        return True
    cleaned = clean(text)
    if contains_any(cleaned, _PROGRESS_PHRASES):
        return True
    if contains_any(cleaned, _PROGRESS_WORDS) and contains_any(cleaned, _TICKET_SUBJECTS):
        return True
    if not has_active_ticket or not contains_any(cleaned, _BARE_PROGRESS_WORDS):
        return False
    rest = without_words(cleaned, _BARE_PROGRESS_WORDS)
    return len(_BARE_PROGRESS_FILLER.sub("", rest)) <= 1
