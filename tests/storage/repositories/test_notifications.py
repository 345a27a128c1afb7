"""NotificationRepository: what staff are told, and what they have read."""

from datetime import datetime, timedelta

from storage.repositories import Repositories
from tests.support.factories import add_chat, add_ticket


async def test_unread_newest_first_and_latest_with_ticket_numbers(
    repos: Repositories, now: datetime
) -> None:
    ticket = await add_ticket(repos, await add_chat(repos, now=now))
    await repos.notifications.add(ticket.id, "新工单", False, now)
    await repos.notifications.add(None, "x" * 300, True, now)

    unread = await repos.notifications.unread()
    latest = await repos.notifications.latest(2)

    assert [n.reason[:1] for n in unread[:2]] == ["x", "新"]
    assert len(unread[0].reason) == 200 and unread[0].urgent is True
    assert [listed.ticket_number for listed in latest] == ["", ticket.number]


async def test_mark_read_once(repos: Repositories, now: datetime) -> None:
    await repos.notifications.add(None, "提醒", False, now)
    (notification, *_) = await repos.notifications.unread()
    before = await repos.notifications.unread_count()

    first = await repos.notifications.mark_read(notification.id, now)
    again = await repos.notifications.mark_read(notification.id, now + timedelta(minutes=1))

    assert (first, again) == (True, False)
    assert await repos.notifications.unread_count() == before - 1


async def test_mark_all_read_leaves_later_ones_unread(repos: Repositories, now: datetime) -> None:
    await repos.notifications.add(None, "一", False, now)
    await repos.notifications.add(None, "二", False, now)
    seen_up_to = (await repos.notifications.unread(limit=1))[0].id
    await repos.notifications.add(None, "三", False, now)

    marked = await repos.notifications.mark_all_read(seen_up_to, now)

    assert marked >= 2
    assert [n.reason for n in await repos.notifications.unread()] == ["三"]
    assert await repos.notifications.unread_count() == 1
