"""The demo shop's orders as tests name them, and 张三 verifying that he owns them."""

from sqlalchemy import select

from storage.models import Order, OrderItem
from tests.support.chat import Chat

DELIVERED = "KF20261115002"  # 张三 (8000), delivered about 6 days before START, 2 items
IN_TRANSIT = "KF20261120001"  # 张三 (8000), shipped, not delivered
UNSHIPPED = "KF20261125003"  # 李四 (5678), paid, not shipped
SERUM, CREAM = "烟酰胺精华液30ml", "修护面霜50g"


async def item_id(chat: Chat, order_no: str, name: str) -> int:
    async with chat.services.sessions() as session:
        return await session.scalar(
            select(OrderItem.id)
            .join(Order, Order.id == OrderItem.order_id)
            .where(Order.order_no == order_no, OrderItem.name == name)
        )


async def verify_as_zhang(chat: Chat) -> None:
    """Look at the delivered order once: the chat is 张三's and that order is the topic."""
    await chat.ask(DELIVERED)
    assert "验证成功" in await chat.ask("8000")
