"""AuditRepository: what staff did, newest first."""

from datetime import datetime

from storage.repositories import Repositories
from tests.support.factories import add_staff


async def test_recent_is_newest_first_up_to_the_limit(repos: Repositories, now: datetime) -> None:
    agent = await add_staff(repos, now=now)
    await repos.audit.record(agent.id, "login", now)
    await repos.audit.record(agent.id, "ticket.close", now, subject="s" * 150, detail="done")
    await repos.audit.record(None, "import", now)

    recent = await repos.audit.recent(limit=2)

    assert [e.action for e in recent] == ["import", "ticket.close"]
    assert recent[0].staff_id is None
    assert len(recent[1].subject) == 100 and recent[1].detail == "done"
