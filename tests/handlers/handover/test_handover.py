"""Asking for a person in a chat, as transcripts: the queue, leaving it, out of hours, offers."""

import random
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.console.formatting import LABELS
from bot.services import Services
from core.settings import Settings
from core.shop_time import is_open, next_opening
from handlers.handover.rule import REASON_NAMES
from storage.models import HANDOVER_REASONS, Handover, StaffNotification, Ticket
from storage.repositories import Repositories
from tests.support.chat import Chat
from tests.support.clock import START, FakeClock
from tests.support.text import random_chinese

CALLBACK = re.compile(r"CB\d{8}-\d{4}")


async def handovers(services: Services) -> list[Handover]:
    async with services.sessions() as session:
        return list(await session.scalars(select(Handover).order_by(Handover.id)))


async def callbacks(services: Services) -> list[Ticket]:
    async with services.sessions() as session:
        query = select(Ticket).where(Ticket.kind == "callback").order_by(Ticket.id)
        return list(await session.scalars(query))


async def notices(services: Services) -> list[str]:
    """The staff notifications' texts, oldest first."""
    async with services.sessions() as session:
        query = select(StaffNotification.reason).order_by(StaffNotification.id)
        return list(await session.scalars(query))


async def agents_online(services: Services, count: int, role: str = "agent") -> None:
    async with services.sessions() as session, session.begin():
        repos = Repositories.for_session(session)
        for n in range(count):
            staff = await repos.staff.add(
                f"{role}{n}", f"小{n}", role, password_hash="x", now=services.clock.now()
            )
            await repos.staff.mark_seen(staff.id, staff.session_epoch, services.clock.now())


def at_night(clock: FakeClock) -> None:
    """22:30 in Shanghai: staff went home at 21:00."""
    clock.advance(hours=11, minutes=30)


async def test_asking_for_a_person_joins_the_queue(chat: Chat) -> None:
    await agents_online(chat.services, 1)
    answer = await chat.ask("转人工")
    assert "第 1 位" in answer and "约 3 分钟" in answer and "不用了" in answer
    assert (await chat.conversation()).mode == "queued"
    [handover] = await handovers(chat.services)
    assert (handover.status, handover.reason) == ("queued", "request")


async def test_the_second_customer_waits_behind_the_first(chat: Chat) -> None:
    await agents_online(chat.services, 1)
    await chat.ask("人工客服")
    answer = await chat.as_user("bob").ask("我要找真人")
    assert "第 2 位" in answer and "约 6 分钟" in answer


async def test_the_wait_is_shared_among_the_agents_online(chat: Chat) -> None:
    await agents_online(chat.services, 2)
    await chat.ask("转人工")
    await chat.as_user("bob").ask("转人工")
    assert "约 5 分钟" in await chat.as_user("carol").ask("有人吗？")  # 3 × 3 ÷ 2


async def test_with_nobody_online_no_wait_is_promised(chat: Chat) -> None:
    await agents_online(chat.services, 1, role="admin")  # admins are not given the queue
    for answer in (await chat.ask("转人工"), await chat.ask("转人工")):
        assert "第 1 位" in answer and "一有空" in answer
        assert "分钟" not in answer and "马上" not in answer
    assert (await chat.conversation()).mode == "queued"


@pytest.mark.parametrize(
    "text",
    [
        "人工",
        "找客服",
        "真人客服",
        "找你们老板",
        "叫你们经理出来！",
        "我要人工",
        "有人吗？",
        "不想跟机器人说话",
        "能转人工么",
        "有客服吗",
        "有没有人工",
        "来个人",
        "给我找个人",
        "叫个人来",
        "我要跟人说话",
        "我想和真人聊聊",
        "能不能跟客服沟通一下",
        "人工人工人工",
        "人工！人工！",
    ],
)
async def test_ways_of_asking_for_a_person(chat: Chat, text: str) -> None:
    assert "第 1 位" in await chat.ask(text)


@pytest.mark.parametrize(
    "text",
    [
        "人工智能",
        "人工费多少",
        "人工费怎么算",
        "人工种植的吗",
        "你们的客服也太差劲了，问什么都不回",
        "有真人实拍图吗",
        "有客服电话吗",
        "有人说你们是骗子",
        "有人说…",
        "我要个人发票",
        "个人信息怎么改",
        "我一个人在家收不了快递",
        "我跟客服聊过了，还是没解决",
        "不想和人说话",
    ],
)
async def test_words_that_only_look_like_a_request(chat: Chat, text: str) -> None:
    await chat.ask(text)
    assert await handovers(chat.services) == []
    assert (await chat.conversation()).mode == "bot"


async def test_asking_again_tells_the_place_again(chat: Chat) -> None:
    await chat.ask("转人工")
    answer = await chat.ask("转人工！！")
    assert "已经在排队" in answer and "第 1 位" in answer
    assert len(await handovers(chat.services)) == 1


async def test_leaving_the_queue(chat: Chat) -> None:
    await chat.ask("转人工")
    assert "取消排队" in await chat.ask("不用了")
    [handover] = await handovers(chat.services)
    assert (handover.status, handover.end_reason) == ("ended", "left_queue")
    assert (await chat.conversation()).mode == "bot"
    assert "第 1 位" in await chat.as_user("bob").ask("转人工")  # alice left the queue


async def test_the_bot_answers_while_the_customer_waits(chat: Chat) -> None:
    await chat.ask("转人工")
    assert "发票" in await chat.ask("可以开发票吗")
    assert (await chat.conversation()).mode == "queued"


async def test_out_of_hours_a_callback_ticket_is_opened(chat: Chat, clock: FakeClock) -> None:
    at_night(clock)
    answer = await chat.ask("转人工")
    [ticket] = await callbacks(chat.services)
    assert CALLBACK.findall(answer) == [ticket.number]
    assert "明天 9:00" in answer and "9:00–21:00" in answer
    assert await notices(chat.services) == [f"新回电 {ticket.number}（客户要求，非营业时间）"]
    assert await handovers(chat.services) == []
    assert (await chat.conversation()).mode == "bot"
    again = await chat.ask("人工客服")
    assert ticket.number in again and len(await callbacks(chat.services)) == 1


def test_callback_notices_name_handover_reasons_as_the_console_does() -> None:
    assert {reason: LABELS[reason] for reason in HANDOVER_REASONS} == REASON_NAMES


async def test_a_callback_is_due_an_hour_after_staff_are_back(chat: Chat, clock: FakeClock) -> None:
    at_night(clock)
    await chat.ask("转人工")
    [ticket] = await callbacks(chat.services)
    due = ticket.first_response_due.astimezone(chat.services.settings.zone)
    assert (due.day, due.hour, due.minute) == (30, 10, 0)  # 9:00 tomorrow, plus an hour


async def test_after_midnight_staff_are_back_today(chat: Chat, clock: FakeClock) -> None:
    clock.advance(hours=13, minutes=30)  # 00:30 in Shanghai
    assert "今天 9:00" in await chat.ask("转人工")


async def test_business_hours_may_span_midnight() -> None:
    settings = Settings(business_hours="20:00-02:00")
    assert is_open(START + timedelta(hours=10), settings)  # 21:00
    assert is_open(START + timedelta(hours=14), settings)  # 01:00
    assert not is_open(START, settings)  # 11:00
    assert next_opening(START, settings).hour == 20


async def test_two_misses_offer_a_person_and_yes_queues(chat: Chat) -> None:
    await chat.ask("？？？")
    assert "需要帮您转人工客服吗" in await chat.ask("？？？")
    assert "第 1 位" in await chat.ask("好的")
    [handover] = await handovers(chat.services)
    assert handover.reason == "fallback"


async def test_the_offer_may_be_declined(chat: Chat) -> None:
    await chat.ask("明天会下雨吗")
    await chat.ask("给我讲个笑话")
    assert "换个说法" in await chat.ask("不用")
    assert await handovers(chat.services) == []
    assert "发票" in await chat.ask("可以开发票吗")


async def test_the_offer_at_night_opens_a_callback(chat: Chat, clock: FakeClock) -> None:
    at_night(clock)
    await chat.ask("？？？")
    assert "明天 9:00" in await chat.ask("？？？")
    [number] = CALLBACK.findall(await chat.ask("可以"))
    assert await notices(chat.services) == [f"新回电 {number}（机器人未能理解，非营业时间）"]


async def test_the_callback_keeps_a_long_question_whole(chat: Chat, clock: FakeClock) -> None:
    at_night(clock)
    question = random_chinese(random.Random(5), 1000)  # more than the rules read
    await chat.ask("？？？")
    assert "明天 9:00" in await chat.ask(question)
    await chat.ask("可以")
    [ticket] = await callbacks(chat.services)
    assert ticket.description == question


async def test_an_urgent_complaint_queues_for_a_person(chat: Chat) -> None:
    answer = await chat.ask("你们就是骗子，我要去12315投诉")
    assert "第 1 位" not in answer  # the complaint's own reply promises a person
    [handover] = await handovers(chat.services)
    assert (handover.status, handover.reason) == ("queued", "complaint")
    assert (await chat.conversation()).mode == "queued"


async def test_an_urgent_complaint_at_night_is_not_queued(chat: Chat, clock: FakeClock) -> None:
    at_night(clock)
    assert "投诉单号" in await chat.ask("你们就是骗子，我要去12315投诉")
    assert await handovers(chat.services) == [] and await callbacks(chat.services) == []
    assert (await chat.conversation()).mode == "bot"


async def test_a_request_interrupts_an_after_sales_dialog(chat: Chat) -> None:
    assert "订单号" in await chat.ask("我要退货")
    answer = await chat.ask("算了，转人工吧")
    assert "第 1 位" in answer and "订单号" not in answer
    dialog = (await chat.conversation()).dialog
    assert dialog is not None and dialog["flow"] == "aftersales"  # kept while waiting
    await chat.ask("不等了")
    assert (await chat.conversation()).mode == "bot"


async def test_leaving_with_a_few_words_around_it(chat: Chat) -> None:
    await chat.ask("转人工")
    assert "取消排队" in await chat.ask("算了，不等了吧")
    assert (await chat.conversation()).mode == "bot"


@pytest.mark.parametrize(
    "text",
    ["算了你们快点", "算了算了，赶紧处理", "我不想等了快点", "不用了。我要人工", "不用转了，等着"],
)
async def test_hurrying_or_asking_again_stays_in_the_queue(chat: Chat, text: str) -> None:
    await chat.ask("转人工")
    assert "取消排队" not in await chat.ask(text)
    assert (await chat.conversation()).mode == "queued"
    [handover] = await handovers(chat.services)
    assert handover.status == "queued"


async def test_no_thanks_answers_the_complaint_question_not_the_queue(chat: Chat) -> None:
    await chat.ask("转人工")
    assert "具体发生了什么" in await chat.ask("我要投诉")
    answer = await chat.ask("不用了")
    assert "取消排队" not in answer
    conversation = await chat.conversation()
    assert (conversation.mode, conversation.dialog) == ("queued", None)
    assert [h.status for h in await handovers(chat.services)] == ["queued"]
    assert "取消排队" in await chat.ask("不用了")  # no question open now: the queue


@pytest.mark.parametrize(
    ("start", "question"), [("我要退货", "订单号"), ("查一下订单 KF20261125003", "后四位")]
)
async def test_no_thanks_in_a_dialog_keeps_the_place(chat: Chat, start: str, question: str) -> None:
    await chat.ask("转人工")
    assert question in await chat.ask(start)
    assert "取消排队" not in await chat.ask("算了")
    assert (await chat.conversation()).mode == "queued"
    assert [h.status for h in await handovers(chat.services)] == ["queued"]
