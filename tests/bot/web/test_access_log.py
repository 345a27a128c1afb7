"""The access log records who asked for what, without the secrets in the URLs: chat ids,
WeChat's signatures and nonces, staff searches."""

import logging
from dataclasses import replace

import pytest
from aiohttp.test_utils import TestClient, TestServer
from yarl import URL

from bot.app import create_app
from bot.channels.wechat_crypto import sha1_signature
from bot.services import Services
from bot.web.access_log import RedactingAccessLogger, redacted

CHAT_ID = "0f6b1c2d3e4f5a6b7c8d9e0f1a2b3c4d"
OPENID = "o6_bmjrPTlm6_2sgVt7hMZOPfL2M"


@pytest.mark.parametrize(
    ("url", "logged"),
    [
        ("/healthz", "/healthz"),
        (f"/api/chat/messages?user={CHAT_ID}&after=12", "/api/chat/messages?user=***&after=12"),
        ("/console/orders?q=13800138000", "/console/orders?q=***"),
        (
            "/console/tickets?status=open&kind=complaint",
            "/console/tickets?status=open&kind=complaint",
        ),
        ("/console/tickets?status=open%0A1.2.3.4%20GET", "/console/tickets?status=***"),
        ("/x?%0Aforged=1", "/x?***=***"),
    ],
)
def test_only_harmless_query_values_are_kept(url: str, logged: str) -> None:
    assert redacted(URL(url)) == logged


async def test_a_served_request_is_logged_without_its_secrets(
    services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    services.settings = replace(services.settings, mp_token="token", mp_appid="wx0123456789ab")
    signature = sha1_signature("token", "1764385200", "1372623149")
    server = TestServer(create_app(services))
    await server.start_server(access_log_class=RedactingAccessLogger)
    caplog.set_level(logging.INFO, logger="aiohttp.access")
    async with TestClient(server) as client:
        await client.get("/api/chat/messages", params={"user": CHAT_ID, "after": "0"})
        await client.get(
            "/wechat/mp",
            params={
                "signature": signature,
                "timestamp": "1764385200",
                "nonce": "1372623149",
                "echostr": "5837397520665436492",
                "openid": OPENID,
            },
            headers={"Referer": f"http://shop.example/chat?user={CHAT_ID}"},
        )

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert '"GET /api/chat/messages?user=***&after=0 HTTP/1.1" 200' in logged
    assert "/wechat/mp?signature=***&timestamp=***&nonce=***&echostr=***&openid=***" in logged
    for secret in (CHAT_ID, signature, "1372623149", "5837397520665436492", OPENID):
        assert secret not in logged
