"""Recognising order references, phone digits and intents in a customer's text."""

import re
import unicodedata

from knowledge.normalize import clean

# An order or tracking number: up to four letters followed by 8 to 24 digits.
_REFERENCE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{0,4}[0-9]{8,24})(?![A-Za-z0-9])")
# A ticket number as handlers.ticketing makes them: kind prefix, shop date, a dash, a count
# ("AS20261129-0007"); in any case and with any dash, as customers type them. The dash is
# required: without it "AS202611290007" may as well be some shop's order number.
_TICKET = re.compile(
    r"(?<![A-Za-z0-9])(AS|CP|CB|FU)([0-9]{8})[-‐‑‒–—―]([0-9]{4,6})(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_MOBILE = re.compile(r"1[0-9]{10}")
# Words that may surround phone digits in an answer ("手机尾号是8000"); anything else
# means the digits are part of some other sentence ("我花了1299元") and are no answer.
_PHONE_WORDS = re.compile(
    r"手机号码|手机号|手机|电话号码|电话|号码|尾号|后四位|后4位|末四位|末尾|下单|收货|订单号|订单"
    r"|我的|是|的|为|哦|啊|呀|吧|呢|嗯|好|[\s\W_]"
)


def fold(text: str) -> str:
    """Letters and digits folded to ASCII where Unicode allows: "ＫＦ２０２６" and "٢٠٢٦" too."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in folded)


def is_mobile_number(reference: str) -> bool:
    """A mainland mobile number: proof of who someone is, never an order reference."""
    return _MOBILE.fullmatch(reference) is not None


def ticket_numbers(text: str) -> list[str]:
    """Ticket numbers in the text as stored ("AS20261129-0007"), in order of appearance."""
    found = (f"{kind.upper()}{day}-{count}" for kind, day, count in _TICKET.findall(fold(text)))
    return list(dict.fromkeys(found))


def _without_tickets(folded: str) -> str:
    return _TICKET.sub(" ", folded)


def order_references(text: str) -> list[str]:
    """Order or tracking numbers in the text, upper-cased, in order of appearance.

    The date inside a ticket number ("AS20261129" in "AS20261129-0007") is no order number.
    """
    found = (m.upper() for m in _REFERENCE.findall(_without_tickets(fold(text))))
    return [reference for reference in found if not is_mobile_number(reference)]


def without_references(text: str) -> str:
    """The text with its order, tracking and ticket numbers taken out."""
    return _REFERENCE.sub(
        lambda m: m.group() if is_mobile_number(m.group()) else " ",
        _without_tickets(fold(text)),
    )


def phone_last_four(text: str) -> str | None:
    """The last four phone digits, when the message is an answer giving them."""
    digits = _PHONE_WORDS.sub("", fold(text))
    if len(digits) == 4 and digits.isascii() and digits.isdigit():
        return digits
    if is_mobile_number(digits):
        return digits[-4:]
    return None


# Request words that add nothing to what is asked ("帮我查一下我的订单呢").
_REQUEST_WORDS = re.compile(
    r"帮我|帮忙|麻烦|请问|请|查一下|查下|查查|看一下|看下|看看|一下|我的|我们|我|你好|您好|亲"
    r"|呢|吗|嘛|啊|呀|哦|了|的|有哪些|怎么样|情况"
)


def contains_any(text: str, words: tuple[str, ...]) -> bool:
    return any(word in text for word in words)


def asks_nothing_else(cleaned: str, words: tuple[str, ...]) -> bool:
    """True when the cleaned text is one of `words` plus only request words.

    "帮我查一下我的订单" asks for the orders; "我的订单能改地址吗" asks something else.
    """
    for word in sorted(words, key=len, reverse=True):
        cleaned = cleaned.replace(word, "")
    return len(_REQUEST_WORDS.sub("", cleaned)) <= 1


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
# "我的退货申请有进展了吗": a progress word with something a ticket is about.
_PROGRESS_WORDS = ("进度", "进展", "处理到哪", "处理得怎么样", "处理好了吗", "有结果了吗")
_TICKET_SUBJECTS = ("售后", "工单", "投诉", "退货", "换货", "退款", "维修", "申请")


def asks_ticket_progress(text: str) -> bool:
    """True for a question about one's tickets: "我的售后进度", "投诉进度", a ticket number.

    The after-sales and complaint rules, which come first, leave these to the ticket status
    rule: "售后进度" is not a new after-sales request, nor "投诉进度" a new complaint.
    """
    if _TICKET.search(fold(text)):
        return True
    cleaned = clean(text)
    if contains_any(cleaned, _PROGRESS_PHRASES):
        return True
    return contains_any(cleaned, _PROGRESS_WORDS) and contains_any(cleaned, _TICKET_SUBJECTS)
