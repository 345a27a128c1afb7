"""The Official Account's customer-service message API, with its access token cached.

The token (cgi-bin/token, valid `expires_in` seconds) is kept until shortly before it runs
out, and fetched again at once when WeChat says it expired or was replaced (another server
with the same AppSecret asked for a new one).
"""

import json
from datetime import timedelta
from typing import Any

import aiohttp

from bot.channels.access_token import AccessToken, LazySession
from bot.outreach.outbox import WindowClosed
from core.clock import Clock

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
        self._http = LazySession(TIMEOUT)
        self._token = AccessToken(self._fetch_token, _token_rejected, clock)

    async def send_text(self, user: str, text: str) -> None:
        """Send `text` to the follower `user` (an OpenID); WindowClosed when WeChat refuses."""
        body = {"touser": user, "msgtype": "text", "text": {"content": text}}
        await self._token.call(lambda token: self._send(token, body))

    async def close(self) -> None:
        """Close the HTTP connections; the next call opens new ones."""
        await self._http.close()

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

    async def _fetch_token(self) -> tuple[str, timedelta]:
        answer = await self._call(
            "GET",
            "/cgi-bin/token",
            params={
                "grant_type": "client_credential",
                "appid": self._appid,
                "secret": self._secret,
            },
        )
        return str(answer["access_token"]), timedelta(seconds=int(answer.get("expires_in", 7200)))

    async def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        async with self._http.get().request(method, self._base + path, **kwargs) as response:
            # Not raise_for_status(): its message carries the URL, access token and all.
            if response.status != 200:
                raise ConnectionError(f"WeChat answered HTTP {response.status} on {path}")
            # WeChat labels its JSON text/plain.
            answer: dict[str, Any] = await response.json(content_type=None)
        errcode = int(answer.get("errcode", 0))
        if errcode:
            raise ApiError(errcode, str(answer.get("errmsg", "")))
        return answer


def _token_rejected(error: Exception) -> bool:
    return isinstance(error, ApiError) and error.errcode in TOKEN_ERRORS
