"""Complaints in a chat, as transcripts: what the customer reads and what staff find stored."""

import re
from collections import Counter

import pytest
from sqlalchemy import select

from bot.console.formatting import LABELS
from bot.desk import reports
from bot.services import Services
from handlers.complaints import words as complaint_words
from handlers.complaints.rule import CATEGORY_NAMES
from storage.models import Order, StaffNotification, Ticket, TicketEvent
from tests.support.chat import Chat
from tests.support.clock import FakeClock
from tests.support.complaints import complaints, notes

NUMBER = re.compile(r"CP\d{8}-\d{4}")
# The demo chat starts at 11:00 in Shanghai: complaints are answered within 2 hours, urgent
# ones within half an hour.
NORMAL_DUE = "11月29日 13:00"
URGENT_DUE = "11月29日 11:30"


async def notifications(services: Services, ticket: Ticket) -> list[StaffNotification]:
    async with services.sessions() as session:
        query = select(StaffNotification).where(StaffNotification.ticket_id == ticket.id)
        return list(await session.scalars(query))


async def order_id(services: Services, order_no: str) -> int:
    async with services.sessions() as session:
        found = await session.scalar(select(Order.id).where(Order.order_no == order_no))
        assert found is not None
        return found


async def test_a_long_complaint_is_read_by_its_start_and_kept_whole(chat: Chat) -> None:
    # The rules read the first MATCHED_CHARS characters; staff get every word.
    text = "你们客服态度太差了，问了三遍都不回我。" + "那天我等了一下午，" * 150 + "最后也没人管。"
    answer = await chat.ask(text)
    [ticket] = await complaints(chat.services)
    assert ticket.category == "service" and NUMBER.findall(answer) == [ticket.number]
    assert ticket.description == text
    await chat.ask("还有，" + text)
    assert await notes(chat.services, ticket) == ["还有，" + text]


async def test_a_complaint_is_recorded_and_its_number_and_time_given(chat: Chat) -> None:
    text = "你们客服态度太差了，问了三遍都不回我"
    answer = await chat.ask(text)
    [ticket] = await complaints(chat.services)
    assert ticket.category == "service" and ticket.severity == "normal"
    assert ticket.status == "open" and ticket.description == text
    assert NUMBER.findall(answer) == [ticket.number]
    assert "抱歉" in answer and NORMAL_DUE in answer
    assert [n.urgent for n in await notifications(chat.services, ticket)] == [False]
    assert (await chat.conversation()).mode == "bot"
    assert "发生了什么" not in answer  # what happened is clear already


async def test_a_bare_complaint_asks_what_happened_and_records_the_answer(chat: Chat) -> None:
    answer = await chat.ask("我要投诉")
    assert "发生了什么" in answer
    [ticket] = await complaints(chat.services)
    assert ticket.category == "other" and NUMBER.findall(answer) == [ticket.number]
    detail = "面膜用了两天脸就过敏了，红了一大片"
    thanks = await chat.ask(detail)
    assert ticket.number in thanks and "谢谢" in thanks
    [ticket] = await complaints(chat.services)
    assert detail in ticket.description and ticket.category == "quality"
    assert await notes(chat.services, ticket) == [detail]
    assert (await chat.conversation()).dialog is None


async def test_an_order_named_when_telling_what_happened_is_linked(chat: Chat) -> None:
    await chat.ask("KF20261120001")
    assert "验证成功" in await chat.ask("8000")
    await chat.ask("我要投诉")
    [ticket] = await complaints(chat.services)
    assert ticket.order_id == await order_id(chat.services, "KF20261120001")
    answer = await chat.ask("KF20261115002 里的面霜用了两次就过敏了")
    [ticket] = await complaints(chat.services)
    assert ticket.order_id == await order_id(chat.services, "KF20261115002")
    assert ticket.category == "quality" and "SF1234567890123" not in answer


async def test_an_empty_answer_to_what_happened_asks_again(chat: Chat) -> None:
    await chat.ask("差评！")
    assert "发生了什么" in (await chat.say("   "))[-1]
    await chat.ask("快递丢件了也没人管")
    [ticket] = await complaints(chat.services)
    assert ticket.category == "logistics" and "丢件" in ticket.description


async def test_threats_are_urgent_and_put_the_chat_in_the_queue(chat: Chat) -> None:
    for user, text in (
        ("alice", "再不给我处理我就打12315投诉你们！"),
        ("bob", "东西是假货，我已经找了律师，准备起诉"),
        ("carol", "你们就是骗子"),
    ):
        talker = chat.as_user(user)
        answer = await talker.ask(text)
        ticket = (await complaints(chat.services))[-1]
        assert ticket.description == text and ticket.severity == "urgent"
        assert NUMBER.findall(answer) == [ticket.number]
        assert URGENT_DUE in answer and "同事" in answer
        assert (await talker.conversation()).mode == "queued"
        assert [n.urgent for n in await notifications(chat.services, ticket)] == [True]


async def test_a_hotline_number_inside_an_order_number_is_no_threat(chat: Chat) -> None:
    assert "手机号" in await chat.ask("KF20261231500")
    assert await complaints(chat.services) == []


async def test_a_second_complaint_within_a_day_is_urgent(chat: Chat, clock: FakeClock) -> None:
    await chat.ask("你们的客服也太差劲了，问什么都不回")
    clock.advance(hours=23)
    answer = await chat.ask("面膜的质量太差了，用了就过敏")
    [ticket] = await complaints(chat.services)  # the same ticket, now urgent
    assert ticket.severity == "urgent" and "过敏" in ticket.description
    assert NUMBER.findall(answer) == [ticket.number] and "11月30日 10:30" in answer
    assert (await chat.conversation()).mode == "queued"


async def test_a_complaint_a_day_later_is_not_urgent(chat: Chat, clock: FakeClock) -> None:
    await chat.ask("你们的客服也太差劲了，问什么都不回")
    clock.advance(hours=25)
    await chat.ask("面膜的质量太差了，用了就过敏")
    assert [t.severity for t in await complaints(chat.services)] == ["normal", "normal"]
    assert (await chat.conversation()).mode == "bot"


async def test_another_chat_complaining_does_not_make_it_urgent(chat: Chat) -> None:
    await chat.as_user("bob").ask("你们的客服也太差劲了，问什么都不回")
    await chat.ask("面膜的质量太差了，用了就过敏")
    assert [t.severity for t in await complaints(chat.services)] == ["normal", "normal"]


async def test_late_parcel_complaint_shows_the_verified_order_parcel(chat: Chat) -> None:
    await chat.ask("KF20261120001")
    assert "验证成功" in await chat.ask("8000")
    answer = await chat.ask("快递一个星期还没到，你们怎么回事！！")
    [ticket] = await complaints(chat.services)
    assert ticket.category == "logistics"
    assert ticket.order_id == await order_id(chat.services, "KF20261120001")
    assert NUMBER.findall(answer) == [ticket.number] and "抱歉" in answer
    assert "SF1234567890123" in answer and "快件到达上海转运中心" in answer


async def test_late_parcel_complaint_from_an_unverified_chat_shows_nothing(chat: Chat) -> None:
    answer = await chat.ask("快递一个星期还没到，你们怎么回事！！")
    [ticket] = await complaints(chat.services)
    assert ticket.category == "logistics" and ticket.order_id is None
    assert NUMBER.findall(answer) == [ticket.number]
    assert "SF1234567890123" not in answer and "顺丰" not in answer


async def test_naming_someone_elses_order_in_a_complaint_shows_nothing(chat: Chat) -> None:
    await chat.ask("KF20261125003")
    assert "验证成功" in await chat.ask("5678")  # 李四, not the owner of KF20261120001
    answer = await chat.ask("KF20261120001 快递一个星期还没到，你们怎么回事！！")
    [ticket] = await complaints(chat.services)
    assert ticket.category == "logistics" and ticket.order_id is None
    assert "SF1234567890123" not in answer and "顺丰" not in answer


async def test_shouting_is_a_complaint_and_cheering_is_not(chat: Chat) -> None:
    assert "抱歉" in await chat.as_user("bob").ask("到现在都没有人给我一个说法！！！")
    assert len(await complaints(chat.services)) == 1
    await chat.ask("收到啦，谢谢！！！")
    await chat.ask("在吗！！！")
    await chat.ask("你好！！")
    assert len(await complaints(chat.services)) == 1


async def test_mild_words_answer_a_dialog_but_a_threat_interrupts_it(chat: Chat) -> None:
    assert "订单号" in await chat.ask("我的订单到哪了")
    await chat.ask("质量太差了")
    assert await complaints(chat.services) == []
    answer = await chat.ask("我要去12315投诉你们")
    [ticket] = await complaints(chat.services)
    assert ticket.severity == "urgent" and NUMBER.findall(answer) == [ticket.number]
    assert "发生了什么" not in answer  # no question of its own: the open dialog is kept
    stored = await chat.conversation()
    assert stored.mode == "queued"
    assert stored.dialog is not None and stored.dialog["flow"] == "ask_order"
    assert "手机号" in await chat.ask("KF20261120001")
    assert "KF20261120001 的物流" in await chat.ask("8000")  # the question it was asking


async def test_a_threat_while_telling_what_happened_makes_it_urgent(chat: Chat) -> None:
    await chat.ask("我要投诉")
    answer = await chat.ask("快递丢件了一直不给处理，再这样我就报警")
    [ticket] = await complaints(chat.services)
    assert ticket.severity == "urgent" and ticket.category == "logistics"
    assert ticket.number in answer and URGENT_DUE in answer
    assert [n.urgent for n in await notifications(chat.services, ticket)] == [False, True]
    assert (await chat.conversation()).mode == "queued"


async def test_complaints_are_counted_by_category(chat: Chat) -> None:
    for user, text in (
        ("u1", "同一款面霜第二天就降价了，差价也不给补，太过分了"),
        ("u2", "客服态度太差了，问了半天都不理人"),
        ("u3", "什么破东西，面膜用完脸上又红肿又过敏"),
        ("u4", "这么贵的精华，比别家贵了五十，你们这是坑人"),
        ("u5", "投诉，发票申请了两周到现在都开不出来"),
        ("u6", "投诉一下，客服说快递已经签收了，可我根本没收到，物流也查不到"),
    ):
        await chat.as_user(user).ask(text)
    counted = Counter(t.category for t in await complaints(chat.services))
    assert counted == {"price": 2, "service": 1, "quality": 1, "logistics": 1, "other": 1}


async def test_questions_and_promises_are_no_complaints(chat: Chat) -> None:
    for number, text in enumerate(
        (
            "你们家售后服务好不好",
            "付款后多久发货",
            "我用工商银行卡付款可以吗",
            "放心，我不会给差评的",
            # A return request with a sigh belongs to after-sales.
            "质量太差了，我要退货",
        )
    ):
        await chat.as_user(f"u{number}").ask(text)
    assert await complaints(chat.services) == []


async def test_asking_how_a_complaint_goes_is_no_new_complaint(chat: Chat) -> None:
    await chat.ask("你们客服态度太差了，问了三遍都不回我")
    for question in ("投诉进度", "我的投诉处理得怎么样了", "投诉有结果了吗"):
        await chat.ask(question)
    assert len(await complaints(chat.services)) == 1
    await chat.ask("我投诉的事到现在都没人管，太过分了")
    [ticket] = await complaints(chat.services)  # added to the open one, which is now urgent
    assert ticket.severity == "urgent"


async def test_words_inside_nouns_and_questions_about_reviews_are_no_complaints(
    chat: Chat,
) -> None:
    for number, text in enumerate(
        (
            "垃圾桶有卖吗",
            "有没有卖垃圾袋",
            "差评会影响你们吗",
            "给差评会怎样",
            "投诉有用吗",
            "一直没发货吗",  # a question, not yet a grievance
        )
    ):
        await chat.as_user(f"u{number}").ask(text)
    assert await complaints(chat.services) == []


async def test_taking_back_a_complaint_with_bare_not_is_none(chat: Chat) -> None:
    answer = await chat.ask("不投诉了，帮我查下订单")
    assert await complaints(chat.services) == []
    assert "订单号" in answer


async def test_a_question_about_trust_is_answered_not_escalated(chat: Chat) -> None:
    for user, text in (("u1", "我朋友说你们是骗子，是真的吗"), ("u2", "你们是不是骗子？")):
        talker = chat.as_user(user)
        answer = await talker.ask(text)
        assert "正品" in answer and "防伪" in answer
        assert (await talker.conversation()).mode == "bot"
    assert await complaints(chat.services) == []
    answer = await chat.ask("你们就是骗子！")  # an accusation, not a question
    [ticket] = await complaints(chat.services)
    assert ticket.severity == "urgent" and NUMBER.findall(answer) == [ticket.number]
    assert [n.reason for n in await notifications(chat.services, ticket)] == [
        f"紧急投诉 {ticket.number}: 指责欺诈（骗子）"
    ]


async def test_a_question_about_trust_inside_a_dialog_is_answered_and_it_goes_on(
    chat: Chat,
) -> None:
    assert "订单号" in await chat.ask("我的订单到哪了")
    answer = await chat.ask("听说你们卖假货？")
    assert "正品" in answer and "订单号" in answer  # answered, then asked again
    assert await complaints(chat.services) == []
    assert "手机号" in await chat.ask("KF20261120001")


async def test_being_ignored_is_a_service_complaint(chat: Chat) -> None:
    answer = await chat.ask("客服半天不回，什么态度")
    [ticket] = await complaints(chat.services)
    assert ticket.category == "service" and NUMBER.findall(answer) == [ticket.number]
    assert "发生了什么" not in answer


async def test_the_first_thing_complained_about_decides_the_category(chat: Chat) -> None:
    for user, text in (
        ("u1", "钱付了东西一直不发"),
        ("u2", "包装盒都压扁了，太失望了"),
        ("u3", "问了三遍没人管"),
        ("u4", "快递一个星期都没送到，客服也不回消息"),
    ):
        await chat.as_user(user).ask(text)
    found = [t.category for t in await complaints(chat.services)]
    assert found == ["logistics", "quality", "service", "logistics"]


async def test_cancel_words_and_other_requests_do_not_land_in_the_ticket(chat: Chat) -> None:
    await chat.ask("我要投诉")
    assert "取消" in await chat.ask("算了")
    assert (await chat.conversation()).dialog is None

    talker = chat.as_user("bob")
    await talker.ask("我要投诉")
    answer = await talker.ask("我的订单到哪了")
    assert "订单号" in answer and "谢谢您告诉我" not in answer

    talker = chat.as_user("carol")
    await talker.ask("我要投诉")
    answer = await talker.ask("你们家的是正品吗")
    assert "正品" in answer and "发生了什么" in answer  # answered, and asked again

    talker = chat.as_user("dave")
    await talker.ask("我要投诉")
    answer = await talker.ask("我要退货")
    assert "订单号" in answer and "谢谢您告诉我" not in answer
    assert (await talker.conversation()).dialog["flow"] == "aftersales"

    for ticket in await complaints(chat.services):
        assert await notes(chat.services, ticket) == []
        assert ticket.description == "我要投诉"


async def test_a_complaint_that_asks_for_a_return_starts_the_return(chat: Chat) -> None:
    for user, text in (("u1", "什么破东西，我要退货！！！"), ("u2", "质量太差了我要退款！！")):
        talker = chat.as_user(user)
        answer = await talker.ask(text)
        ticket = (await complaints(chat.services))[-1]
        assert ticket.description == text and NUMBER.findall(answer) == [ticket.number]
        assert "抱歉" in answer and "订单号" in answer and "发生了什么" not in answer
        stored = await talker.conversation()
        assert stored.dialog is not None and stored.dialog["flow"] == "aftersales"
    answer = await chat.as_user("u2").ask("KF20261120001")
    assert "手机号" in answer


async def test_telling_what_happened_with_a_return_request_starts_it(chat: Chat) -> None:
    await chat.ask("我要投诉")
    answer = await chat.ask("面膜用了两天就过敏了，我要退货")
    [ticket] = await complaints(chat.services)
    assert "过敏" in ticket.description and ticket.category == "quality"
    assert ticket.number in answer and "订单号" in answer
    assert (await chat.conversation()).dialog["flow"] == "aftersales"


async def test_an_unverified_parcel_complaint_naming_an_order_offers_to_verify(
    chat: Chat,
) -> None:
    answer = await chat.ask("KF20261120001 快递一个星期还没到，你们怎么回事！！")
    [ticket] = await complaints(chat.services)
    assert ticket.category == "logistics" and NUMBER.findall(answer) == [ticket.number]
    assert "抱歉" in answer and "手机号" in answer
    assert "SF1234567890123" not in answer and "顺丰" not in answer
    shown = await chat.ask("8000")
    assert "验证成功" in shown and "SF1234567890123" in shown


async def test_an_order_named_when_telling_what_happened_is_verified_first(
    chat: Chat,
) -> None:
    await chat.ask("我要投诉")
    answer = await chat.ask("KF20261120001 的快递丢件了")
    [ticket] = await complaints(chat.services)
    assert ticket.category == "logistics" and ticket.number in answer
    assert "手机号" in answer and "SF1234567890123" not in answer
    assert "SF1234567890123" in await chat.ask("8000")


async def test_staff_notifications_say_why(chat: Chat, clock: FakeClock) -> None:
    await chat.ask("快递一个星期还没到，你们怎么回事！！")
    await chat.as_user("bob").ask("再不给我处理我就打12315投诉你们！")
    clock.advance(hours=1)
    await chat.ask("面膜的质量太差了，用了就过敏")
    first, threat = await complaints(chat.services)
    assert [n.reason for n in await notifications(chat.services, first)] == [
        f"新投诉 {first.number}（物流）",
        f"紧急投诉 {first.number}: 24小时内第2次投诉",
    ]
    assert [n.reason for n in await notifications(chat.services, threat)] == [
        f"紧急投诉 {threat.number}: 扬言投诉12315"
    ]


async def test_a_threat_while_telling_what_happened_says_why_it_is_urgent(chat: Chat) -> None:
    await chat.ask("我要投诉")
    await chat.ask("快递丢件了一直不给处理，再这样我就报警")
    [ticket] = await complaints(chat.services)
    reasons = [n.reason for n in await notifications(chat.services, ticket)]
    assert reasons == [
        f"新投诉 {ticket.number}（其他）",
        f"紧急投诉 {ticket.number}: 威胁（报警）",
    ]


def test_the_report_counts_the_categories_complaints_are_given() -> None:
    assert reports.CATEGORIES is complaint_words.CATEGORIES
    assert reports.SEVERITIES is complaint_words.SEVERITIES
    assert set(complaint_words.CATEGORIES) == {*complaint_words.CATEGORY_WORDS, "other"}


def test_staff_notifications_name_categories_as_the_console_does() -> None:
    names = {category: LABELS[category] for category in complaint_words.CATEGORIES}
    assert names == CATEGORY_NAMES


async def events(services: Services, ticket: Ticket) -> list[tuple[str, str, str]]:
    async with services.sessions() as session:
        query = select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
        return [(e.kind, e.author, e.text) for e in await session.scalars(query)]


async def test_a_complaint_while_one_is_open_is_added_to_it(chat: Chat) -> None:
    first = await chat.ask("骗子店铺 假货！！")
    [ticket] = await complaints(chat.services)
    assert ticket.severity == "urgent" and NUMBER.findall(first) == [ticket.number]
    answer = await chat.ask("律师函已经在路上了")
    [ticket] = await complaints(chat.services)  # no second ticket
    assert NUMBER.findall(answer) == [ticket.number]
    assert ticket.description == "骗子店铺 假货！！\n律师函已经在路上了"
    assert ("note", "customer", "律师函已经在路上了") in await events(chat.services, ticket)
    reasons = [n.reason for n in await notifications(chat.services, ticket)]
    assert reasons[-1] == f"紧急投诉 {ticket.number}: 威胁（律师）；24小时内第2次投诉"


async def test_quick_repeated_complaints_make_one_urgent_ticket(chat: Chat) -> None:
    for _ in range(5):
        answer = await chat.ask("我要投诉 快递太慢了")
    [ticket] = await complaints(chat.services)
    assert NUMBER.findall(answer) == [ticket.number] and URGENT_DUE in answer
    assert ticket.severity == "urgent" and ticket.category == "logistics"
    assert await notes(chat.services, ticket) == ["我要投诉 快递太慢了"] * 4
    # Staff hear of the ticket once and of its escalation once, not of every message.
    assert [n.urgent for n in await notifications(chat.services, ticket)] == [False, True]
    assert (await chat.conversation()).mode == "queued"


async def test_a_complaint_after_the_last_one_is_resolved_opens_a_new_ticket(
    chat: Chat,
) -> None:
    await chat.ask("快递一个星期还没到，你们怎么回事！！")
    async with chat.services.sessions() as session, session.begin():
        ticket = await session.scalar(select(Ticket))
        assert ticket is not None
        ticket.status = "resolved"
    answer = await chat.ask("面膜的质量太差了，用了就过敏")
    first, second = await complaints(chat.services)
    assert NUMBER.findall(answer) == [second.number] and first.number != second.number
    assert await notes(chat.services, first) == []


async def test_an_impatient_question_is_answered_not_recorded(chat: Chat) -> None:
    answer = await chat.ask("急！！！能今天发货吗！！！")
    assert await complaints(chat.services) == []
    assert "发货" in answer and "抱歉" not in answer and "投诉" not in answer
    await chat.as_user("bob").ask("为什么还不发货！！！")
    assert len(await complaints(chat.services)) == 1  # a negative: still a complaint


async def test_complaints_about_value_are_about_price(chat: Chat) -> None:
    await chat.as_user("u1").ask("我要投诉")
    await chat.as_user("u1").ask("东西一般 不值这个价")  # what happened
    await chat.as_user("u2").ask("一个破面霜卖这么贵！！！")
    assert [t.category for t in await complaints(chat.services)] == ["price", "price"]
    report = await reports.complaint_report(chat.services.sessions, chat.clock)
    assert report.by_category("price") == 2


@pytest.mark.parametrize(
    "text",
    [
        "我的快递到哪了，我要投诉",
        "KF20261120001到哪了？我要投诉",
        "SF1234567890123 到哪了？？我要投诉！！！",
    ],
)
async def test_a_parcel_question_with_a_complaint_is_a_complaint(chat: Chat, text: str) -> None:
    answer = await chat.ask(text)
    assert "CP20261129-0001" in answer


async def test_an_explicit_complaint_that_answers_nothing_in_a_dialog_is_recorded(
    chat: Chat,
) -> None:
    await chat.ask("我要退货")
    await chat.ask("KF20261115002")
    await chat.ask("8000")  # verified: the bot asks which item
    replies = await chat.say("我要投诉")
    assert "CP20261129-0001" in replies[0]
    # The return is still open: its question comes again and an answer continues it.
    assert replies[-1] == chat.services.assistant.texts.render("aftersales_ask_item")
    assert "原因" in await chat.ask("1")


# 22:30 in Shanghai: staff went home at 21:00 and are back at 9:00, urgent ones answered by 9:30.
NIGHT_URGENT_DUE = "11月30日 09:30"


def at_night(clock: FakeClock) -> None:
    clock.advance(hours=11, minutes=30)


async def test_an_urgent_complaint_at_night_is_promised_for_the_morning(
    chat: Chat, clock: FakeClock
) -> None:
    at_night(clock)
    answer = await chat.ask("再不处理我就去12315投诉你们")
    [ticket] = await complaints(chat.services)
    assert ticket.severity == "urgent" and NUMBER.findall(answer) == [ticket.number]
    assert "明天 9:00" in answer and NIGHT_URGENT_DUE in answer
    assert "马上" not in answer and "11月29日" not in answer
    due = ticket.first_response_due.astimezone(chat.services.settings.zone)
    assert (due.day, due.hour, due.minute) == (30, 9, 30)
    assert ticket.resolution_due >= ticket.first_response_due
    assert (await chat.conversation()).mode == "bot"


async def test_a_complaint_made_urgent_at_night_is_promised_for_the_morning(
    chat: Chat, clock: FakeClock
) -> None:
    at_night(clock)
    await chat.ask("我要投诉")
    answer = await chat.ask("快递丢件了一直不给处理，再这样我就报警")
    [ticket] = await complaints(chat.services)
    assert ticket.severity == "urgent"
    assert "明天 9:00" in answer and NIGHT_URGENT_DUE in answer and "马上" not in answer
    due = ticket.first_response_due.astimezone(chat.services.settings.zone)
    assert (due.day, due.hour, due.minute) == (30, 9, 30)


async def test_a_second_complaint_at_night_is_promised_for_the_morning(
    chat: Chat, clock: FakeClock
) -> None:
    at_night(clock)
    await chat.ask("你们的客服也太差劲了，问什么都不回")
    answer = await chat.ask("你们太过分了，我要找律师")
    [ticket] = await complaints(chat.services)
    assert ticket.severity == "urgent" and ticket.number in answer
    assert "明天 9:00" in answer and NIGHT_URGENT_DUE in answer and "马上" not in answer
