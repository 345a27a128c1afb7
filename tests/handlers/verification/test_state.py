"""The verification dialog's stored state: typed, versioned, and dialogs stored before
versions still load and carry on."""

from handlers.verification.state import VerificationState
from tests.support.chat import Chat
from tests.support.stored_dialogs import store_dialog, stored_dialog

ORDER = "KF20261120001"  # 张三, phone ending 8000, shipped by 顺丰
ASKED = "2026-11-21T02:00:00+00:00"


def stored_before_versions(since: str, purpose: str) -> dict[str, object]:
    """The dialog as the bot stored it before the state had a type."""
    return {
        "flow": "verify",
        "prompt": "verify_ask",
        "since": since,
        "reference": ORDER,
        "purpose": purpose,
    }


def test_a_dialog_stored_before_versions_loads_and_reads_back_the_same() -> None:
    state = VerificationState.from_stored(stored_before_versions(ASKED, "logistics"))
    assert (state.reference, state.purpose, state.prompt) == (ORDER, "logistics", "verify_ask")
    assert VerificationState.from_stored(state.to_stored()) == state


async def test_a_conversation_waiting_for_digits_stored_before_versions_carries_on(
    chat: Chat,
) -> None:
    await chat.ask("你好")
    await store_dialog(chat, stored_before_versions(chat.clock.now().isoformat(), "order"))
    answer = await chat.ask("8000")
    assert "验证成功" in answer and "玻尿酸补水面膜×2" in answer and "¥118.00" in answer
    assert (await chat.conversation()).dialog is None


async def test_the_dialog_is_stored_with_its_version(chat: Chat) -> None:
    await chat.ask(ORDER)
    dialog = await stored_dialog(chat)
    assert (dialog["flow"], dialog["version"]) == ("verify", VerificationState.VERSION)
    assert (dialog["reference"], dialog["purpose"]) == (ORDER, "order")
