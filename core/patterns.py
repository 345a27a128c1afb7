"""Recognising order references, phone digits and intents in a customer's text."""

import re
import unicodedata
from functools import lru_cache

from core.ticket_numbers import TICKET_NUMBER
from knowledge.normalize import CHINESE_DIGITS, clean

# An order or tracking number: up to four letters followed by 8 to 24 digits.
_REFERENCE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{0,4}[0-9]{8,24})(?![A-Za-z0-9])")
# A ticket number ("AS20261129-0007"), as core.ticket_numbers defines it.
_MOBILE = re.compile(r"1[0-9]{10}")
# Words that may surround phone digits in an answer ("手机尾号是8000"); anything else
# means the digits are part of some other sentence ("我花了1299元") and are no answer.
_PHONE_WORDS = re.compile(
    r"手机号码|手机号|手机|电话号码|电话|号码|尾号|后四位|后4位|末四位|末尾|下单|收货|订单号|订单"
    r"|我的|是|的|为|哦|啊|呀|吧|呢|嗯|好|[\s\W_]"
)
# Phone digits after words that say what they are ("手机尾号是8000", "电话：13800138000").
_PHONE_CUE = r"手机号码|手机号|手机|电话号码|电话|尾号|后四位|后4位|末四位|末4位"
_NAMED_PHONE_DIGITS = re.compile(
    rf"(?:{_PHONE_CUE})(?:{_PHONE_CUE}|的)*(?:是|为|[\s:：])*(1[0-9]{{10}}|[0-9]{{4}})(?![0-9])"
)
_ANY_MOBILE = re.compile(r"(?<![0-9])1[0-9]{10}(?![0-9])")


# Like `clean`, called many times on one message by the rules: fold it once.
@lru_cache(maxsize=256)
def fold(text: str) -> str:
    """Letters and digits folded to ASCII where Unicode allows: "ＫＦ２０２６" and "٢٠٢٦" too."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in folded)


def number_value(token: str) -> int:
    """The value of digits ("3", "12") or of one Chinese numeral ("三", "两")."""
    return int(token) if token.isdigit() else CHINESE_DIGITS[token]


def is_mobile_number(reference: str) -> bool:
    """A mainland mobile number: proof of who someone is, never an order reference."""
    return _MOBILE.fullmatch(reference) is not None


def ticket_numbers(text: str) -> list[str]:
    """Ticket numbers in the text as stored ("AS20261129-0007"), in order of appearance."""
    parts = TICKET_NUMBER.findall(fold(text))
    found = (f"{kind.upper()}{day}-{count}" for kind, day, count in parts)
    return list(dict.fromkeys(found))


def order_references(text: str) -> list[str]:
    """Order or tracking numbers in the text, upper-cased, in order of appearance.

    The date inside a ticket number ("AS20261129" in "AS20261129-0007") is no order number.
    """
    found = (m.upper() for m in _REFERENCE.findall(TICKET_NUMBER.sub(" ", fold(text))))
    return [reference for reference in found if not is_mobile_number(reference)]


def without_references(text: str) -> str:
    """The text with its order, tracking and ticket numbers taken out."""
    return _REFERENCE.sub(
        lambda m: m.group() if is_mobile_number(m.group()) else " ",
        TICKET_NUMBER.sub(" ", fold(text)),
    )


def phone_last_four(text: str) -> str | None:
    """The last four phone digits, when the message is an answer giving them."""
    digits = _PHONE_WORDS.sub("", fold(text))
    if len(digits) == 4 and digits.isascii() and digits.isdigit():
        return digits
    if is_mobile_number(digits):
        return digits[-4:]
    return None


def without_numbers(text: str) -> str:
    """The text without its order, tracking and ticket numbers and phone numbers or digits,
    with the words that name them ("尾号5678")."""
    return _ANY_MOBILE.sub(" ", _NAMED_PHONE_DIGITS.sub(" ", without_references(text)))


def phone_digits_with_reference(text: str) -> str | None:
    """The last four phone digits given in a message that names an order.

    Either the rest of the message is only them ("KF2026…，尾号8000"), or they follow a phone
    word ("KF2026…要退款，手机尾号8000"), or it holds a whole mobile number.
    """
    rest = without_references(text)
    digits = phone_last_four(rest)
    if digits is not None:
        return digits
    named = _NAMED_PHONE_DIGITS.search(rest)
    if named:
        return named.group(1)[-4:]
    mobile = _ANY_MOBILE.search(rest)
    return mobile.group()[-4:] if mobile else None


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
