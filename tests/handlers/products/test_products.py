"""Product questions in a chat, as transcripts: prices, stock, recommendations, buying again."""

from collections.abc import Sequence

import pytest
from sqlalchemy import select

from storage.models import Ticket
from tests.support.catalogue import Listed
from tests.support.chat import Chat

pytestmark = pytest.mark.usefixtures("catalogue")


async def verify_as_zhang(chat: Chat) -> None:
    await chat.ask("KF20261120001")
    assert "验证成功" in await chat.ask("8000")


async def tickets(chat: Chat) -> list[Ticket]:
    async with chat.services.sessions() as session:
        return list(await session.scalars(select(Ticket).order_by(Ticket.id)))


# Prices


async def test_the_price_of_a_product_named_in_full(chat: Chat) -> None:
    answer = await chat.ask("烟酰胺精华液30ml多少钱？")
    assert "烟酰胺精华液30ml" in answer and "¥168.00" in answer


async def test_the_price_by_another_name(chat: Chat) -> None:
    assert "¥168.00" in await chat.ask("小白瓶什么价格")


async def test_the_price_by_a_part_of_the_name(chat: Chat) -> None:
    answer = await chat.ask("玻尿酸面膜多少钱")
    assert "玻尿酸补水面膜" in answer and "¥59.00" in answer


async def test_the_price_despite_a_typo(chat: Chat) -> None:
    assert "¥59.00" in await chat.ask("玻尿酸面模多少钱")


async def test_the_price_in_traditional_characters(chat: Chat) -> None:
    assert "¥168.00" in await chat.ask("煙醯胺精華液多少錢")


async def test_several_products_fit_so_the_bot_asks_which(chat: Chat) -> None:
    answer = await chat.ask("面膜多少钱")
    for name in ("玻尿酸补水面膜", "积雪草舒缓面膜", "清洁泥膜"):
        assert name in answer
    assert "¥" not in answer
    number = answer.splitlines()[1:].index(
        next(line for line in answer.splitlines()[1:] if "积雪草" in line)
    )
    assert "¥69.00" in await chat.ask(str(number + 1))


async def test_which_one_answered_by_name(chat: Chat) -> None:
    await chat.ask("精华多少钱")
    answer = await chat.ask("视黄醇那个")
    assert "¥238.00" in answer and "168" not in answer


async def test_this_one_means_the_product_just_talked_about(chat: Chat) -> None:
    await chat.ask("小白瓶多少钱")
    answer = await chat.ask("这个还有货吗")
    assert "烟酰胺精华液30ml" in answer and "有货" in answer


async def test_what_about_another_product_asks_the_same_again(chat: Chat) -> None:
    await chat.ask("小白瓶多少钱")
    answer = await chat.ask("那视黄醇精华呢？")
    assert "¥238.00" in answer and "卖完" not in answer
    await chat.ask("积雪草面膜有货吗")
    assert "卖完" in await chat.ask("泥膜呢")


async def test_a_bare_price_question_asks_which_product(chat: Chat) -> None:
    assert "哪一款" in await chat.ask("多少钱")
    assert "¥39.00" in await chat.ask("滋润唇膏")


async def test_just_a_name_tells_the_price_and_the_stock(chat: Chat) -> None:
    answer = await chat.ask("小白瓶")
    assert "¥168.00" in answer and "有货" in answer


async def test_a_question_about_using_a_product_is_left_to_the_faq(chat: Chat) -> None:
    kb = chat.services.assistant.kb
    assert await chat.ask("面膜怎么用") == kb.get("usage-sheet-mask").answer


async def test_a_price_question_about_no_product_goes_to_the_faq(chat: Chat) -> None:
    answer = await chat.ask("运费多少钱")
    assert "哪一款" not in answer and "¥" not in answer


async def test_the_price_is_the_same_for_a_haggling_customer(chat: Chat) -> None:
    answer = await chat.ask("小白瓶100块卖不卖")
    assert "¥168.00" in answer
    assert await tickets(chat) == []


async def test_a_lower_price_from_an_agent_gets_the_official_price_and_a_price_ticket(
    chat: Chat,
) -> None:
    answer = await chat.ask("你们代理说小白瓶只要120")
    assert "¥168.00" in answer and "¥120.00" in answer
    (ticket,) = await tickets(chat)
    assert ticket.kind == "complaint" and ticket.category == "price"
    assert ticket.number in answer and "120" in ticket.description


async def test_a_long_message_with_a_lower_price_is_kept_whole_on_the_ticket(
    chat: Chat,
) -> None:
    # More than the rules read.
    text = "你们代理说小白瓶只要120，" + "截图我都留着，朋友圈里天天在发，" * 20
    answer = await chat.ask(text)
    assert "¥168.00" in answer and "¥120.00" in answer
    (ticket,) = await tickets(chat)
    assert ticket.category == "price" and ticket.description == text


async def test_the_same_lower_price_said_twice_is_one_ticket(chat: Chat) -> None:
    await chat.ask("你们代理说小白瓶只要120")
    answer = await chat.ask("朋友说玻尿酸面膜只要39")
    (ticket,) = await tickets(chat)
    assert "¥59.00" in answer and ticket.number in answer
    assert "120" in ticket.description and "39" in ticket.description


async def test_haggling_is_no_complaint(chat: Chat) -> None:
    answer = await chat.ask("小白瓶150卖我吧，多少钱")
    assert "¥168.00" in answer and "登记" not in answer
    assert await tickets(chat) == []


async def test_a_month_or_an_hour_is_no_quoted_price(chat: Chat) -> None:
    for text in ("我朋友3月买的小白瓶多少钱", "我在群里看到小白瓶，12点前下单多少钱"):
        assert "¥168.00" in await chat.ask(text)
    assert await tickets(chat) == []


async def test_a_lower_price_is_its_own_ticket_beside_another_complaint(chat: Chat) -> None:
    await chat.ask("快递太慢了，我要投诉")
    await chat.ask("就是太慢了，等了一周")  # what happened, for the complaint
    await chat.ask("代理说小白瓶只要120")
    categories = [ticket.category for ticket in await tickets(chat)]
    assert categories == ["logistics", "price"]


async def test_bargaining_without_a_product_is_left_to_the_faq(chat: Chat) -> None:
    assert "哪一款" not in await chat.ask("便宜点吧")


async def test_a_kind_of_product_answering_which_one_lists_them(chat: Chat) -> None:
    await chat.ask("多少钱")
    answer = await chat.ask("面膜")
    assert "积雪草舒缓面膜" in answer and "清洁泥膜" in answer
    assert "¥79.00" in await chat.ask("清洁泥膜")


async def test_a_need_narrows_the_products_asked_about(chat: Chat) -> None:
    answer = await chat.ask("适合敏感肌的面膜多少钱")
    assert "¥69.00" in answer and "玻尿酸" not in answer


# Stock


async def test_in_stock_without_the_count(chat: Chat) -> None:
    answer = await chat.ask("小白瓶还有货吗")
    assert "有货" in answer and "42" not in answer


async def test_low_stock_says_few_are_left(chat: Chat) -> None:
    answer = await chat.ask("积雪草面膜有货吗")
    assert "不多" in answer and "3" not in answer


async def test_out_of_stock_with_the_day_it_is_expected(chat: Chat) -> None:
    answer = await chat.ask("视黄醇精华有货吗")
    assert "卖完" in answer and "12月5日" in answer


async def test_out_of_stock_with_no_day_known(chat: Chat) -> None:
    answer = await chat.ask("泥膜还有吗")
    assert "卖完" in answer and "月" not in answer


async def test_stock_not_counted_is_not_guessed(chat: Chat) -> None:
    answer = await chat.ask("防晒乳有现货吗")
    assert "看不到" in answer and "有货" not in answer and "卖完" not in answer


async def test_price_and_stock_in_one_question(chat: Chat) -> None:
    answer = await chat.ask("小白瓶多少钱，有货吗")
    assert "¥168.00" in answer and "有货" in answer


# Recommendations


async def test_recommendations_by_a_need(chat: Chat, catalogue: Sequence[Listed]) -> None:
    answer = await chat.ask("敏感肌用哪个好")
    suited = [row.name for row in catalogue if "敏感肌" in row.tags]
    assert sum(name in answer for name in suited) == len(suited) == 3
    assert "¥69.00" in answer and "¥129.00" in answer and "¥89.00" in answer
    assert "小白瓶" not in answer and "烟酰胺" not in answer


async def test_whether_one_product_suits_is_no_call_for_others(chat: Chat) -> None:
    answer = await chat.ask("小白瓶适合敏感肌吗")
    assert "推荐" not in answer and "修护面霜" not in answer


async def test_recommendations_narrowed_to_a_kind_of_product(chat: Chat) -> None:
    answer = await chat.ask("油皮用哪个面膜好")
    assert "清洁泥膜" in answer and "烟酰胺" not in answer


async def test_recommendations_put_what_is_in_stock_first(chat: Chat) -> None:
    answer = await chat.ask("油皮推荐什么")
    assert answer.index("烟酰胺精华液30ml") < answer.index("清洁泥膜")
    assert "暂时缺货" in answer


# Buying the same again


async def test_a_verified_customer_sees_their_last_order_at_todays_prices(chat: Chat) -> None:
    await verify_as_zhang(chat)
    replies = await chat.say("上次买的那个再来两盒")
    assert "玻尿酸补水面膜 × 2" in replies[0] and "¥59.00" in replies[0]
    assert "下单" in replies[1]


async def test_the_last_purchase_of_a_named_product(chat: Chat) -> None:
    await verify_as_zhang(chat)
    answer = await chat.ask("上次买的那个精华再来一瓶")
    assert "烟酰胺精华液30ml × 1" in answer and "面膜" not in answer


async def test_a_problem_with_last_times_product_is_no_new_order(chat: Chat) -> None:
    await verify_as_zhang(chat)
    for text in ("上次的面膜有点过敏", "之前买的东西能退吗", "回购有优惠吗"):
        assert "下单" not in await chat.ask(text)


async def test_an_unverified_customer_learns_nothing_of_past_orders(chat: Chat) -> None:
    answer = await chat.ask("再来一单上次的")
    assert "玻尿酸" not in answer and "面膜" not in answer
    assert "订单号" in answer
    assert "手机号" in await chat.ask("KF20261120001")
    answer = await chat.ask("8000")
    assert "验证成功" in answer and "玻尿酸补水面膜 × 2" in answer


async def test_another_customer_of_the_same_shop_sees_only_their_own(chat: Chat) -> None:
    await verify_as_zhang(chat)
    li = chat.as_user("li")
    await li.ask("KF20261125003")
    await li.ask("5678")
    answer = await li.ask("上次买的那个")
    assert "氨基酸爽肤水200ml" in answer and "玻尿酸" not in answer


# Inside other dialogs


async def test_last_time_inside_a_dialog_names_an_order_not_a_purchase(chat: Chat) -> None:
    await verify_as_zhang(chat)
    await chat.ask("我要退货")
    answer = await chat.ask("上次买的那个")
    assert "× 2" not in answer and "下单" not in answer


async def test_a_bare_name_answering_a_dialogs_question_is_left_to_it(chat: Chat) -> None:
    await verify_as_zhang(chat)
    await chat.ask("我要退货")
    await chat.ask("KF20261115002")
    answer = await chat.ask("小白瓶")
    assert "¥168.00" not in answer


async def test_a_product_question_inside_an_after_sales_dialog_resumes_it(chat: Chat) -> None:
    await verify_as_zhang(chat)
    await chat.ask("我要退货")
    replies = await chat.say("对了，小白瓶多少钱？")
    assert "¥168.00" in replies[0]
    assert len(replies) == 2  # and the dialog's question again
    conversation = await chat.conversation()
    assert conversation.dialog is not None and conversation.dialog["flow"].startswith("aftersales")


async def test_a_product_question_while_asked_for_an_order_number(chat: Chat) -> None:
    await chat.ask("我的订单")
    replies = await chat.say("面膜多少钱？")
    assert "玻尿酸补水面膜" in replies[0] and "¥59.00" in replies[0] and "¥69.00" in replies[0]
    assert "订单号" in replies[-1]
    assert "手机号" in await chat.ask("KF20261120001")  # the lookup carries on
