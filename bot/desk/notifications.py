"""Staff notifications: the newest, the unread count, marking them read."""

from dataclasses import dataclass
from datetime import datetime

from bot.desk.unit_of_work import Sessions, unit_of_work
from storage.repositories.notifications import ListedNotification


@dataclass(frozen=True)
class NotificationList:
    rows: list[ListedNotification]  # newest first
    unread: int


async def latest(sessions: Sessions, limit: int) -> NotificationList:
    """The newest notifications, read or not, and how many are unread in all."""
    async with unit_of_work(sessions) as repos:
        rows = await repos.notifications.latest(limit)
        return NotificationList(rows, await repos.notifications.unread_count())


async def unread_count(sessions: Sessions) -> int:
    async with unit_of_work(sessions) as repos:
        return await repos.notifications.unread_count()


async def mark_read(sessions: Sessions, notification_id: int, now: datetime) -> None:
    """Mark one notification read; one read already stays as it was."""
    async with unit_of_work(sessions) as repos:
        await repos.notifications.mark_read(notification_id, now)


async def mark_all_read(sessions: Sessions, up_to_id: int, now: datetime) -> None:
    """Mark the unread ones up to an id read; later ones stay unread."""
    async with unit_of_work(sessions) as repos:
        await repos.notifications.mark_all_read(up_to_id, now)
