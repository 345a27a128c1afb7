"""Staff taking conversations, answering, handing them back; the assignment and idle jobs."""

import asyncio
import re

from sqlalchemy import select

from bot.desk import handover
from bot.outreach.outbox import deliver_outbox
from bot.services import Services
from handlers.tickets.opening import add_ticket
from storage.models import Handover, Message, OutboxMessage, StaffNotification, Ticket
from storage.repositories import Repositories
from tests.support.channels.recording import RecordingSender
from tests.support.chat import Chat
from tests.support.clock import FakeClock

CALLBACK = re.compile(r"CB\d{8}-\d{4}")


async def add_agent(
    services: Services, name: str, *, online: bool = True, role: str = "agent"
) -> int:
    async with services.sessions() as session, session.begin():
        repos = Repositories.for_session(session)
        staff = await repos.staff.add(
            name, f"小{name}", role, password_hash="x", now=services.clock.now()
        )
        if online:
            await repos.staff.mark_seen(staff.id, staff.session_epoch, services.clock.now())
        return staff.id


async def queued(chat: Chat) -> int:
    """The chat's customer asks for a person; the conversation's id."""
    assert "排" in await chat.ask("转人工")
    return (await chat.conversation()).id


async def outbox(services: Services) -> list[OutboxMessage]:
    async with services.sessions() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def handovers(services: Services) -> list[Handover]:
    async with services.sessions() as session:
        return list(await session.scalars(select(Handover).order_by(Handover.id)))


async def take(services: Services, conversation_id: int, staff_id: int) -> bool:
    return await handover.take_over(
        services.sessions, services.clock, services.assistant.texts, conversation_id, staff_id
    )


async def test_taking_a_queued_conversation(chat: Chat, services: Services) -> None:
    conversation_id = await queued(chat)
    agent = await add_agent(services, "li")
    assert await take(services, conversation_id, agent)
    taken = await chat.conversation()
    assert (taken.mode, taken.staff_id, taken.dialog) == ("human", agent, None)
    [row] = await handovers(services)
    assert (row.status, row.staff_id, row.reason) == ("active", agent, "request")
    [greeting] = await outbox(services)
    assert "我是客服小li" in greeting.text
    assert (greeting.sender, greeting.staff_id) == ("staff", agent)


async def test_taking_a_conversation_the_bot_has(chat: Chat, services: Services) -> None:
    assert "订单号" in await chat.ask("我要退货")
    agent = await add_agent(services, "li")
    assert await take(services, (await chat.conversation()).id, agent)
    taken = await chat.conversation()
    assert (taken.mode, taken.dialog) == ("human", None)
    [row] = await handovers(services)
    assert (row.status, row.reason) == ("active", "staff")


async def test_another_agent_cannot_take_it(chat: Chat, services: Services) -> None:
    conversation_id = await queued(chat)
    first, second = await add_agent(services, "li"), await add_agent(services, "wang")
    assert await take(services, conversation_id, first)
    assert not await take(services, conversation_id, second)
    assert await take(services, conversation_id, first)  # one's own: nothing happens
    assert len(await outbox(services)) == 1 and len(await handovers(services)) == 1


async def test_two_agents_at_once_one_wins(chat: Chat, services: Services) -> None:
    conversation_id = await queued(chat)
    first, second = await add_agent(services, "li"), await add_agent(services, "wang")
    results = await asyncio.gather(
        take(services, conversation_id, first), take(services, conversation_id, second)
    )
    assert sorted(results) == [False, True]
    [row] = await handovers(services)
    assert row.staff_id == (first if results[0] else second)
    assert len(await outbox(services)) == 1


async def test_a_staff_reply_reaches_the_customer(chat: Chat, services: Services) -> None:
    conversation_id = await queued(chat)
    agent = await add_agent(services, "li")
    await take(services, conversation_id, agent)
    assert await handover.send_staff_reply(
        services.sessions, services.clock, conversation_id, agent, "  您好，我来看看～  "
    )
    row = (await outbox(services))[-1]
    assert (row.text, row.sender, row.staff_id) == ("您好，我来看看～", "staff", agent)
    sender = RecordingSender()
    assert await deliver_outbox(services.sessions, {"web": sender}, services.clock) == 2
    sent = await services.assistant.sent_to("web", "alice", 0)
    assert sent[-1].text == "您好，我来看看～" and sent[-1].sender == "staff"
    async with services.sessions() as session:
        stored = await session.scalar(select(Message).where(Message.text == "您好，我来看看～"))
        assert stored is not None and stored.staff_id == agent


async def test_only_the_agent_holding_it_may_reply(chat: Chat, services: Services) -> None:
    conversation_id = await queued(chat)
    agent, other = await add_agent(services, "li"), await add_agent(services, "wang")
    reply = handover.send_staff_reply
    assert not await reply(services.sessions, services.clock, conversation_id, agent, "在的")
    await take(services, conversation_id, agent)
    assert not await reply(services.sessions, services.clock, conversation_id, other, "在的")
    assert not await reply(services.sessions, services.clock, conversation_id, agent, "  ")
    long = "好" * (services.settings.max_message_chars + 10)
    assert await reply(
        services.sessions, services.clock, conversation_id, agent, long, settings=services.settings
    )
    assert len((await outbox(services))[-1].text) == services.settings.max_message_chars


async def test_the_bot_is_silent_while_a_person_has_the_chat(
    chat: Chat, services: Services
) -> None:
    conversation_id = await queued(chat)
    await take(services, conversation_id, await add_agent(services, "li"))
    assert await chat.say("可以开发票吗") == []
    async with services.sessions() as session:
        stored = await session.scalar(select(Message).where(Message.text == "可以开发票吗"))
        assert stored is not None and stored.handled_by == "staff"


async def test_handing_back_lets_the_bot_answer(chat: Chat, services: Services) -> None:
    conversation_id = await queued(chat)
    agent = await add_agent(services, "li")
    await take(services, conversation_id, agent)
    texts = services.assistant.texts
    assert not await handover.hand_back(
        services.sessions, services.clock, texts, conversation_id, agent + 1
    )
    assert await handover.hand_back(
        services.sessions, services.clock, texts, conversation_id, agent
    )
    back = await chat.conversation()
    assert (back.mode, back.staff_id) == ("bot", None)
    [row] = await handovers(services)
    assert (row.status, row.end_reason) == ("ended", "handback")
    notice = (await outbox(services))[-1]
    assert "小助手" in notice.text and notice.sender == "bot"
    assert "发票" in await chat.ask("可以开发票吗")


async def test_the_queue_goes_to_the_agent_with_fewest(chat: Chat, services: Services) -> None:
    busy, free = await add_agent(services, "li"), await add_agent(services, "wang")
    await add_agent(services, "zhao", online=False)
    await take(services, await queued(chat), busy)
    bob = chat.as_user("bob")
    await queued(bob)
    assigned = await handover.assign_queued(
        services.sessions, services.clock, services.settings, services.assistant.texts
    )
    assert assigned == 1
    assert (await bob.conversation()).staff_id == free
    assert "我是客服小wang" in (await outbox(services))[-1].text


async def test_an_agent_gets_at_most_five(chat: Chat, services: Services) -> None:
    agent = await add_agent(services, "li")
    for n in range(6):
        await queued(chat.as_user(f"customer{n}"))
    jobs = (services.sessions, services.clock, services.settings, services.assistant.texts)
    assert await handover.assign_queued(*jobs) == 5
    assert await handover.assign_queued(*jobs) == 0
    held = [(await chat.as_user(f"customer{n}").conversation()).staff_id for n in range(6)]
    assert held == [agent] * 5 + [None]


async def test_agents_not_seen_lately_get_nothing(
    chat: Chat, services: Services, clock: FakeClock
) -> None:
    await add_agent(services, "li")
    clock.advance(minutes=2)
    await queued(chat)
    jobs = (services.sessions, services.clock, services.settings, services.assistant.texts)
    assert await handover.assign_queued(*jobs) == 0
    assert (await chat.conversation()).mode == "queued"


async def test_a_silent_agent_hands_the_chat_back_after_30_minutes(
    chat: Chat, services: Services, clock: FakeClock
) -> None:
    conversation_id = await queued(chat)
    agent = await add_agent(services, "li")
    await take(services, conversation_id, agent)
    jobs = (services.sessions, services.clock, services.settings, services.assistant.texts)
    clock.advance(minutes=20)
    await handover.send_staff_reply(services.sessions, clock, conversation_id, agent, "稍等")
    clock.advance(minutes=29)
    assert await handover.return_idle(*jobs) == 0
    assert (await chat.conversation()).mode == "human"
    clock.advance(minutes=2)
    await handover.run_handover_jobs(*jobs)
    back = await chat.conversation()
    assert (back.mode, back.staff_id) == ("bot", None)
    [row] = await handovers(services)
    assert (row.status, row.end_reason) == ("ended", "idle")
    assert "转人工" in (await outbox(services))[-1].text
    assert "发票" in await chat.ask("可以开发票吗")


async def callbacks(services: Services) -> list[Ticket]:
    async with services.sessions() as session:
        query = select(Ticket).where(Ticket.kind == "callback").order_by(Ticket.id)
        return list(await session.scalars(query))


def jobs(services: Services) -> tuple:
    return (services.sessions, services.clock, services.settings, services.assistant.texts)


async def test_admins_are_not_given_the_queue(chat: Chat, services: Services) -> None:
    admin = await add_agent(services, "boss", role="admin")
    conversation_id = await queued(chat)
    assert await handover.assign_queued(*jobs(services)) == 0
    assert (await chat.conversation()).mode == "queued"
    assert await take(services, conversation_id, admin)  # by hand they still may
    assert (await chat.conversation()).staff_id == admin


async def test_the_queue_closes_at_closing_time(
    chat: Chat, services: Services, clock: FakeClock
) -> None:
    clock.advance(hours=9, minutes=50)  # 20:50
    conversation_id = await queued(chat)
    await handover.run_handover_jobs(*jobs(services))
    assert (await chat.conversation()).mode == "queued"  # still open: they wait
    clock.advance(minutes=15)  # 21:05
    await handover.run_handover_jobs(*jobs(services))
    back = await chat.conversation()
    assert (back.mode, back.staff_id) == ("bot", None)
    [row] = await handovers(services)
    assert (row.status, row.end_reason) == ("ended", "closed")
    [ticket] = await callbacks(services)
    assert ticket.status == "open" and ticket.identity_id == back.identity_id
    due = ticket.first_response_due.astimezone(services.settings.zone)
    assert (due.day, due.hour) == (30, 10)
    [notice] = [m for m in await outbox(services) if m.conversation_id == conversation_id]
    assert CALLBACK.findall(notice.text) == [ticket.number] and "明天 9:00" in notice.text
    async with services.sessions() as session:
        alerts = await session.scalars(
            select(StaffNotification.reason).where(StaffNotification.ticket_id == ticket.id)
        )
        assert alerts.all() == [f"新回电 {ticket.number}（客户要求，下班时仍在排队）"]
    assert await handover.close_queue(*jobs(services)) == 0  # nothing waits any more
    assert "发票" in await chat.ask("可以开发票吗")


async def test_closing_reuses_an_open_callback(
    chat: Chat, services: Services, clock: FakeClock
) -> None:
    clock.advance(hours=9, minutes=50)
    conversation_id = await queued(chat)
    async with services.sessions() as session, session.begin():
        repos = Repositories.for_session(session)
        identity = await repos.identities.find("web", "alice")
        assert identity is not None
        earlier = await add_ticket(repos, services.settings, clock.now(), identity, "callback")
    clock.advance(minutes=15)
    assert await handover.close_queue(*jobs(services)) == 1
    assert [t.number for t in await callbacks(services)] == [earlier.number]
    notice = (await outbox(services))[-1]
    assert notice.conversation_id == conversation_id and earlier.number in notice.text
    assert (await chat.conversation()).mode == "bot"


async def test_an_admin_may_hand_back_anyones_chat(chat: Chat, services: Services) -> None:
    conversation_id = await queued(chat)
    agent, other = await add_agent(services, "li"), await add_agent(services, "wang")
    admin = await add_agent(services, "boss", role="admin")
    await take(services, conversation_id, agent)
    texts = services.assistant.texts
    back = handover.hand_back
    assert not await back(services.sessions, services.clock, texts, conversation_id, admin)
    assert not await back(
        services.sessions, services.clock, texts, conversation_id, other, as_admin=True
    )
    assert await back(
        services.sessions, services.clock, texts, conversation_id, admin, as_admin=True
    )
    released = await chat.conversation()
    assert (released.mode, released.staff_id) == ("bot", None)
    [row] = await handovers(services)
    assert (row.status, row.end_reason) == ("ended", "handback")
    assert "小助手" in (await outbox(services))[-1].text


async def test_releasing_an_agents_chats_puts_them_back_in_their_place(
    chat: Chat, services: Services, clock: FakeClock
) -> None:
    agent, other = await add_agent(services, "li"), await add_agent(services, "wang")
    bob, carol = chat.as_user("bob"), chat.as_user("carol")
    alice_id = await queued(chat)
    clock.advance(minutes=1)
    bob_id = await queued(bob)
    await take(services, alice_id, agent)
    await take(services, bob_id, agent)
    await take(services, await queued(carol), other)
    clock.advance(minutes=1)
    dave = chat.as_user("dave")
    await queued(dave)
    sent = len(await outbox(services))
    handovers_before = len(await handovers(services))
    assert await handover.release_all(services.sessions, clock, agent) == 2
    assert await handover.release_all(services.sessions, clock, agent) == 0
    for customer in (chat, bob):
        waiting = await customer.conversation()
        assert (waiting.mode, waiting.staff_id) == ("queued", None)
    assert (await carol.conversation()).staff_id == other  # another agent's chat stays
    assert len(await outbox(services)) == sent  # the customers are not told
    assert len(await handovers(services)) == handovers_before  # the same handovers go on
    async with services.sessions() as session:
        queue = await Repositories.for_session(session).handovers.queued()
    assert [h.conversation_id for h in queue] == [alice_id, bob_id, (await dave.conversation()).id]
    assert "第 2 位" in await bob.ask("转人工")


async def test_a_double_click_sends_the_reply_once(
    chat: Chat, services: Services, clock: FakeClock
) -> None:
    conversation_id = await queued(chat)
    agent = await add_agent(services, "li")
    await take(services, conversation_id, agent)
    reply = handover.send_staff_reply
    for _ in range(2):
        assert await reply(services.sessions, clock, conversation_id, agent, "马上帮您查")
    clock.advance(seconds=9)
    assert await reply(services.sessions, clock, conversation_id, agent, " 马上帮您查 ")
    assert await reply(services.sessions, clock, conversation_id, agent, "请稍等")
    clock.advance(seconds=11)
    assert await reply(services.sessions, clock, conversation_id, agent, "马上帮您查")
    texts = [row.text for row in await outbox(services) if row.sender == "staff"][1:]
    assert texts == ["马上帮您查", "请稍等", "马上帮您查"]


async def test_the_same_short_answer_to_a_new_question_is_sent_again(
    chat: Chat, services: Services, clock: FakeClock
) -> None:
    conversation_id = await queued(chat)
    agent = await add_agent(services, "li")
    await take(services, conversation_id, agent)
    assert await handover.send_staff_reply(services.sessions, clock, conversation_id, agent, "好的")
    clock.advance(seconds=3)
    assert await chat.say("我的订单能改地址吗？") == []
    clock.advance(seconds=3)
    assert await handover.send_staff_reply(services.sessions, clock, conversation_id, agent, "好的")
    texts = [row.text for row in await outbox(services) if row.sender == "staff"][1:]
    assert texts == ["好的", "好的"]
