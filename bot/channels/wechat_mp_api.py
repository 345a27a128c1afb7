"""The Official Account's customer-service message API, with its access token cached.

The token (cgi-bin/token, valid `expires_in` seconds) is kept until shortly before it runs
out, and fetched again at once when WeChat says it expired or was replaced (another server
with the same AppSecret asked for a new one).
"""

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp

from bot.clock import Clock
from bot.outbox import WindowClosed

# A token is renewed this long before WeChat says it expires.
TOKEN_MARGIN = timedelta(minutes=5)
# Invalid, malformed or expired access token: fetch a new one and try again.
TOKEN_ERRORS = frozenset({40001, 40014, 42001})
# The customer cannot be messaged now; retrying will not help.
REFUSALS = {
    45015: "48 hours passed since the customer's last message",
    45047: "too many messages since the customer's last message",
    43004: "the customer does not follow the account",
}
TIMEOUT = aiohttp.ClientTimeout(total=15)


class ApiError(Exception):
    """WeChat answered with an error code."""

    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"WeChat error {errcode}: {errmsg}")
        self.errcode = errcode


class CustomerServiceApi:
    """Sends text messages to followers through message/custom/send."""

    def __init__(self, base_url: str, appid: str, secret: str, clock: Clock) -> None:
        self._base = base_url.rstrip("/")
        self._appid = appid
        self._secret = secret
        self._clock = clock
        self._http: aiohttp.ClientSession | None = None
        self._token: str | None = None
        self._token_until = datetime.min.replace(tzinfo=UTC)
        self._token_lock = asyncio.Lock()

    async def send_text(self, user: str, text: str) -> None:
        """Send `text` to the follower `user` (an OpenID); WindowClosed when WeChat refuses."""
        body = {"touser": user, "msgtype": "text", "text": {"content": text}}
        token = await self._current_token()
        try:
            await self._send(token, body)
        except ApiError as error:
            if error.errcode not in TOKEN_ERRORS:
                raise
            await self._forget_token(token)
            await self._send(await self._current_token(), body)

    async def close(self) -> None:
        """Close the HTTP connections; the next call opens new ones."""
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def _send(self, token: str, body: dict[str, Any]) -> None:
        try:
            await self._call(
                "POST",
                "/cgi-bin/message/custom/send",
                params={"access_token": token},
                # WeChat shows \u escapes literally, so Chinese goes as UTF-8.
                data=json.dumps(body, ensure_ascii=False).encode(),
                headers={"Content-Type": "application/json; charset=utf-8"},
            )
        except ApiError as error:
            if error.errcode in REFUSALS:
                raise WindowClosed(REFUSALS[error.errcode]) from error
            raise

    async def _current_token(self) -> str:
        async with self._token_lock:
            if self._token is None or self._clock.now() >= self._token_until:
                answer = await self._call(
                    "GET",
                    "/cgi-bin/token",
                    params={
                        "grant_type": "client_credential",
                        "appid": self._appid,
                        "secret": self._secret,
                    },
                )
                self._token = str(answer["access_token"])
                lifetime = timedelta(seconds=int(answer.get("expires_in", 7200)))
                self._token_until = self._clock.now() + lifetime - TOKEN_MARGIN
            return self._token

    async def _forget_token(self, token: str) -> None:
        """Drop `token`, unless a concurrent call has already replaced it."""
        async with self._token_lock:
            if self._token == token:
                self._token = None

    async def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        if self._http is None:
            self._http = aiohttp.ClientSession(timeout=TIMEOUT)
        async with self._http.request(method, self._base + path, **kwargs) as response:
            response.raise_for_status()
            # WeChat labels its JSON text/plain.
            answer: dict[str, Any] = await response.json(content_type=None)
        errcode = int(answer.get("errcode", 0))
        if errcode:
            raise ApiError(errcode, str(answer.get("errmsg", "")))
        return answer
