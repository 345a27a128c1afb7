"""The stored shape every dialog shares: versioned JSON, the router's slots, others kept."""

from handlers.dialog_state import LONG_AGO, DialogFrame
from handlers.handover.state import HandoverOffer
from handlers.orders.state import OrderNumberQuestion

# An order-number question as the bot stored it before versions.
ASK_ORDER = {
    "flow": "ask_order",
    "prompt": "ask_order_number",
    "since": "2026-11-21T02:00:00+00:00",
    "purpose": "logistics",
    "misses": 2,
}


def test_the_frame_reads_the_router_slots_of_any_dialog_and_keeps_the_rest() -> None:
    frame = DialogFrame.from_stored(ASK_ORDER)
    assert (frame.flow, frame.version, frame.prompt, frame.misses, frame.soft) == (
        "ask_order",
        None,
        "ask_order_number",
        2,
        False,
    )
    assert frame.others == {"purpose": "logistics"}
    frame.misses = 0
    assert frame.to_stored() == {**ASK_ORDER, "misses": 0, "soft": False}


def test_the_frame_keeps_the_version_a_dialog_was_stored_with() -> None:
    stored = OrderNumberQuestion(purpose="order").to_stored()
    assert DialogFrame.from_stored(stored).to_stored() == stored


def test_a_dialog_stored_before_versions_loads_and_is_stored_with_its_version() -> None:
    question = OrderNumberQuestion.from_stored(ASK_ORDER)
    assert (question.purpose, question.misses, question.others) == ("logistics", 2, {})
    stored = question.to_stored()
    assert stored == {**ASK_ORDER, "version": OrderNumberQuestion.VERSION, "soft": False}
    assert OrderNumberQuestion.from_stored(stored) == question


def test_missing_and_null_slots_read_as_their_defaults() -> None:
    question = OrderNumberQuestion.from_stored({"flow": "ask_order", "since": None})
    assert (question.prompt, question.since, question.purpose) == (
        "ask_order_number",
        LONG_AGO,
        "order",
    )


def test_holds_tells_the_kind_of_a_stored_dialog() -> None:
    assert OrderNumberQuestion.holds(ASK_ORDER)
    assert not HandoverOffer.holds(ASK_ORDER) and not OrderNumberQuestion.holds(None)


def test_an_interruption_tells_the_question_of_the_dialog_it_interrupted() -> None:
    offer = HandoverOffer(resume=ASK_ORDER, question="给我讲个笑话")
    assert offer.resumed_prompt() == "ask_order_number"
    assert HandoverOffer(resume=None).resumed_prompt() == ""
    assert HandoverOffer.from_stored(offer.to_stored()) == offer
