"""Parcel questions, with and without an order in the conversation."""

from tests.conftest import Chat


async def test_where_is_my_order_asks_then_continues_with_the_number(chat: Chat) -> None:
    assert "订单号" in await chat.ask("我的订单到哪了")
    assert "手机号" in await chat.ask("KF20261120001")
    answer = await chat.ask("8000")
    assert "顺丰速运" in answer and "SF1234567890123" in answer
    assert "上海" in answer and "快件到达上海转运中心" in answer


async def test_follow_up_means_the_order_just_discussed(chat: Chat) -> None:
    await chat.ask("KF20261120001")
    await chat.ask("8000")
    for question in ("它到哪了", "什么时候到"):
        answer = await chat.ask(question)
        assert "KF20261120001" in answer and "SF1234567890123" in answer


async def test_latest_event_time_is_shop_local(chat: Chat) -> None:
    await chat.ask("查一下物流 KF20261120001")
    answer = await chat.ask("8000")
    # The demo parcel reached Shanghai at 13:00 UTC, which is 21:00 in Asia/Shanghai.
    assert "最新动态：11月28日 21:00 上海" in answer


async def test_delivered_parcel_says_when(chat: Chat) -> None:
    await chat.ask("KF20261115002到哪了")
    answer = await chat.ask("8000")
    assert "签收" in answer


async def test_not_yet_shipped(chat: Chat) -> None:
    await chat.ask("KF20261125003发货了吗")
    answer = await chat.ask("5678")
    assert "48小时内发货" in answer
    assert "单号：" not in answer


async def test_general_shipping_question_goes_to_the_faq(chat: Chat) -> None:
    answer = await chat.ask("付款后多久发货")
    assert "48小时" in answer
    assert "订单号" not in answer
