"""What a ticket number looks like: the one place that knows it.

handlers.tickets.opening makes numbers from these prefixes and core.patterns recognises them in
customers' text with `TICKET_NUMBER`. It imports only core.enums, so both may import it.
"""

import re

from core.enums import TicketKind

# A ticket's number starts with its kind's prefix, then the shop's date and a count:
# "AS20261129-0007".
PREFIXES = {
    TicketKind.AFTER_SALES: "AS",
    TicketKind.COMPLAINT: "CP",
    TicketKind.CALLBACK: "CB",
    TicketKind.FOLLOWUP: "FU",
}

# A ticket number as customers type it: the prefix, the date, any kind of dash and the count,
# in any case (fold full-width characters to ASCII first). The dash is required: without it
# "AS202611290007" may as well be some shop's order number. Groups: prefix, date, count.
TICKET_NUMBER = re.compile(
    r"(?<![A-Za-z0-9])("
    + "|".join(map(re.escape, sorted(PREFIXES.values(), key=len, reverse=True)))
    + r")([0-9]{8})[-‐‑‒–—―]([0-9]{4,6})(?![A-Za-z0-9])",
    re.IGNORECASE,
)
