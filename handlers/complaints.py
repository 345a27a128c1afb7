"""Complaints: recognised before anything else, apologised for, recorded as tickets."""

from bot.messages import Reply
from handlers.context import Context


class ComplaintRule:
    name = "complaints"
    interrupts_dialogs = True
    flows: tuple[str, ...] = ()

    async def match(self, ctx: Context) -> object:
        return None

    async def handle(self, ctx: Context, found: object) -> list[Reply]:
        raise NotImplementedError

    async def resume(self, ctx: Context) -> list[Reply] | None:
        return None
