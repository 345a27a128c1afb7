"""Reading and writing the small XML documents WeChat callbacks exchange, safely.

Bodies are size-limited before parsing, and parsed with defusedxml refusing any DTD, so
entity expansion (billion laughs) and external entities never happen. Only UTF-8 is read: the
platforms send nothing else, and the parser cannot read multi-byte encodings such as GBK.
A safe-mode envelope is not parsed at all before its signature is checked: `encrypted_part`
only picks out its base64 Encrypt value, which the signature covers.
"""

import re
from xml.etree.ElementTree import ParseError

from aiohttp import web
from defusedxml.ElementTree import fromstring

MAX_BODY_BYTES = 64 * 1024
READABLE_ENCODINGS = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})
DECLARED_ENCODING = re.compile(r"""\s*<\?xml\s[^>]*?\bencoding\s*=\s*["']([^"']*)["']""")
ENCRYPT = re.compile(
    rb"<Encrypt>\s*(?:<!\[CDATA\[([A-Za-z0-9+/=]+)\]\]>|([A-Za-z0-9+/=]+))\s*</Encrypt>"
)


class XmlRefused(ValueError):
    """The body is not a plain XML document we are willing to read."""


async def read_body(request: web.Request) -> bytes:
    """The request body; HTTP 413 when it is over MAX_BODY_BYTES."""
    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise web.HTTPRequestEntityTooLarge(MAX_BODY_BYTES, request.content_length or 0)
    # Without a Content-Length (chunked) only the application's client_max_size bounds it.
    body = await request.read()
    if len(body) > MAX_BODY_BYTES:
        raise web.HTTPRequestEntityTooLarge(MAX_BODY_BYTES, len(body))
    return body


def parse_fields(body: bytes | str) -> dict[str, str]:
    """The text of each child of the root element, by tag; XmlRefused for anything unsafe."""
    if len(body) > MAX_BODY_BYTES:
        raise XmlRefused("body too large")
    start = body[:200].decode("utf-8", "replace") if isinstance(body, bytes) else body[:200]
    declared = DECLARED_ENCODING.match(start)
    if declared and declared.group(1).lower() not in READABLE_ENCODINGS:
        raise XmlRefused(f"encoding {declared.group(1)[:40]!r} is not read: UTF-8 only")
    try:
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    # ValueError and LookupError: an encoding the parser cannot read, or bytes that are not
    # in the one declared (DefusedXmlException is a ValueError too).
    except (ParseError, ValueError, LookupError) as error:
        raise XmlRefused(str(error)) from error
    return {child.tag: (child.text or "").strip() for child in root}


def encrypted_part(body: bytes) -> str:
    """The base64 Encrypt value of a safe-mode envelope (read with `read_body`), "" when
    there is none."""
    found = ENCRYPT.search(body)
    return (found.group(1) or found.group(2)).decode("ascii") if found else ""


def cdata(text: str) -> str:
    """`text` as CDATA; a "]]>" inside is split across two sections."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def to_xml(fields: dict[str, str | int]) -> str:
    """An <xml> document: numbers as they are, strings as CDATA (tags are ours, not escaped)."""
    inner = "".join(
        f"<{tag}>{value if isinstance(value, int) else cdata(value)}</{tag}>"
        for tag, value in fields.items()
    )
    return f"<xml>{inner}</xml>"
