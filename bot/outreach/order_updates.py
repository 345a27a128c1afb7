"""Staff record an order's shipment or delivery; the customer hears of it (DESIGN §4).

Each update is one transaction: the order changes, its news is scheduled (a shipping notice,
a satisfaction visit, a waiting notice cancelled) and the audit log says who did it, all
together or not at all. `schedule_order_news` decides the news from the change, as on import,
so an order brings the same news whichever way it was updated.
"""

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.outreach.followups import (
    PARCEL_SENT_STATUSES,
    OrderNews,
    OrderState,
    schedule_order_news,
)
from core.clock import Clock
from core.enums import OrderStatus
from core.patterns import fold, order_references
from core.settings import Settings
from knowledge import ReplyTexts
from storage.models import Order
from storage.repositories import Repositories

# Orders a parcel may be recorded for: paid ones, and shipped ones whose number was wrong.
SHIPPABLE_STATUSES = (OrderStatus.PAID, OrderStatus.SHIPPED)
CARRIER_LIMIT = 64  # the column's length


class OrderNotFound(LookupError):
    """No order has this number."""


class UpdateRefused(ValueError):
    """The update cannot be made; the message says why, in words for staff."""


@dataclass(frozen=True)
class OrderUpdate:
    """What recording a shipment or a delivery did."""

    order_no: str
    changed: bool  # False when the order said so already
    news: OrderNews  # what was scheduled or cancelled for the customer, or that they have no chat


async def record_shipment(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    settings: Settings,
    texts: ReplyTexts,
    order_no: str,
    carrier: str,
    tracking_no: str,
    staff_id: int | None,
) -> OrderUpdate:
    """Record the parcel of a paid order (or correct a shipped one's) and tell the customer.

    Raises OrderNotFound, or UpdateRefused for a bad carrier or tracking number or an order
    that is not paid or shipped. A notice waiting for a replaced parcel is cancelled.
    """
    carrier = " ".join(carrier.split())
    tracking_no = tracking_number(tracking_no)
    _check_carrier(carrier)
    now = clock.now()
    async with sessions() as session, session.begin():
        repos = Repositories.for_session(session)
        order = await _find(repos, order_no)
        if order.status not in SHIPPABLE_STATUSES:
            raise UpdateRefused("只有已付款或已发货的订单可以登记发货")
        if tracking_no == order.order_no:
            raise UpdateRefused("运单号不能和订单号相同")
        before = OrderState.of(order)
        previous = order.shipment
        was = f" (was {previous.carrier} {previous.tracking_no})" if previous else ""
        changed = await repos.orders.set_shipment(order, carrier, tracking_no, now)
        news = await schedule_order_news(repos, before, order, settings, texts, now)
        if changed:
            detail = f"{carrier} {tracking_no}{was}"
            await repos.audit.record(staff_id, "order_shipment", now, order.order_no, detail)
    return OrderUpdate(order.order_no, changed, news)


async def record_delivery(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    settings: Settings,
    texts: ReplyTexts,
    order_no: str,
    staff_id: int | None,
) -> OrderUpdate:
    """Mark a shipped order delivered now; a satisfaction visit follows (setting) days later.

    Raises OrderNotFound, or UpdateRefused for an order that was not shipped. An order
    delivered already is left as it is. A shipping notice not sent yet is cancelled: it
    would arrive after the parcel.
    """
    now = clock.now()
    async with sessions() as session, session.begin():
        repos = Repositories.for_session(session)
        order = await _find(repos, order_no)
        if order.status not in PARCEL_SENT_STATUSES:
            raise UpdateRefused("只有已发货的订单可以确认签收")
        before = OrderState.of(order)
        changed = await repos.orders.mark_delivered(order, now)
        news = await schedule_order_news(repos, before, order, settings, texts, now)
        if changed:
            await repos.audit.record(staff_id, "order_delivered", now, order.order_no)
    return OrderUpdate(order.order_no, changed, news)


def tracking_number(text: str) -> str:
    """A tracking number as typed, in the form the chat recognises; UpdateRefused if the chat
    could not recognise it, since customers ask about their parcel by this number."""
    number = "".join(fold(text).split()).upper()
    if not number:
        raise UpdateRefused("请填写运单号")
    if order_references(number) != [number]:
        raise UpdateRefused(
            f"运单号「{text.strip()}」格式不对：应为最多 4 个字母加 8～24 位数字，"
            "例如 SF1234567890123"
        )
    return number


def _check_carrier(carrier: str) -> None:
    if not carrier:
        raise UpdateRefused("请填写快递公司")
    if len(carrier) > CARRIER_LIMIT:
        raise UpdateRefused(f"快递公司名称最多 {CARRIER_LIMIT} 个字")


async def _find(repos: Repositories, order_no: str) -> Order:
    order = await repos.orders.by_number(order_no.strip())
    if order is None:
        raise OrderNotFound(order_no)
    return order
