"""The after-sales dialog's stored state: typed, versioned, and dialogs stored before
versions still load and carry on."""

from typing import Any

from handlers.aftersales.state import AfterSalesState
from tests.support.chat import Chat
from tests.support.demo_shop import CREAM, DELIVERED, item_id, verify_as_zhang
from tests.support.stored_dialogs import store_dialog, stored_dialog


def stored_before_versions(since: str, item: int) -> dict[str, Any]:
    """A dialog as the bot stored it before the state had a type: a plain dict, empty slots
    left out, the router's own slots in it."""
    return {
        "flow": "aftersales",
        "prompt": "aftersales_ask_description",
        "since": since,
        "step": "description",
        "type": "return",
        "reason": "quality",
        "description": "",
        "mentions": ["面霜有问题，我要退货"],
        "media": [],
        "order_no": DELIVERED,
        "item_id": item,
        "item_name": CREAM,
        "misses": 1,
        "policy_told": None,
    }


def test_a_dialog_stored_before_versions_loads() -> None:
    state = AfterSalesState.from_stored(stored_before_versions("2026-11-21T02:00:00+00:00", 7))
    assert (state.step, state.prompt, state.misses) == (
        "description",
        "aftersales_ask_description",
        1,
    )
    assert (state.type, state.reason, state.order_no, state.item_id) == (
        "return",
        "quality",
        DELIVERED,
        7,
    )
    assert (state.insisted, state.photos_skipped, state.reference) == (False, False, "")
    assert state.mentions == ["面霜有问题，我要退货"] and state.others == {}


def test_the_state_is_stored_as_versioned_json_and_reads_back_the_same() -> None:
    state = AfterSalesState(
        step="photos", type="exchange", media=["m1"], misses=2, others={"kept": True}
    )
    stored = state.to_stored()
    assert stored["flow"] == "aftersales" and stored["version"] == AfterSalesState.VERSION
    assert stored["misses"] == 2  # the router's slot
    assert stored["kept"] is True  # what another part of the bot put there stays
    assert AfterSalesState.from_stored(stored) == state


def test_nulls_stored_before_versions_read_as_empty() -> None:
    state = AfterSalesState.from_stored({"flow": "aftersales", "description": None, "media": None})
    assert (state.description, state.media, state.step) == ("", [], "")


async def test_a_conversation_holding_a_dialog_stored_before_versions_carries_on(
    chat: Chat,
) -> None:
    await verify_as_zhang(chat)
    old = stored_before_versions(
        chat.clock.now().isoformat(), await item_id(chat, DELIVERED, CREAM)
    )
    await store_dialog(chat, old)
    reply = await chat.ask("瓶口漏了，洒了一半")
    assert "拍几张照片" in reply  # the description taken, photos asked for next
    dialog = await stored_dialog(chat)
    assert (dialog["version"], dialog["step"]) == (AfterSalesState.VERSION, "photos")
    assert dialog["description"] == "瓶口漏了，洒了一半"
