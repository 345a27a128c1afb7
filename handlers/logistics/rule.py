"""Parcel questions: where is it, when does it arrive, has it shipped."""

import re

from core.messages import Reply
from core.patterns import order_references, without_references
from handlers.context import Context
from handlers.faq.rule import confident_match
from handlers.orders.rule import MY_ORDERS, ask_for_order_number
from handlers.verification.binding import open_order
from handlers.words import asks_nothing_else, contains_any
from knowledge.normalize import clean

# Always about a particular parcel.
WHERE_IS_IT = (
    "到哪",
    "在哪了",
    "在哪里了",
    "查物流",
    "查快递",
    "查一下物流",
    "查一下快递",
    "查下物流",
    "查下快递",
    "物流信息",
    "物流状态",
    "快递信息",
    "发货了吗",
    "发货了没",
    "发了吗",
    "发了没",
    "发货没",
    "寄出了吗",
    "怎么还没到",
    "怎么还没发",
)
# About a parcel when an order is in the conversation or nothing else is asked; otherwise
# often a general question ("一般几天到") better answered by the FAQ.
WHEN_DOES_IT_COME = (
    "什么时候到",
    "啥时候到",
    "几时到",
    "多久到",
    "几天到",
    "签收了吗",
    "没收到",
    "还没到",
    "还没发",
    "催一下",
    "催催",
)
# "到账" is money arriving, not a parcel.
_MONEY = re.compile(r"到账")


def asks_for_parcel_or_orders(text: str) -> bool:
    """A parcel question ("我的订单到哪了") or one only for the customer's orders ("查一下我的
    订单"), whatever order number it names: the logistics or the orders rule answers it."""
    cleaned = clean(without_references(text))
    if contains_any(cleaned, WHERE_IS_IT):
        return True
    return contains_any(cleaned, MY_ORDERS) and asks_nothing_else(cleaned, MY_ORDERS)


class LogisticsRule:
    name = "logistics"
    interrupts_dialogs = False

    async def match(self, ctx: Context) -> dict[str, str] | None:
        text = clean(ctx.text)
        strong = contains_any(text, WHERE_IS_IT)
        weak = contains_any(text, WHEN_DOES_IT_COME) and not _MONEY.search(text)
        if not (strong or weak):
            return None
        references = order_references(ctx.text)
        if references:
            return {"reference": references[0]}
        if strong or ctx.memory.get("order_no") or asks_nothing_else(text, WHEN_DOES_IT_COME):
            return {"reference": ""}
        return None if confident_match(ctx) else {"reference": ""}

    async def handle(self, ctx: Context, found: dict[str, str]) -> list[Reply]:
        reference = found["reference"] or ctx.memory.get("order_no", "")
        if reference:
            return await open_order(ctx, reference, purpose="logistics")
        return ask_for_order_number(ctx, purpose="logistics")
