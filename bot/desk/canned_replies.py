"""Canned replies staff pick from, each change audited with it."""

from collections.abc import Sequence

from bot.desk.actor import Actor
from bot.desk.unit_of_work import Sessions, unit_of_work
from storage.models import CannedReply

# As much of a reply's text as its audit entry keeps.
AUDITED_TEXT_CHARS = 200


class CannedReplyNotFound(LookupError):
    """No canned reply has this id (it may have been deleted meanwhile)."""


async def all_replies(sessions: Sessions) -> Sequence[CannedReply]:
    """Every canned reply, by title."""
    async with unit_of_work(sessions) as repos:
        return await repos.canned.all()


async def reply_by_id(sessions: Sessions, reply_id: int) -> CannedReply | None:
    async with unit_of_work(sessions) as repos:
        return await repos.canned.by_id(reply_id)


async def save_reply(
    sessions: Sessions,
    reply_id: int | None,
    title: str,
    text: str,
    actor: Actor,
    action: str,
) -> None:
    """Add (`reply_id` None) or change a canned reply, audited as `action`; raises
    CannedReplyNotFound when the one to change is gone."""
    async with unit_of_work(sessions) as repos:
        if await repos.canned.save(reply_id, title, text, actor.at) is None:
            raise CannedReplyNotFound(reply_id)
        await repos.audit.record(actor.staff_id, action, actor.at, title, text[:AUDITED_TEXT_CHARS])


async def delete_reply(sessions: Sessions, reply_id: int, actor: Actor) -> None:
    """Remove a canned reply, audited; raises CannedReplyNotFound when it is gone."""
    async with unit_of_work(sessions) as repos:
        reply = await repos.canned.by_id(reply_id)
        if reply is None:
            raise CannedReplyNotFound(reply_id)
        title = reply.title
        await repos.canned.delete(reply.id)
        await repos.audit.record(actor.staff_id, "canned_delete", actor.at, title)
