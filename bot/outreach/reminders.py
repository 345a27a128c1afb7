"""Reminders: to staff before and after a ticket's deadlines, and to a customer whose approved
return has not been sent.

Staff reminders are notifications, once per deadline and stage (conditional updates on the
ticket, so two processes do not both remind). A customer's reminder is a follow-up, sent
by the same rules as every other (quiet hours, the channel's window).
"""

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.enums import FollowUpKind
from core.settings import Settings
from core.shop_time import local_clock_time
from knowledge import ReplyTexts
from storage.models import Ticket
from storage.repositories import Repositories

# How long before a deadline staff are told it is coming.
DEADLINE_WARNING = timedelta(hours=1)
# The deadlines as staff read them (the ticket list's badges say 响应超时, 处理超时).
_DEADLINE_WORDS = {"response": "首次响应", "resolution": "处理"}


async def remind_deadlines(
    sessions: async_sessionmaker[AsyncSession], clock: Clock, settings: Settings
) -> int:
    """Notify staff of deadlines due within the hour and of those missed; the number sent."""
    now = clock.now()
    sent = 0
    async with sessions() as session, session.begin():
        repos = Repositories.for_session(session)
        for ticket, response, resolution in await repos.tickets.near_deadlines(
            now, DEADLINE_WARNING
        ):
            for deadline, stage, reminded in (
                ("response", response, ticket.response_reminded),
                ("resolution", resolution, ticket.resolution_reminded),
            ):
                if stage <= reminded or not await repos.tickets.mark_reminded(
                    ticket.id, deadline, stage
                ):
                    continue
                text = deadline_notice(ticket, deadline, stage, settings)
                await repos.notifications.add(ticket.id, text, urgent=stage == 2, now=now)
                sent += 1
    return sent


def deadline_notice(ticket: Ticket, deadline: str, stage: int, settings: Settings) -> str:
    """ "工单 AS…-0001: 首次响应将于 14:30 到期" / "…: 首次响应已超时（14:30 到期）"."""
    due = ticket.first_response_due if deadline == "response" else ticket.resolution_due
    when = local_clock_time(due, settings)
    words = _DEADLINE_WORDS[deadline]
    if stage == 2:
        return f"工单 {ticket.number}: {words}已超时（{when} 到期）"
    return f"工单 {ticket.number}: {words}将于 {when} 到期"


async def schedule_return_reminders(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    settings: Settings,
    texts: ReplyTexts,
) -> int:
    """One reminder for each return approved (bot.desk.tickets.approve_return) days ago and still
    waiting for its parcel; the number scheduled.

    A ticket merely waiting for the customer (staff asked for a photo) is no approved return.
    """
    now = clock.now()
    before = now - timedelta(days=settings.return_reminder_days)
    async with sessions() as session, session.begin():
        repos = Repositories.for_session(session)
        scheduled = 0
        for ticket in await repos.tickets.returns_not_sent(before):
            identity = await repos.tickets.identity_of(ticket)
            scheduled += await repos.followups.schedule(
                kind=FollowUpKind.RETURN_REMINDER,
                subject=f"ticket:{ticket.id}:return_reminder",
                identity_id=identity.id,
                customer_id=identity.customer_id,
                ticket_id=ticket.id,
                text=_return_reminder(ticket, settings, texts),
                due_at=now,
                created_at=now,
            )
    return scheduled


def _return_reminder(ticket: Ticket, settings: Settings, texts: ReplyTexts) -> str:
    address = settings.return_address.strip()
    if address:
        return texts.render("followup_return_reminder", number=ticket.number, address=address)
    return texts.render("followup_return_reminder_no_address", number=ticket.number)
