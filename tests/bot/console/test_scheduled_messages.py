"""The conversation page's 定时消息 panel: a message staff schedule for the customer, the
chat's other follow-ups, and cancelling one not sent yet."""

import re

from sqlalchemy import select

from bot.outreach.followup_delivery import send_due_followups
from bot.services import Services
from storage.models import AuditEntry, FollowUp, OutboxMessage
from storage.repositories import Repositories
from tests.support.chat import Chat
from tests.support.clock import FakeClock
from tests.support.console import Console

CANCEL_BUTTON = re.compile(r'action="(/console/conversations/\d+/scheduled/\d+/cancel)"')


async def conversation_path(chat: Chat) -> str:
    await chat.ask("你好")
    return f"/console/conversations/{(await chat.conversation()).id}"


async def panel(console: Console, path: str) -> str:
    """The 定时消息 section of a conversation page."""
    response = await console.get(path)
    text = await response.text()
    assert response.status == 200, text
    return text.split('id="scheduled"', 1)[1]


async def send_due(services: Services) -> int:
    done = await send_due_followups(services.sessions, services.clock, services.settings, {})
    return done.sent


async def outbox(services: Services) -> list[OutboxMessage]:
    async with services.sessions() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def test_a_scheduled_message_goes_out_at_its_time_from_staff(
    agent_console: Console, chat: Chat, clock: FakeClock, services: Services
) -> None:
    path = await conversation_path(chat)
    response = await agent_console.post_form(
        f"{path}/scheduled", {"at": "2026-11-29T15:00", "text": "您好，您的退款已到账，请查收"}
    )
    assert response.status == 200
    shown = await panel(agent_console, path)
    assert "定时消息" in shown and "2026-11-29 15:00" in shown and "待发送" in shown
    assert "您的退款已到账" in shown and "客服 小王" in shown

    clock.advance(hours=3, minutes=59)
    assert await send_due(services) == 0
    clock.advance(minutes=1)
    assert await send_due(services) == 1

    [row] = [row for row in await outbox(services) if "退款已到账" in row.text]
    assert row.sender == "staff" and row.staff_id == agent_console.staff.id
    assert row.created_at == clock.now()
    assert "已发送" in await panel(agent_console, path)
    async with services.sessions() as session:
        audit = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "message_scheduled")
        )
    assert audit is not None and audit.subject == "web:alice"
    assert audit.staff_id == agent_console.staff.id


async def test_cancelled_messages_are_not_sent(
    agent_console: Console, chat: Chat, clock: FakeClock, services: Services
) -> None:
    path = await conversation_path(chat)
    await agent_console.post_form(f"{path}/scheduled", {"at": "2026-11-29T12:00", "text": "提醒"})
    cancel = CANCEL_BUTTON.search(await panel(agent_console, path))
    assert cancel is not None

    response = await agent_console.post_form(cancel.group(1), {})
    assert response.status == 200
    shown = await panel(agent_console, path)
    assert "未发送" in shown and "小王 取消" in shown and "取消</button>" not in shown

    clock.advance(hours=2)
    assert await send_due(services) == 0
    again = await agent_console.post_form(cancel.group(1), {})
    assert again.status == 409
    assert "这条消息已经发出或已取消" in await again.text()


async def test_another_chats_follow_up_cannot_be_cancelled_from_here(
    agent_console: Console, chat: Chat
) -> None:
    alice = await conversation_path(chat)
    bob = await conversation_path(chat.as_user("bob"))
    await agent_console.post_form(f"{alice}/scheduled", {"at": "2026-11-29T12:00", "text": "hi"})
    cancel = CANCEL_BUTTON.search(await panel(agent_console, alice))
    assert cancel is not None

    foreign = cancel.group(1).replace(alice, bob)
    assert (await agent_console.post_form(foreign, {})).status == 409
    assert "待发送" in await panel(agent_console, alice)


async def test_refused_times_and_texts_keep_what_was_typed(
    agent_console: Console, chat: Chat, services: Services
) -> None:
    path = await conversation_path(chat)
    limit = services.settings.max_message_chars
    cases = [
        ({"at": "2026-11-29T10:00", "text": "早上好"}, "发送时间已经过去"),
        ({"at": "2026-11-29T15:00", "text": "   "}, "请填写消息内容"),
        ({"at": "2026-11-29T15:00", "text": "长" * (limit + 1)}, f"不能超过 {limit} 个字"),
        ({"at": "2027-12-01T10:00", "text": "明年见"}, "不能晚于一年以后"),
        ({"at": "", "text": "什么时候"}, "请填写发送的日期和时间"),
    ]
    for form, error in cases:
        response = await agent_console.post_form(f"{path}/scheduled", form)
        text = await response.text()
        assert response.status == 400, form
        assert error in text, form
        assert f'value="{form["at"]}"' in text and f">{form['text']}</textarea>" in text
    async with services.sessions() as session:
        assert list(await session.scalars(select(FollowUp))) == []


async def test_the_panel_lists_the_chats_other_follow_ups(
    agent_console: Console, chat: Chat, clock: FakeClock, services: Services
) -> None:
    path = await conversation_path(chat)
    now = clock.now()
    async with services.sessions() as session, session.begin():
        repos = Repositories.for_session(session)
        identity = await repos.identities.find("web", "alice")
        assert identity is not None
        await repos.followups.schedule(
            kind="visit",
            subject="test:visit",
            identity_id=identity.id,
            text="请为本次服务打分",
            due_at=now,
            created_at=now,
        )
    assert await send_due(services) == 1
    async with services.sessions() as session, session.begin():
        followups = Repositories.for_session(session).followups
        visit = await followups.by_subject("test:visit")
        assert visit is not None
        assert await followups.record_rating(visit.id, 4, now)

    shown = await panel(agent_console, path)
    assert "满意度回访" in shown and "已回复" in shown and "评分 4" in shown
    assert "取消</button>" not in shown
