"""Recognising order references, phone digits and intents in a customer's text."""

import re
import unicodedata

# An order or tracking number: up to four letters followed by 8 to 24 digits.
_REFERENCE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{0,4}[0-9]{8,24})(?![A-Za-z0-9])")
_FOUR_DIGITS = re.compile(r"(?<![0-9])([0-9]{4})(?![0-9])")
_MOBILE = re.compile(r"(?<![0-9])1[0-9]{10}(?![0-9])")


def fold(text: str) -> str:
    """Full-width letters and digits folded to ASCII, so "ＫＦ２０２６…" reads as "KF2026…"."""
    return unicodedata.normalize("NFKC", text)


def order_references(text: str) -> list[str]:
    """Order or tracking numbers in the text, upper-cased, in order of appearance."""
    return [m.upper() for m in _REFERENCE.findall(fold(text))]


def is_mobile_number(reference: str) -> bool:
    """A mainland mobile number, which a customer sends to prove who they are."""
    return _MOBILE.fullmatch(reference) is not None


def phone_last_four(text: str) -> str | None:
    """The last four digits of a phone number the customer typed, if the text gives them."""
    folded = fold(text)
    mobile = _MOBILE.search(folded)
    if mobile:
        return mobile.group()[-4:]
    groups = _FOUR_DIGITS.findall(folded)
    return groups[0] if len(groups) == 1 else None


def contains_any(text: str, words: tuple[str, ...]) -> bool:
    return any(word in text for word in words)
