"""Fixtures for the core's staff-side tests."""

import pytest

from bot.app import Services
from bot.staff_accounts import create_staff


@pytest.fixture
async def staff_id(services: Services) -> int:
    staff = await create_staff(services.sessions, services.clock, "boss", "admin", "pw 12345678")
    return staff.id
