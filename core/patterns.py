"""Recognising order references, ticket numbers and phone digits in a customer's text."""

import re
import unicodedata
from functools import lru_cache

from core.ticket_numbers import TICKET_NUMBER

# The Chinese numerals of one digit ("两" is two before a measure word: "两件", "两星").
CHINESE_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4}
CHINESE_DIGITS |= {"五": 5, "六": 6, "七": 7, "八": 8, "九": 9}

# What people write between a phone number's digits: "138 0013 8000", "(021) 5555-1234".
PHONE_SEPARATORS = str.maketrans("", "", " -().")
# The mainland's country code as written after "+" or an international prefix ("00").
COUNTRY_CODES = ("86", "0086")
MAINLAND_DIGITS = 11
MAX_PHONE_DIGITS = 32  # the phone column's size

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


def phone_candidates(text: str) -> list[str]:
    """The stored forms a typed phone number may have (digits only), as typed first; none
    when the text is not a phone number."""
    digits = text.translate(PHONE_SEPARATORS).removeprefix("+")
    if not (digits.isdecimal() and digits.isascii()) or len(digits) > MAX_PHONE_DIGITS:
        return []
    candidates = [digits]
    for code in COUNTRY_CODES:
        if digits.startswith(code) and len(digits) == len(code) + MAINLAND_DIGITS:
            # "+86 138…": a mainland number the shop stores without the country code.
            candidates.append(digits.removeprefix(code))
    return candidates
