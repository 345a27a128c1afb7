"""The console's ticket pages: list with filters, one ticket with its history, updates."""

import re
from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.app import Services
from bot.channels.web import WebChannel
from bot.outbox import deliver_outbox
from handlers.ticket_numbers import PREFIXES
from handlers.ticketing import deadlines
from storage.models import AuditEntry, OutboxMessage, Ticket, TicketEvent
from storage.repositories import Repositories
from tests.bot.console.conftest import Console
from tests.conftest import Chat, FakeClock

COMPLAINT = re.compile(r"CP\d{8}-\d{4}")


async def complain(chat: Chat, text: str = "快递太慢了，我要投诉") -> str:
    """A complaint opened by chatting; its number."""
    answer = await chat.ask(text)
    found = COMPLAINT.search(answer)
    assert found is not None, answer
    return found.group()


async def after_sales(chat: Chat, **fields: Any) -> Ticket:
    """An after-sales ticket for the chat's customer, stored as the chat would store it."""
    await chat.say("你好")
    services, now = chat.services, chat.clock.now()
    async with services.sessions() as session, session.begin():
        repos = Repositories.for_session(session)
        identity = await repos.identities.find(chat.channel, chat.user)
        assert identity is not None
        day = now.astimezone(services.settings.zone).strftime("%Y%m%d")
        first_due, resolution_due = deadlines("after_sales", "normal", now, services.settings)
        return await repos.tickets.add(
            Ticket(
                number=await repos.tickets.next_number(f"{PREFIXES['after_sales']}{day}-"),
                kind="after_sales",
                status="open",
                identity_id=identity.id,
                request_type="return",
                first_response_due=first_due,
                resolution_due=resolution_due,
                created_at=now,
                updated_at=now,
                **fields,
            )
        )


async def page(console: Console, path: str, status: int = 200) -> str:
    response = await console.get(path)
    text = await response.text()
    assert response.status == status, text
    return text


async def outbox(services: Services) -> list[OutboxMessage]:
    async with services.sessions() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def events(services: Services, number: str) -> list[TicketEvent]:
    async with services.sessions() as session:
        query = (
            select(TicketEvent)
            .join(Ticket, Ticket.id == TicketEvent.ticket_id)
            .where(Ticket.number == number)
            .order_by(TicketEvent.id)
        )
        return list(await session.scalars(query))


# --- list ----------------------------------------------------------------------------------------


async def test_the_list_shows_tickets_and_filters_them(
    agent_console: Console, chat: Chat, clock: FakeClock
) -> None:
    complaint = await complain(chat.as_user("bob"))
    request = await after_sales(chat, order_id=None)

    everything = await page(agent_console, "/console/tickets")
    assert complaint in everything and request.number in everything
    assert "投诉" in everything and "售后" in everything and "web · bob" in everything

    complaints = await page(agent_console, "/console/tickets?kind=complaint")
    assert complaint in complaints and request.number not in complaints

    done = await page(agent_console, "/console/tickets?status=resolved")
    assert complaint not in done and request.number not in done

    assert request.number not in await page(agent_console, "/console/tickets?overdue=1")
    clock.advance(hours=3)  # past the complaint's first response, not the request's
    overdue = await page(agent_console, "/console/tickets?overdue=1")
    assert complaint in overdue and request.number not in overdue
    assert "响应超时" in overdue


async def test_an_unknown_filter_is_a_clear_400(agent_console: Console) -> None:
    text = await page(agent_console, "/console/tickets?status=lost", status=400)
    assert "没有「lost」这种工单状态" in text
    text = await page(agent_console, "/console/tickets?kind=%3Cb%3E", status=400)
    assert "&lt;b&gt;" in text and "<b>" not in text


# --- detail --------------------------------------------------------------------------------------


async def test_the_detail_shows_fields_media_and_history(
    admin_console: Console, services: Services, chat: Chat, clock: FakeClock
) -> None:
    ticket = await after_sales(
        chat,
        reason="<b>质量问题</b>",
        description="杯子裂了<script>alert(1)</script>",
        media=["https://img.example.com/a.jpg", "javascript:alert(1)", "media/local-1.jpg"],
    )
    clock.advance(minutes=5)
    await admin_console.post_form(
        f"/console/tickets/{ticket.number}", {"status": "in_progress", "note": "已联系仓库"}
    )

    text = await page(admin_console, f"/console/tickets/{ticket.number.lower()}")

    assert ticket.number in text and "退货" in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "<script>alert" not in text
    assert "&lt;b&gt;质量问题&lt;/b&gt;" in text
    assert 'href="https://img.example.com/a.jpg"' in text
    assert 'href="javascript:' not in text and "javascript:alert(1)" in text
    assert 'href="media/local-1.jpg"' not in text and "media/local-1.jpg" in text
    history = text[text.index("处理记录") :]
    assert "创建工单" in history
    assert "待处理 → 处理中" in history
    assert "内部备注" in history and "已联系仓库" in history
    assert "老板" in history  # the author is the staff member's display name


async def test_an_unknown_number_is_a_404_page(agent_console: Console) -> None:
    text = await page(agent_console, "/console/tickets/AS20990101-0001", status=404)
    assert "找不到工单" in text
    response = await agent_console.post_form(
        "/console/tickets/AS20990101-0001", {"note": "x"}, allow_redirects=False
    )
    assert response.status == 404


# --- updates -------------------------------------------------------------------------------------


async def test_a_status_change_with_a_public_note_reaches_the_customer(
    agent_console: Console, services: Services, chat: Chat, client: TestClient, clock: FakeClock
) -> None:
    number = await complain(chat)
    before = len(await outbox(services))

    response = await agent_console.post_form(
        f"/console/tickets/{number}",
        {"status": "resolved", "note": "已补发，明天送到", "public": "1"},
        allow_redirects=False,
    )

    assert response.status == 302
    assert response.headers["Location"] == f"/console/tickets/{number}?notice=sent"
    [row] = (await outbox(services))[before:]
    assert row.sender == "staff" and "已补发，明天送到" in row.text and number in row.text
    web_channel = WebChannel(services.assistant, clock, services.settings)
    assert await deliver_outbox(services.sessions, {"web": web_channel}, clock) == 1
    messages = await (await client.get("/api/chat/messages", params={"user": "alice"})).json()
    assert messages["messages"][-1]["text"] == row.text
    status, note = (await events(services, number))[-2:]
    assert (status.kind, status.to_status, status.author) == ("status", "resolved", "小王")
    assert (note.kind, note.public, note.author) == ("note", True, "小王")
    page_text = await page(agent_console, f"/console/tickets/{number}?notice=sent")
    assert "已保存，并已通知客户" in page_text and "发给客户" in page_text


async def test_an_internal_note_sends_nothing_and_is_audited(
    agent_console: Console, agent: Any, services: Services, chat: Chat
) -> None:
    number = await complain(chat)
    before = len(await outbox(services))

    response = await agent_console.post_form(
        f"/console/tickets/{number}", {"note": "客户很急"}, allow_redirects=False
    )

    assert response.headers["Location"] == f"/console/tickets/{number}?notice=updated"
    assert len(await outbox(services)) == before
    note = (await events(services, number))[-1]
    assert (note.text, note.public, note.author) == ("客户很急", False, "小王")
    async with services.sessions() as session:
        audit = (await session.scalars(select(AuditEntry).order_by(AuditEntry.id))).all()[-1]
    assert (audit.staff_id, audit.action, audit.subject) == (agent.id, "ticket_update", number)


async def test_an_invalid_status_or_empty_update_is_a_400_that_keeps_the_note(
    agent_console: Console, services: Services, chat: Chat
) -> None:
    number = await complain(chat)
    history = await events(services, number)

    response = await agent_console.post_form(
        f"/console/tickets/{number}", {"status": "lost", "note": "<i>留着</i>", "public": "1"}
    )
    text = await response.text()
    assert response.status == 400
    assert "没有「lost」这种工单状态" in text
    assert "&lt;i&gt;留着&lt;/i&gt;</textarea>" in text
    assert 'name="public" value="1" checked' in text

    response = await agent_console.post_form(f"/console/tickets/{number}", {"note": "  "})
    assert response.status == 400
    assert "请选择新的状态或填写备注" in await response.text()
    assert len(await events(services, number)) == len(history)
