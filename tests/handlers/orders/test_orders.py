"""Order questions in a chat, as transcripts."""

from tests.support.chat import Chat


async def verify_as_zhang(chat: Chat) -> None:
    await chat.ask("KF20261120001")
    assert "验证成功" in await chat.ask("8000")


async def test_my_orders_asks_for_an_order_number_first(chat: Chat) -> None:
    assert "订单号" in await chat.ask("我的订单")
    assert "手机号" in await chat.ask("KF20261115002")
    answer = await chat.ask("8000")
    assert "KF20261115002" in answer and "已签收" in answer
    assert "烟酰胺精华液30ml×1" in answer and "¥297.00" in answer


async def test_recent_orders_newest_first_once_verified(chat: Chat) -> None:
    await verify_as_zhang(chat)
    answer = await chat.ask("最近的订单")
    assert answer.index("KF20261120001") < answer.index("KF20261115002")
    assert "2 笔订单" in answer


async def test_unshipped_order_says_when_it_ships(chat: Chat) -> None:
    await chat.ask("查一下订单 KF20261125003")
    answer = await chat.ask("5678")
    assert "已付款，待发货" in answer
    assert "48小时内发货" in answer


async def test_order_number_in_full_width_and_lower_case(chat: Chat) -> None:
    assert "手机号" in await chat.ask("ｋｆ２０２６１１２０００１")
    assert "SF1234567890123" in await chat.ask("8000")


async def test_tracking_number_finds_its_order(chat: Chat) -> None:
    assert "手机号" in await chat.ask("SF1234567890123")
    answer = await chat.ask("8000")
    assert "KF20261120001" in answer


async def test_cancelled_dialog_stops_asking(chat: Chat) -> None:
    await chat.ask("我的订单")
    assert "取消" in await chat.ask("算了")
    assert "订单号" not in await chat.ask("你好")


async def test_faq_question_inside_a_dialog_is_answered_then_asked_again(chat: Chat) -> None:
    await chat.ask("KF20261120001")
    replies = await chat.say("可以开发票吗")
    assert "发票" in replies[0]
    assert "手机号" in replies[-1]
    assert "验证成功" in await chat.ask("8000")


async def test_unclear_answer_in_a_dialog_repeats_the_question_kindly(chat: Chat) -> None:
    await chat.ask("我的订单到哪了")
    answer = await chat.ask("嗯……我找找")
    assert "订单号" in answer and "算了" in answer


async def test_help_me_check_my_orders_lists_them(chat: Chat) -> None:
    await verify_as_zhang(chat)
    assert "KF20261115002" in await chat.ask("帮我查一下我的订单")


async def test_a_question_about_a_product_is_not_an_order_lookup(chat: Chat) -> None:
    kb = chat.services.assistant.kb
    assert await chat.ask("我买的面膜怎么用") == kb.get("usage-sheet-mask").answer


async def test_an_unpaid_order_shows_what_is_due_not_what_was_paid(chat: Chat) -> None:
    await chat.ask("KF20261126004")
    answer = await chat.ask("1111")
    assert "应付：¥198.00" in answer and "实付" not in answer
