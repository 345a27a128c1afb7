"""Orders as staff look them up: the newest or a search, and one order whole."""

from collections.abc import Sequence
from dataclasses import dataclass

from bot.desk.unit_of_work import Sessions, unit_of_work
from storage.models import Customer, FollowUp, Order
from storage.repositories.orders import CustomerChat, ListedOrder


@dataclass(frozen=True)
class OrderDetail:
    """An order with its customer, the customer's chats and the order's follow-ups."""

    order: Order
    customer: Customer
    chats: Sequence[CustomerChat]
    followups: Sequence[FollowUp]


async def newest_orders(
    sessions: Sessions, limit: int, reference: str = ""
) -> Sequence[ListedOrder]:
    """The newest orders first; with `reference`, those whose order or tracking number has it."""
    async with unit_of_work(sessions) as repos:
        return await repos.orders.newest(limit, reference)


async def order_detail(sessions: Sessions, order_no: str) -> OrderDetail | None:
    async with unit_of_work(sessions) as repos:
        order = await repos.orders.by_number(order_no)
        if order is None:
            return None
        customer = await repos.orders.customer(order)
        return OrderDetail(
            order,
            customer,
            await repos.orders.customer_chats(customer.id),
            await repos.orders.followups(order.id),
        )
