"""StaffRepository: console accounts, wrong passwords, sessions and who is online."""

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from core.enums import StaffRole
from storage.repositories import Repositories
from tests.support.factories import add_staff


async def test_accounts_are_found_by_name_and_listed_by_name(
    repos: Repositories, now: datetime
) -> None:
    before = await repos.staff.count()
    zoe = await add_staff(repos, name="zoe", now=now)
    amy = await add_staff(repos, name="amy", now=now)

    found = await repos.staff.by_name("zoe")

    assert found is not None and found.id == zoe.id
    assert await repos.staff.by_name("Zoe") is None
    names = [s.name for s in await repos.staff.all()]
    assert names.index(amy.name) < names.index(zoe.name)
    assert names == sorted(names)
    assert await repos.staff.count() == before + 2


async def test_wrong_passwords_lock_the_account_and_block_a_right_one(
    repos: Repositories, session: AsyncSession, now: datetime
) -> None:
    agent = await add_staff(repos, password_hash="right", now=now)
    until = now + timedelta(minutes=15)

    locked = [await repos.staff.count_failed_login(agent.id, 3, until) for _ in range(3)]
    while_locked = await repos.staff.accept_login(agent.id, "right", now)
    after_lock = await repos.staff.accept_login(agent.id, "right", until)

    assert locked == [False, False, True]
    assert while_locked is None
    assert after_lock == 0


async def test_accept_login_refuses_a_changed_password_or_deactivated_account(
    repos: Repositories, session: AsyncSession, now: datetime
) -> None:
    agent = await add_staff(repos, password_hash="old", now=now)
    gone = await add_staff(repos, password_hash="pw", now=now)
    gone.active = False
    await session.flush()

    epoch = await repos.staff.set_password(agent.id, "new")

    assert epoch == 1
    assert await repos.staff.accept_login(agent.id, "old", now) is None
    assert await repos.staff.accept_login(agent.id, "new", now) == 1
    assert await repos.staff.accept_login(gone.id, "pw", now) is None
    assert await repos.staff.set_password(10_000_000, "x") is None


async def test_online_are_active_staff_seen_lately_in_a_live_session(
    repos: Repositories, session: AsyncSession, now: datetime
) -> None:
    seen = await add_staff(repos, now=now)
    signed_out = await add_staff(repos, now=now)
    long_ago = await add_staff(repos, now=now)
    stale_session = await add_staff(repos, now=now)
    await repos.staff.mark_seen(seen.id, 0, now)
    await repos.staff.mark_seen(signed_out.id, 0, now)
    await repos.staff.end_sessions(signed_out.id)
    await repos.staff.mark_seen(long_ago.id, 0, now - timedelta(hours=1))
    await repos.staff.end_sessions(stale_session.id)
    await repos.staff.mark_seen(stale_session.id, 0, now)  # a request of the ended session

    online = await repos.staff.online(now - timedelta(minutes=5))

    assert [s.id for s in online] == [seen.id]


async def test_count_active_admins_leaves_out_one_account(
    repos: Repositories, session: AsyncSession, now: datetime
) -> None:
    before = await repos.staff.count_active_admins()
    boss = await add_staff(repos, role=StaffRole.ADMIN, now=now)
    retired = await add_staff(repos, role=StaffRole.ADMIN, now=now)
    await add_staff(repos, role=StaffRole.AGENT, now=now)
    retired.active = False
    await session.flush()

    assert await repos.staff.count_active_admins() == before + 1
    assert await repos.staff.count_active_admins(other_than=boss.id) == before
