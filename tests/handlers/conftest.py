"""Fixtures for handler tests: a product catalogue the tests know in detail."""

from collections.abc import Sequence

import pytest

from bot.services import Services
from tests.support.catalogue import CATALOGUE, Listed, write_catalogue
from tests.support.clock import FakeClock


@pytest.fixture
async def catalogue(services: Services, clock: FakeClock) -> Sequence[Listed]:
    """The shop sells exactly the products of CATALOGUE."""
    await write_catalogue(services, clock, CATALOGUE)
    return CATALOGUE
