"""FAQ answers, "did you mean" suggestions, and what happens when nothing fits."""

import pytest
from sqlalchemy import select

from bot.services import Services
from core.messages import Incoming
from knowledge import FaqMatch, KnowledgeBase
from storage.models import Conversation, UnansweredQuestion
from tests.support.chat import Chat


async def unanswered(services: Services) -> list[str]:
    async with services.sessions() as session:
        rows = await session.scalars(select(UnansweredQuestion.text))
        return list(rows)


async def test_common_questions_get_the_faq_answer(chat: Chat) -> None:
    assert "48小时" in await chat.ask("亲 付款以后多久能发货呀")
    assert "99" in await chat.ask("满多少钱包邮啊")
    assert "发票" in await chat.ask("可以开发票吗？")
    assert "正品" in await chat.ask("你们家是正品吗")


@pytest.mark.parametrize(
    "text",
    [
        "这个东西怎么弄啊啊啊",  # tried by every rule, then the fallback
        "你们家是正品吗",
        "我朋友说你们是骗子，是真的吗",  # complaints look for the FAQ trust answer
        "可以开发票吗？",
        "快递",  # suggestions
        "我要退货",
        "我的订单到哪了",
    ],
)
async def test_the_faq_is_searched_at_most_once_per_message(
    chat: Chat, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    searched: list[str] = []
    search = KnowledgeBase.search

    def counted(kb: KnowledgeBase, query: str, limit: int = 5) -> list[FaqMatch]:
        searched.append(query)
        return search(kb, query, limit)

    monkeypatch.setattr(KnowledgeBase, "search", counted)
    await chat.say(text)
    assert len(searched) <= 1
    if text.startswith("这个东西"):
        assert len(searched) == 1


async def test_ambiguous_question_offers_choices_and_a_number_picks_one(chat: Chat) -> None:
    offer = await chat.ask("快递")
    assert offer.startswith("您是想问")
    second = offer.splitlines()[2]
    assert second.startswith("2. ")
    picked = await chat.ask("2")
    entry = chat.services.assistant.kb.search(second[3:], limit=1)[0].entry
    assert picked == entry.answer


async def test_a_new_question_after_an_offer_is_answered_normally(chat: Chat) -> None:
    await chat.ask("快递")
    assert "48小时" in await chat.ask("付款后多久发货")


async def test_unknown_question_is_stored_for_staff(chat: Chat, services: Services) -> None:
    answer = await chat.ask("明天会下雨吗")
    assert "没太看懂" in answer
    assert "明天会下雨吗" in await unanswered(services)


async def test_second_miss_in_a_row_offers_a_person(chat: Chat) -> None:
    await chat.ask("明天会下雨吗")
    assert "需要帮您转人工客服吗" in await chat.ask("给我讲个笑话")


async def test_an_answer_in_between_resets_the_count(chat: Chat) -> None:
    await chat.ask("明天会下雨吗")
    await chat.ask("可以开发票吗")
    assert "没太看懂" in await chat.ask("给我讲个笑话")


async def test_greetings_thanks_and_goodbyes(chat: Chat) -> None:
    assert "您好" in await chat.ask("你好")
    assert "不客气" in await chat.ask("谢谢！")
    assert "再见" in await chat.ask("拜拜")


async def test_greeting_with_a_question_answers_the_question(chat: Chat) -> None:
    assert "订单号" in await chat.ask("你好，我的快递到哪了")


async def test_thanks_with_an_endearment(chat: Chat) -> None:
    assert "不客气" in await chat.ask("谢谢亲")


async def test_offering_choices_does_not_count_as_a_miss(chat: Chat) -> None:
    await chat.ask("快递")
    assert "没太看懂" in await chat.ask("给我讲个笑话")


async def test_a_single_close_question_is_offered_and_yes_answers_it(chat: Chat) -> None:
    kb = chat.services.assistant.kb
    # Close to one entry only, but too unsure to answer outright.
    offer = await chat.ask("再加一个面霜 一起发")
    question = offer.split("「")[1].split("」")[0]
    entry = next(e for e in kb.entries if e.question == question)
    assert await chat.ask("是的") == entry.answer


async def test_a_photo_alone_is_acknowledged_and_kept(chat: Chat) -> None:
    replies = [
        r.text
        for r in await chat.services.assistant.handle(
            Incoming("web", "alice", "", chat.clock.now(), media=("img/broken.jpg",))
        )
    ]
    assert "图片" in replies[0]
    async with chat.services.sessions() as session:
        conversation = await session.scalar(select(Conversation))
    assert conversation.memory["recent_media"] == ["img/broken.jpg"]


@pytest.mark.parametrize("text", ["？？？", "。。。", "啊啊啊"])
async def test_punctuation_or_particles_alone_count_as_not_understood(
    chat: Chat, text: str
) -> None:
    first = await chat.ask(text)
    assert "只能看懂文字" not in first and "没太看懂" in first
    assert "转人工" in await chat.ask(text)


async def test_emoji_alone_asks_for_words(chat: Chat) -> None:
    assert "只能看懂文字" in await chat.ask("🙄🙄")
