"""Buying the same again: the items of the customer's last order, at today's prices.

Only for a chat verified as the customer: nothing of a past order is shown before that. The
bot takes no payment; it says how to order.
"""

from core.messages import Reply
from handlers.context import Context
from handlers.products.views import day_text, money, stock_note
from storage.models import Order
from storage.repositories.customers import BOUGHT_STATUSES

# How far back "last time" looks: a customer's newest orders.
RECENT_ORDERS = 5


async def bought_orders(ctx: Context) -> list[Order]:
    """The chat's customer's newest orders they paid for and kept, newest first; none for a
    chat not verified."""
    customer_id = ctx.identity.customer_id
    if customer_id is None:
        return []
    orders = await ctx.repos.orders.recent_for_customer(customer_id, RECENT_ORDERS)
    return [order for order in orders if order.status in BOUGHT_STATUSES]


async def reorder_replies(ctx: Context) -> list[Reply]:
    """The last order's items with current prices and how to order; for a verified chat.

    "上次买的那个精华" names one of them: the newest order with it, and that item only.
    """
    orders = await bought_orders(ctx)
    if not orders:
        return [ctx.say("product_reorder_none")]
    named = {item.sku for item in ctx.catalogue.named(ctx.text)}
    order, items = orders[0], list(orders[0].items)
    if named:
        found = [(o, [i for i in o.items if i.sku in named]) for o in orders]
        found = [(o, chosen) for o, chosen in found if chosen]
        if not found:
            return [ctx.say("product_reorder_not_bought")]
        order, items = found[0]
    products = await ctx.repos.products.by_skus({item.sku for item in items})
    day = day_text(order.created_at.astimezone(ctx.settings.zone).date())
    lines = [ctx.texts.render("product_reorder_heading", date=day)]
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
