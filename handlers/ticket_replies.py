"""A customer answering staff's question on a ticket that waits for them."""

from bot.messages import Reply
from handlers.context import Context


class TicketReplyRule:
    name = "ticket_replies"
    interrupts_dialogs = False

    async def match(self, ctx: Context) -> object:
        return None

    async def handle(self, ctx: Context, found: object) -> list[Reply]:
        raise NotImplementedError
