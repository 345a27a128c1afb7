"""Customers' media references as staff see them: links only where that is safe."""

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class MediaReference:
    text: str
    is_link: bool


def media_references(media: Sequence[str] | None) -> list[MediaReference]:
    """Customers' media references; only web addresses become links, since anything else
    (javascript:, data:) could run script when clicked."""
    return [MediaReference(ref, _is_web_address(ref)) for ref in media or ()]


def _is_web_address(reference: str) -> bool:
    try:
        parts = urlsplit(reference)
    except ValueError:  # e.g. a broken IPv6 host: shown as text
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)
