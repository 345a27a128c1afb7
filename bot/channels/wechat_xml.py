"""Reading and writing the small XML documents WeChat callbacks exchange, safely.

Bodies are size-limited before parsing, and parsed with defusedxml refusing any DTD, so
entity expansion (billion laughs) and external entities never happen.
"""

from xml.etree.ElementTree import ParseError

from aiohttp import web
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

MAX_BODY_BYTES = 64 * 1024


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
    try:
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, ParseError) as error:
        raise XmlRefused(str(error)) from error
    return {child.tag: (child.text or "").strip() for child in root}


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
