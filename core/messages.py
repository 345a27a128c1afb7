"""Channel-neutral message types.

A leaf module with no project imports, so handlers may build replies with it.
"""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Incoming:
    """A customer's message as a channel received it."""

    channel: str
    user: str  # the customer's id on that channel
    text: str
    time: datetime
    message_id: str | None = None  # the channel's id, used to drop second deliveries
    media: tuple[str, ...] = ()  # references to images or files the customer sent
    # Where the message came from on the network (the web client's address), when the channel
    # knows one: failed verifications are counted per address too.
    address: str = ""


@dataclass(frozen=True)
class Reply:
    """A message for the customer."""

    text: str


@dataclass(frozen=True)
class SentMessage:
    """A message already sent to a customer, as the channel shows it again."""

    id: int
    text: str
    sender: str  # a Sender: bot or staff
    time: datetime


class ServiceUnavailable(Exception):
    """A message could not even be stored (the database is unreachable): ask to retry."""
