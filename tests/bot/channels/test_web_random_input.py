"""Thousands of random requests to the chat API: no 500, no crash, every accepted message kept."""

import json
from typing import Any

from aiohttp.test_utils import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.services import Services
from storage.models import Message

# Any JSON value: what a broken or hostile client may send.
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=12,
)
# Mostly well-formed messages with any Unicode text up to the limit and beyond, some with
# fields of the wrong kind. No message ids: a repeated id is answered, not stored again.
MESSAGES = st.fixed_dictionaries(
    {"user": st.text(min_size=1, max_size=80), "text": st.text(max_size=4200)},
    optional={"media": JSON, "extra": JSON},
) | st.dictionaries(st.sampled_from(["user", "text", "media"]) | st.text(max_size=6), JSON)
RANDOM = settings(
    max_examples=1000,
    deadline=None,
    # The client and its database live through all examples: that is the point.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


async def stored_messages(services: Services) -> int:
    async with services.sessions() as session:
        count = select(func.count()).select_from(Message).where(Message.direction == "in")
        return await session.scalar(count) or 0


@RANDOM
@given(body=MESSAGES | JSON)
async def test_random_json_gets_an_answer_or_a_clear_refusal(
    client: TestClient, services: Services, body: Any
) -> None:
    before = await stored_messages(services)
    response = await client.post("/api/chat", data=json.dumps(body))
    assert response.status in (200, 400, 413), await response.text()
    answer = await response.json()
    if response.status == 200:
        assert isinstance(answer["replies"], list)
        assert await stored_messages(services) == before + 1
    else:
        assert answer["error"]
        assert await stored_messages(services) == before


@settings(RANDOM, max_examples=300)
@given(body=st.binary(max_size=5000))
async def test_random_bytes_are_refused_clearly(client: TestClient, body: bytes) -> None:
    response = await client.post("/api/chat", data=body)
    assert response.status in (200, 400, 413)
    assert "error" in await response.json() or response.status == 200
