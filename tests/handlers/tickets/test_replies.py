"""Customers answering staff's questions on tickets that wait for them, as transcripts."""

from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.cli.main import main
from bot.desk.tickets import show_ticket
from bot.outreach.outbox import deliver_outbox
from bot.services import Services
from core.messages import Incoming
from core.settings import Settings
from storage.models import StaffNotification, Ticket
from tests.support.channels.recording import RecordingSender
from tests.support.chat import Chat
from tests.support.clock import FakeClock
from tests.support.command_line import with_services
from tests.support.tickets import TEXTS, new_ticket, update
from tests.support.web_chat import customer_messages

QUESTION = "请拍一下瓶底批号"
PHOTO = "https://img.example.com/u/alice/bottle.jpg"


async def ask_customer(services: Services, clock: FakeClock, ticket: Ticket) -> None:
    """Staff ask for more information, and the question reaches the customer."""
    await update(
        services, clock, ticket.number, status="waiting_customer", note=QUESTION, public=True
    )
    await deliver_outbox(services.sessions, {"web": RecordingSender()}, clock)


async def send(chat: Chat, text: str, *media: str) -> list[str]:
    incoming = Incoming(chat.channel, chat.user, text, chat.clock.now(), media=media)
    return [reply.text for reply in await chat.services.assistant.handle(incoming)]


def received(ticket: Ticket) -> str:
    return TEXTS.render("ticket_reply_received", number=ticket.number)


async def state(services: Services, ticket: Ticket) -> tuple[str, list[Any]]:
    """The ticket's status and its history after the created entry, as (kind, to, text, by)."""
    detail = await show_ticket(services.sessions, ticket.number)
    history = [(e.kind, e.to_status, e.text, e.author) for e in detail.events[1:]]
    return detail.ticket.status, history


ASKED = [
    ("status", "waiting_customer", "", "staff"),
    ("note", None, QUESTION, "staff"),
]


# --- the whole loop ----------------------------------------------------------------------------


def test_staff_ask_the_customer_answers_and_staff_see_the_answer(
    cli_env: Settings,
    clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
) -> None:
    async def opened(chat: Chat) -> str:
        return (await new_ticket(chat)).number

    number = with_services(cli_env, clock, opened)
    clock.advance(minutes=30)
    asking = ["--status", "waiting_customer", "--note", QUESTION, "--public"]
    assert main(["tickets", "update", number, *asking], clock=clock) == 0
    clock.advance(minutes=5)

    async def customer(chat: Chat) -> tuple[list[str], list[str]]:
        delivered = _Recording()
        assert await deliver_outbox(chat.services.sessions, {"web": delivered}, chat.clock) == 1
        return delivered.texts, await send(chat, "批号是B20260901", PHOTO)

    delivered, replies = with_services(cli_env, clock, customer)

    assert QUESTION in delivered[0]
    assert replies == [TEXTS.render("ticket_reply_received", number=number)]
    capsys.readouterr()
    assert main(["tickets", "show", number], clock=clock) == 0
    out = capsys.readouterr().out
    assert f"{number}  after_sales  in_progress" in out
    assert [line.split()[1:] for line in out.splitlines() if line.startswith("media:")] == [[PHOTO]]
    assert f"customer note (customer): 批号是B20260901\n{' ' * 29}media: {PHOTO}" in out
    assert "customer waiting_customer -> in_progress" in out


async def test_the_answer_and_its_photo_go_on_the_ticket_through_the_web_chat(
    client: TestClient, services: Services, chat: Chat, clock: FakeClock
) -> None:
    ticket = await new_ticket(chat)
    await ask_customer(services, clock, ticket)
    assert (await customer_messages(client, "alice"))[-1] == (
        "staff",
        "\n".join(
            [
                TEXTS.render("ticket_status_waiting_customer", number=ticket.number),
                f"客服留言：{QUESTION}",
            ]
        ),
    )
    clock.advance(minutes=3)

    response = await client.post(
        "/api/chat", json={"user": "alice", "text": "批号是B20260901", "media": [PHOTO]}
    )

    replies = [r["text"] for r in (await response.json())["replies"]]
    assert replies == [received(ticket)]  # not read as an order number: no phone question
    detail = await show_ticket(services.sessions, ticket.number)
    assert detail.ticket.status == "in_progress"
    assert detail.ticket.media == [PHOTO]
    assert [
        (e.kind, e.from_status, e.to_status, e.text, e.public, e.author, e.time)
        for e in detail.events[-2:]
    ] == [
        ("note", None, None, f"批号是B20260901\nmedia: {PHOTO}", False, "customer", clock.now()),
        ("status", "waiting_customer", "in_progress", "", False, "customer", clock.now()),
    ]
    async with services.sessions() as session:
        alerts = list(await session.scalars(select(StaffNotification)))
    assert [(a.ticket_id, a.reason) for a in alerts] == [(ticket.id, f"客户已回复 {ticket.number}")]
    # The customer's own words are not shown back to them as staff's note.
    assert f"客服留言：{QUESTION}" in await chat.ask("售后进度")


# --- which message is the answer ---------------------------------------------------------------


async def test_a_chat_without_a_waiting_ticket_is_unaffected(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    nobody = await chat.as_user("carol").say("批号是B20260901")
    waiting = await new_ticket(chat)
    await ask_customer(services, clock, waiting)
    bob = chat.as_user("bob")
    in_progress = await new_ticket(bob)
    await update(services, clock, in_progress.number, status="in_progress")

    assert await bob.say("批号是B20260901") == nobody  # an order question, as for anyone
    assert any("手机" in reply for reply in nobody)
    assert await state(services, waiting) == ("waiting_customer", ASKED)
    assert (await state(services, in_progress))[1] == [("status", "in_progress", "", "staff")]


async def test_only_the_text_or_only_a_photo_is_an_answer(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    by_text, by_photo = await new_ticket(chat), await new_ticket(chat.as_user("bob"))
    await ask_customer(services, clock, by_text)
    await ask_customer(services, clock, by_photo)

    assert await chat.say("瓶底没有批号，只有一串字母") == [received(by_text)]
    assert await send(chat.as_user("bob"), "", PHOTO) == [received(by_photo)]

    assert await state(services, by_text) == (
        "in_progress",
        [
            *ASKED,
            ("note", None, "瓶底没有批号，只有一串字母", "customer"),
            ("status", "in_progress", "", "customer"),
        ],
    )
    status, history = await state(services, by_photo)
    assert (status, history[-2][2]) == ("in_progress", f"media: {PHOTO}")


async def test_a_long_answer_goes_on_the_ticket_whole(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    ticket = await new_ticket(chat)
    await ask_customer(services, clock, ticket)
    answer = "瓶底没有批号，" + "只有一串看不清的字母和数字，" * 60  # more than the rules read
    assert await chat.say(answer) == [received(ticket)]
    _, history = await state(services, ticket)
    assert ("note", None, answer, "customer") in history


async def test_the_ticket_asked_last_gets_the_answer(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    older, newer = await new_ticket(chat), await new_ticket(chat, "complaint")
    await ask_customer(services, clock, newer)
    clock.advance(minutes=1)
    await ask_customer(services, clock, older)

    assert await chat.say("在瓶底") == [received(older)]
    assert (await state(services, newer))[0] == "waiting_customer"
    # The next answer is for the one still waiting.
    clock.advance(minutes=11)
    assert await chat.say("订单是上周买的") == [received(newer)]


@pytest.mark.parametrize(
    "text",
    ["KF20261120001", "不用了", "算了，我不退了"],
    ids=["order-number-alone", "declined", "withdrawn"],
)
async def test_an_order_number_or_a_cancel_word_is_the_answer(
    services: Services, chat: Chat, clock: FakeClock, text: str
) -> None:
    ticket = await new_ticket(chat)
    await ask_customer(services, clock, ticket)

    assert await chat.say(text) == [received(ticket)]
    assert (await state(services, ticket))[1][-2] == ("note", None, text, "customer")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("我的售后进度", "等您补充信息"),
        ("{number}", "等您补充信息"),
        ("在吗", TEXTS.render("smalltalk_greeting")),
        ("", TEXTS.render("smalltalk_empty")),
    ],
    ids=["progress-question", "ticket-number", "greeting", "nothing"],
)
async def test_a_progress_question_or_a_greeting_is_no_answer(
    services: Services, chat: Chat, clock: FakeClock, text: str, says: str
) -> None:
    ticket = await new_ticket(chat)
    await ask_customer(services, clock, ticket)

    answer = await chat.ask(text.format(number=ticket.number))

    assert says in answer
    assert await state(services, ticket) == ("waiting_customer", ASKED)


async def test_a_new_complaint_is_a_complaint_of_its_own(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    ticket = await new_ticket(chat)
    await ask_customer(services, clock, ticket)

    answer = await chat.ask("你们客服态度太差了，我要投诉")

    assert "CP20261129-" in answer
    assert await state(services, ticket) == ("waiting_customer", ASKED)


async def test_an_open_dialog_gets_its_answer_first(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    ticket = await new_ticket(chat)
    assert "手机" in await chat.ask("KF20261120001")  # verification asks for phone digits
    await ask_customer(services, clock, ticket)

    assert "验证成功" in await chat.ask("8000")

    assert await state(services, ticket) == ("waiting_customer", ASKED)
    assert await chat.say("批号是B20260901") == [received(ticket)]


# --- messages right after the answer -----------------------------------------------------------


async def test_messages_right_after_the_answer_join_it(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    ticket = await new_ticket(chat)
    await ask_customer(services, clock, ticket)
    assert await chat.say("批号拍好了，发您") == [received(ticket)]
    clock.advance(minutes=2)

    more = TEXTS.render("ticket_reply_more", number=ticket.number)
    assert await send(chat, "", PHOTO) == [more]
    clock.advance(minutes=9)  # within ten minutes of the last one
    assert await chat.say("盖子也有裂痕") == [more]
    assert await chat.say("好的谢谢") == [TEXTS.render("smalltalk_thanks")]

    status, history = await state(services, ticket)
    assert status == "in_progress"
    assert history[len(ASKED) :] == [
        ("note", None, "批号拍好了，发您", "customer"),
        ("status", "in_progress", "", "customer"),
        ("note", None, f"media: {PHOTO}", "customer"),
        ("note", None, "盖子也有裂痕", "customer"),
    ]
    async with services.sessions() as session:
        assert len(list(await session.scalars(select(StaffNotification)))) == 1


async def test_later_messages_are_ordinary_messages_again(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    ticket = await new_ticket(chat)
    await ask_customer(services, clock, ticket)
    await chat.say("批号是B20260901")
    clock.advance(minutes=11)

    assert await send(chat, "", PHOTO) == [TEXTS.render("smalltalk_media")]
    # Nor once staff moved the ticket on.
    await chat.say("还有一个问题")
    await update(services, clock, ticket.number, status="resolved")
    assert "手机" in await chat.ask("KF20261120001")

    assert len((await state(services, ticket))[1]) == len(ASKED) + 3


class _Recording:
    def __init__(self) -> None:
        self.texts: list[str] = []

    dedupes = True  # as the web chat, which these stand in for

    async def deliver(self, user: str, text: str, key: str = "") -> None:
        self.texts.append(text)


# --- questions the bot answers at once ---------------------------------------------------------

FREE_SHIPPING = "满99元"
ANSWERABLE = [
    pytest.param("对了 你们满多少包邮", FREE_SHIPPING, id="faq"),
    pytest.param("我的订单到哪了", TEXTS.render("ask_order_number"), id="parcel"),
    pytest.param("售后处理好了没", "客服处理中", id="progress"),
]


@pytest.mark.parametrize(("text", "says"), ANSWERABLE)
async def test_a_question_the_bot_answers_in_the_follow_up_window_is_answered(
    services: Services, chat: Chat, clock: FakeClock, text: str, says: str
) -> None:
    ticket = await new_ticket(chat)
    await ask_customer(services, clock, ticket)
    assert await chat.say("批号是B20260901") == [received(ticket)]
    clock.advance(minutes=2)
    before = await state(services, ticket)

    answer = await chat.ask(text)

    assert says in answer
    assert TEXTS.render("ticket_reply_more", number=ticket.number) not in answer
    assert await state(services, ticket) == before


@pytest.mark.parametrize(("text", "says"), ANSWERABLE)
async def test_a_question_the_bot_answers_is_no_answer_to_staff(
    services: Services, chat: Chat, clock: FakeClock, text: str, says: str
) -> None:
    ticket = await new_ticket(chat)
    await ask_customer(services, clock, ticket)

    answer = await chat.ask(text)

    assert says.replace("客服处理中", "等您补充信息") in answer
    assert await state(services, ticket) == ("waiting_customer", ASKED)
