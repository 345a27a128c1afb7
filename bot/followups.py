"""Scheduling follow-ups (DESIGN §6): what the bot will send on its own, and when.

Each function writes `followups` rows in the caller's transaction, beside the change that
causes them (an order shipped, a ticket resolved), so neither is kept without the other.
Subjects make scheduling idempotent: re-importing an order or resolving a ticket again
schedules nothing new.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.settings import Settings
from knowledge import ReplyTexts
from storage.models import FollowUp, Identity, Order, Ticket
from storage.repositories import Repositories

# Ticket statuses after which the customer is asked how it went.
VISITED_STATUSES = ("resolved", "closed")


@dataclass
class OrderNews:
    """What orders scheduled for their customers."""

    notices: int = 0  # shipping notices
    visits: int = 0  # satisfaction visits after delivery
    no_chat: int = 0  # news for customers with no chat to send it to: skipped

    def add(self, other: "OrderNews") -> None:
        self.notices += other.notices
        self.visits += other.visits
        self.no_chat += other.no_chat


async def schedule_order_news(
    repos: Repositories, order: Order, settings: Settings, texts: ReplyTexts, now: datetime
) -> OrderNews:
    """A shipping notice for a parcel on its way, a visit for a delivered order.

    `order` needs its shipment loaded. A parcel delivered long ago is not asked about: the
    visit would come after its own expiry.
    """
    news = OrderNews()
    shipment = order.shipment
    wants_notice = order.status == "shipped" and shipment is not None and shipment.tracking_no
    visit_due = None
    if order.status == "delivered" and order.delivered_at is not None:
        visit_due = order.delivered_at + timedelta(days=settings.visit_after_delivery_days)
        if visit_due < now - timedelta(hours=settings.visit_expire_hours):
            visit_due = None
    if not wants_notice and visit_due is None:
        return news
    identity = await repos.identities.latest_for_customer(order.customer_id)
    if identity is None:
        news.no_chat = 1
        return news
    if wants_notice:
        assert shipment is not None
        text = texts.render(
            "followup_shipping_notice",
            order_no=order.order_no,
            carrier=shipment.carrier,
            tracking_no=shipment.tracking_no,
        )
        subject = f"order:{order.id}:shipped:{shipment.tracking_no}"
        news.notices = await _schedule_for_order(
            repos, "shipping_notice", subject, order, identity, text, now, now
        )
    if visit_due is not None:
        text = texts.render("followup_visit_delivery", order_no=order.order_no)
        subject = f"order:{order.id}:visit"
        news.visits = await _schedule_for_order(
            repos, "visit", subject, order, identity, text, visit_due, now
        )
    return news


async def schedule_ticket_visit(
    repos: Repositories,
    ticket: Ticket,
    settings: Settings,
    texts: ReplyTexts,
    now: datetime,
    staff_id: int | None = None,
) -> bool:
    """A visit a day (setting) after a ticket is resolved; `staff_id` is who resolved it.

    False when the ticket is not resolved, or was visited already.
    """
    if ticket.status not in VISITED_STATUSES:
        return False
    identity = await repos.tickets.identity_of(ticket)
    due = now + timedelta(days=settings.visit_after_ticket_days)
    return await repos.followups.schedule(
        kind="visit",
        subject=f"ticket:{ticket.id}:visit",
        identity_id=identity.id,
        customer_id=identity.customer_id,
        ticket_id=ticket.id,
        staff_id=staff_id,
        text=texts.render("followup_visit_ticket", number=ticket.number),
        due_at=due,
        created_at=now,
    )


async def schedule_message(
    repos: Repositories,
    identity: Identity,
    text: str,
    at: datetime,
    now: datetime,
    staff_id: int | None,
    subject: str,
) -> FollowUp:
    """A message staff wrote, sent at the time they chose, quiet hours or not."""
    await repos.followups.schedule(
        kind="message",
        subject=subject,
        identity_id=identity.id,
        customer_id=identity.customer_id,
        staff_id=staff_id,
        text=text,
        due_at=at,
        quiet=False,
        created_at=now,
    )
    followup = await repos.followups.by_subject(subject)
    assert followup is not None
    return followup


async def _schedule_for_order(
    repos: Repositories,
    kind: str,
    subject: str,
    order: Order,
    identity: Identity,
    text: str,
    due: datetime,
    now: datetime,
) -> int:
    added = await repos.followups.schedule(
        kind=kind,
        subject=subject,
        identity_id=identity.id,
        customer_id=identity.customer_id,
        order_id=order.id,
        text=text,
        due_at=due,
        created_at=now,
    )
    return int(added)
