"""A local stand-in for the Official Account's API: access tokens and customer-service sends."""

import asyncio
import json
from dataclasses import dataclass, field

from aiohttp import web

from tests.support.clock import FakeClock

APPID = "wx0123456789abcdef"
SECRET = "test-app-secret"
TOKEN_LIFETIME_SECONDS = 7200


@dataclass(frozen=True)
class SentText:
    user: str
    text: str


@dataclass
class FakeWechatApi:
    """Issues numbered tokens and records the texts it was asked to send."""

    clock: FakeClock
    base_url: str = ""  # set once its server runs
    tokens_issued: int = 0
    sent: list[SentText] = field(default_factory=list)
    # Users whose messages WeChat refuses, with the error code it answers.
    refusals: dict[str, int] = field(default_factory=dict)
    # An HTTP status other than 200 that sending answers with, as when WeChat has trouble.
    broken_with: int | None = None
    _valid: set[str] = field(default_factory=set)
    _arrivals: asyncio.Queue[SentText] = field(default_factory=asyncio.Queue)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/cgi-bin/token", self._token)
        app.router.add_post("/cgi-bin/message/custom/send", self._send)
        return app

    def revoke_tokens(self) -> None:
        """As when another server fetched a new token: the old ones stop working."""
        self._valid.clear()

    async def next_sent(self) -> SentText:
        """The next text that arrives (waits for it, up to 5 seconds)."""
        return await asyncio.wait_for(self._arrivals.get(), 5)

    async def _token(self, request: web.Request) -> web.Response:
        query = request.query
        if (query.get("appid"), query.get("secret")) != (APPID, SECRET):
            return _answer(40125, "invalid appsecret")
        self.tokens_issued += 1
        token = f"token-{self.tokens_issued}"
        self._valid.add(token)
        return web.Response(
            text=json.dumps({"access_token": token, "expires_in": TOKEN_LIFETIME_SECONDS})
        )

    async def _send(self, request: web.Request) -> web.Response:
        if self.broken_with is not None:
            return web.Response(status=self.broken_with, text="upstream trouble")
        if request.query.get("access_token") not in self._valid:
            return _answer(40001, "invalid credential, access_token is invalid or not latest")
        body = json.loads(await request.read())
        user = body["touser"]
        if user in self.refusals:
            return _answer(self.refusals[user], "refused")
        assert body["msgtype"] == "text"
        sent = SentText(user, body["text"]["content"])
        self.sent.append(sent)
        self._arrivals.put_nowait(sent)
        return _answer(0, "ok")


def _answer(errcode: int, errmsg: str) -> web.Response:
    # WeChat labels its JSON text/plain.
    return web.Response(text=json.dumps({"errcode": errcode, "errmsg": errmsg}))
