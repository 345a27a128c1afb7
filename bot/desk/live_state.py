"""What the console's live stream watches: a summary that changes with what staff see."""

from typing import Any

from bot.desk.unit_of_work import Sessions, unit_of_work
from storage.repositories import Repositories

State = tuple[Any, ...]


async def read_state(repos: Repositories, conversation_id: int | None) -> State:
    """A summary that changes whenever a list or the viewed conversation would look different."""
    handovers = [*await repos.handovers.queued(), *await repos.handovers.active()]
    unsent: tuple[tuple[int, str], ...] = ()
    if conversation_id is not None:
        unsent = tuple((row.id, row.status) for row in await repos.messages.unsent(conversation_id))
    return (
        await repos.messages.newest_id(),
        await repos.conversations.live_marker(),
        tuple(sorted((h.id, h.status, h.staff_id) for h in handovers)),
        unsent,
    )


async def live_state(sessions: Sessions, conversation_id: int | None) -> State:
    async with unit_of_work(sessions) as repos:
        return await read_state(repos, conversation_id)
