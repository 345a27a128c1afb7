"""A seeded week of chats, handovers and tickets for the service report's tests."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from storage.models import Conversation, Ticket
from storage.repositories import Repositories
from tests.support.chat import Chat
from tests.support.clock import FakeClock

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOUR = timedelta(hours=1)


def local(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def move_to(clock: FakeClock, when: datetime) -> None:
    assert when >= clock.now()
    clock.advance(seconds=(when - clock.now()).total_seconds())


async def conversation_of(chat: Chat) -> int:
    async with chat.services.sessions() as session:
        repos = Repositories.for_session(session)
        identity = await repos.identities.find(chat.channel, chat.user)
        assert identity is not None
        return (await repos.conversations.for_identity(identity.id, chat.clock.now())).id


async def hand_over(chat: Chat, reason: str, end: bool = False) -> None:
    """A handover of the chat's conversation requested now, ended at once if asked."""
    conversation_id = await conversation_of(chat)
    async with chat.services.sessions() as session, session.begin():
        handovers = Repositories.for_session(session).handovers
        handover = await handovers.start(conversation_id, reason, chat.clock.now())
        if end:
            await handovers.end(handover.id, "handback", chat.clock.now())


async def to_staff(chat: Chat) -> None:
    """A person holds the chat: the customer's messages wait for them."""
    conversation_id = await conversation_of(chat)
    async with chat.services.sessions() as session, session.begin():
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        conversation.mode = "human"


async def add_ticket(
    chat: Chat,
    number: str,
    kind: str,
    status: str,
    created: datetime,
    answer_within: timedelta,
    answered_after: timedelta | None,
    category: str | None = None,
) -> None:
    async with chat.services.sessions() as session, session.begin():
        repos = Repositories.for_session(session)
        identity = await repos.identities.find(chat.channel, chat.user)
        assert identity is not None
        await repos.tickets.add(
            Ticket(
                number=number,
                kind=kind,
                status=status,
                identity_id=identity.id,
                category=category,
                first_response_due=created + answer_within,
                resolution_due=created + 24 * HOUR,
                first_response_at=None if answered_after is None else created + answered_after,
                created_at=created,
                updated_at=created,
            )
        )


async def seed_week(chat: Chat, clock: FakeClock) -> None:
    """Chats, handovers and tickets from 29 Nov to 7 Dec; the clock ends at 7 Dec 11:00."""
    alice, bob, dave, eve = chat, chat.as_user("bob"), chat.as_user("dave"), chat.as_user("eve")
    # Before the last seven days: 29 and 30 November.
    await alice.ask("付款后多久发货？")  # faq
    await add_ticket(alice, "CB1", "callback", "open", clock.now(), 2 * HOUR, None)  # missed
    move_to(clock, local(11, 30, 23, 50))  # ten minutes before the 7-day window opens
    await eve.ask("你好")  # smalltalk
    await hand_over(eve, "complaint")
    # 5 December, late in the evening.
    move_to(clock, local(12, 5, 23, 30))
    await alice.ask("你们发什么快递？")  # faq
    await alice.ask("阿巴阿巴")  # fallback
    # 6 December just after midnight: still 5 December in UTC.
    move_to(clock, local(12, 6, 0, 30))
    await bob.ask("发货")  # fallback, offering three questions
    await bob.ask("3")  # faq_pick: the third question's answer
    await bob.ask("你好")  # smalltalk
    await hand_over(alice, "request", end=True)
    await hand_over(alice, "fallback")  # alice's second: one conversation, two handovers
    # 7 December: dave is with a person.
    move_to(clock, local(12, 7, 10, 0))
    await dave.ask("你好")  # smalltalk
    await to_staff(dave)
    await dave.ask("在吗")  # staff
    await hand_over(dave, "staff")
    tickets = [  # (kind, status, created, due within, answered after, category)
        ("after_sales", "in_progress", local(12, 6, 10), 4 * HOUR, HOUR, None),  # met
        ("complaint", "resolved", local(12, 6, 10), 2 * HOUR, 3 * HOUR, "logistics"),  # late
        ("complaint", "open", local(12, 6, 12), 2 * HOUR, None, "quality"),  # missed
        ("complaint", "open", local(12, 7, 10, 30), 2 * HOUR, None, None),  # not due yet
        ("complaint", "closed", local(12, 7, 9), HOUR / 2, HOUR / 2, "quality"),  # met, just
        ("after_sales", "waiting_customer", local(12, 6, 15), 4 * HOUR, HOUR / 6, None),  # met
    ]
    for n, (kind, status, created, due, answered, category) in enumerate(tickets, 1):
        await add_ticket(alice, f"T{n}", kind, status, created, due, answered, category)
    move_to(clock, local(12, 7, 11, 0))
