"""The assistant's knowledge base follows staff edits of the FAQ table, one entry at a time."""

from datetime import timedelta
from pathlib import Path

from bot.desk.faq_admin import FaqDraft, add_entry, add_phrasing, delete_entry, edit_entry
from bot.desk.importing import import_faq
from bot.services import Services
from tests.support.chat import Chat
from tests.support.clock import FakeClock


async def test_a_new_phrasing_answers_the_next_customer(
    services: Services, chat: Chat, clock: FakeClock, staff_id: int
) -> None:
    question = "你们家的东西在直播间买和这里买一样吗"
    kb = services.assistant.kb
    answer = kb.get("pricing-unified").answer  # type: ignore[union-attr]
    assert await chat.ask(question) != answer
    await add_phrasing(services.sessions, clock, "pricing-unified", question, staff_id)
    assert await chat.as_user("next").ask(question) == answer
    # The same knowledge base, edited in place rather than built again.
    assert services.assistant.kb is kb


async def test_added_edited_and_deleted_entries_count_on_the_next_message(
    services: Services, chat: Chat, clock: FakeClock, staff_id: int
) -> None:
    store = FaqDraft(
        question="你们有实体店吗", answer="我们只在网上卖哦～", alternates="线下店在哪"
    )
    await add_entry(services.sessions, clock, store, staff_id)
    assert await chat.ask("你们有实体店吗") == "我们只在网上卖哦～"

    clock.advance(seconds=1)
    moved = FaqDraft(question=store.question, answer="上海有一家门店哦～", alternates="线下店在哪")
    await edit_entry(services.sessions, clock, "faq-1", moved, staff_id)
    assert await chat.ask("线下店在哪") == "上海有一家门店哦～"

    await delete_entry(services.sessions, clock, "faq-1", staff_id)
    assert "门店" not in await chat.ask("你们有实体店吗")
    assert services.assistant.kb.get("faq-1") is None


async def test_an_import_from_a_clock_behind_still_counts(
    services: Services, chat: Chat, clock: FakeClock, staff_id: int, tmp_path: Path
) -> None:
    store = FaqDraft(question="你们有实体店吗", answer="我们只在网上卖哦～")
    await add_entry(services.sessions, clock, store, staff_id)
    assert await chat.ask("你们有实体店吗") == "我们只在网上卖哦～"
    path = tmp_path / "faq.jsonl"
    path.write_text('{"id": "gift", "question": "可以代写贺卡吗", "answer": "可以的～"}\n')
    await import_faq(services.sessions, path, clock.now() - timedelta(days=1))
    assert await chat.ask("可以代写贺卡吗") == "可以的～"
