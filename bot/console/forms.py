"""Reading what staff typed into a form (or sent as JSON)."""

import unicodedata
from collections.abc import Mapping
from typing import Any

KEPT_CONTROLS = "\n\t"


def form_text(data: Mapping[str, Any], name: str) -> str:
    """The field as plain text: anything but a string (a file, a JSON list) reads as empty.

    Control characters other than line breaks and tabs, and lone surrogates, are dropped:
    PostgreSQL refuses NUL, and nobody means to type the others.
    """
    value = data.get(name, "")
    if not isinstance(value, str):
        return ""
    value = value.replace("\r\n", "\n")
    return "".join(
        ch for ch in value if ch in KEPT_CONTROLS or unicodedata.category(ch) not in ("Cc", "Cs")
    )
