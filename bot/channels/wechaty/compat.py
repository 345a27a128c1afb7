"""Makes the Wechaty client (wechaty 0.10.7, the newest release, from 2022) work on Python
3.11 beside current libraries; import the client from here, never `wechaty` directly.

What is fixed (upstream issues python-wechaty #385, #419, #422, #430 are still open):
- `from pyee import AsyncIOEventEmitter`: pyee 12 moved it to `pyee.asyncio`;
- `from urllib3 import get_host`: urllib3 2 removed it (it was a wrapper of `parse_url`);
- `WechatyOptions` has a `PuppetOptions()` instance as a dataclass default, which Python 3.11
  refuses because the class is unhashable; it also makes every `WechatyOptions()` share one
  `PuppetOptions`, which the client writes its endpoint and token into;
- contacts and rooms are cached on classes shared by every client, so a client made after a
  reconnection would reuse contacts bound to the closed connection;
- its loggers print to stderr on their own, at INFO: every message's text, and at each
  connection the service token;
- importing it warns (telnetlib is deprecated; stringcase has an invalid escape).
"""

import logging
import warnings
from dataclasses import dataclass, field
from typing import NoReturn

import pyee
import pyee.asyncio
import urllib3
from urllib3.util import parse_url


def _get_host(url: str) -> tuple[str, str | None, int | None]:
    """urllib3 1.26's `get_host`: scheme (http when missing), host and port of a URL."""
    parsed = parse_url(url)
    return parsed.scheme or "http", parsed.hostname, parsed.port


def _unhashable(self: object) -> NoReturn:
    raise TypeError(f"unhashable type: {type(self).__name__!r}")


def _worth_logging(record: logging.LogRecord) -> bool:
    """False for the client's warnings that spell out the service token, and for its notice,
    at every login, that no plugin has web pages to serve (kefu uses no plugins)."""
    message = record.getMessage()
    return not any(mark in message for mark in ("token<", "[adopted]<", "registed blueprint"))


def _through_logging(names: set[str]) -> None:
    """Send the client's loggers through logging like any other, from WARNING up."""
    for name in names:
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
        logger.setLevel(logging.WARNING)
        logger.addFilter(_worth_logging)


pyee.AsyncIOEventEmitter = pyee.asyncio.AsyncIOEventEmitter  # type: ignore[attr-defined]
urllib3.get_host = _get_host  # type: ignore[attr-defined]
_loggers_before = set(logging.root.manager.loggerDict)
with warnings.catch_warnings():
    # Raised while importing and nowhere else: telnetlib (used to probe ports) is deprecated,
    # and stringcase (betterproto's) has an invalid escape in a regex, seen when compiled.
    warnings.filterwarnings("ignore", "'telnetlib' is deprecated", DeprecationWarning, "wechaty")
    warnings.filterwarnings("ignore", "invalid escape sequence", DeprecationWarning, ".*stringcase")
    from wechaty_puppet.schemas.puppet import PuppetOptions

    # Python 3.11 refuses a dataclass default whose class has no __hash__. One that refuses
    # to hash passes that check and changes nothing else; it goes again once wechaty is in.
    PuppetOptions.__hash__ = _unhashable  # type: ignore[assignment]
    try:
        import wechaty
        import wechaty_grpc.wechaty.puppet
        import wechaty_puppet_service.utils
        from wechaty_puppet_service import PuppetService
    finally:
        PuppetOptions.__hash__ = None  # type: ignore[assignment]
_through_logging(
    {
        name
        for name, logger in logging.root.manager.loggerDict.items()
        if name not in _loggers_before
        and isinstance(logger, logging.Logger)
        and not logger.propagate
    }
)


@dataclass
class WechatyOptions(wechaty.WechatyOptions):
    """Wechaty's options, with puppet options of their own for each instance."""

    puppet_options: PuppetOptions = field(default_factory=PuppetOptions)


class Wechaty(wechaty.Wechaty):
    """The Wechaty client, caching contacts and rooms per connection."""

    async def init_puppet(self) -> None:
        await super().init_puppet()
        # The subclasses made here share their parents' `_pool` dictionaries; give each its
        # own, so a contact loaded now is bound to this connection.
        for accessory in (self.Contact, self.ContactSelf, self.Room, self.Tag):
            accessory._pool = {}


def event_handlers(puppet: PuppetService) -> pyee.asyncio.AsyncIOEventEmitter:
    """The emitter whose tasks handle the events a puppet service received: one task per
    event, run without waiting; the client has no public way to wait for them or cancel them.
    """
    return puppet._event_stream


Contact = wechaty.Contact
ContactType = wechaty_grpc.wechaty.puppet.ContactType
Message = wechaty.Message
MessageType = wechaty_grpc.wechaty.puppet.MessageType
extract_host_and_port = wechaty_puppet_service.utils.extract_host_and_port
