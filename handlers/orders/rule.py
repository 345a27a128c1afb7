"""Order questions: an order by its number, or the customer's recent orders."""

from core.messages import Reply
from core.patterns import order_references
from handlers.context import Context
from handlers.faq.rule import confident_match
from handlers.orders.state import OrderNumberQuestion
from handlers.orders.views import order_list
from handlers.verification.binding import open_order
from handlers.words import asks_nothing_else, contains_any
from knowledge.normalize import clean

# Phrases that ask about the customer's own orders, not about ordering in general.
MY_ORDERS = (
    "我的订单",
    "我的单",
    "最近的订单",
    "最近订单",
    "查订单",
    "查一下订单",
    "查下订单",
    "订单查询",
    "查询订单",
    "订单状态",
    "订单信息",
    "订单详情",
    "我下的单",
    "我下的订单",
)


def ask_for_order_number(ctx: Context, purpose: str) -> list[Reply]:
    """Start the dialog that waits for an order number."""
    ctx.start_dialog(OrderNumberQuestion(purpose=purpose))
    return [ctx.say("ask_order_number")]


class OrderRule:
    name = "orders"
    interrupts_dialogs = False
    flows = (OrderNumberQuestion.FLOW,)

    async def match(self, ctx: Context) -> dict[str, str] | None:
        references = order_references(ctx.text)
        if references:
            return {"reference": references[0]}
        text = clean(ctx.text)
        if not contains_any(text, MY_ORDERS):
            return None
        # "我的订单能改地址吗" is a question about orders in general: the FAQ's, if it knows it.
        if asks_nothing_else(text, MY_ORDERS) or not confident_match(ctx):
            return {"reference": ""}
        return None

    async def handle(self, ctx: Context, found: dict[str, str]) -> list[Reply]:
        if found["reference"]:
            return await open_order(ctx, found["reference"], purpose="order")
        customer_id = ctx.identity.customer_id
        if customer_id is None:
            return ask_for_order_number(ctx, purpose="order")
        orders = list(await ctx.repos.orders.recent_for_customer(customer_id, limit=5))
        if not orders:
            return [ctx.say("no_orders")]
        ctx.memory["order_no"] = orders[0].order_no
        return [order_list(ctx, orders)]

    async def resume(self, ctx: Context) -> list[Reply] | None:
        """An order number answers the dialog that asked for one."""
        assert ctx.dialog is not None
        references = order_references(ctx.text)
        if not references:
            return None
        purpose = OrderNumberQuestion.from_stored(ctx.dialog).purpose
        ctx.end_dialog()
        return await open_order(ctx, references[0], purpose=purpose)
