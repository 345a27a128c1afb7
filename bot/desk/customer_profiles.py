"""The shop's view of one customer: their group, chats, orders, tickets, ratings and contact.

Read by the staff console beside a conversation and by `python -m bot customers show`.
"""

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from bot.desk.unit_of_work import Sessions, unit_of_work
from bot.outreach.customer_groups import GROUP_NAMES, customer_group, spending_since
from core.patterns import MAINLAND_DIGITS, phone_candidates
from core.settings import Settings
from storage.repositories import Repositories

RECENT_ORDERS = 5
RECENT_TICKETS = 5
# Ids are 32-bit in PostgreSQL: a longer number cannot be an id, and asking would fail.
MAX_ID = 2**31 - 1


@dataclass(frozen=True)
class ProfileChat:
    """A chat identity verified as the customer's; `active` is False once they left it
    (unfollowed the Official Account), so messages there no longer reach them."""

    identity_id: int
    channel: str
    external_id: str
    active: bool
    since: datetime
    conversation_id: int | None  # where staff read it; None before its first message


@dataclass(frozen=True)
class ProfileOrder:
    order_no: str
    created_at: datetime
    status: str
    total: Decimal


@dataclass(frozen=True)
class ProfileTicket:
    number: str
    kind: str
    status: str
    # What it is about: a complaint's category, or an after-sales request's type.
    category: str | None
    created_at: datetime


@dataclass(frozen=True)
class ProfileRating:
    rating: int
    answered_at: datetime | None


@dataclass(frozen=True)
class CustomerProfile:
    """One customer as staff see them.

    `phone` is masked (138****8000): the profile is only ever shown, and the console shows
    phone numbers masked everywhere, so no screen or terminal printout of a profile carries
    the whole number. Staff who need to reach a customer do so in their chats.
    """

    customer_id: int
    name: str
    phone: str
    group: str  # new | repeat | vip
    group_name: str
    chats: tuple[ProfileChat, ...]
    orders: int  # placed ever, in any status
    bought_orders: int  # paid, shipped or delivered, ever
    spent: Decimal  # on the bought orders, ever
    spent_12_months: Decimal
    recent_orders: tuple[ProfileOrder, ...]
    open_tickets: int
    recent_tickets: tuple[ProfileTicket, ...]
    ratings: tuple[ProfileRating, ...]  # answered satisfaction visits, the newest first
    first_contact: datetime
    last_contact: datetime | None  # their latest message; None if they never wrote

    @property
    def rating_count(self) -> int:
        return len(self.ratings)

    @property
    def average_rating(self) -> float | None:
        if not self.ratings:
            return None
        return sum(r.rating for r in self.ratings) / len(self.ratings)


def masked_phone(phone: str) -> str:
    """138****8000, as the console's order pages show it: enough to tell customers apart
    and to check the last four digits they verify with, not to call them."""
    if len(phone) >= MAINLAND_DIGITS:
        return f"{phone[:3]}****{phone[-4:]}"
    return f"****{phone[-4:]}"


async def customer_profile(
    repos: Repositories, customer_id: int, settings: Settings, now: datetime
) -> CustomerProfile | None:
    """The customer's profile as of `now`, or None when there is no such customer."""
    customers = repos.customers
    customer = await customers.by_id(customer_id)
    if customer is None:
        return None
    spending = (await customers.spending(spending_since(now), [customer_id])).get(customer_id)
    group = customer_group(spending, settings)
    totals = await customers.order_totals(customer_id)
    chats = await customers.chats(customer_id)
    contact = await customers.contact_times(customer_id)
    # Customers come from imported orders (the first imported may not be their first), chats
    # from the first message: whichever the shop heard of first.
    moments = [customer.created_at, *(chat.created_at for chat, _ in chats)]
    moments += [t for t in (contact.first_message, totals.first_ordered) if t is not None]
    return CustomerProfile(
        customer_id=customer.id,
        name=customer.name,
        phone=masked_phone(customer.phone),
        group=group,
        group_name=GROUP_NAMES[group],
        chats=tuple(
            ProfileChat(
                chat.id, chat.channel, chat.external_id, chat.active, chat.created_at, conversation
            )
            for chat, conversation in chats
        ),
        orders=totals.placed,
        bought_orders=spending.orders if spending else 0,
        spent=totals.spent,
        spent_12_months=spending.recent_spent if spending else Decimal("0.00"),
        recent_orders=tuple(
            ProfileOrder(order.order_no, order.created_at, order.status, order.total)
            for order in await repos.orders.recent_for_customer(
                customer_id, RECENT_ORDERS, details=False
            )
        ),
        open_tickets=await customers.open_ticket_count(customer_id),
        recent_tickets=tuple(
            ProfileTicket(
                ticket.number,
                ticket.kind,
                ticket.status,
                ticket.category or ticket.request_type,
                ticket.created_at,
            )
            for ticket in await customers.tickets(customer_id, RECENT_TICKETS)
        ),
        ratings=tuple(
            ProfileRating(rating, answered_at)
            for rating, answered_at in await customers.visit_ratings(customer_id)
        ),
        first_contact=min(moments),
        last_contact=contact.last_from_customer,
    )


async def find_customer(repos: Repositories, reference: str) -> int | None:
    """The id of the customer a staff member means: a phone number as people write it
    ("138 0013 8000", "+86 138-0013-8000", full-width digits), a customer id ("12"), or an id
    marked as one ("#12"). None when nobody matches.

    A number that could be both is taken as a phone number first: staff look customers up
    with what the customer told them, which is their phone number, while ids are internal and
    rarely typed; and a phone number names one customer for certain, where a phone number that
    also happens to be some customer's id would be a coincidence. "#12" asks for an id alone.
    """
    text = unicodedata.normalize("NFKC", reference).strip()
    if text.startswith("#"):
        return await _by_id(repos, text[1:].strip())
    for phone in phone_candidates(text):
        customer_id = await repos.customers.id_for_phone(phone)
        if customer_id is not None:
            return customer_id
    return await _by_id(repos, text)


async def look_up_profile(
    sessions: Sessions, reference: str, settings: Settings, now: datetime
) -> CustomerProfile | None:
    """The profile of the customer a phone number or id refers to; None when none matches."""
    async with unit_of_work(sessions) as repos:
        customer_id = await find_customer(repos, reference)
        if customer_id is None:
            return None
        return await customer_profile(repos, customer_id, settings, now)


async def _by_id(repos: Repositories, text: str) -> int | None:
    is_id = text.isdecimal() and text.isascii() and len(text) <= len(str(MAX_ID))
    if not is_id or int(text) > MAX_ID:
        return None
    customer = await repos.customers.by_id(int(text))
    return customer.id if customer is not None else None
