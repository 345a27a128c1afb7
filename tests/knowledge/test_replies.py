"""A shop's own reply texts."""

from pathlib import Path

import pytest

from knowledge.replies import DEFAULT_REPLIES, ReplyTexts


def test_a_shops_file_rewords_what_it_names_and_keeps_the_rest(tmp_path: Path) -> None:
    own = tmp_path / "replies.yaml"
    own.write_text("not_understood: 没看懂呢，换个说法试试～\n", encoding="utf-8")
    texts = ReplyTexts.from_file(own)
    bundled = ReplyTexts.from_file(DEFAULT_REPLIES)
    assert texts.render("not_understood") == "没看懂呢，换个说法试试～"
    assert bundled.render("not_understood") != texts.render("not_understood")
    # A text added after the shop wrote its file still has words.
    assert texts.render("handover_left_queue") == bundled.render("handover_left_queue")


def test_a_file_that_is_not_a_mapping_of_texts_is_refused(tmp_path: Path) -> None:
    own = tmp_path / "replies.yaml"
    own.write_text("- just a list\n", encoding="utf-8")
    with pytest.raises(ValueError, match="expected a mapping"):
        ReplyTexts.from_file(own)
