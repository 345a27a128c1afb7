"""After-sales requests in a chat, as transcripts, and the tickets they leave behind."""

from typing import Any

import pytest
from sqlalchemy import select

from core.messages import Incoming
from handlers.aftersales.flow import MAX_DESCRIPTION_CHARS
from knowledge.normalize import MATCHED_CHARS
from storage.models import Conversation, Identity, Order, Ticket
from storage.repositories import Repositories
from tests.support.chat import Chat
from tests.support.clock import FakeClock
from tests.support.demo_shop import (
    CREAM,
    DELIVERED,
    IN_TRANSIT,
    SERUM,
    UNSHIPPED,
    item_id,
    verify_as_zhang,
)


async def send(chat: Chat, text: str, media: tuple[str, ...] = ()) -> str:
    """A message with images attached; the replies joined into one text."""
    incoming = Incoming(chat.channel, chat.user, text, chat.clock.now(), None, media)
    return "\n".join(reply.text for reply in await chat.services.assistant.handle(incoming))


async def tickets(chat: Chat) -> list[Ticket]:
    async with chat.services.sessions() as session:
        return list((await session.scalars(select(Ticket).order_by(Ticket.id))).all())


async def open_dialog(chat: Chat) -> dict[str, Any] | None:
    async with chat.services.sessions() as session:
        return await session.scalar(
            select(Conversation.dialog)
            .join(Identity, Identity.id == Conversation.identity_id)
            .where(Identity.channel == chat.channel, Identity.external_id == chat.user)
        )


async def order_id(chat: Chat, order_no: str) -> int:
    async with chat.services.sessions() as session:
        return await session.scalar(select(Order.id).where(Order.order_no == order_no))


async def mark_non_returnable(chat: Chat, sku: str, name: str) -> None:
    async with chat.services.sessions() as session, session.begin():
        await Repositories.for_session(session).products.ensure(sku, name, True)


async def start_with_the_delivered_order(chat: Chat, first: str) -> str:
    """Start a request about the delivered order after looking at it; the question after."""
    await verify_as_zhang(chat)
    offer = await chat.ask(first)
    assert DELIVERED in offer and "是这个订单吗" in offer
    return await chat.ask("是的")


async def test_return_inside_the_window_becomes_a_ticket(chat: Chat) -> None:
    assert "订单号" in await chat.ask("我要退货")
    assert "手机号的后四位" in await chat.ask(DELIVERED)
    items = await chat.ask("8000")
    assert "验证成功" in items
    assert f"1. {SERUM}×1" in items and f"2. {CREAM}×1" in items
    assert "原因" in await chat.ask("2")
    assert "描述" in await chat.ask("1")
    assert "照片" in await chat.ask("收到时面霜的瓶子就裂了，漏了一盒子")
    summary = await send(chat, "", ("img://crack-1.jpg", "img://crack-2.jpg"))
    assert "照片收到啦" in summary
    assert CREAM in summary and "退货" in summary and "质量问题" in summary
    assert "2 张" in summary and "确认提交吗" in summary
    assert await tickets(chat) == []
    done = await chat.ask("确认")
    assert "AS20261129-0001" in done
    assert "退货地址" in done and "1～3个工作日" in done and "运费由我们承担" in done
    assert "12月1日 11:00" in done  # 48 hours from 11:00 on 29 November, shop time
    [ticket] = await tickets(chat)
    assert ticket.number == "AS20261129-0001" and ticket.kind == "after_sales"
    assert ticket.order_id == await order_id(chat, DELIVERED)
    assert ticket.order_item_id == await item_id(chat, DELIVERED, CREAM)
    assert ticket.request_type == "return" and ticket.reason == "quality"
    assert ticket.description == "收到时面霜的瓶子就裂了，漏了一盒子"
    assert ticket.media == ["img://crack-1.jpg", "img://crack-2.jpg"]
    assert ticket.within_policy and ticket.policy_note == ""
    assert ticket.customer_id is not None
    assert await open_dialog(chat) is None


async def test_no_reason_return_after_the_window_is_recorded_if_the_customer_insists(
    chat: Chat, clock: FakeClock
) -> None:
    clock.advance(days=2)  # 8 days after delivery
    assert "哪一件" in await start_with_the_delivered_order(chat, "我要退货")
    assert "原因" in await chat.ask("精华")
    explained = await chat.ask("不喜欢")
    assert "超过7天" in explained and "需要提交吗" in explained
    assert "描述" in await chat.ask("要")
    summary = await chat.ask("味道不太喜欢")
    assert "拍几张照片" not in summary  # nothing to photograph for a change of mind
    assert "超出了售后政策" in summary
    done = await chat.ask("确认提交")
    assert "AS20261201-0001" in done and "审核" in done
    [ticket] = await tickets(chat)
    assert ticket.request_type == "return" and ticket.reason == "no_reason"
    assert ticket.order_item_id == await item_id(chat, DELIVERED, SERUM)
    assert not ticket.within_policy
    assert "超过7天" in ticket.policy_note and "无理由" in ticket.policy_note


async def test_no_reason_return_after_the_window_declined_stores_nothing(
    chat: Chat, clock: FakeClock
) -> None:
    clock.advance(days=2)
    await start_with_the_delivered_order(chat, "我想退货")
    await chat.ask("1")
    assert "需要提交吗" in await chat.ask("2")  # 2: no reason
    assert "先不提交" in await chat.ask("不用")
    assert await tickets(chat) == []
    assert await open_dialog(chat) is None


async def test_quality_problem_on_day_20_is_accepted(chat: Chat, clock: FakeClock) -> None:
    await verify_as_zhang(chat)
    clock.advance(days=14)  # 20 days after delivery
    assert "非常抱歉" in await chat.ask("收到的东西坏了")
    assert "哪一件" in await chat.ask("是")
    assert "退货还是换货" in await chat.ask("1")
    assert "描述" in await chat.ask("换货")
    assert "照片" in await chat.ask("精华液的滴管断了")
    summary = await chat.ask("没有")
    assert "换货" in summary and "质量问题" in summary and "超出" not in summary
    done = await chat.ask("确认")
    assert "寄回地址" in done
    [ticket] = await tickets(chat)
    assert ticket.request_type == "exchange" and ticket.reason == "quality"
    assert ticket.within_policy and ticket.media == []


async def test_quality_problem_after_30_days_is_outside_the_policy(
    chat: Chat, clock: FakeClock
) -> None:
    await verify_as_zhang(chat)
    clock.advance(days=25)  # 31 days after delivery
    await chat.ask("收到的东西坏了")
    await chat.ask("是")
    await chat.ask("1")
    assert "超过30天" in await chat.ask("退货")


async def test_non_returnable_product_refuses_no_reason_but_not_quality(chat: Chat) -> None:
    await mark_non_returnable(chat, "CREAM-50", CREAM)
    await start_with_the_delivered_order(chat, "我要退货")
    await chat.ask("2")
    refused = await chat.ask("不想要了")
    assert "拆封后不支持无理由退货" in refused and "需要提交吗" in refused
    await chat.ask("不用")
    assert await tickets(chat) == []
    # The same product with a fault is another matter.
    assert "是这个订单吗" in await chat.ask("我要退货")
    await chat.ask("是")
    await chat.ask("面霜")
    assert "描述" in await chat.ask("用了过敏")
    await chat.ask("脸上起了红疹")
    await chat.ask("没有")
    await chat.ask("确认")
    [ticket] = await tickets(chat)
    assert ticket.order_item_id == await item_id(chat, DELIVERED, CREAM)
    assert ticket.reason == "quality" and ticket.within_policy


async def test_refund_for_an_unshipped_order_is_accepted(chat: Chat) -> None:
    assert "订单号" in await chat.ask("申请退款")
    await chat.ask(UNSHIPPED)
    reason = await chat.ask("5678")
    assert "验证成功" in reason and "退款的原因" in reason
    summary = await chat.ask("拍错了，不想要了")
    assert "整笔订单" in summary and "退款" in summary
    done = await chat.ask("确认")
    assert "取消这笔订单" in done and "1～3个工作日" in done
    [ticket] = await tickets(chat)
    assert ticket.request_type == "refund" and ticket.within_policy
    assert ticket.order_id == await order_id(chat, UNSHIPPED) and ticket.order_item_id is None


async def test_refund_for_a_parcel_on_its_way_is_explained(chat: Chat) -> None:
    await chat.ask("想退款")
    await chat.ask(IN_TRANSIT)
    explained = await chat.ask("8000")
    assert "包裹正在路上" in explained and "拒收" in explained
    assert "需要提交吗" in explained
    assert "先不提交" in await chat.ask("不需要")
    assert await tickets(chat) == []


async def test_usage_problem_answered_by_the_faq_opens_no_ticket(chat: Chat) -> None:
    serum = chat.services.assistant.kb.get("usage-serum")
    assert serum is not None
    assert "哪里用不了" in await chat.ask("这个东西怎么用不了")
    answer = await chat.ask("精华液一次挤几滴")
    assert serum.answer in answer and "这样能解决吗" in answer
    assert "太好了" in await chat.ask("可以了，谢谢")
    assert await tickets(chat) == []
    assert await open_dialog(chat) is None


async def test_usage_problem_not_solved_opens_a_repair_ticket(chat: Chat) -> None:
    await chat.ask("精华不会用")
    assert "这样能解决吗" in await chat.ask("精华液一次挤几滴")
    asked = await chat.ask("还是不行")
    assert "登记给客服" in asked and "订单号" in asked
    await chat.ask(DELIVERED)
    asked = await chat.ask("8000")
    assert "哪一件" not in asked and "照片" in asked  # the serum, named at the start
    summary = await send(chat, "", ("img://serum.jpg",))
    assert "维修" in summary and "使用问题" in summary
    await chat.ask("确认")
    [ticket] = await tickets(chat)
    assert ticket.request_type == "repair" and ticket.reason == "usage"
    assert ticket.description == "精华液一次挤几滴" and ticket.media == ["img://serum.jpg"]
    assert ticket.order_item_id == await item_id(chat, DELIVERED, SERUM)


async def test_a_usage_problem_put_as_a_question_is_the_description(chat: Chat) -> None:
    serum = chat.services.assistant.kb.get("usage-serum")
    assert serum is not None
    await chat.ask("这个东西怎么用不了")
    replies = await chat.say("精华液一次用多少？")
    assert len(replies) == 1 and serum.answer in replies[0] and "这样能解决吗" in replies[0]


async def test_usage_problem_the_faq_cannot_answer_goes_to_staff(chat: Chat) -> None:
    await chat.ask("这个东西怎么用不了")
    asked = await chat.ask("卸妆的时候总是卸不干净")
    assert "答不上来" in asked and "订单号" in asked


async def test_cancelled_dialog_opens_no_ticket(chat: Chat) -> None:
    await start_with_the_delivered_order(chat, "我要退货")
    await chat.ask("1")
    assert "取消" in await chat.ask("算了")
    assert await open_dialog(chat) is None
    assert "原因" not in await chat.ask("你好")
    assert await tickets(chat) == []


async def test_a_corrected_order_is_asked_for_again(chat: Chat) -> None:
    await chat.ask(IN_TRANSIT)
    await chat.ask("8000")  # the parcel on its way is now the topic
    offer = await chat.ask("我要换货")
    assert IN_TRANSIT in offer and "是这个订单吗" in offer
    assert "订单号" in await chat.ask("不是这个订单")
    items = await chat.ask(DELIVERED)
    assert "手机号" not in items  # the chat is already 张三's
    assert SERUM in items and CREAM in items
    assert "原因" in await chat.ask("2")
    # And the item can be corrected too.
    assert SERUM in await chat.ask("不是这个")
    await chat.ask("1")
    await chat.ask("1")  # quality
    await chat.ask("瓶身有裂缝")
    await chat.ask("没有")
    await chat.ask("确认")
    [ticket] = await tickets(chat)
    assert ticket.order_id == await order_id(chat, DELIVERED)
    assert ticket.order_item_id == await item_id(chat, DELIVERED, SERUM)
    assert ticket.request_type == "exchange"


async def test_the_order_can_be_corrected_after_it_was_chosen(chat: Chat) -> None:
    await chat.ask("我要退货")
    await chat.ask(DELIVERED)
    await chat.ask("8000")
    assert "原因" in await chat.ask("1")
    asked = await chat.ask("不是这个订单")
    assert "订单号" in asked and "是这个订单吗" not in asked
    explained = await chat.ask(IN_TRANSIT)  # the same customer's: no digits asked again
    assert "手机号" not in explained and "包裹正在路上" in explained


async def test_three_nonsense_answers_offer_a_person_and_keep_the_dialog(chat: Chat) -> None:
    await start_with_the_delivered_order(chat, "我要退货")
    assert "序号" in await chat.ask("asdf")
    assert "序号" in await chat.ask("qwer")
    assert "转人工" in await chat.ask("zxcv")  # a person is offered, the request kept
    dialog = await open_dialog(chat)
    assert dialog is not None and dialog["flow"] == "handover_offer"
    assert dialog["resume"]["flow"] == "aftersales"
    assert "原因" in await chat.ask("1")


async def test_quality_words_as_the_reason_are_not_a_complaint(chat: Chat) -> None:
    await start_with_the_delivered_order(chat, "我要退货")
    await chat.ask("1")
    answer = await chat.ask("质量太差了")
    assert "描述" in answer and "投诉" not in answer
    assert await tickets(chat) == []
    await chat.ask("用了两天就变质了")
    await chat.ask("没有")
    await chat.ask("确认")
    [ticket] = await tickets(chat)
    assert ticket.kind == "after_sales" and ticket.reason == "quality"


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("退货运费谁出", "returns-shipping-cost"),
        ("七天无理由吗", "returns-7day-policy"),
        ("退款多久到账", "refund-time"),
        ("退货地址", "returns-address"),  # no question word, but the FAQ knows it
        ("券用不了", "promotion-coupon-not-working"),  # not something received
    ],
)
async def test_policy_and_other_questions_are_answered_by_the_faq(
    chat: Chat, question: str, entry: str
) -> None:
    faq = chat.services.assistant.kb.get(entry)
    assert faq is not None
    assert await chat.ask(question) == faq.answer
    assert await open_dialog(chat) is None


@pytest.mark.parametrize("question", ["我的售后进度", "退货申请有进展了吗"])
async def test_asking_how_a_request_is_going_starts_no_new_one(chat: Chat, question: str) -> None:
    await chat.ask(question)
    assert await open_dialog(chat) is None


@pytest.mark.parametrize(
    "first",
    [
        "我要退货",
        "换货",
        "收到的东西坏了",
        "申请退款",
        "这个东西怎么用不了",
        "想退款",
        "维修",
        "收到的包裹破损了怎么办",
        "我要换个大瓶的",
    ],
)
async def test_requests_and_problems_start_the_dialog(chat: Chat, first: str) -> None:
    await chat.ask(first)
    dialog = await open_dialog(chat)
    assert dialog is not None and dialog["flow"] == "aftersales"


async def test_faq_question_inside_the_dialog_is_answered_then_asked_again(chat: Chat) -> None:
    await start_with_the_delivered_order(chat, "我要退货")
    replies = await chat.say("退货运费谁出")
    assert "运费" in replies[0]
    assert "哪一件" in replies[-1]
    assert "原因" in await chat.ask("1")


async def test_wrong_digits_in_the_dialog_reveal_nothing(chat: Chat) -> None:
    await chat.ask("我要退货")
    await chat.ask(DELIVERED)
    answer = await chat.ask("1234")
    assert "没能核对上" in answer
    assert SERUM not in answer and CREAM not in answer
    assert "验证成功" in await chat.ask("8000")


async def test_photos_sent_before_they_are_asked_for_are_kept(chat: Chat) -> None:
    await verify_as_zhang(chat)
    await send(chat, "收到的东西坏了", ("img://first.jpg",))
    await chat.ask("是")
    await chat.ask("2")
    await chat.ask("退货")
    summary = await chat.ask("面霜盖子碎了")
    assert "1 张" in summary and "确认提交吗" in summary  # no need to ask for photos again
    await chat.ask("确认")
    [ticket] = await tickets(chat)
    assert ticket.media == ["img://first.jpg"]


async def memory(chat: Chat) -> dict[str, Any]:
    async with chat.services.sessions() as session:
        return await session.scalar(
            select(Conversation.memory)
            .join(Identity, Identity.id == Conversation.identity_id)
            .where(Identity.channel == chat.channel, Identity.external_id == chat.user)
        )


async def set_status(chat: Chat, number: str, status: str) -> None:
    async with chat.services.sessions() as session, session.begin():
        ticket = await session.scalar(select(Ticket).where(Ticket.number == number))
        assert ticket is not None
        ticket.status = status


async def test_a_long_description_is_kept_beyond_what_the_rules_read(chat: Chat) -> None:
    description = "收到时面霜的瓶子就裂了，" + "膏体漏得到处都是，" * 40
    assert len(description) > MATCHED_CHARS
    await chat.ask("我要退货")
    await chat.ask(DELIVERED)
    await chat.ask("8000")
    await chat.ask("2")
    assert "描述" in await chat.ask("1")
    assert "照片" in await chat.ask(description)
    await chat.ask("没有照片")
    await chat.ask("确认")
    [ticket] = await tickets(chat)
    assert ticket.description == description.strip()[:MAX_DESCRIPTION_CHARS]


async def test_a_description_that_says_nothing_is_asked_again(chat: Chat) -> None:
    await start_with_the_delivered_order(chat, "我要换货")
    await chat.ask("2")
    assert "描述" in await chat.ask("1")  # quality
    for nothing in ("阿巴阿巴", "确认"):
        assert "一两句话" in await chat.ask(nothing)
    assert "一两句话" in await chat.ask("换货")  # the request again: nothing new
    assert "转人工" in await chat.ask("哈哈哈哈")  # the third answer that was none
    dialog = await open_dialog(chat)
    assert dialog is not None and dialog["resume"]["step"] == "description"
    assert not dialog["resume"]["description"]
    assert "照片" in await chat.ask("盖子拧不上，里面的膏体洒了")
    await chat.ask("没有")
    await chat.ask("确认")
    [ticket] = await tickets(chat)
    assert ticket.description == "盖子拧不上，里面的膏体洒了"


async def test_an_item_named_in_the_first_message_is_taken_with_its_description(
    chat: Chat,
) -> None:
    await verify_as_zhang(chat)
    await chat.ask("面霜收到就漏了")
    asked = await chat.ask("是")
    assert "哪一件" not in asked and "退货还是换货" in asked
    assert "照片" in await chat.ask("换货")  # the first message described it
    summary = await chat.ask("没有")
    assert CREAM in summary and "面霜收到就漏了" in summary
    await chat.ask("确认")
    [ticket] = await tickets(chat)
    assert ticket.order_item_id == await item_id(chat, DELIVERED, CREAM)
    assert ticket.description == "面霜收到就漏了"


async def test_an_item_named_before_the_order_was_verified_is_taken(chat: Chat) -> None:
    await chat.ask("我要退货")
    assert "后四位" in await chat.ask(f"{DELIVERED}的面霜我不喜欢")
    summary = await chat.ask("8000")  # the reason and the description were given too
    assert "验证成功" in summary and "哪一件" not in summary
    assert CREAM in summary and "无理由" in summary and "确认提交吗" in summary
    await chat.ask("确认")
    [ticket] = await tickets(chat)
    assert ticket.order_item_id == await item_id(chat, DELIVERED, CREAM)
    assert ticket.request_type == "return" and ticket.reason == "no_reason"
    assert ticket.description == f"{DELIVERED}的面霜我不喜欢"


async def test_an_item_named_in_a_usage_problem_is_taken(chat: Chat) -> None:
    assert "哪里用不了" in await chat.ask("这个精华用不了…")
    assert "订单号" in await chat.ask("按压泵按不出来")  # a fault after all
    await chat.ask(DELIVERED)
    asked = await chat.ask("8000")
    assert "哪一件" not in asked and "退货还是换货" in asked
    await chat.ask("换货")
    await chat.ask("没有")
    await chat.ask("确认")
    [ticket] = await tickets(chat)
    assert ticket.order_item_id == await item_id(chat, DELIVERED, SERUM)
    assert ticket.description == "按压泵按不出来"


async def test_phone_digits_with_the_order_number_verify_at_once(chat: Chat) -> None:
    asked = await chat.ask(f"{UNSHIPPED}要退款，手机尾号5678")
    assert "验证成功" in asked and "后四位" not in asked and "退款的原因" in asked
    await chat.ask("拍错了")
    await chat.ask("确认")
    [ticket] = await tickets(chat)
    assert ticket.order_id == await order_id(chat, UNSHIPPED)
    assert ticket.description == "拍错了"


async def test_a_second_request_on_an_item_points_to_the_open_ticket(chat: Chat) -> None:
    await start_with_the_delivered_order(chat, "我要退货")
    await chat.ask("2")
    await chat.ask("1")  # quality
    await chat.ask("盖子碎了")
    await chat.ask("没有")
    assert "AS20261129-0001" in await chat.ask("确认")
    await chat.ask("我要换货")
    await chat.ask("是")
    answer = await chat.ask("2")
    assert "AS20261129-0001" in answer and "已受理" in answer and "不用重复提交" in answer
    assert await open_dialog(chat) is None
    assert len(await tickets(chat)) == 1
    # The other item is another matter, and so is the same one once the first is resolved.
    await chat.ask("我要换货")
    await chat.ask("是")
    assert "原因" in await chat.ask("1")
    await chat.ask("算了")
    await set_status(chat, "AS20261129-0001", "resolved")
    await chat.ask("我要换货")
    await chat.ask("是")
    assert "原因" in await chat.ask("2")


@pytest.mark.parametrize(
    "messages",
    [
        ["KF20261126004要退款，手机尾号1111"],
        ["申请退款", "KF20261126004", "1111"],
    ],
)
async def test_a_refund_for_an_unpaid_order_is_explained(chat: Chat, messages: list[str]) -> None:
    for message in messages:
        answer = await chat.ask(message)
    assert "验证成功" in answer and "还没有付款" in answer and "自动取消" in answer
    assert "原因" not in answer
    assert await open_dialog(chat) is None
    assert await tickets(chat) == []


async def test_a_photo_sent_before_the_request_goes_with_it(chat: Chat) -> None:
    assert "图片" in await send(chat, "", ("img://leak.jpg",))
    await chat.ask("收到的东西坏了")
    await chat.ask(DELIVERED)
    await chat.ask("8000")
    await chat.ask("2")
    await chat.ask("退货")
    summary = await chat.ask("面霜的盖子碎了")
    assert "1 张" in summary and "确认提交吗" in summary  # no need to ask for photos
    await chat.ask("确认")
    [ticket] = await tickets(chat)
    assert ticket.media == ["img://leak.jpg"]
    assert ticket.order_item_id == await item_id(chat, DELIVERED, CREAM)
    assert "recent_media" not in await memory(chat)
    # Attached once: the next request starts without photos.
    await chat.ask("收到的东西坏了")
    await chat.ask("是")
    await chat.ask("1")
    await chat.ask("退货")
    assert "拍几张照片" in await chat.ask("精华的瓶口一直往外渗")


async def test_a_correction_takes_the_order_number_it_gives(chat: Chat) -> None:
    await start_with_the_delivered_order(chat, "我要退货")
    await chat.ask("1")
    assert "描述" in await chat.ask("1")  # quality
    asked = await chat.ask(f"不是这个订单，是{UNSHIPPED}")  # 李四's: verified as usual
    assert "后四位" in asked and "订单号" not in asked
    asked = await chat.ask("5678")
    assert "验证成功" in asked and "退款的原因" in asked
    await chat.ask("拍错了")
    await chat.ask("确认")
    [ticket] = await tickets(chat)
    assert ticket.order_id == await order_id(chat, UNSHIPPED) and ticket.description == "拍错了"


async def test_a_correction_is_never_taken_as_the_description(chat: Chat) -> None:
    await chat.ask("申请退款")
    await chat.ask(UNSHIPPED)
    assert "退款的原因" in await chat.ask("5678")
    asked = await chat.ask(f"哦不对 还是刚才那个吧 {UNSHIPPED}")
    assert "退款的原因" in asked and "确认提交吗" not in asked
    summary = await chat.ask("拍错了")
    assert "情况：拍错了" in summary
    await chat.ask("确认")
    [ticket] = await tickets(chat)
    assert ticket.order_id == await order_id(chat, UNSHIPPED) and ticket.description == "拍错了"


async def test_a_correction_naming_another_item_takes_it(chat: Chat) -> None:
    await start_with_the_delivered_order(chat, "我要换货")
    await chat.ask("1")  # the serum
    assert "描述" in await chat.ask("1")  # quality
    assert "描述" in await chat.ask("哦不对，是面霜")
    await chat.ask("盖子裂了")
    summary = await chat.ask("没有")
    assert CREAM in summary and "情况：盖子裂了" in summary


async def test_another_type_or_reason_after_a_refusal_is_checked_again_briefly(
    chat: Chat,
) -> None:
    await chat.ask("想退款")
    await chat.ask(IN_TRANSIT)
    assert "包裹正在路上" in await chat.ask("8000")
    for change, request in (
        ("算了 还是换货吧", "换货（无理由）"),
        ("质量问题 有一片是空的", "换货（质量问题）"),
    ):
        answer = await chat.ask(change)
        assert "包裹正在路上" not in answer  # the whole explanation once is enough
        assert request in answer and "原因和上面说的一样" in answer and "提交" in answer
    assert "先不提交" in await chat.ask("不用")
    assert await tickets(chat) == []


async def test_a_reason_that_is_within_the_policy_goes_on_after_a_refusal(
    chat: Chat, clock: FakeClock
) -> None:
    clock.advance(days=2)  # 8 days after delivery
    await start_with_the_delivered_order(chat, "我要退货")
    await chat.ask("1")
    assert "超过7天" in await chat.ask("不喜欢")
    asked = await chat.ask("其实是质量问题，瓶口一直漏")
    assert "照片" in asked and "描述" not in asked


async def test_a_description_given_is_never_asked_for_again(chat: Chat) -> None:
    await chat.ask("想退款")
    await chat.ask(IN_TRANSIT)
    await chat.ask("8000")
    await chat.ask("质量问题 有一片是空的")
    summary = await chat.ask("确认")  # submit anyway
    assert "描述" not in summary and "情况：质量问题 有一片是空的" in summary
    await chat.ask("确认")
    [ticket] = await tickets(chat)
    assert ticket.description == "质量问题 有一片是空的" and not ticket.within_policy


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("要退货的话运费谁出？", "returns-shipping-cost"),
        ("我想退货，运费谁出？", "returns-shipping-cost"),
        ("如果不喜欢要退货的话，邮费谁出？", "returns-shipping-cost"),
        ("我要退款，退款多久到账？", "refund-time"),
    ],
)
async def test_a_policy_question_beside_a_wish_gets_the_faq_answer(
    chat: Chat, text: str, entry: str
) -> None:
    answer = chat.services.assistant.kb.get(entry).answer  # type: ignore[union-attr]
    assert await chat.ask(text) == answer
    async with chat.services.sessions() as session:
        assert (await session.scalars(select(Ticket))).all() == []
