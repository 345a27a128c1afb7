"""FAQ editing for staff (bot.desk.faq_admin): checks, saving, phrasings."""

from itertools import pairwise

import pytest
from sqlalchemy import select

from bot.desk.faq_admin import (
    FaqDraft,
    FaqInvalid,
    FaqNotFound,
    add_entry,
    add_phrasing,
    check_draft,
    customer_outcome,
    delete_entry,
    edit_entry,
    find_entries,
    get_entry,
)
from bot.desk.unanswered_questions import unanswered_groups
from bot.services import Services
from core.settings import Settings
from knowledge import FaqItem, FaqMatch
from storage.models import AuditEntry
from storage.repositories import Repositories
from tests.support.chat import Chat
from tests.support.clock import FakeClock

STORE = FaqDraft(question="你们有实体店吗？", answer="我们只在网上卖哦～", alternates="线下店在哪")


def errors_of(draft: FaqDraft) -> list[str]:
    with pytest.raises(FaqInvalid) as raised:
        check_draft(draft)
    return raised.value.errors


async def revision(services: Services) -> object:
    async with services.sessions() as session:
        return await Repositories.for_session(session).faq.revision()


# --- checks --------------------------------------------------------------------------------------


def test_a_draft_is_cleaned_into_an_entry() -> None:
    item = check_draft(
        FaqDraft(
            id=" store ",
            question="  你们有实体店吗？ ",
            answer="只在网上卖\r\n谢谢",
            alternates="线下店在哪\n\n  线下店在哪？ \n你们有实体店吗\n有门店吗",
            category=" 门店 ",
        )
    )
    assert item == FaqItem(
        "store", "你们有实体店吗？", "只在网上卖\n谢谢", ("线下店在哪", "有门店吗"), "门店"
    )


def test_required_fields_and_limits_are_enforced() -> None:
    assert errors_of(FaqDraft(question=" ", answer="")) == ["请填写问题", "请填写答案"]
    too_long = errors_of(FaqDraft(question="问" * 201, answer="答" * 2001))
    assert too_long == ["问题最多 200 个字（现在 201 个）", "答案最多 2000 个字（现在 2001 个）"]
    fifty = "\n".join(f"问法{n}" for n in range(50))
    assert len(check_draft(FaqDraft(question="问", answer="答", alternates=fifty)).alternates) == 50
    many = errors_of(FaqDraft(question="问", answer="答", alternates=fifty + "\n问法50"))
    assert many == ["其他问法最多 50 条（现在 51 条）"]
    assert check_draft(FaqDraft(question="问" * 200, answer="答" * 2000)).id == ""


@pytest.mark.parametrize("entry_id", ["Store", "门店", "a b", "-store", "store/1", "new"])
def test_ids_are_short_lowercase_slugs(entry_id: str) -> None:
    [error] = errors_of(FaqDraft(id=entry_id, question="问", answer="答"))
    assert "编号" in error


# --- saving --------------------------------------------------------------------------------------


async def test_entries_get_an_id_when_none_is_given_and_are_audited(
    services: Services, clock: FakeClock, staff_id: int
) -> None:
    first = await add_entry(services.sessions, clock, STORE, staff_id=staff_id)
    second = await add_entry(
        services.sessions, clock, FaqDraft(question="能用花呗吗", answer="可以"), staff_id=staff_id
    )
    assert (first.id, second.id) == ("faq-1", "faq-2")
    assert await get_entry(services.sessions, "faq-1") == first
    async with services.sessions() as session:
        actions = (await session.scalars(select(AuditEntry.action))).all()
    assert actions[-2:] == ["faq_add", "faq_add"]


async def test_a_taken_id_or_another_entrys_phrasing_is_refused(
    services: Services, clock: FakeClock, staff_id: int
) -> None:
    await add_entry(services.sessions, clock, FaqDraft(id="store", **_fields(STORE)), staff_id)
    with pytest.raises(FaqInvalid, match="编号「store」已被使用"):
        await add_entry(services.sessions, clock, FaqDraft(id="store", **_fields(STORE)), staff_id)
    clash = FaqDraft(question="门店", answer="答", alternates="有发票吗？")
    with pytest.raises(FaqInvalid, match="「有发票吗？」已是条目 invoice-electronic 的问法"):
        await add_entry(services.sessions, clock, clash, staff_id)


async def test_every_change_moves_the_revision_even_within_one_instant(
    services: Services, clock: FakeClock, staff_id: int
) -> None:
    seen = [await revision(services)]
    item = await add_entry(services.sessions, clock, STORE, staff_id)
    seen.append(await revision(services))
    edited = FaqDraft(question=item.question, answer="现在有门店了")
    await edit_entry(services.sessions, clock, item.id, edited, staff_id)
    seen.append(await revision(services))
    await edit_entry(
        services.sessions, clock, item.id, FaqDraft(question="门店", answer="有"), staff_id
    )
    seen.append(await revision(services))
    await delete_entry(services.sessions, clock, item.id, staff_id)
    seen.append(await revision(services))
    # The clock never moved; the assistant compares with the revision it saw last.
    assert all(before != after for before, after in pairwise(seen))
    with pytest.raises(FaqNotFound):
        await edit_entry(services.sessions, clock, item.id, edited, staff_id)
    with pytest.raises(FaqNotFound):
        await delete_entry(services.sessions, clock, item.id, staff_id)


async def test_an_imported_entry_keeps_its_id_through_edits(
    services: Services, clock: FakeClock, staff_id: int
) -> None:
    imported = FaqItem("Mascot Name", "吉祥物叫什么", "小K")
    async with services.sessions() as session, session.begin():
        await Repositories.for_session(session).faq.upsert([imported], clock.now())
    draft = FaqDraft(id="ignored", question="店铺吉祥物叫什么？", answer="叫小K")
    edited = await edit_entry(services.sessions, clock, "Mascot Name", draft, staff_id)
    assert edited.id == "Mascot Name" and edited.answer == "叫小K"
    added = await add_phrasing(services.sessions, clock, "Mascot Name", "吉祥物的名字", staff_id)
    assert added.alternates == ("吉祥物的名字",)


async def test_search_finds_text_in_answers_and_phrasings(services: Services) -> None:
    by_answer = {item.id for item in await find_entries(services.sessions, "接收邮箱")}
    assert by_answer == {"invoice-electronic"}
    by_phrasing = {item.id for item in await find_entries(services.sessions, "开个电子")}
    assert by_phrasing == {"invoice-electronic"}
    assert len(await find_entries(services.sessions, " ")) == 74


def test_the_outcome_follows_the_faq_rules() -> None:
    settings = Settings()
    entry = FaqItem("a", "问", "答")
    other = FaqItem("b", "问二", "答二")
    assert customer_outcome([], settings) == "none"
    assert customer_outcome([FaqMatch(entry, 80, 80)], settings) == "answer"
    close_call = [FaqMatch(entry, 80, 4), FaqMatch(other, 78, 0)]
    assert customer_outcome(close_call, settings) == "suggest"
    assert customer_outcome([FaqMatch(entry, 40, 20)], settings) == "suggest"
    assert customer_outcome([FaqMatch(entry, 20, 20)], settings) == "none"


# --- unanswered questions ------------------------------------------------------------------------


async def test_a_group_becomes_an_entry_or_a_phrasing_and_leaves_the_list(
    services: Services, chat: Chat, clock: FakeClock, staff_id: int
) -> None:
    for user, text in [("a", "你们有实体店吗"), ("b", "你们有没有实体店"), ("c", "能用花呗分期吗")]:
        await chat.as_user(user).ask(text)
    store, credit = await unanswered_groups(services.sessions, clock.now())
    assert store.count == 2 and credit.count == 1

    await add_entry(services.sessions, clock, STORE, staff_id, answered=store.ids)
    [left] = await unanswered_groups(services.sessions, clock.now())
    assert left == credit

    item = await add_phrasing(
        services.sessions, clock, "payment-methods", credit.text, staff_id, answered=credit.ids
    )
    assert item.alternates[-1] == "能用花呗分期吗"
    assert await unanswered_groups(services.sessions, clock.now()) == []
    with pytest.raises(FaqInvalid, match="已是条目 payment-methods 的问法"):
        await add_phrasing(
            services.sessions, clock, "payment-methods", "能用花呗分期吗？", staff_id
        )
    with pytest.raises(FaqNotFound):
        await add_phrasing(services.sessions, clock, "nothing-here", "问", staff_id)


def _fields(draft: FaqDraft) -> dict[str, str]:
    return {"question": draft.question, "answer": draft.answer, "alternates": draft.alternates}
