"""After-sales requests: returns, exchanges, refunds and repairs, collected in a dialog."""

from bot.messages import Reply
from handlers.context import Context


class AfterSalesRule:
    name = "aftersales"
    interrupts_dialogs = False
    flows: tuple[str, ...] = ()

    async def match(self, ctx: Context) -> object:
        return None

    async def handle(self, ctx: Context, found: object) -> list[Reply]:
        raise NotImplementedError

    async def resume(self, ctx: Context) -> list[Reply] | None:
        return None
