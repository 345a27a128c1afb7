"""Staff sign-in checks: a lock set while a password was being checked still holds."""

from datetime import timedelta

from bot.desk.staff_accounts import create_staff, log_in
from bot.services import Services
from storage.repositories import Repositories

PASSWORD = "the right one"
ADDRESS = "192.0.2.1"


async def test_a_lock_set_by_a_guess_sent_alongside_refuses_the_right_password(
    services: Services,
) -> None:
    staff = await create_staff(services.sessions, services.clock, "wang", "agent", PASSWORD)
    now = services.clock.now()
    # What a parallel guess does while this attempt's password is being hashed.
    async with services.sessions() as session, session.begin():
        await Repositories.for_session(session).staff.count_failed_login(
            staff.id, max_failures=1, lock_until=now + timedelta(minutes=15)
        )
    async with services.sessions() as session, session.begin():
        repos = Repositories.for_session(session)
        assert await repos.staff.accept_login(staff.id, staff.password_hash, now) is None
    result = await log_in(
        services.sessions, services.clock, services.settings, "wang", PASSWORD, ADDRESS
    )
    assert result.staff is None


async def test_the_right_password_signs_in_with_the_accounts_session_epoch(
    services: Services,
) -> None:
    staff = await create_staff(services.sessions, services.clock, "wang", "agent", PASSWORD)
    async with services.sessions() as session, session.begin():
        await Repositories.for_session(session).staff.end_sessions(staff.id)
    result = await log_in(
        services.sessions, services.clock, services.settings, "wang", PASSWORD, ADDRESS
    )
    assert result.staff is not None and result.staff.session_epoch == 1
