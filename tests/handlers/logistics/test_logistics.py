"""Parcel questions, with and without an order in the conversation."""

from tests.support.chat import Chat


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
    assert answer == chat.services.assistant.kb.get("shipping-time").answer


async def test_shipped_order_says_when_it_usually_arrives(chat: Chat) -> None:
    await chat.ask("KF20261120001")
    await chat.ask("8000")
    assert "2～4天" in await chat.ask("它什么时候到")


async def test_chasing_an_unshipped_order_in_context(chat: Chat) -> None:
    await chat.ask("KF20261125003")
    await chat.ask("5678")
    answer = await chat.ask("为啥还没发")
    assert "KF20261125003" in answer and "48小时内发货" in answer


async def test_general_questions_with_parcel_words_go_to_the_faq(chat: Chat) -> None:
    kb = chat.services.assistant.kb
    for question, entry in (
        ("退款几天到账", "refund-time"),
        ("一般几天到货", "delivery-time"),
    ):
        assert await chat.ask(question) == kb.get(entry).answer


async def test_when_does_it_come_without_an_order_asks_which(chat: Chat) -> None:
    assert "订单号" in await chat.ask("我的快递什么时候到")
