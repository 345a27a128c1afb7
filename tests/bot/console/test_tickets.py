"""The console's ticket pages: list with filters, one ticket with its history, updates."""

from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.channels.web import WebChannel
from bot.outreach.outbox import deliver_outbox
from bot.services import Services
from core.ticket_numbers import PREFIXES
from handlers.tickets.opening import deadlines
from storage.models import AuditEntry, OutboxMessage, Staff, Ticket, TicketEvent
from storage.repositories import Repositories
from tests.support.chat import Chat
from tests.support.clock import FakeClock
from tests.support.console import Console, sign_in
from tests.support.tickets import complain

ADDRESS = "上海市浦东新区张江路 88 号 售后部 收"


async def after_sales(chat: Chat, request_type: str = "return", **fields: Any) -> Ticket:
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
                request_type=request_type,
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
    assert "投诉" in everything and "售后" in everything and "网页 · bob" in everything

    complaints = await page(agent_console, "/console/tickets?kind=complaint")
    assert complaint in complaints and request.number not in complaints

    done = await page(agent_console, "/console/tickets?status=resolved")
    assert complaint not in done and request.number not in done

    assert request.number not in await page(agent_console, "/console/tickets?overdue=1")
    clock.advance(hours=3)  # past the complaint's first response, not the request's
    overdue = await page(agent_console, "/console/tickets?overdue=1")
    assert complaint in overdue and request.number not in overdue
    assert "响应超时" in overdue


def row_of(page: str, number: str) -> str:
    """The ticket's row in the list."""
    start = page.rindex("<tr>", 0, page.index(f">{number}</a>"))
    return page[start : page.index("</tr>", start)]


async def test_tickets_show_their_customer_and_link_to_their_chat(
    agent_console: Console, chat: Chat
) -> None:
    await chat.ask("KF20261120001")
    assert "验证成功" in await chat.ask("8000")  # the demo shop's 张三
    verified = await complain(chat)
    stranger = chat.as_user("c8-allergy")
    unverified = await complain(stranger, "用了你们的面膜过敏了，我要投诉")
    verified_chat = f'href="/console/conversations/{(await chat.conversation()).id}"'
    stranger_chat = f'href="/console/conversations/{(await stranger.conversation()).id}"'

    listing = await page(agent_console, "/console/tickets")
    row = row_of(listing, verified)
    assert "张三" in row and "138****8000" in row and "13800138000" not in row
    assert f'{verified_chat} title="打开会话">网页 · alice</a>' in row
    row = row_of(listing, unverified)
    assert "未验证的客户" in row and "张三" not in row
    assert f'{stranger_chat} title="打开会话">网页 · c8-allergy</a>' in row
    assert "web · " not in listing

    detail = await page(agent_console, f"/console/tickets/{verified}")
    assert '<dd class="ticket-customer">张三 <span class="muted">138****8000</span>' in detail
    assert f'{verified_chat} title="打开会话">网页 · alice</a>' in detail
    assert "13800138000" not in detail
    detail = await page(agent_console, f"/console/tickets/{unverified}")
    assert "未验证的客户" in detail and f"{stranger_chat}" in detail


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


# --- approving a return or exchange --------------------------------------------------------------


def approval_form(number: str) -> str:
    return f'action="/console/tickets/{number}/approve-return"'


async def test_the_approval_form_is_shown_only_for_a_return_or_exchange_waiting_for_it(
    agent_console: Console, chat: Chat
) -> None:
    return_request = await after_sales(chat)
    exchange = await after_sales(chat, "exchange")
    repair = await after_sales(chat, "repair")
    complaint = await complain(chat.as_user("bob"))

    for number in (return_request.number, exchange.number):
        text = await page(agent_console, f"/console/tickets/{number}")
        assert approval_form(number) in text and "同意退换货" in text
        assert "还没有设置退货地址" in text  # so staff know to write it in the note
    for number in (repair.number, complaint):
        assert approval_form(number) not in await page(agent_console, f"/console/tickets/{number}")

    await agent_console.post_form(f"/console/tickets/{exchange.number}/approve-return", {})
    text = await page(agent_console, f"/console/tickets/{exchange.number}")
    assert approval_form(exchange.number) not in text


async def test_approving_tells_the_customer_and_is_in_the_history_and_the_audit(
    agent_console: Console, agent: Staff, services: Services, chat: Chat
) -> None:
    ticket = await after_sales(chat)
    before = len(await outbox(services))

    response = await agent_console.post_form(
        f"/console/tickets/{ticket.number}/approve-return",
        {"note": f"请寄回：{ADDRESS}", "public": "1"},
        allow_redirects=False,
    )

    assert response.status == 302
    assert response.headers["Location"] == f"/console/tickets/{ticket.number}?notice=approved"
    [row] = (await outbox(services))[before:]
    first, note = row.text.splitlines()
    assert ticket.number in first and "寄回地址请看下面的客服留言" in first
    assert note == f"客服留言：请寄回：{ADDRESS}"
    assert (row.sender, row.staff_id) == ("staff", agent.id)
    approval = (await events(services, ticket.number))[-2]
    assert (approval.kind, approval.to_status, approval.author) == (
        "approved",
        "waiting_customer",
        "小王",
    )
    async with services.sessions() as session:
        audit = (await session.scalars(select(AuditEntry).order_by(AuditEntry.id))).all()[-1]
    assert (audit.staff_id, audit.action, audit.subject) == (
        agent.id,
        "ticket_approve_return",
        ticket.number,
    )
    text = await page(agent_console, response.headers["Location"])
    assert "已同意退换货，并已通知客户寄回" in text
    assert "同意退货，等待客户寄回" in text[text.index("处理记录") :]


async def test_an_approval_needs_a_signed_in_staff_member_and_the_csrf_token(
    client: TestClient, agent: Staff, services: Services, chat: Chat
) -> None:
    ticket = await after_sales(chat)
    path = f"/console/tickets/{ticket.number}/approve-return"

    anonymous = await client.post(path, data={"csrf_token": "x"}, allow_redirects=False)
    assert anonymous.status == 302
    assert anonymous.headers["Location"].startswith("/console/login")
    token = await sign_in(client, agent.name)
    no_token = await client.post(path, data={"note": "x"}, allow_redirects=False)
    assert no_token.status == 403
    assert [e.kind for e in await events(services, ticket.number)] == ["created"]
    assert await outbox(services) == []

    signed = await client.post(path, data={"csrf_token": token}, allow_redirects=False)
    assert signed.status == 302
    assert [e.kind for e in await events(services, ticket.number)] == ["created", "approved"]


async def test_a_refused_approval_is_a_400_that_says_why(
    agent_console: Console, services: Services, chat: Chat
) -> None:
    ticket = await after_sales(chat)
    complaint = await complain(chat.as_user("bob"))
    path = f"/console/tickets/{ticket.number}/approve-return"

    too_long = await agent_console.post_form(path, {"note": "<i>地址</i>" + "长" * 2000})
    text = await too_long.text()
    assert too_long.status == 400
    assert "留言最多 2000 个字" in text and "&lt;i&gt;地址&lt;/i&gt;长" in text
    assert [e.kind for e in await events(services, ticket.number)] == ["created"]

    sent = len(await outbox(services))
    await agent_console.post_form(path, {})
    twice = await agent_console.post_form(path, {})  # a second tab still showed the button
    assert twice.status == 400
    assert "这个工单已经同意过退换货了" in await twice.text()
    assert len(await outbox(services)) == sent + 1

    not_a_return = await agent_console.post_form(f"/console/tickets/{complaint}/approve-return", {})
    assert not_a_return.status == 400
    assert "只有退货、换货的售后工单可以同意退换货" in await not_a_return.text()
    missing = await agent_console.post_form(
        "/console/tickets/AS20990101-0001/approve-return", {}, allow_redirects=False
    )
    assert missing.status == 404
