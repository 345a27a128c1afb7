"""A platform's window for messages the customer did not just ask for.

Some platforms let a shop message a customer only for a while after the customer last wrote
(the Official Account: 48 hours). A channel with such a rule gives the scheduler one of these,
so a follow-up outside the window is marked undeliverable instead of retried for ever.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ReplyWindow:
    """Messages allowed for `length` after the customer's last message."""

    length: timedelta

    def may_message(self, last_heard: datetime | None, now: datetime) -> bool:
        """True within `length` of the customer's last message; never before they wrote."""
        return last_heard is not None and now - last_heard <= self.length
