"""The order-question dialog's stored state: dialogs stored before versions carry on, the
router's count of answers that were none included."""

from handlers.orders.state import OrderNumberQuestion
from tests.support.chat import Chat
from tests.support.stored_dialogs import asking_before_versions, store_dialog, stored_dialog


async def test_a_question_for_an_order_number_stored_before_versions_carries_on(
    chat: Chat,
) -> None:
    await chat.ask("你好")
    await store_dialog(chat, asking_before_versions(chat))
    assert "手机号" in await chat.ask("KF20261115002")
    dialog = await stored_dialog(chat)
    assert (dialog["flow"], dialog["purpose"]) == ("verify", "order")
    answer = await chat.ask("8000")
    assert "KF20261115002" in answer and "已签收" in answer


async def test_the_misses_stored_before_versions_still_count(chat: Chat) -> None:
    await chat.ask("你好")
    await store_dialog(chat, asking_before_versions(chat, misses=2))
    assert "需要帮您转人工客服吗" in await chat.ask("嗯……我找找")
    offer = await stored_dialog(chat)
    assert offer["flow"] == "handover_offer"
    assert offer["resume"]["flow"] == "ask_order" and offer["resume"]["misses"] == 0


async def test_one_miss_asks_again_and_is_stored_with_the_version(chat: Chat) -> None:
    await chat.ask("我的订单")
    answer = await chat.ask("嗯……我找找")
    assert "订单号" in answer and "算了" in answer
    dialog = await stored_dialog(chat)
    assert (dialog["version"], dialog["misses"]) == (OrderNumberQuestion.VERSION, 1)
