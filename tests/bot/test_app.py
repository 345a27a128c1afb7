"""Wiring: a platform channel is served only when its settings are there."""

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app, platform_channels, start_services
from bot.channels.wechat_crypto import sha1_signature
from bot.services import Services
from core.settings import Settings
from tests.support.clock import FakeClock

TOKEN = "shop-token"


@pytest.fixture
async def configured(settings: Settings, clock: FakeClock) -> AsyncIterator[Services]:
    """kefu with the Official Account switched on (plain mode)."""
    services = await start_services(
        replace(settings, mp_token=TOKEN, mp_appid="wx0123456789abcdef"), clock
    )
    yield services
    await services.close()


async def test_no_platform_is_served_without_its_settings(
    services: Services, client: TestClient
) -> None:
    assert platform_channels(services) == {}
    assert (await client.get("/wechat/mp")).status == 404
    assert (await client.post("/wecom/kf", data=b"<xml/>")).status == 404


async def test_a_configured_official_account_answers_wechats_url_check(
    configured: Services, clock: FakeClock
) -> None:
    assert set(platform_channels(configured)) == {"wechat_mp"}
    timestamp, nonce = str(int(clock.now().timestamp())), "4242"
    query = {
        "signature": sha1_signature(TOKEN, timestamp, nonce),
        "timestamp": timestamp,
        "nonce": nonce,
        "echostr": "hello-wechat",
    }
    async with TestClient(TestServer(create_app(configured, deliver_outbox_every=60))) as client:
        answer = await client.get("/wechat/mp", params=query)
        assert (answer.status, await answer.text()) == (200, "hello-wechat")
