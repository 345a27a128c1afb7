"""The web channel's JSON chat API, health check and chat page, as a browser or a shop's site
would use them."""

import io
import json
from datetime import datetime
from typing import Any
from urllib.parse import quote

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from bot.services import Services
from storage.models import Message
from storage.repositories import Repositories
from tests.support.clock import START, FakeClock

MAX_TEXT = 4000


async def post_chat(client: TestClient, body: Any) -> tuple[int, dict[str, Any]]:
    """POST a JSON body to /api/chat; the status and the decoded JSON answer."""
    response = await client.post("/api/chat", json=body)
    return response.status, await response.json()


async def post_raw(client: TestClient, data: bytes) -> tuple[int, dict[str, Any]]:
    """POST raw bytes to /api/chat; the status and the decoded JSON answer."""
    response = await client.post(
        # a stream, because aiohttp warns about sending large bodies as bytes
        "/api/chat",
        data=io.BytesIO(data),
        headers={"Content-Type": "application/json"},
    )
    assert response.content_type == "application/json"
    return response.status, await response.json()


async def replies(client: TestClient, user: str, text: str, message_id: Any = None) -> list[str]:
    """Send a good message and return the reply texts."""
    body: dict[str, Any] = {"user": user, "text": text}
    if message_id is not None:
        body["id"] = message_id
    status, answer = await post_chat(client, body)
    assert status == 200, answer
    return [reply["text"] for reply in answer["replies"]]


async def fetch_messages(client: TestClient, **query: str) -> list[dict[str, Any]]:
    """GET /api/chat/messages with the given query; the list of messages."""
    response = await client.get("/api/chat/messages", params=query)
    assert response.status == 200, await response.text()
    return (await response.json())["messages"]


async def get_error(client: TestClient, path: str, **query: str) -> tuple[int, dict[str, Any]]:
    response = await client.get(path, params=query)
    return response.status, await response.json()


async def assert_still_serving(client: TestClient) -> None:
    """The server answers a good message after a bad one."""
    assert await replies(client, "after-bad-request", "你好")


async def incoming_count(services: Services, external_id: str) -> int:
    """How many customer messages with this channel message id are stored."""
    async with services.sessions() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(Message)
            .where(Message.direction == "in", Message.external_id == external_id)
        )
    return count or 0


# --- POST /api/chat: good messages -------------------------------------------------------


async def test_a_message_gets_replies_in_the_documented_shape(client: TestClient) -> None:
    status, answer = await post_chat(client, {"user": "alice", "text": "你好"})

    assert status == 200
    assert list(answer) == ["replies"]
    assert answer["replies"], "a greeting must get at least one reply"
    for reply in answer["replies"]:
        assert isinstance(reply["text"], str)
        assert reply["text"].strip()
    assert any("您好" in reply["text"] for reply in answer["replies"])


async def test_the_same_id_sent_twice_gets_the_same_replies_and_is_stored_once(
    client: TestClient, services: Services
) -> None:
    first = await replies(client, "alice", "怎么退货", "msg-1")
    second = await replies(client, "alice", "怎么退货", "msg-1")

    assert second == first
    assert await incoming_count(services, "msg-1") == 1
    sent = await fetch_messages(client, user="alice")
    assert [m["text"] for m in sent] == first, "the replies are sent once, not twice"


async def test_a_resent_id_answers_as_the_first_time_even_if_the_text_changed(
    client: TestClient, services: Services
) -> None:
    first = await replies(client, "alice", "你好", "msg-1")
    again = await replies(client, "alice", "怎么退货", "msg-1")

    assert again == first
    assert await incoming_count(services, "msg-1") == 1


async def test_a_numeric_id_is_the_same_message_as_its_string_form(
    client: TestClient, services: Services
) -> None:
    first = await replies(client, "alice", "你好", 17)
    again = await replies(client, "alice", "你好", "17")

    assert again == first
    assert await incoming_count(services, "17") == 1


async def test_the_same_id_from_another_user_is_a_different_message(
    client: TestClient, services: Services
) -> None:
    greeting = await replies(client, "alice", "你好", "msg-1")
    refund = await replies(client, "bob", "退款多久到账", "msg-1")

    assert refund != greeting
    assert await incoming_count(services, "msg-1") == 2
    assert [m["text"] for m in await fetch_messages(client, user="bob")] == refund


async def test_messages_without_id_are_each_answered_and_stored(
    client: TestClient, services: Services
) -> None:
    await replies(client, "alice", "你好")
    await replies(client, "alice", "你好")

    async with services.sessions() as session:
        stored = await session.scalar(
            select(func.count())
            .select_from(Message)
            .where(Message.direction == "in", Message.sender == "customer")
        )
    assert stored == 2


async def test_unknown_fields_are_ignored(client: TestClient) -> None:
    plain = await replies(client, "alice", "你好")
    status, answer = await post_chat(
        client,
        {"user": "bob", "text": "你好", "channel": "wechat", "extra": {"a": [1, 2]}, "x": None},
    )

    assert status == 200
    assert [reply["text"] for reply in answer["replies"]] == plain


@pytest.mark.parametrize(
    "text",
    ["", "   ", "😀😀😀", "\x00\x01\x07 控制字符\x1b[31m", "' OR 1=1 --", "🙂" * MAX_TEXT],
    ids=["empty", "spaces", "only-emoji", "control-characters", "sql-injection", "4000-emoji"],
)
async def test_odd_but_valid_text_is_answered_and_kept(
    client: TestClient, services: Services, text: str
) -> None:
    assert await replies(client, "alice", text, "odd-1")
    assert await incoming_count(services, "odd-1") == 1


async def test_text_with_a_lone_surrogate_escape_is_answered_and_kept(
    client: TestClient, services: Services
) -> None:
    # Valid JSON, but "\ud800" is half of a UTF-16 pair: no character UTF-8 can store.
    body = '{"user": "alice", "text": "\\ud800 怎么退货", "id": "s-1"}'.encode()

    status, answer = await post_raw(client, body)

    assert status == 200, answer
    assert answer["replies"]
    assert await incoming_count(services, "s-1") == 1


async def test_a_message_of_exactly_4000_chinese_characters_is_accepted(
    client: TestClient,
) -> None:
    assert await replies(client, "alice", "请" * MAX_TEXT)


# --- POST /api/chat: bad requests ----------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"hello",
        b"{'user': 'alice'}",
        b'{"user": "alice", "text": "hi"',
        b"\xff\xfe\x00",
        b'{"user": "alice", "text": "hi", "id": ' + b"9" * 5000 + b"}",
        b"[" * 200_000,
    ],
    ids=[
        "empty-body",
        "plain-text",
        "python-dict",
        "truncated",
        "not-utf8",
        "5000-digit-number",
        "deep-nesting",
    ],
)
async def test_a_body_that_is_not_json_is_a_400(client: TestClient, data: bytes) -> None:
    status, answer = await post_raw(client, data)

    assert status == 400
    assert "JSON" in answer["error"]
    await assert_still_serving(client)


@pytest.mark.parametrize(
    "body",
    [[{"user": "alice", "text": "你好"}], "你好", 42, None, True],
    ids=["list", "string", "number", "null", "boolean"],
)
async def test_a_body_that_is_not_a_json_object_is_a_400(client: TestClient, body: Any) -> None:
    status, answer = await post_raw(client, json.dumps(body).encode())

    assert status == 400
    assert answer["error"]
    await assert_still_serving(client)


@pytest.mark.parametrize(
    "body",
    [
        {"text": "你好"},
        {"user": "", "text": "你好"},
        {"user": "   ", "text": "你好"},
        {"user": "\t\n", "text": "你好"},
        {"user": None, "text": "你好"},
        {"user": 12345, "text": "你好"},
        {"user": ["alice"], "text": "你好"},
    ],
    ids=["missing", "empty", "spaces", "whitespace", "null", "number", "list"],
)
async def test_a_missing_or_empty_user_is_a_400(client: TestClient, body: dict[str, Any]) -> None:
    status, answer = await post_chat(client, body)

    assert status == 400
    assert "user" in answer["error"]
    await assert_still_serving(client)


@pytest.mark.parametrize(
    "body",
    [
        {"user": "alice"},
        {"user": "alice", "text": 42},
        {"user": "alice", "text": 4.5},
        {"user": "alice", "text": None},
        {"user": "alice", "text": ["你好"]},
        {"user": "alice", "text": {"content": "你好"}},
        {"user": "alice", "text": True},
    ],
    ids=["missing", "int", "float", "null", "list", "object", "boolean"],
)
async def test_text_that_is_not_a_string_is_a_400(client: TestClient, body: dict[str, Any]) -> None:
    status, answer = await post_chat(client, body)

    assert status == 400
    assert "text" in answer["error"]
    assert await fetch_messages(client, user="alice") == [], "nothing is answered"
    await assert_still_serving(client)


@pytest.mark.parametrize(
    "message_id",
    [[1], {"n": 1}, True, 1.5, "x" * 129],
    ids=["list", "object", "boolean", "float", "too-long"],
)
async def test_an_id_of_a_bad_type_is_a_400(client: TestClient, message_id: Any) -> None:
    status, answer = await post_chat(client, {"user": "alice", "text": "你好", "id": message_id})

    assert status == 400
    assert "id" in answer["error"]
    await assert_still_serving(client)


async def test_a_user_id_of_200_characters_is_accepted_and_201_is_a_400(
    client: TestClient,
) -> None:
    assert await replies(client, "u" * 200, "你好")

    status, answer = await post_chat(client, {"user": "u" * 201, "text": "你好"})
    assert status == 400
    assert "user" in answer["error"]


@pytest.mark.parametrize(
    ("field", "body"),
    [
        ("user", b'{"user": "\\ud800", "text": "hi"}'),
        ("id", b'{"user": "alice", "text": "hi", "id": "\\udfff"}'),
        ("user", b'{"user": "ali\\u0000ce", "text": "hi"}'),
        ("id", b'{"user": "alice", "text": "hi", "id": "i\\u0000d"}'),
        ("user", b'{"user": "ali\\u001bce", "text": "hi"}'),
    ],
    ids=["user", "id", "user-nul", "id-nul", "user-escape"],
)
async def test_a_user_or_id_with_a_lone_surrogate_escape_is_a_400(
    client: TestClient, field: str, body: bytes
) -> None:
    status, answer = await post_raw(client, body)

    assert status == 400
    assert field in answer["error"]
    await assert_still_serving(client)


@pytest.mark.parametrize(
    "text",
    ["x" * (MAX_TEXT + 1), "请" * (MAX_TEXT + 1), "x" * 100 * 1024],
    ids=["4001-ascii", "4001-chinese", "100KB"],
)
async def test_text_over_4000_characters_is_a_413(
    client: TestClient, services: Services, text: str
) -> None:
    status, answer = await post_chat(client, {"user": "alice", "text": text, "id": "big"})

    assert status == 413
    assert "4000" in answer["error"]
    assert await incoming_count(services, "big") == 0
    await assert_still_serving(client)


async def test_a_body_over_the_1mb_server_limit_is_a_413_in_json(client: TestClient) -> None:
    body = json.dumps({"user": "alice", "text": "x" * (1024 * 1024 + 1)}).encode()

    status, answer = await post_raw(client, body)

    assert status == 413
    assert answer["error"]
    await assert_still_serving(client)


# --- GET /api/chat/messages ----------------------------------------------------------------


async def test_sent_messages_have_the_documented_shape(client: TestClient) -> None:
    sent_replies = await replies(client, "alice", "你好")

    messages = await fetch_messages(client, user="alice")

    assert [m["text"] for m in messages] == sent_replies
    for message in messages:
        assert set(message) == {"id", "text", "from", "time"}
        assert isinstance(message["id"], int)
        assert message["from"] == "bot"
        time = datetime.fromisoformat(message["time"])
        assert time.utcoffset() is not None, "the time must carry its UTC offset"
        assert time == START


async def test_sent_messages_come_oldest_first_with_increasing_ids(
    client: TestClient, clock: FakeClock
) -> None:
    first = await replies(client, "alice", "你好")
    clock.advance(minutes=5)
    second = await replies(client, "alice", "怎么退货")

    messages = await fetch_messages(client, user="alice")

    assert [m["text"] for m in messages] == first + second
    ids = [m["id"] for m in messages]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    times = [datetime.fromisoformat(m["time"]) for m in messages]
    assert times == sorted(times)


async def test_after_returns_only_newer_messages(client: TestClient) -> None:
    await replies(client, "alice", "你好")
    seen = await fetch_messages(client, user="alice")
    newer = await replies(client, "alice", "怎么退货")

    later = await fetch_messages(client, user="alice", after=str(seen[-1]["id"]))

    assert [m["text"] for m in later] == newer
    assert all(m["id"] > seen[-1]["id"] for m in later)
    assert await fetch_messages(client, user="alice", after=str(later[-1]["id"])) == []


async def test_after_zero_returns_everything(client: TestClient) -> None:
    sent = await replies(client, "alice", "你好")

    assert [m["text"] for m in await fetch_messages(client, user="alice", after="0")] == sent


async def test_an_unknown_user_has_no_messages(client: TestClient) -> None:
    await replies(client, "alice", "你好")

    assert await fetch_messages(client, user="nobody-ever-wrote") == []


async def test_one_users_messages_never_appear_for_another(client: TestClient) -> None:
    alice_replies = await replies(client, "alice", "你好")
    bob_replies = await replies(client, "bob", "退款多久到账")

    alice = await fetch_messages(client, user="alice")
    bob = await fetch_messages(client, user="bob")

    assert [m["text"] for m in alice] == alice_replies
    assert [m["text"] for m in bob] == bob_replies
    assert not {m["id"] for m in alice} & {m["id"] for m in bob}
    assert await fetch_messages(client, user="alice2") == [], "user ids are secrets"


async def test_messages_for_a_user_with_a_control_character_is_a_400(client: TestClient) -> None:
    status, answer = await get_error(client, "/api/chat/messages", user="a\x00b")

    assert status == 400
    assert "user" in answer["error"]


@pytest.mark.parametrize(
    "query", [{}, {"user": ""}, {"user": "  "}], ids=["none", "empty", "spaces"]
)
async def test_messages_without_a_user_is_a_400(client: TestClient, query: dict[str, str]) -> None:
    status, answer = await get_error(client, "/api/chat/messages", **query)

    assert status == 400
    assert "user" in answer["error"]


async def test_the_chat_id_may_come_in_a_header_instead_of_the_url(client: TestClient) -> None:
    alice = await replies(client, "alice", "你好")
    bob = await replies(client, "bob 李", "退款多久到账")

    async def by_header(chat_id: str, **query: str) -> list[str]:
        headers = {"X-Kefu-User": quote(chat_id, safe="")}
        response = await client.get("/api/chat/messages", params=query, headers=headers)
        assert response.status == 200, await response.text()
        assert response.headers["Cache-Control"] == "no-store"
        return [m["text"] for m in (await response.json())["messages"]]

    assert await by_header("alice", after="0") == alice
    assert await by_header("bob 李") == bob
    # The header is the page's: it wins over a `?user=` in the same request.
    assert await by_header("alice", user="bob 李") == alice
    # And the documented query form keeps working.
    assert [m["text"] for m in await fetch_messages(client, user="bob 李")] == bob


@pytest.mark.parametrize("header", ["%ff", "%00", "%20"], ids=["not utf-8", "nul", "blank"])
async def test_a_bad_chat_id_header_is_a_400(client: TestClient, header: str) -> None:
    response = await client.get("/api/chat/messages", headers={"X-Kefu-User": header})

    assert response.status == 400
    assert "user" in (await response.json())["error"].lower()


@pytest.mark.parametrize(
    "after",
    ["abc", "1.5", "", "0x10", "9" * 30, str(2**31), "-1"],
    ids=["word", "decimal", "empty", "hex", "beyond-64-bits", "beyond-32-bits", "negative"],
)
async def test_a_bad_after_is_a_400(client: TestClient, after: str) -> None:
    await replies(client, "alice", "你好")

    status, answer = await get_error(client, "/api/chat/messages", user="alice", after=after)

    assert status == 400
    assert "after" in answer["error"]
    await assert_still_serving(client)


# --- health check and the chat page ---------------------------------------------------------


async def test_healthz_reports_ok(client: TestClient) -> None:
    response = await client.get("/healthz")

    assert response.status == 200
    assert await response.json() == {"status": "ok"}


async def test_the_chat_page_is_served_and_loads_its_script(client: TestClient) -> None:
    response = await client.get("/")

    assert response.status == 200
    assert response.content_type == "text/html"
    page = await response.text()
    assert '<script src="/static/chat.js"' in page
    assert 'id="form"' in page


@pytest.mark.parametrize("name", ["chat.js", "chat.css"])
async def test_the_chat_page_assets_are_served(client: TestClient, name: str) -> None:
    response = await client.get(f"/static/{name}")

    assert response.status == 200
    assert (await response.text()).strip()


async def test_the_chat_script_calls_the_api_it_needs(client: TestClient) -> None:
    script = await (await client.get("/static/chat.js")).text()

    assert "/api/chat" in script
    assert "/api/chat/messages" in script


async def test_a_message_sent_later_by_staff_is_listed_for_the_customer(
    client: TestClient, services: Services
) -> None:
    await replies(client, "alice", "你好")
    first = (await fetch_messages(client, user="alice"))[-1]["id"]
    async with services.sessions() as session, session.begin():
        repos = Repositories.for_session(session)
        identity = await repos.identities.find("web", "alice")
        conversation = await repos.conversations.for_identity(identity.id, START)
        await repos.messages.add_outgoing(
            conversation.id, identity.id, "您好，我是客服小美", "staff", START
        )
    later = await fetch_messages(client, user="alice", after=str(first))
    assert [(m["from"], m["text"]) for m in later] == [("staff", "您好，我是客服小美")]


async def test_media_references_are_accepted_with_a_message(client: TestClient) -> None:
    status, answer = await post_chat(
        client, {"user": "alice", "text": "", "media": ["https://img.example/1.jpg"]}
    )
    assert status == 200 and answer["replies"]


@pytest.mark.parametrize(
    "media",
    [
        "one.jpg",
        [1],
        [""],
        ["x" * 501],
        ["a.jpg"] * 10,
        ["javascript:alert(1)"],
        ["data:image/png;base64,AAAA"],
        ["a b.jpg"],
    ],
    ids=[
        "not-a-list",
        "number",
        "empty",
        "too-long",
        "too-many",
        "javascript",
        "data-url",
        "space",
    ],
)
async def test_bad_media_is_a_400(client: TestClient, media: Any) -> None:
    status, answer = await post_chat(client, {"user": "alice", "text": "看图", "media": media})
    assert status == 400
    assert "media" in answer["error"]


async def test_media_references_are_stored_with_the_message(
    client: TestClient, services: Services
) -> None:
    await post_chat(client, {"user": "alice", "text": "坏了", "media": ["img/1.jpg", "img/2.jpg"]})
    async with services.sessions() as session:
        stored = await session.scalar(select(Message).where(Message.direction == "in"))
    assert stored.media == ["img/1.jpg", "img/2.jpg"]
