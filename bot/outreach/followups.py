"""Scheduling follow-ups (DESIGN §6): what the bot will send on its own, and when.

Each function writes `followups` rows in the caller's transaction, beside the change that
causes them (an order shipped, a ticket resolved), so neither is kept without the other.
News comes from a change: importing an order again, or resolving a ticket that is resolved
already, schedules nothing new.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from core.enums import FollowUpKind, FollowUpStatus, OrderStatus, TicketStatus
from core.settings import Settings
from knowledge import ReplyTexts
from storage.models import FollowUp, Identity, Order, Ticket
from storage.repositories import Repositories

# Ticket statuses after which the customer is asked how it went.
VISITED_STATUSES = (TicketStatus.RESOLVED, TicketStatus.CLOSED)
# Order statuses whose parcel is out of the shop: one the customer may have heard of.
PARCEL_SENT_STATUSES = (OrderStatus.SHIPPED, OrderStatus.DELIVERED)


@dataclass
class OrderNews:
    """What changes of orders scheduled for their customers, or cancelled."""

    notices: int = 0  # shipping notices
    visits: int = 0  # satisfaction visits after delivery
    no_chat: int = 0  # news for customers with no chat to send it to: skipped
    cancelled: int = 0  # shipping notices not sent yet that no longer hold

    def add(self, other: "OrderNews") -> None:
        self.notices += other.notices
        self.visits += other.visits
        self.no_chat += other.no_chat
        self.cancelled += other.cancelled


@dataclass(frozen=True)
class OrderState:
    """What of an order its news depends on, taken before a change to compare with after."""

    status: str | None  # None: the order did not exist
    parcel: tuple[str, str] | None  # (carrier, tracking number) of a parcel sent out

    @classmethod
    def of(cls, order: Order | None) -> "OrderState":
        """The state of `order` (with its shipment loaded) as it is now; None: a new order."""
        if order is None:
            return cls(None, None)
        shipment = order.shipment
        parcel = None
        if order.status in PARCEL_SENT_STATUSES and shipment is not None and shipment.tracking_no:
            parcel = (shipment.carrier, shipment.tracking_no)
        return cls(order.status, parcel)


async def schedule_order_news(
    repos: Repositories,
    before: OrderState,
    order: Order,
    settings: Settings,
    texts: ReplyTexts,
    now: datetime,
) -> OrderNews:
    """The news a change of an order brings its customer, from its state `before` the change.

    A shipping notice when the order is on its way with a parcel other than before's (worded
    as a correction when the customer was told of another); a visit when the order becomes
    delivered, unless long ago (the visit would come after its own expiry). Notices still
    waiting are cancelled when their parcel is replaced or the order is no longer on its way.
    `order` needs its shipment loaded. The same order again brings nothing.
    """
    news = OrderNews()
    after = OrderState.of(order)
    new_parcel = order.status == OrderStatus.SHIPPED and after.parcel not in (None, before.parcel)
    no_longer_shipped = before.status == OrderStatus.SHIPPED and order.status != OrderStatus.SHIPPED
    visit_due = _visit_due(before, order, settings, now)
    if not (new_parcel or no_longer_shipped or visit_due is not None):
        return news
    notices = [
        f for f in await repos.orders.followups(order.id) if f.kind == FollowUpKind.SHIPPING_NOTICE
    ]
    if new_parcel or no_longer_shipped:
        # Notes are read by staff in the console.
        reason = "快递信息已更新" if new_parcel else "订单已不在运输中"
        news.cancelled = await cancel_waiting(repos, notices, reason)
    if not new_parcel and visit_due is None:
        return news
    identity = await repos.identities.latest_for_customer(order.customer_id)
    if identity is None:
        news.no_chat = 1
        return news
    if new_parcel:
        news.notices = await _schedule_notice(repos, order, identity, notices, texts, now)
    if visit_due is not None:
        text = texts.render("followup_visit_delivery", order_no=order.order_no)
        subject = f"order:{order.id}:visit"
        news.visits = await _schedule_for_order(
            repos, FollowUpKind.VISIT, subject, order, identity, text, visit_due, now
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

    False when the ticket is not resolved, or this resolution has its visit already (a
    resolved ticket closed); a ticket reopened and resolved again is visited again, the
    weekly limit at sending time keeping the customer from being asked too often.
    """
    if ticket.status not in VISITED_STATUSES:
        return False
    identity = await repos.tickets.identity_of(ticket)
    due = now + timedelta(days=settings.visit_after_ticket_days)
    # Each resolution is visited: a ticket reopened and resolved again gets a new time.
    resolved_at = (ticket.resolved_at or now).astimezone(UTC)
    return await repos.followups.schedule(
        kind=FollowUpKind.VISIT,
        subject=f"ticket:{ticket.id}:visit:{resolved_at:%Y%m%dT%H%M%S.%f}",
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
        kind=FollowUpKind.MESSAGE,
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


def _visit_due(
    before: OrderState, order: Order, settings: Settings, now: datetime
) -> datetime | None:
    """When to visit an order that has just become delivered; None: not now, or too late."""
    if (
        order.status != OrderStatus.DELIVERED
        or before.status == OrderStatus.DELIVERED
        or order.delivered_at is None
    ):
        return None
    due = order.delivered_at + timedelta(days=settings.visit_after_delivery_days)
    if due < now - timedelta(hours=settings.visit_expire_hours):
        return None
    return due


async def cancel_waiting(repos: Repositories, followups: Sequence[FollowUp], note: str) -> int:
    """Cancel those of the follow-ups that have not gone yet; how many."""
    cancelled = 0
    for notice in followups:
        if notice.status == FollowUpStatus.SCHEDULED:
            cancelled += await repos.followups.cancel(notice.id, note)
    return cancelled


async def _schedule_notice(
    repos: Repositories,
    order: Order,
    latest: Identity,
    notices: Sequence[FollowUp],
    texts: ReplyTexts,
    now: datetime,
) -> int:
    """Tell the customer the order's parcel, in each of their chats (`notice_chats`, from
    `latest`, their chat used most lately); `notices` are the order's earlier ones.

    Numbered by the order's notices, so every change has its own subject (a number corrected
    back to an earlier one included) while two processes making one change schedule it once.
    """
    shipment = order.shipment
    assert shipment is not None
    # Notices to an earlier owner of the order do not count: this customer was not told.
    told_before = any(
        notice.status == FollowUpStatus.SENT and notice.customer_id == order.customer_id
        for notice in notices
    )
    text = texts.render(
        "followup_shipping_update" if told_before else "followup_shipping_notice",
        order_no=order.order_no,
        carrier=shipment.carrier,
        tracking_no=shipment.tracking_no,
    )
    subject = f"order:{order.id}:shipped:{shipment.tracking_no}:{len(notices) + 1}"
    scheduled = 0
    for place, identity in enumerate(await repos.identities.notice_chats(latest)):
        scheduled += await _schedule_for_order(
            repos,
            FollowUpKind.SHIPPING_NOTICE,
            subject if place == 0 else f"{subject}:chat:{identity.id}",
            order,
            identity,
            text,
            now,
            now,
        )
    return scheduled


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
