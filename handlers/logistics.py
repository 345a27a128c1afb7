"""Parcel questions: where is it, when does it arrive, has it shipped."""

from bot.messages import Reply
from handlers.context import Context
from handlers.orders import ask_for_order_number
from handlers.patterns import contains_any, order_references
from handlers.verification import open_order
from knowledge.normalize import clean

# Asking about a particular parcel; general questions ("多久发货") are left to the FAQ.
WHERE_IS_IT = (
    "到哪",
    "在哪了",
    "在哪里了",
    "什么时候到",
    "啥时候到",
    "几时到",
    "多久到",
    "几天到",
    "还没到",
    "没收到",
    "还没收到",
    "怎么还没",
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
    "签收了吗",
    "派送",
    "物流单号",
    "快递单号",
)


class LogisticsRule:
    name = "logistics"

    async def match(self, ctx: Context) -> dict[str, str] | None:
        text = clean(ctx.text)
        if not contains_any(text, WHERE_IS_IT):
            return None
        references = order_references(ctx.text)
        return {"reference": references[0] if references else ""}

    async def handle(self, ctx: Context, found: dict[str, str]) -> list[Reply]:
        reference = found["reference"] or ctx.memory.get("order_no", "")
        if reference:
            return await open_order(ctx, reference, purpose="logistics")
        return ask_for_order_number(ctx, purpose="logistics")
