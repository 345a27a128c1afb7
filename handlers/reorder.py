"""Buying the same again: the items of the customer's last order, at today's prices.

Only for a chat verified as the customer: nothing of a past order is shown before that. The
bot takes no payment; it says how to order.
"""

from bot.messages import Reply
from handlers.context import Context
from handlers.order_views import local_time
from handlers.product_views import money, stock_note
from storage.models import Order
from storage.repositories.customers import BOUGHT_STATUSES

# How far back "last time" looks: a customer's newest orders.
RECENT_ORDERS = 5


async def last_bought(ctx: Context) -> Order | None:
    """The newest order the chat's customer paid for and kept, if the chat is verified."""
    customer_id = ctx.identity.customer_id
    if customer_id is None:
        return None
    for order in await ctx.repos.orders.recent_for_customer(customer_id, RECENT_ORDERS):
        if order.status in BOUGHT_STATUSES:
            return order
    return None


async def reorder_replies(ctx: Context) -> list[Reply]:
    """The last order's items with current prices and how to order; for a verified chat."""
    order = await last_bought(ctx)
    if order is None:
        return [ctx.say("product_reorder_none")]
    items = list(order.items)
    # "上次买的那个面膜" names one of them: that one only.
    named = {item.sku for item in ctx.catalogue.named(ctx.text)}
    if any(item.sku in named for item in items):
        items = [item for item in items if item.sku in named]
    products = await ctx.repos.products.by_skus({item.sku for item in items})
    date = local_time(order.created_at, ctx.settings.zone).split(" ")[0]
    lines = [ctx.texts.render("product_reorder_heading", date=date)]
    for item in items:
        product = products.get(item.sku)
        if product is None or product.price is None:
            lines.append(
                ctx.texts.render("product_reorder_line_gone", product=item.name, qty=item.qty)
            )
            continue
        ctx.memory["product_sku"] = product.sku
        lines.append(
            ctx.texts.render(
                "product_reorder_line",
                product=product.name,
                qty=item.qty,
                price=money(product.price),
                stock_note=stock_note(ctx, product),
            )
        )
    return [Reply("\n".join(lines)), ctx.say("product_how_to_order")]
