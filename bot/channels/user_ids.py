"""One form for a chat user id, whichever way a client spelled it.

Every channel passes the id it was given through `chat_user_id` before the assistant sees it,
so "att2 ", "att2\u200b" and full-width "ａｔｔ２" are one chat (and one lockout), not three.
"""

import unicodedata

# Categories refused outright: control characters and lone surrogates. Cleaning them would
# make two different secret ids one, and no database stores a lone surrogate.
REFUSED_CATEGORIES = ("Cc", "Cs")
# Invisible format characters (zero-width spaces and joiners, bidi controls, BOM): dropped.
INVISIBLE_CATEGORY = "Cf"


class InvalidUserId(ValueError):
    """A chat user id that is empty or holds control characters."""


def has_refused_characters(text: str) -> bool:
    """True for control characters or lone surrogates, which no id may hold (and no database
    stores): refused rather than cleaned, two different secret ids must never become one."""
    return any(unicodedata.category(ch) in REFUSED_CATEGORIES for ch in text)


def chat_user_id(raw: str, case_insensitive: bool = False) -> str:
    """The id in its one form: NFKC, invisible characters dropped, trimmed, and case-folded
    when the channel's ids ignore case; InvalidUserId for control characters or nothing left."""
    if has_refused_characters(raw):
        raise InvalidUserId("user contains control characters")
    text = _visible(unicodedata.normalize("NFKC", raw))
    if case_insensitive:
        text = _visible(unicodedata.normalize("NFKC", text.casefold()))
    text = text.strip()
    if not text:
        raise InvalidUserId("user is required")
    return text


def _visible(text: str) -> str:
    return "".join(ch for ch in text if unicodedata.category(ch) != INVISIBLE_CATEGORY)
