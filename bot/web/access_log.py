"""The HTTP access log without secrets.

aiohttp's own access log writes each request line whole: the web chat's `?user=` (a bearer
secret: whoever has it reads the chat), WeChat's signed query strings (signature, nonce,
timestamp, echostr, openid) and staff searches for customers' phone numbers. This one writes
the path and the names of the query parameters, with the values of only the few that say
nothing about anyone.
"""

import re

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from yarl import URL

# Message positions, filters and notices: kept, as they help to read the log.
SHOWN_PARAMETERS = frozenset(
    {"after", "days", "done", "encrypt_type", "kind", "news", "notice", "overdue", "status"}
)
REDACTED = "***"
# What a shown name or value may look like: nothing that could forge a line of the log.
PLAIN = re.compile(r"[A-Za-z0-9_.-]{1,40}")


def redacted(url: URL) -> str:
    """The path and query of `url`, every query value not known to be harmless replaced."""
    if not url.query:
        return url.raw_path
    pairs = [
        f"{name if PLAIN.fullmatch(name) else REDACTED}="
        + (value if name in SHOWN_PARAMETERS and PLAIN.fullmatch(value) else REDACTED)
        for name, value in url.query.items()
    ]
    return f"{url.raw_path}?{'&'.join(pairs)}"


def _referrer(request: web.BaseRequest) -> str:
    raw = request.headers.get("Referer", "")
    try:
        return redacted(URL(raw)) if raw else "-"
    except ValueError:
        return REDACTED


class RedactingAccessLogger(AbstractAccessLogger):
    """One line per request: client, request line (redacted), status, size, seconds,
    the referring page (redacted) and user agent."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            '%s "%s %s HTTP/%d.%d" %d %d %.3f "%s" "%s"',
            request.remote,
            request.method,
            redacted(request.rel_url),
            request.version.major,
            request.version.minor,
            response.status,
            response.body_length,
            time,
            _referrer(request),
            request.headers.get("User-Agent", "-"),
        )
