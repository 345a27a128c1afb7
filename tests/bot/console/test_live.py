"""The console's event stream: an event when something changed, heartbeats, a clean end."""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from bot.app import start_services
from bot.console import live
from bot.outreach.outbox import deliver_outbox
from bot.services import Services
from core.messages import Incoming
from core.settings import Settings
from storage.repositories import Repositories
from tests.support.channels.recording import RecordingSender
from tests.support.chat import Chat
from tests.support.clock import FakeClock
from tests.support.console import Console
from tests.support.conversations import conversation_of

WAIT = 5.0  # seconds: only reached when the stream is broken


@pytest.fixture(autouse=True)
def fast_polling(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live, "POLL_SECONDS", 0.01)
    monkeypatch.setattr(live, "NOTIFIED_POLL_SECONDS", 0.01)


@asynccontextmanager
async def stream(console: Console, query: str = "") -> AsyncIterator[ClientResponse]:
    """The open event stream, past its greeting; closed afterwards."""
    response = await console.get(f"/console/api/events{query}")
    try:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/event-stream")
        assert await next_block(response) == "retry: 3000"
        assert (await next_block(response)).startswith("event: ready\n")
        yield response
    finally:
        response.close()


async def next_block(response: ClientResponse) -> str:
    """The next event or comment of the stream."""
    block = await asyncio.wait_for(response.content.readuntil(b"\n\n"), WAIT)
    return block.decode().strip()


def data_of(block: str) -> dict[str, int]:
    lines = dict(line.split(": ", 1) for line in block.splitlines())
    return json.loads(lines["data"])


async def test_a_customer_message_sends_an_event(agent_console: Console, chat: Chat) -> None:
    await chat.ask("你好")
    async with stream(agent_console) as events:
        await chat.as_user("bob").ask("在吗")
        block = await next_block(events)
    assert block.startswith("event: changed\n")
    assert data_of(block)["message_id"] > 0


async def test_a_quiet_stream_sends_heartbeats(
    agent_console: Console, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live, "HEARTBEAT_SECONDS", 0.0)
    async with stream(agent_console) as events:
        assert await next_block(events) == ": ping"


async def test_the_viewed_conversation_sends_events_for_replies_and_their_delivery(
    agent_console: Console, chat: Chat, services: Services, clock: FakeClock
) -> None:
    await chat.ask("转人工")
    conversation = await conversation_of(services, "alice")
    path = f"/console/conversations/{conversation.id}"
    await agent_console.post_form(f"{path}/take", {})
    await deliver_outbox(services.sessions, {"web": RecordingSender()}, clock)

    async with stream(agent_console, f"?conversation={conversation.id}") as events:
        await agent_console.post_json(f"{path}/reply", {"text": "您好"})
        assert (await next_block(events)).startswith("event: changed\n")
        await deliver_outbox(services.sessions, {"web": RecordingSender()}, clock)
        assert (await next_block(events)).startswith("event: changed\n")


async def test_an_open_stream_keeps_the_agent_online(
    agent_console: Console, services: Services, clock: FakeClock
) -> None:
    async def last_seen() -> object:
        async with services.sessions() as session:
            staff = await Repositories.for_session(session).staff.by_id(agent_console.staff.id)
            assert staff is not None
            return staff.last_seen_at

    async with stream(agent_console):
        clock.advance(minutes=1)
        async with asyncio.timeout(WAIT):
            while await last_seen() != clock.now():
                await asyncio.sleep(0.01)  # the stream's next poll


async def test_the_stream_ends_when_the_server_shuts_down(
    agent_console: Console, client: TestClient
) -> None:
    async with stream(agent_console) as events:
        await client.app.shutdown()
        rest = await asyncio.wait_for(events.content.read(), WAIT)
    assert b"event: changed" not in rest


async def test_a_bad_conversation_parameter_is_refused(agent_console: Console) -> None:
    response = await agent_console.get("/console/api/events?conversation=abc")
    assert response.status == 400


async def test_anonymous_visitors_get_no_stream(client: TestClient) -> None:
    assert (await client.get("/console/api/events")).status == 401


async def test_a_message_another_process_handled_reaches_the_console(
    agent_console: Console, settings: Settings, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Staff connected to one process see what another process on the database did; on
    PostgreSQL by its notification alone (SQLite runs one process and is polled)."""
    if settings.database_url.startswith("postgresql"):
        monkeypatch.setattr(live, "POLL_SECONDS", 60.0)
        monkeypatch.setattr(live, "NOTIFIED_POLL_SECONDS", 60.0)
    other = await start_services(settings, clock)
    try:
        async with stream(agent_console) as events:
            await other.assistant.handle(Incoming("web", "carol", "在吗", clock.now(), "c1"))
            block = await next_block(events)
        assert block.startswith("event: changed\n")
    finally:
        await other.close()
