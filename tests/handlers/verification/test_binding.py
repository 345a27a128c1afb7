"""Nothing of an order is shown before the chat is verified as its customer."""

import asyncio

from tests.support.chat import Chat
from tests.support.clock import FakeClock

ORDER = "KF20261120001"  # 张三, phone ending 8000, shipped by 顺丰
OTHER = "KF20261125003"  # 李四, phone ending 5678


def reveals_anything(text: str) -> bool:
    return any(word in text for word in ("顺丰", "SF123", "面膜", "张三", "118", "已发货", "上海"))


async def test_right_digits_show_the_order(chat: Chat) -> None:
    assert "手机号" in await chat.ask(ORDER)
    answer = await chat.ask("8000")
    assert "验证成功" in answer
    assert "玻尿酸补水面膜×2" in answer
    assert "¥118.00" in answer
    assert "顺丰速运" in answer and "SF1234567890123" in answer
    assert "快件到达上海转运中心" in answer


async def test_verified_customer_is_not_asked_again(chat: Chat) -> None:
    await chat.ask(ORDER)
    await chat.ask("尾号8000")
    answer = await chat.ask(f"{ORDER}怎么样了")
    assert "手机号" not in answer
    assert "SF1234567890123" in answer


async def test_full_phone_number_also_verifies(chat: Chat) -> None:
    await chat.ask(ORDER)
    assert "验证成功" in await chat.ask("13800138000")


async def test_wrong_digits_reveal_nothing(chat: Chat) -> None:
    await chat.ask(ORDER)
    answer = await chat.ask("1234")
    assert "没能核对上" in answer
    assert not reveals_anything(answer)


async def test_unknown_order_gets_the_same_answers_as_a_wrong_one(chat: Chat) -> None:
    stranger = chat.as_user("stranger")
    unknown = [await stranger.ask("KF99999999999"), await stranger.ask("1234")]
    known = [await chat.ask(ORDER), await chat.ask("1234")]
    assert unknown == known


async def test_three_wrong_answers_lock_for_thirty_minutes(chat: Chat, clock: FakeClock) -> None:
    await chat.ask(ORDER)
    await chat.ask("1111")
    await chat.ask("2222")
    locked = await chat.ask("3333")
    assert "30分钟后再试" in locked
    # Even the right digits are refused while locked.
    assert "30分钟后再试" in await chat.ask(ORDER)
    assert not reveals_anything(await chat.ask("8000"))
    clock.advance(minutes=29)
    assert "30分钟后再试" in await chat.ask(ORDER)
    clock.advance(minutes=2)
    assert "手机号" in await chat.ask(ORDER)
    assert "验证成功" in await chat.ask("8000")


async def test_lockout_is_per_chat_identity(chat: Chat) -> None:
    await chat.ask(ORDER)
    for digits in ("1111", "2222", "3333"):
        await chat.ask(digits)
    other = chat.as_user("bob")
    await other.ask(ORDER)
    assert "验证成功" in await other.ask("8000")


async def test_second_customer_learns_nothing_of_the_first(chat: Chat) -> None:
    await chat.ask(ORDER)
    await chat.ask("8000")  # alice is 张三 and sees her order
    bob = chat.as_user("bob")
    transcript = [
        await bob.ask(ORDER),
        await bob.ask("5678"),  # 李四's digits, not 张三's
        await bob.ask("我的订单"),
        await bob.ask("它到哪了"),
        await bob.ask("SF1234567890123"),
        await bob.ask("0000"),
    ]
    assert not any(reveals_anything(text) for text in transcript)


async def test_verifying_one_customer_does_not_open_anothers_orders(chat: Chat) -> None:
    await chat.ask(ORDER)
    await chat.ask("8000")
    answer = await chat.ask(OTHER)
    assert "手机号" in answer
    assert "爽肤水" not in answer
    assert "没能核对上" in await chat.ask("8000")


async def test_guessing_from_many_chat_ids_locks_the_customers_orders_for_the_guessers(
    chat: Chat, clock: FakeClock
) -> None:
    guessers = [chat.as_user(f"guesser-{n}") for n in range(5)]
    for n, guesser in enumerate(guessers):  # five wrong answers, each from a fresh chat id
        await guesser.ask(ORDER)
        assert "没能核对上" in await guesser.ask(f"{1000 + n}")
    # Now a guessing chat's right digits are refused, in the same words as a wrong answer.
    await guessers[0].ask(ORDER)
    refused = await guessers[0].ask("8000")
    assert "没能核对上" in refused and not reveals_anything(refused)
    clock.advance(minutes=31)
    await guessers[0].ask(ORDER)
    assert "验证成功" in await guessers[0].ask("8000")


async def test_a_number_inside_a_sentence_is_not_taken_as_digits(chat: Chat) -> None:
    await chat.ask(ORDER)
    for text in ("我上次花了1299元", "2024年买过一次", "订单是1月3号的"):
        answer = await chat.ask(text)
        assert "没能核对上" not in answer
    # None of them counted as a wrong answer: the right digits still verify.
    assert "验证成功" in await chat.ask("8000")


async def test_digits_with_words_around_them_are_an_answer(chat: Chat) -> None:
    await chat.ask(ORDER)
    assert "验证成功" in await chat.ask("手机尾号是 8000 哦")


async def test_order_number_and_digits_in_one_message(chat: Chat) -> None:
    answer = await chat.ask(f"订单{ORDER}，手机尾号8000")
    assert "验证成功" in answer and "SF1234567890123" in answer


async def test_a_phone_number_is_not_an_order_number(chat: Chat) -> None:
    await chat.ask("我的订单")
    answer = await chat.ask("13800138000")
    assert "订单号" in answer and "没能核对上" not in answer
    assert "手机号" in await chat.ask(ORDER)
    assert "验证成功" in await chat.ask("8000")


async def test_an_old_unanswered_question_is_forgotten(chat: Chat, clock: FakeClock) -> None:
    await chat.ask(ORDER)
    clock.advance(minutes=31)
    answer = await chat.ask("8000")
    assert "验证成功" not in answer and "没能核对上" not in answer


async def test_digits_from_other_scripts_are_read_as_digits(chat: Chat) -> None:
    await chat.ask(ORDER)
    assert "验证成功" in await chat.ask("٨٠٠٠")  # Arabic-Indic digits


async def test_odd_digits_for_a_known_and_an_unknown_order_get_the_same_answers(
    chat: Chat,
) -> None:
    known, unknown = chat.as_user("k"), chat.as_user("u")
    await known.ask(ORDER)
    await unknown.ask("KF20269999999")
    odd_digits = ("٨٠٠١", "𝟴𝟬𝟬𝟭", "8００1")  # Arabic-Indic, mathematical, full-width
    known_answers = [await known.ask(digits) for digits in odd_digits]
    unknown_answers = [await unknown.ask(digits) for digits in odd_digits]
    assert known_answers == unknown_answers
    assert "没能核对上" in known_answers[0] and "30分钟后再试" in known_answers[-1]


async def test_guesses_arriving_at_once_from_many_chats_all_count(chat: Chat) -> None:
    guessers = [chat.as_user(f"parallel-{n}") for n in range(6)]
    for guesser in guessers:
        await guesser.ask(ORDER)
    await asyncio.gather(*(g.ask(f"{2000 + n}") for n, g in enumerate(guessers)))
    # Locked: a chat that guessed is refused even the right digits.
    await guessers[0].ask(ORDER)
    assert "没能核对上" in await guessers[0].ask("8000")
