"""The WeCom customer-service (微信客服) HTTP API: pulling messages, sending them, moving sessions.

Every call carries an access token (cgi-bin/gettoken with the CorpID and the customer-service
Secret, valid `expires_in` seconds). It is kept until shortly before it runs out, and fetched
again at once when WeCom says it is invalid or expired; the call is then repeated once.
"""

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import aiohttp

from bot.channels.access_token import AccessToken, LazySession
from core.clock import Clock

# Invalid or expired access token: fetch a new one and repeat the call.
TOKEN_ERRORS = frozenset({40014, 42001})
# The customer cannot be messaged through the API now; retrying will not help.
REFUSALS = {
    95001: "5 messages sent since the customer's last message",
    95002: "48 hours passed since the customer's last message",
    95013: "the session has ended",
    95018: "the session is not in a state the API may send in (e.g. a person has it)",
}
TIMEOUT = aiohttp.ClientTimeout(total=15)


class WecomApiError(Exception):
    """WeCom answered with an error code (or not with JSON at all)."""

    def __init__(self, path: str, errcode: int, errmsg: str) -> None:
        super().__init__(f"WeCom {path} error {errcode}: {errmsg}")
        self.errcode = errcode

    @property
    def refusal(self) -> str | None:
        """Why WeCom will not deliver to this customer now, None for other errors."""
        return REFUSALS.get(self.errcode)


@dataclass(frozen=True)
class KfMessage:
    """One entry of sync_msg's msg_list, as far as the channel reads it."""

    msgid: str
    open_kfid: str
    external_userid: str
    send_time: int  # Unix seconds
    origin: int  # 3: the customer wrote it, 4: an event, 5: a person in the WeCom client
    msgtype: str
    text: str  # the content of a text message, "" for the other types

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> "KfMessage":
        """Read one msg_list entry; missing or odd fields become empty values."""
        text = item.get("text")
        content = text.get("content", "") if isinstance(text, dict) else ""
        return cls(
            msgid=str(item.get("msgid", "")),
            open_kfid=str(item.get("open_kfid", "")),
            external_userid=str(item.get("external_userid", "")),
            send_time=_whole(item.get("send_time")),
            origin=_whole(item.get("origin")),
            msgtype=str(item.get("msgtype", "")),
            text=str(content),
        )


@dataclass(frozen=True)
class SyncPage:
    """What one sync_msg call returned."""

    messages: list[KfMessage]
    next_cursor: str
    has_more: bool


def _token_rejected(error: Exception) -> bool:
    return isinstance(error, WecomApiError) and error.errcode in TOKEN_ERRORS


def _whole(value: object) -> int:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return 0


class WecomApi:
    """The calls the channel makes, with the access token handled."""

    def __init__(self, base_url: str, corp_id: str, secret: str, clock: Clock) -> None:
        self._base = base_url.rstrip("/")
        self._corp_id = corp_id
        self._secret = secret
        self._http = LazySession(TIMEOUT)
        self._token = AccessToken(self._fetch_token, _token_rejected, clock)

    async def sync_msg(
        self, cursor: str, token: str, open_kfid: str, limit: int = 1000
    ) -> SyncPage:
        """The next page of messages after `cursor` ("" for the oldest WeCom still keeps)."""
        body: dict[str, Any] = {"cursor": cursor, "open_kfid": open_kfid, "limit": limit}
        if token:  # the callback's token; without it WeCom allows far fewer calls
            body["token"] = token
        answer = await self._post("/cgi-bin/kf/sync_msg", body)
        items = answer.get("msg_list")
        return SyncPage(
            messages=[KfMessage.from_json(i) for i in items or [] if isinstance(i, dict)],
            next_cursor=str(answer.get("next_cursor") or ""),
            has_more=bool(answer.get("has_more")),
        )

    async def send_text(
        self, open_kfid: str, external_userid: str, content: str, msgid: str = ""
    ) -> None:
        """Send a text message to the customer from the customer-service account; with a
        `msgid`, WeCom refuses another message with the same one (no repeat reaches the
        customer)."""
        body: dict[str, Any] = {
            "touser": external_userid,
            "open_kfid": open_kfid,
            "msgtype": "text",
            "text": {"content": content},
        }
        if msgid:
            body["msgid"] = msgid
        await self._post("/cgi-bin/kf/send_msg", body)

    async def trans_state(
        self, open_kfid: str, external_userid: str, state: int, servicer_userid: str = ""
    ) -> None:
        """Move the customer's session to `state` (3, with a person, needs `servicer_userid`)."""
        body: dict[str, Any] = {
            "open_kfid": open_kfid,
            "external_userid": external_userid,
            "service_state": state,
        }
        if servicer_userid:
            body["servicer_userid"] = servicer_userid
        await self._post("/cgi-bin/kf/service_state/trans", body)

    async def close(self) -> None:
        """Close the HTTP connections; the next call opens new ones."""
        await self._http.close()

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        # Chinese goes as UTF-8 rather than \u escapes, which WeChat may show literally.
        data = json.dumps(body, ensure_ascii=False).encode()
        return await self._token.call(
            lambda token: self._call("POST", path, params={"access_token": token}, data=data)
        )

    async def _fetch_token(self) -> tuple[str, timedelta]:
        answer = await self._call(
            "GET",
            "/cgi-bin/gettoken",
            params={"corpid": self._corp_id, "corpsecret": self._secret},
        )
        lifetime = timedelta(seconds=_whole(answer.get("expires_in")) or 7200)
        return str(answer.get("access_token", "")), lifetime

    async def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        headers = {"Content-Type": "application/json; charset=utf-8"} if "data" in kwargs else {}
        async with self._http.get().request(
            method, self._base + path, headers=headers, **kwargs
        ) as response:
            # Not raise_for_status(): its message carries the URL, access token and all.
            if response.status != 200:
                raise WecomApiError(path, response.status, "HTTP status")
            try:
                answer = await response.json(content_type=None)
            except ValueError as error:
                raise WecomApiError(path, -1, "the answer is not JSON") from error
        if not isinstance(answer, dict):
            raise WecomApiError(path, -1, "the answer is not a JSON object")
        errcode = _whole(answer.get("errcode", 0))
        if errcode:
            raise WecomApiError(path, errcode, str(answer.get("errmsg", "")))
        return answer
