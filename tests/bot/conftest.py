"""Fixtures for the core's tests: a staff member, and a desk for follow-ups."""

import pytest

from bot.desk.staff_accounts import create_staff
from bot.services import Services
from tests.support.clock import FakeClock
from tests.support.followups import FollowUpDesk


@pytest.fixture
async def staff_id(services: Services) -> int:
    staff = await create_staff(services.sessions, services.clock, "boss", "admin", "pw 12345678")
    return staff.id


@pytest.fixture
def followups(services: Services, clock: FakeClock) -> FollowUpDesk:
    return FollowUpDesk(services, clock)
