"""Working tickets from the staff side: bot.desk.tickets and `python -m bot tickets …`."""

import asyncio
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.channels.web import WebChannel
from bot.cli.main import main
from bot.cli.ticket_printing import print_ticket
from bot.desk.actor import Actor
from bot.desk.tickets import (
    ReturnNotApprovable,
    TicketNotFound,
    TicketUpdate,
    approve_return,
    list_tickets,
    show_ticket,
    update_ticket,
)
from bot.outreach.outbox import deliver_outbox
from bot.services import Services
from core.settings import Settings
from knowledge import ReplyTexts
from storage.database import create_engine, create_session_factory
from storage.demo import demo_orders
from storage.models import OutboxMessage, TicketEvent
from storage.repositories import Repositories
from tests.support.channels.recording import RecordingSender
from tests.support.chat import Chat
from tests.support.clock import START, FakeClock
from tests.support.command_line import command_line_settings, with_services
from tests.support.tickets import TEXTS, new_ticket, update
from tests.support.web_chat import customer_messages


async def outbox_rows(services: Services) -> list[OutboxMessage]:
    async with services.sessions() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def history(services: Services, number: str) -> list[TicketEvent]:
    return list((await show_ticket(services.sessions, number)).events)


# --- update: what the customer is told ---------------------------------------------------------


async def test_a_status_change_reaches_the_customer_through_the_outbox(
    client: TestClient, services: Services, chat: Chat, clock: FakeClock
) -> None:
    ticket = await new_ticket(chat)
    web_channel = WebChannel(services.assistant, clock, services.settings)

    result = await update(services, clock, ticket.number, status="in_progress")

    assert result.status_changed
    before = await customer_messages(client, "alice")
    assert not any(ticket.number in text for _, text in before)  # stored, not yet delivered
    assert await deliver_outbox(services.sessions, {"web": web_channel}, clock) == 1
    after = await customer_messages(client, "alice")
    assert after[: len(before)] == before
    assert after[len(before) :] == [
        ("bot", TEXTS.render("ticket_status_in_progress", number=ticket.number))
    ]


@pytest.mark.parametrize("status", ["waiting_customer", "resolved", "closed", "open"])
async def test_every_status_change_queues_its_own_words(
    services: Services, chat: Chat, clock: FakeClock, status: str
) -> None:
    ticket = await new_ticket(chat)
    if status == "open":  # reopening: from a finished ticket back to work
        await update(services, clock, ticket.number, status="resolved")

    await update(services, clock, ticket.number, status=status)

    row = (await outbox_rows(services))[-1]
    assert row.text == TEXTS.render(f"ticket_status_{status}", number=ticket.number)
    assert row.sender == "bot"


@pytest.mark.parametrize("kind", ["after_sales", "complaint"])
async def test_a_rejection_points_to_a_note_only_when_one_is_sent(
    services: Services, chat: Chat, clock: FakeClock, kind: str
) -> None:
    silent, internal, public = [await new_ticket(chat, kind) for _ in range(3)]

    await update(services, clock, silent.number, status="rejected")
    await update(services, clock, internal.number, status="rejected", note="超出售后期限")
    await update(services, clock, public.number, status="rejected", note="已超过30天", public=True)

    without_note, with_internal_note, with_note = [row.text for row in await outbox_rows(services)]
    assert with_internal_note == without_note.replace(silent.number, internal.number)
    assert "留言" not in without_note
    assert "没能通过" not in without_note and "没能通过" not in with_note
    assert TEXTS.render(f"ticket_kind_{kind}") in without_note
    first, note = with_note.splitlines()
    assert public.number in first and "留言" in first
    assert note == "客服留言：已超过30天"


async def test_a_complaint_and_a_request_are_turned_down_in_their_own_words(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    request, complaint = await new_ticket(chat), await new_ticket(chat, "complaint")

    await update(services, clock, request.number, status="rejected")
    await update(services, clock, complaint.number, status="rejected")

    for_request, for_complaint = [row.text for row in await outbox_rows(services)]
    assert for_request.replace(request.number, "") != for_complaint.replace(complaint.number, "")


async def test_a_public_note_goes_with_the_status_change_from_staff(
    client: TestClient, services: Services, chat: Chat, clock: FakeClock
) -> None:
    ticket = await new_ticket(chat)

    await update(
        services, clock, ticket.number, status="resolved", note="退款已原路退回", public=True
    )
    await deliver_outbox(services.sessions, {"web": RecordingSender()}, clock)

    sender, text = (await customer_messages(client, "alice"))[-1]
    assert sender == "staff"
    assert text.splitlines() == [
        TEXTS.render("ticket_status_resolved", number=ticket.number),
        "客服留言：退款已原路退回",
    ]


async def test_a_public_note_alone_is_sent_and_counts_as_the_first_response(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    ticket = await new_ticket(chat)
    clock.advance(minutes=30)

    result = await update(services, clock, ticket.number, note="已经联系仓库核实", public=True)

    assert not result.status_changed
    [row] = await outbox_rows(services)
    assert (row.sender, row.text) == ("staff", "客服留言：已经联系仓库核实")
    assert result.detail.ticket.first_response_at == clock.now()
    assert result.detail.ticket.status == "open"


async def test_an_internal_note_sends_nothing(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    ticket = await new_ticket(chat)

    result = await update(services, clock, ticket.number, note="客户语气很急，优先处理")

    assert result.customer_message is None
    assert await outbox_rows(services) == []
    note = (await history(services, ticket.number))[-1]
    assert (note.kind, note.text, note.public, note.author) == (
        "note",
        "客户语气很急，优先处理",
        False,
        "staff",
    )
    assert result.detail.ticket.first_response_at is None


async def test_setting_the_status_a_ticket_has_changes_nothing(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    ticket = await new_ticket(chat)

    result = await update(services, clock, ticket.number, status="open")

    assert not result.status_changed
    assert await outbox_rows(services) == []
    assert [e.kind for e in await history(services, ticket.number)] == ["created"]


async def test_an_unknown_status_is_refused_and_nothing_changes(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    ticket = await new_ticket(chat)

    with pytest.raises(ValueError, match="done"):
        await update(services, clock, ticket.number, status="done")

    assert (await show_ticket(services.sessions, ticket.number)).ticket.status == "open"
    assert await outbox_rows(services) == []


async def test_an_update_with_nothing_in_it_is_refused(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    ticket = await new_ticket(chat)

    with pytest.raises(ValueError, match="nothing to update"):
        await update(services, clock, ticket.number, note="   ")


async def test_an_unknown_number_is_not_found(services: Services, clock: FakeClock) -> None:
    with pytest.raises(TicketNotFound):
        await update(services, clock, "AS20261129-9999", status="resolved")
    with pytest.raises(TicketNotFound):
        await show_ticket(services.sessions, "AS20261129-9999")


async def test_the_change_is_not_kept_without_its_message(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    ticket = await new_ticket(chat)
    texts_without_resolved = ReplyTexts({"ticket_public_note": "客服留言：{note}"})

    with pytest.raises(KeyError):
        await update_ticket(
            services.sessions,
            ticket.number,
            status="resolved",
            actor=Actor.command_line(clock.now()),
            texts=texts_without_resolved,
            settings=services.settings,
        )

    detail = await show_ticket(services.sessions, ticket.number)
    assert (detail.ticket.status, detail.ticket.resolved_at) == ("open", None)
    assert [e.kind for e in detail.events] == ["created"]


async def test_status_changes_are_timed_in_the_history(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    ticket = await new_ticket(chat)
    clock.advance(hours=1)
    await update(services, clock, ticket.number, status="in_progress")
    clock.advance(hours=2)

    result = await update(services, clock, ticket.number, status="resolved")

    assert result.detail.ticket.first_response_at == START.replace(hour=4)
    assert result.detail.ticket.resolved_at == START.replace(hour=6)
    assert [(e.from_status, e.to_status, e.time) for e in result.detail.events] == [
        (None, "open", START),
        ("open", "in_progress", START.replace(hour=4)),
        ("in_progress", "resolved", START.replace(hour=6)),
    ]


async def test_a_reopened_ticket_is_resolved_again_only_when_finished_again(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    ticket = await new_ticket(chat)
    await update(services, clock, ticket.number, status="resolved")
    clock.advance(hours=1)

    reopened = await update(services, clock, ticket.number, status="in_progress")
    assert reopened.detail.ticket.resolved_at is None
    clock.advance(hours=1)
    closed = await update(services, clock, ticket.number, status="closed")

    assert closed.detail.ticket.resolved_at == clock.now()


# --- approving a return or exchange ------------------------------------------------------------

ADDRESS = "上海市浦东新区张江路 88 号 售后部 收，021-55556666"


async def approve(
    services: Services, clock: FakeClock, number: str, staff_id: int | None = None, **fields: Any
) -> TicketUpdate:
    settings = fields.pop("settings", services.settings)
    actor = Actor("staff", clock.now(), staff_id)
    return await approve_return(
        services.sessions, number, actor=actor, texts=TEXTS, settings=settings, **fields
    )


async def test_an_approved_return_tells_the_customer_where_to_send_it(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    ticket = await new_ticket(chat, request_type="return")
    with_address = replace(services.settings, return_address=ADDRESS)

    result = await approve(services, clock, ticket.number, settings=with_address)

    [row] = await outbox_rows(services)
    assert row.text == result.customer_message
    assert ticket.number in row.text and "退货" in row.text
    assert f"请把商品寄到：{ADDRESS}" in row.text and "快递单号发到这里" in row.text
    assert row.sender == "bot"
    assert result.detail.ticket.status == "waiting_customer"
    assert result.status_changed and result.return_approved
    approval = result.detail.events[-1]
    assert (approval.kind, approval.from_status, approval.to_status, approval.author) == (
        "approved",
        "open",
        "waiting_customer",
        "staff",
    )


async def test_without_an_address_the_approval_says_it_follows_or_points_to_the_note(
    services: Services, chat: Chat, clock: FakeClock, staff_id: int
) -> None:
    silent, noted, internal = [await new_ticket(chat, request_type="exchange") for _ in range(3)]

    await approve(services, clock, silent.number)
    await approve(
        services, clock, noted.number, note=f"请寄回：{ADDRESS}", public=True, staff_id=staff_id
    )
    await approve(services, clock, internal.number, note="仓库确认有货")

    to_silent, to_noted, to_internal = await outbox_rows(services)
    assert "换货" in to_silent.text and "客服马上把寄回地址发给您" in to_silent.text
    first, note = to_noted.text.splitlines()
    assert noted.number in first and "寄回地址请看下面的客服留言" in first
    assert note == f"客服留言：请寄回：{ADDRESS}"
    assert (to_noted.sender, to_noted.staff_id) == ("staff", staff_id)
    assert to_internal.text == to_silent.text.replace(silent.number, internal.number)
    assert (to_internal.sender, to_internal.staff_id) == ("bot", None)
    assert (await history(services, internal.number))[-1].text == "仓库确认有货"


async def test_an_approval_after_a_question_keeps_the_ticket_waiting_and_says_so(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    ticket = await new_ticket(chat, request_type="return")
    await update(services, clock, ticket.number, status="waiting_customer")

    result = await approve(services, clock, ticket.number)

    assert not result.status_changed
    assert result.detail.ticket.status == "waiting_customer"
    assert [e.kind for e in result.detail.events] == ["created", "status", "approved"]
    assert len(await outbox_rows(services)) == 2


@pytest.mark.parametrize(
    ("kind", "fields", "before", "reason"),
    [
        ("complaint", {"category": "quality"}, None, "not_a_return"),
        ("after_sales", {"request_type": "repair"}, None, "not_a_return"),
        ("after_sales", {"request_type": "return"}, "resolve", "finished"),
        ("after_sales", {"request_type": "exchange"}, "approve", "approved"),
    ],
    ids=["complaint", "repair", "finished", "twice"],
)
async def test_an_approval_is_refused_for_anything_but_a_return_waiting_for_one(
    services: Services,
    chat: Chat,
    clock: FakeClock,
    kind: str,
    fields: dict[str, str],
    before: str | None,
    reason: str,
) -> None:
    ticket = await new_ticket(chat, kind, **fields)
    if before == "resolve":
        await update(services, clock, ticket.number, status="resolved")
    elif before == "approve":
        await approve(services, clock, ticket.number)
    sent, detail = await outbox_rows(services), await show_ticket(services.sessions, ticket.number)

    with pytest.raises(ReturnNotApprovable) as refused:
        await approve(services, clock, ticket.number, note="请寄回", public=True)

    assert refused.value.reason == reason
    assert not detail.can_approve_return
    after = await show_ticket(services.sessions, ticket.number)
    assert after.ticket.status == detail.ticket.status
    assert len(after.events) == len(detail.events)
    assert len(await outbox_rows(services)) == len(sent)


async def test_only_an_active_return_or_exchange_not_yet_approved_can_be_approved(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    refund = await new_ticket(chat, request_type="refund")
    reopened = await new_ticket(chat, request_type="return")
    await update(services, clock, reopened.number, status="rejected")
    await update(services, clock, reopened.number, status="in_progress")

    assert not (await show_ticket(services.sessions, refund.number)).can_approve_return
    assert (await show_ticket(services.sessions, reopened.number)).can_approve_return
    result = await approve(services, clock, reopened.number)
    assert not result.detail.can_approve_return


# --- list and show -----------------------------------------------------------------------------


async def numbers(services: Services, clock: FakeClock, **filters: Any) -> list[str]:
    return [t.ticket.number for t in await list_tickets(services.sessions, clock, **filters)]


async def test_tickets_are_listed_newest_first_and_filtered(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    return_request = await new_ticket(chat)
    complaint = await new_ticket(chat.as_user("bob"), "complaint", category="logistics")
    await update(services, clock, return_request.number, status="in_progress")

    assert await numbers(services, clock) == [complaint.number, return_request.number]
    assert await numbers(services, clock, kind="complaint") == [complaint.number]
    assert await numbers(services, clock, status="in_progress") == [return_request.number]
    assert await numbers(services, clock, status="open", kind="after_sales") == []
    with pytest.raises(ValueError, match="kind"):
        await list_tickets(services.sessions, clock, kind="refund")


async def test_overdue_tickets_follow_the_clock(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    # After-sales: answer within 4 hours, resolve within 48; complaints: 2 and 24.
    return_request = await new_ticket(chat)
    complaint = await new_ticket(chat.as_user("bob"), "complaint", category="quality")

    assert await numbers(services, clock, overdue=True) == []
    clock.advance(hours=3)
    assert await numbers(services, clock, overdue=True) == [complaint.number]
    await update(services, clock, complaint.number, status="in_progress")
    assert await numbers(services, clock, overdue=True) == []
    clock.advance(hours=2)  # 5 hours: the return request is still unanswered
    assert await numbers(services, clock, overdue=True) == [return_request.number]
    await update(services, clock, return_request.number, note="在核实", public=True)
    assert await numbers(services, clock, overdue=True) == []
    clock.advance(hours=20)  # 25 hours: past the complaint's resolution deadline
    assert await numbers(services, clock, overdue=True) == [complaint.number]
    await update(services, clock, complaint.number, status="resolved")
    clock.advance(hours=24)  # 49 hours
    assert await numbers(services, clock, overdue=True) == [return_request.number]


async def test_listed_tickets_say_which_deadline_they_missed_as_the_overdue_filter_does(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    return_request = await new_ticket(chat)
    complaint = await new_ticket(chat.as_user("bob"), "complaint", category="quality")
    await update(services, clock, return_request.number, note="在核实", public=True)

    async def missed() -> dict[str, tuple[bool, bool]]:
        listed = await list_tickets(services.sessions, clock)
        overdue = await numbers(services, clock, overdue=True)
        assert [t.ticket.number for t in listed if t.overdue] == overdue
        flags = {t.ticket.number: (t.response_overdue, t.resolution_overdue) for t in listed}
        return {number: flag for number, flag in flags.items() if any(flag)}

    assert await missed() == {}
    clock.advance(hours=3)  # the complaint is unanswered past its 2 hours
    assert await missed() == {complaint.number: (True, False)}
    clock.advance(hours=22)  # 25 hours: and past its resolution deadline of 24
    assert await missed() == {complaint.number: (True, True)}
    await update(services, clock, complaint.number, status="in_progress")
    assert await missed() == {complaint.number: (False, True)}
    clock.advance(hours=24)  # 49 hours: the return request too, answered though it was
    assert await missed() == {
        complaint.number: (False, True),
        return_request.number: (False, True),
    }
    await update(services, clock, complaint.number, status="closed")
    assert await missed() == {return_request.number: (False, True)}


async def test_show_gives_the_ticket_its_chat_and_history(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    ticket = await new_ticket(chat, reason="尺码不合适")
    await update(services, clock, ticket.number, status="in_progress", note="等仓库回复")

    detail = await show_ticket(services.sessions, ticket.number.lower())

    assert (detail.ticket.number, detail.channel, detail.user) == (ticket.number, "web", "alice")
    assert detail.ticket.reason == "尺码不合适"
    assert [(e.kind, e.to_status, e.text) for e in detail.events] == [
        ("created", "open", ""),
        ("status", "in_progress", ""),
        ("note", None, "等仓库回复"),
    ]


# --- python -m bot tickets ---------------------------------------------------------------------


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Point the command line at a database in tmp_path, without the demo shop."""
    return command_line_settings(tmp_path, monkeypatch, demo=False)


async def test_show_names_the_customer_once_the_chat_is_verified(
    services: Services, chat: Chat, capsys: pytest.CaptureFixture[str]
) -> None:
    ticket = await new_ticket(chat)
    print_ticket(await show_ticket(services.sessions, ticket.number), services.settings.zone)
    assert "customer:       not verified" in capsys.readouterr().out

    await chat.ask("KF20261120001")
    assert "验证成功" in await chat.ask("8000")

    detail = await show_ticket(services.sessions, ticket.number)
    print_ticket(detail, services.settings.zone)
    assert detail.customer is not None
    out = capsys.readouterr().out
    assert f"customer:       张三 138****8000 (#{detail.customer.id})" in out
    assert "13800138000" not in out


def seed(settings: Settings, clock: FakeClock) -> tuple[str, str]:
    """An after-sales request from alice and a complaint from bob; their numbers."""

    async def work(chat: Chat) -> tuple[str, str]:
        return_request = await new_ticket(chat)
        complaint = await new_ticket(chat.as_user("bob"), "complaint", category="logistics")
        return return_request.number, complaint.number

    return with_services(settings, clock, work)


def stored_outbox(settings: Settings) -> list[OutboxMessage]:
    async def read() -> list[OutboxMessage]:
        engine = create_engine(settings.database_url)
        try:
            async with create_session_factory(engine)() as session:
                return list(await session.scalars(select(OutboxMessage)))
        finally:
            await engine.dispose()

    return asyncio.run(read())


def test_cli_tickets_list_prints_the_tickets_and_filters_them(
    cli_env: Settings, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    return_number, complaint_number = seed(cli_env, clock)
    capsys.readouterr()

    assert main(["tickets", "list"], clock=clock) == 0
    out = capsys.readouterr().out
    assert return_number in out and complaint_number in out
    assert "2 tickets" in out
    assert "2026-11-29 11:00" in out  # created, in the shop's time zone

    assert main(["tickets", "list", "--kind", "complaint"], clock=clock) == 0
    out = capsys.readouterr().out
    assert complaint_number in out and return_number not in out

    assert main(["tickets", "list", "--status", "resolved"], clock=clock) == 0
    assert capsys.readouterr().out.strip() == "no tickets"


def test_cli_tickets_list_overdue(
    cli_env: Settings, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    return_number, complaint_number = seed(cli_env, clock)
    clock.advance(hours=3)
    capsys.readouterr()

    assert main(["tickets", "list", "--overdue"], clock=clock) == 0

    out = capsys.readouterr().out
    assert complaint_number in out and return_number not in out
    assert "OVERDUE" in out


def test_cli_tickets_show_prints_the_ticket_and_its_history(
    cli_env: Settings, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    return_number, _ = seed(cli_env, clock)
    assert main(["tickets", "update", return_number, "--note", "仓库在查"], clock=clock) == 0
    capsys.readouterr()

    assert main(["tickets", "show", return_number], clock=clock) == 0

    out = capsys.readouterr().out
    assert f"{return_number}  after_sales  open" in out
    assert "web alice" in out
    assert "created as open" in out
    assert "note (internal): 仓库在查" in out


def test_cli_tickets_list_shows_what_each_ticket_is_about_and_the_deadline_it_missed(
    cli_env: Settings, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    async def work(chat: Chat) -> tuple[str, str]:
        return_request = await new_ticket(chat, request_type="return")
        complaint = await new_ticket(chat.as_user("bob"), "complaint", category="logistics")
        return return_request.number, complaint.number

    return_number, complaint_number = with_services(cli_env, clock, work)
    clock.advance(hours=3)  # the complaint was to be answered by 13:00, resolved by 11:00 + 1d
    capsys.readouterr()

    assert main(["tickets", "list"], clock=clock) == 0

    header, complaint, return_request, _ = capsys.readouterr().out.splitlines()
    assert header.split() == [
        "NUMBER",
        "KIND",
        "TYPE/CATEGORY",
        "STATUS",
        "SEVERITY",
        "CREATED",
        "RESPOND",
        "BY",
        "RESOLVE",
        "BY",
    ]
    assert complaint.split() == [
        complaint_number,
        "complaint",
        "logistics",
        "open",
        "normal",
        *("2026-11-29", "11:00"),
        *("2026-11-29", "13:00"),
        *("2026-11-30", "11:00"),
        *("OVERDUE:", "response"),
    ]
    assert return_request.split() == [
        return_number,
        "after_sales",
        "return",
        "open",
        "normal",
        *("2026-11-29", "11:00"),
        *("2026-11-29", "15:00"),
        *("2026-12-01", "11:00"),
    ]

    answering = ["tickets", "update", complaint_number, "--status", "in_progress"]
    assert main(answering, clock=clock) == 0
    clock.advance(hours=22)
    capsys.readouterr()
    assert main(["tickets", "list", "--overdue"], clock=clock) == 0
    complaint = capsys.readouterr().out.splitlines()[1]
    assert complaint.split()[7:] == ["answered", "2026-11-30", "11:00", "OVERDUE:", "resolution"]


def test_cli_tickets_show_indents_long_texts_and_tells_whose_note_it_is(
    cli_env: Settings, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    async def work(chat: Chat) -> tuple[str, str]:
        return_request = await new_ticket(
            chat,
            request_type="return",
            description="瓶子漏了\n盖子也裂了",
            within_policy=False,
            policy_note="past the 7 days",
        )
        complaint = await new_ticket(chat.as_user("bob"), "complaint", category="logistics")
        async with chat.services.sessions() as session, session.begin():
            tickets = Repositories.for_session(session).tickets
            ticket = await tickets.by_number(return_request.number)
            assert ticket is not None
            await tickets.add_event(
                ticket, chat.clock.now(), "note", "照片\n补上", author="customer"
            )
        return return_request.number, complaint.number

    return_number, complaint_number = with_services(cli_env, clock, work)
    assert main(["tickets", "update", return_number, "--note", "仓库在查"], clock=clock) == 0
    capsys.readouterr()

    assert main(["tickets", "show", return_number], clock=clock) == 0
    out = capsys.readouterr().out
    assert "description:    瓶子漏了\n                盖子也裂了\n" in out
    assert "policy:         outside policy: past the 7 days\n" in out
    assert "customer note (customer): 照片\n" + " " * 29 + "补上\n" in out
    assert "staff    note (internal): 仓库在查" in out

    assert main(["tickets", "show", complaint_number], clock=clock) == 0
    out = capsys.readouterr().out
    assert "category:       logistics" in out
    assert "policy" not in out


def test_cli_tickets_update_queues_the_news_for_the_customer(
    cli_env: Settings, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    return_number, _ = seed(cli_env, clock)

    note = ["--note", "请补拍一张外包装的照片", "--public"]
    code = main(
        ["tickets", "update", return_number, "--status", "waiting_customer", *note], clock=clock
    )

    assert code == 0
    out = capsys.readouterr().out
    assert f"{return_number}: now waiting_customer" in out
    assert "客服留言：请补拍一张外包装的照片" in out
    [row] = stored_outbox(cli_env)
    assert row.text == "\n".join(
        [
            TEXTS.render("ticket_status_waiting_customer", number=return_number),
            "客服留言：请补拍一张外包装的照片",
        ]
    )
    assert (row.status, row.sender) == ("pending", "staff")


def test_cli_tickets_update_approve_return_sends_the_address_once(
    cli_env: Settings,
    clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def work(chat: Chat) -> str:
        return (await new_ticket(chat, request_type="return")).number

    number = with_services(cli_env, clock, work)
    monkeypatch.setenv("KEFU_RETURN_ADDRESS", ADDRESS)
    capsys.readouterr()
    approving = ["tickets", "update", number, "--approve-return"]

    assert main([*approving, "--note", "请用顺丰寄回", "--public"], clock=clock) == 0
    out = capsys.readouterr().out
    assert f"{number}: return approved, now waiting_customer" in out
    assert ADDRESS in out
    [row] = stored_outbox(cli_env)
    assert ADDRESS in row.text and row.text.endswith("\n客服留言：请用顺丰寄回")

    assert main(["tickets", "show", number], clock=clock) == 0
    assert "approved the return: open -> waiting_customer" in capsys.readouterr().out

    assert main(approving, clock=clock) == 1
    assert capsys.readouterr().err.strip() == (
        f"tickets update: {number}: the return was approved already"
    )
    assert len(stored_outbox(cli_env)) == 1


def test_cli_tickets_update_approve_return_of_a_complaint_exits_one(
    cli_env: Settings, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    _, complaint_number = seed(cli_env, clock)
    capsys.readouterr()

    assert main(["tickets", "update", complaint_number, "--approve-return"], clock=clock) == 1

    assert "only an after-sales return or exchange" in capsys.readouterr().err
    assert stored_outbox(cli_env) == []


def test_cli_tickets_update_of_an_unknown_number_exits_one(
    cli_env: Settings, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(cli_env, clock)
    capsys.readouterr()

    assert main(["tickets", "update", "AS20990101-0001", "--status", "resolved"]) == 1

    assert "no ticket numbered AS20990101-0001" in capsys.readouterr().err
    assert stored_outbox(cli_env) == []


def test_cli_tickets_show_of_an_unknown_number_exits_one(
    cli_env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tickets", "show", "CP20990101-0001"]) == 1
    assert "CP20990101-0001" in capsys.readouterr().err


@pytest.mark.parametrize(
    "arguments",
    [
        ["--status", "done"],
        [],  # neither a status nor a note
        ["--public"],  # nothing to make public
        ["--approve-return", "--status", "resolved"],  # the approval sets the status
    ],
    ids=["bad-status", "empty", "public-without-note", "approve-with-status"],
)
def test_cli_tickets_update_with_bad_arguments_exits_two(
    cli_env: Settings, clock: FakeClock, capsys: pytest.CaptureFixture[str], arguments: list[str]
) -> None:
    return_number, _ = seed(cli_env, clock)

    with pytest.raises(SystemExit) as exit_info:
        main(["tickets", "update", return_number, *arguments], clock=clock)

    assert exit_info.value.code == 2
    assert "usage" in capsys.readouterr().err
    assert stored_outbox(cli_env) == []


def test_cli_tickets_update_with_a_blank_note_exits_two(
    cli_env: Settings, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    return_number, _ = seed(cli_env, clock)
    capsys.readouterr()

    code = main(["tickets", "update", return_number, "--note", "  ", "--public"], clock=clock)

    assert code == 2
    assert capsys.readouterr().err.strip() == (
        "tickets update: nothing to update: give a status or a note"
    )
    assert stored_outbox(cli_env) == []


@pytest.mark.parametrize("days", ["3651", "99999999999"])
def test_cli_report_refuses_a_period_over_ten_years(
    cli_env: Settings, capsys: pytest.CaptureFixture[str], days: str
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["report", "complaints", "--days", days])

    assert exit_info.value.code == 2
    assert f"--days: must be from 1 to 3650: '{days}'" in capsys.readouterr().err


def test_cli_report_covers_ten_years(
    cli_env: Settings, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(cli_env, clock)
    capsys.readouterr()

    assert main(["report", "complaints", "--days", "3650"], clock=clock) == 0

    assert capsys.readouterr().out.splitlines()[0].endswith(": 1")


def test_cli_tickets_never_add_the_demo_shop(
    cli_env: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KEFU_DEMO", "1")

    assert main(["tickets", "list"]) == 0

    async def demo_orders_stored() -> list[str]:
        engine = create_engine(cli_env.database_url)
        try:
            async with create_session_factory(engine)() as session:
                orders = Repositories.for_session(session).orders
                found = [await orders.by_number(o.order_no) for o in demo_orders(START)]
                return [o.order_no for o in found if o is not None]
        finally:
            await engine.dispose()

    assert asyncio.run(demo_orders_stored()) == []
