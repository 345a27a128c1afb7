"""Which passwords a console account may have: long enough, not a common one, not the
account's own name or the shop's name."""

import unicodedata
from collections.abc import Iterable
from enum import StrEnum
from functools import cache
from pathlib import Path

MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 128  # hashing a huge "password" would only waste the server's time
# Fewer different characters than this ("aaaaaaaaaa", "1212121212") is no password.
MIN_DISTINCT_CHARS = 4
# Names this long are looked for inside passwords too (shorter ones would match by chance).
MIN_NAME_IN_PASSWORD = 3
COMMON_PASSWORDS = Path(__file__).parent / "data" / "common_passwords.txt"


class Weakness(StrEnum):
    """Why a password is refused; each front end words it in its own language."""

    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    COMMON = "common"
    NAME = "name"


@cache
def common_passwords(path: Path = COMMON_PASSWORDS) -> frozenset[str]:
    """The refused passwords of the list file, compared without regard to case."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(_folded(line) for line in lines if line.strip() and not line.startswith("#"))


def password_weakness(password: str, names: Iterable[str]) -> Weakness | None:
    """Why `password` may not be used by an account with these names (its login name, the
    shop's name), or None when it may."""
    if len(password) < MIN_PASSWORD_CHARS:
        return Weakness.TOO_SHORT
    if len(password) > MAX_PASSWORD_CHARS:
        return Weakness.TOO_LONG
    folded = _folded(password)
    if folded in common_passwords() or len(set(folded)) < MIN_DISTINCT_CHARS:
        return Weakness.COMMON
    for name in names:
        name = _folded(name)
        if name == folded:
            return Weakness.NAME
        # "Boss2024!!", "2024boss..": a name with digits or marks around it is the name.
        if len(name) >= MIN_NAME_IN_PASSWORD and not _letters(folded.replace(name, "")):
            return Weakness.NAME
    return None


def _folded(text: str) -> str:
    """Case, width and spaces left out: "Ｐａｓｓ Word" is "password"."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def _letters(text: str) -> str:
    return "".join(ch for ch in text if ch.isalpha())
