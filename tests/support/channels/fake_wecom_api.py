"""A local fake of WeCom's side of customer service (企业微信 微信客服), for the channel's tests.

The HTTP API: gettoken, kf/sync_msg paging through a log of messages with opaque cursors,
kf/send_msg and kf/service_state/trans, each call recorded; like WeCom, send_msg is refused
(95018) once a session is moved to the pool or to a person, and for a msgid used before. And
the callback WeCom would post to the shop: an encrypted, signed `kf_msg_or_event`.
"""

import asyncio
import itertools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import web

from bot.channels.wechat_crypto import WechatCrypto, sha1_signature
from bot.channels.wechat_xml import to_xml

CORP_ID = "ww0123456789abcdef"
SECRET = "kf-secret"
TOKEN = "kfToken"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"  # Tencent's sample EncodingAESKey
OPEN_KFID = "wkAJ2GCAAAZSfhHCt7IFSvLKtMPxyJTw"
# Session states in which only a person in the WeCom client may write: the pool, with a person.
PERSON_STATES = frozenset({2, 3})
CRYPTO = WechatCrypto(TOKEN, AES_KEY, CORP_ID)


def signed_query(encrypted: str, when: datetime, nonce: str = "1372623149") -> dict[str, str]:
    """The query WeCom adds to a callback carrying `encrypted`, signed at `when`."""
    timestamp = str(int(when.timestamp()))
    signature = sha1_signature(TOKEN, timestamp, nonce, encrypted)
    return {"msg_signature": signature, "timestamp": timestamp, "nonce": nonce}


def kf_callback(
    token: str, when: datetime, open_kfid: str = OPEN_KFID
) -> tuple[dict[str, str], str]:
    """WeCom's "there are messages for you" callback: its signed query and encrypted body."""
    event = to_xml(
        {
            "ToUserName": CORP_ID,
            "CreateTime": int(when.timestamp()),
            "MsgType": "event",
            "Event": "kf_msg_or_event",
            "Token": token,
            "OpenKfId": open_kfid,
        }
    )
    encrypted, _ = CRYPTO.encrypt(event, "nonce", "0")
    body = to_xml({"ToUserName": CORP_ID, "AgentID": 1000002, "Encrypt": encrypted})
    return signed_query(encrypted, when), body


@dataclass
class FakeWecom:
    """WeCom's API with an inbox of messages; tests add messages and read what was called."""

    base_url: str = ""  # where the test server listens
    page_size: int = 1000
    log: list[dict[str, Any]] = field(default_factory=list)  # what sync_msg pages through
    sync_calls: list[dict[str, Any]] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)
    transfers: list[dict[str, Any]] = field(default_factory=list)
    tokens_issued: int = 0
    # Errcodes for the next send_msg calls, in order (0 = accepted).
    send_errcodes: list[int] = field(default_factory=list)
    _states: dict[str, int] = field(default_factory=dict)  # by external_userid
    _valid: set[str] = field(default_factory=set)
    _expired: set[str] = field(default_factory=set)
    _holds: dict[str, tuple[asyncio.Event, asyncio.Event]] = field(default_factory=dict)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    # What customers and staff do.

    def customer_writes(self, user: str, text: str, when: datetime, msgid: str = "") -> str:
        """A customer's text message joins the log; its msgid."""
        return self.add(user, when, "text", {"text": {"content": text}}, msgid=msgid)

    def add(
        self,
        user: str,
        when: datetime,
        msgtype: str,
        payload: dict[str, Any],
        origin: int = 3,
        msgid: str = "",
    ) -> str:
        """A message joins the log (origin 3: the customer, 4: an event, 5: staff); its msgid."""
        msgid = msgid or f"msg{next(self._ids)}"
        self.log.append(
            {
                "msgid": msgid,
                "open_kfid": OPEN_KFID,
                "external_userid": user,
                "send_time": int(when.timestamp()),
                "origin": origin,
                "msgtype": msgtype,
                **payload,
            }
        )
        return msgid

    def expire_tokens(self) -> None:
        """Every token issued so far is answered with 42001 (expired) from now on."""
        self._expired |= self._valid
        self._valid.clear()

    def revoke_tokens(self) -> None:
        """Every token issued so far is answered with 40014 (invalid) from now on."""
        self._valid.clear()

    def hold(self, cursor: str) -> asyncio.Event:
        """sync_msg for `cursor` waits until `release()`; the event is set when it is asked."""
        asked, released = asyncio.Event(), asyncio.Event()
        self._holds[cursor] = (asked, released)
        return asked

    def release(self) -> None:
        for _, released in self._holds.values():
            released.set()
        self._holds.clear()

    def sent_texts(self, user: str) -> list[str]:
        return [m["text"]["content"] for m in self.sent if m["touser"] == user]

    # The HTTP API.

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/cgi-bin/gettoken", self._gettoken)
        app.router.add_post("/cgi-bin/kf/sync_msg", self._sync_msg)
        app.router.add_post("/cgi-bin/kf/send_msg", self._send_msg)
        app.router.add_post("/cgi-bin/kf/service_state/trans", self._trans)
        return app

    async def _gettoken(self, request: web.Request) -> web.Response:
        if (request.query.get("corpid"), request.query.get("corpsecret")) != (CORP_ID, SECRET):
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        self.tokens_issued += 1
        token = f"access-{self.tokens_issued}"
        self._valid.add(token)
        return web.json_response(
            {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}
        )

    def _refused_token(self, request: web.Request) -> web.Response | None:
        token = request.query.get("access_token", "")
        if token in self._valid:
            return None
        if token in self._expired:
            return web.json_response({"errcode": 42001, "errmsg": "access_token expired"})
        return web.json_response({"errcode": 40014, "errmsg": "invalid access_token"})

    async def _sync_msg(self, request: web.Request) -> web.Response:
        if refused := self._refused_token(request):
            return refused
        body = await request.json()
        self.sync_calls.append(body)
        cursor = body.get("cursor", "")
        if cursor in self._holds:
            asked, released = self._holds[cursor]
            asked.set()
            await released.wait()
        start = int(cursor.removeprefix("cursor-")) if cursor else 0
        end = min(len(self.log), start + min(self.page_size, int(body.get("limit", 1000))))
        return web.json_response(
            {
                "errcode": 0,
                "errmsg": "ok",
                "next_cursor": f"cursor-{end}",
                "has_more": int(end < len(self.log)),
                "msg_list": self.log[start:end],
            }
        )

    async def _send_msg(self, request: web.Request) -> web.Response:
        if refused := self._refused_token(request):
            return refused
        body = await request.json()
        errcode = self.send_errcodes.pop(0) if self.send_errcodes else 0
        if self._states.get(body.get("touser", "")) in PERSON_STATES:
            errcode = 95018
        if errcode:
            return web.json_response({"errcode": errcode, "errmsg": "refused by the fake"})
        self.sent.append(body)
        return web.json_response({"errcode": 0, "errmsg": "ok", "msgid": f"sent{len(self.sent)}"})

    async def _trans(self, request: web.Request) -> web.Response:
        if refused := self._refused_token(request):
            return refused
        body = await request.json()
        self.transfers.append(body)
        self._states[body["external_userid"]] = body["service_state"]
        return web.json_response({"errcode": 0, "errmsg": "ok"})
