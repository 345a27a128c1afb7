"""Customers asking how their tickets are going, as transcripts."""

import pytest
from sqlalchemy import func, select

from bot.services import Services
from core.patterns import order_references, ticket_numbers, without_references
from handlers.words import asks_ticket_progress
from storage.models import TICKET_KINDS, Ticket
from storage.repositories import Repositories
from tests.support.chat import Chat
from tests.support.clock import FakeClock
from tests.support.tickets import TEXTS, new_ticket, update

NOBODYS = "AS20261129-0099"  # a ticket number no ticket has


async def test_my_progress_lists_my_tickets_with_the_latest_note_for_me(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    return_request = await new_ticket(chat)
    complaint = await new_ticket(chat, "complaint", category="logistics")
    await update(services, clock, return_request.number, status="in_progress")
    await update(
        services, clock, return_request.number, note="已联系仓库，明天寄出新的", public=True
    )
    await update(services, clock, return_request.number, note="仓库说库存只剩一件")  # internal

    answer = await chat.ask("我的售后进度")

    assert "您最近的 2 个工单" in answer
    assert f"{return_request.number}（售后申请）：客服处理中" in answer
    assert f"{complaint.number}（投诉）：已受理，等待客服处理" in answer
    assert "客服留言：已联系仓库，明天寄出新的" in answer
    assert "仓库说库存只剩一件" not in answer
    assert answer.index(complaint.number) < answer.index(return_request.number)  # newest first


async def test_the_promised_time_is_given_while_the_ticket_is_worked_on(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    ticket = await new_ticket(chat)  # at 11:00 shop time, to be resolved within 48 hours

    assert "预计 12月1日 11:00 前给您结果" in await chat.ask("售后进度")
    await update(services, clock, ticket.number, status="waiting_customer")
    assert "预计" not in await chat.ask("售后进度")
    await update(services, clock, ticket.number, status="in_progress")
    assert "预计 12月1日 11:00 前给您结果" in await chat.ask("售后进度")
    clock.advance(hours=48, minutes=1)
    assert "预计" not in await chat.ask("售后进度")  # no promise that is already broken


async def test_the_latest_note_for_the_customer_wins(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    ticket = await new_ticket(chat)
    await update(services, clock, ticket.number, note="第一条留言", public=True)
    await update(services, clock, ticket.number, note="第二条留言", public=True)

    answer = await chat.ask(ticket.number)

    assert "客服留言：第二条留言" in answer
    assert "第一条留言" not in answer


@pytest.mark.parametrize(
    "question",
    ["售后进度", "工单进度", "投诉进度", "我的售后进度怎么样了", "我的退货申请有进展了吗"],
)
async def test_progress_questions_list_the_tickets(chat: Chat, question: str) -> None:
    ticket = await new_ticket(chat)

    answer = await chat.ask(question)

    assert f"{ticket.number}（售后申请）：已受理，等待客服处理" in answer


async def test_no_tickets_is_said_so(chat: Chat) -> None:
    assert await chat.ask("我的售后进度") == TEXTS.render("ticket_none")


@pytest.mark.parametrize(
    "written",
    ["{number}", "{lower}", "{full_width}", "工单{number}怎么样了", "{number_em_dash}处理好了吗"],
)
async def test_a_ticket_number_gives_that_ticket(
    services: Services, chat: Chat, clock: FakeClock, written: str
) -> None:
    ticket = await new_ticket(chat, "complaint", category="quality")
    other = await new_ticket(chat)
    await update(services, clock, ticket.number, status="resolved", note="已补发", public=True)
    full_width = "".join(
        chr(ord(ch) + 0xFEE0) if ch.isascii() and ch.isalnum() else "－" for ch in ticket.number
    )
    text = written.format(
        number=ticket.number,
        lower=ticket.number.lower(),
        full_width=full_width,
        number_em_dash=ticket.number.replace("-", "—"),
    )

    answer = await chat.ask(text)

    assert answer.splitlines() == [
        f"· {ticket.number}（投诉）：已处理完成",
        "💬 客服留言：已补发",
    ]
    assert other.number not in answer


async def test_a_ticket_queried_by_someone_who_does_not_own_it_reveals_nothing(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    ticket = await new_ticket(chat)
    await update(
        services, clock, ticket.number, status="in_progress", note="换货已发出", public=True
    )
    stranger = chat.as_user("mallory")

    about_the_real_one = await stranger.ask(ticket.number)
    about_no_ticket = await stranger.ask(NOBODYS)

    assert about_the_real_one == TEXTS.render("ticket_not_found", number=ticket.number)
    assert about_the_real_one == about_no_ticket.replace(NOBODYS, ticket.number)
    for secret in ("处理中", "售后申请", "换货已发出"):
        assert secret not in about_the_real_one
    # Nor do the stranger's own listings show it.
    assert ticket.number not in await stranger.ask("我的售后进度")


async def test_each_number_in_a_message_is_answered_for_itself(
    services: Services, chat: Chat
) -> None:
    mine = await new_ticket(chat)
    someone_elses = await new_ticket(chat.as_user("bob"))

    replies = await chat.say(f"{mine.number} 和 {someone_elses.number} 都查一下")

    assert replies == [
        f"· {mine.number}（售后申请）：已受理，等待客服处理，预计 12月1日 11:00 前给您结果",
        TEXTS.render("ticket_not_found", number=someone_elses.number),
    ]


async def test_a_verified_customer_sees_tickets_opened_from_another_chat(
    services: Services, chat: Chat
) -> None:
    # alice verifies as the customer of KF20261120001; her ticket is bound to that customer.
    await chat.ask("KF20261120001")
    assert "验证成功" in await chat.ask("8000")
    ticket = await new_ticket(chat)
    assert ticket.customer_id is not None
    same_person_elsewhere = Chat(services, chat.clock, user="alice-on-her-phone")

    assert TEXTS.render("ticket_not_found", number=ticket.number) == (
        await same_person_elsewhere.ask(ticket.number)
    )
    await same_person_elsewhere.ask("KF20261120001")
    assert "验证成功" in await same_person_elsewhere.ask("8000")

    assert f"{ticket.number}（售后申请）" in await same_person_elsewhere.ask(ticket.number)
    assert ticket.number in await same_person_elsewhere.ask("我的售后进度")


async def test_a_ticket_number_is_not_taken_for_an_order_number(
    services: Services, chat: Chat
) -> None:
    answer = await chat.ask(NOBODYS)

    assert "手机号" not in answer
    assert answer == TEXTS.render("ticket_not_found", number=NOBODYS)


async def test_a_ticket_number_during_verification_neither_answers_nor_breaks_it(
    services: Services, chat: Chat
) -> None:
    ticket = await new_ticket(chat)
    assert "手机号" in await chat.ask("KF20261120001")

    replies = await chat.say(ticket.number)

    assert ticket.number in replies[0]
    assert "手机号" in replies[-1]  # the question is asked again
    async with services.sessions() as session:
        identity = await Repositories.for_session(session).identities.find("web", "alice")
    assert identity is not None and identity.failed_verifications == 0
    assert "验证成功" in await chat.ask("8000")


# --- recognising ticket numbers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tickets", "orders"),
    [
        ("AS20261129-0007", ["AS20261129-0007"], []),
        ("cp20261129－0002", ["CP20261129-0002"], []),
        ("ＡＳ２０２６１１２９－０００７", ["AS20261129-0007"], []),
        ("工单 AS20261129–0007 和订单 KF20261120001", ["AS20261129-0007"], ["KF20261120001"]),
        ("AS20261129-0007 AS20261129-0007", ["AS20261129-0007"], []),
        ("KF20261120001", [], ["KF20261120001"]),
        ("AS202611290007", [], ["AS202611290007"]),  # no dash: could be an order number
    ],
)
def test_ticket_numbers_are_told_from_order_numbers(
    text: str, tickets: list[str], orders: list[str]
) -> None:
    assert ticket_numbers(text) == tickets
    assert order_references(text) == orders


def test_a_ticket_number_is_no_source_of_phone_digits() -> None:
    # "-0007" left behind by taking out only "AS20261129" would read as four phone digits.
    assert without_references("AS20261129-0007").strip() == ""


@pytest.mark.parametrize("kind", TICKET_KINDS)
def test_every_kind_of_ticket_number_is_recognised(kind: str) -> None:
    # Imported here: before core.ticket_numbers the prefixes were defined twice.
    from core.ticket_numbers import PREFIXES
    from handlers.tickets import opening as ticketing

    number = f"{PREFIXES[kind]}20261129-0001"

    assert ticket_numbers(number.lower()) == [number]
    assert order_references(number) == []
    # The numbers made and the numbers recognised come from the one definition.
    assert ticketing.PREFIXES is PREFIXES


@pytest.mark.parametrize(
    "question", ["投诉有回复了吗", "我的投诉怎么样了", "投诉处理完了吗", "退货申请到哪一步了"]
)
async def test_other_ways_of_asking_how_it_goes_open_nothing_new(chat: Chat, question: str) -> None:
    answer = await chat.ask(question)
    assert "CP2026" not in answer and "AS2026" not in answer
    async with chat.services.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Ticket)) == 0


@pytest.mark.parametrize(
    "question",
    [
        "售后弄好了没",
        "退款到哪一步了",
        "我的退货什么时候处理好",
        "投诉多久能处理好",
        "换货好了没",
        "退款申请多久处理",
    ],
)
async def test_everyday_progress_questions_list_the_tickets(chat: Chat, question: str) -> None:
    ticket = await new_ticket(chat)

    answer = await chat.ask(question)

    assert f"{ticket.number}（售后申请）：已受理，等待客服处理" in answer
    async with chat.services.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Ticket)) == 1


@pytest.mark.parametrize("question", ["多久能处理好", "处理好了吗", "什么时候能处理好啊"])
async def test_a_bare_progress_question_is_about_the_ticket_being_worked_on(
    services: Services, chat: Chat, clock: FakeClock, question: str
) -> None:
    ticket = await new_ticket(chat)

    assert f"{ticket.number}（售后申请）" in await chat.ask(question)
    # Once nothing is being worked on, the words alone are about no ticket.
    await update(services, clock, ticket.number, status="resolved")
    assert ticket.number not in await chat.ask(question)
    assert ticket.number not in await chat.as_user("bob").ask(question)


@pytest.mark.parametrize(
    ("text", "with_ticket", "asks"),
    [
        ("售后弄好了没", False, True),
        ("退款到哪一步了", False, True),
        ("多久能处理好", False, False),
        ("多久能处理好", True, True),
        ("处理好了吗", True, True),
        ("你好了没", True, False),  # no ticket subject, no processing
        ("订单多久处理发货", True, False),  # about something else
        ("快递到哪一步了", True, False),
    ],
)
def test_progress_questions_without_a_subject_need_a_ticket_being_worked_on(
    text: str, with_ticket: bool, asks: bool
) -> None:
    assert asks_ticket_progress(text, has_active_ticket=with_ticket) is asks
