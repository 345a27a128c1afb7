"""A customer asking how their after-sales requests and complaints are going."""

from bot.messages import Reply
from handlers.context import Context


class TicketStatusRule:
    name = "ticket_status"
    interrupts_dialogs = False

    async def match(self, ctx: Context) -> object:
        return None

    async def handle(self, ctx: Context, found: object) -> list[Reply]:
        raise NotImplementedError
