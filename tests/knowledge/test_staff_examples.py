"""The shop's editable data staff see in the console: Chinese names for FAQ categories and the
demo shop's example canned replies."""

from pathlib import Path

import pytest

from knowledge.canned_examples import load_canned_examples
from knowledge.faq_categories import load_category_names
from knowledge.loaders import DEFAULT_FAQ, load_entries


def test_every_category_of_the_default_faq_has_a_chinese_name() -> None:
    names = load_category_names()
    categories = {entry.category for entry in load_entries(DEFAULT_FAQ)}
    assert categories <= set(names)
    assert names["shipping"] == "发货" and names["invoice"] == "发票"
    assert all(not name.isascii() for name in names.values())


def test_a_category_file_that_is_not_code_to_name_is_refused(tmp_path: Path) -> None:
    for broken in ("- shipping\n- 发货\n", "shipping:\n", "shipping: [发货]\n"):
        path = tmp_path / "categories.yaml"
        path.write_text(broken, encoding="utf-8")
        with pytest.raises(ValueError, match="category: 中文名称"):
            load_category_names(path)


def test_the_example_canned_replies_are_short_chinese_and_titled() -> None:
    examples = load_canned_examples()
    assert len(examples) >= 5
    assert len({example.title for example in examples}) == len(examples)
    for example in examples:
        assert not example.text.isascii() and len(example.text) <= 40, example


def test_an_example_without_a_title_or_text_is_refused(tmp_path: Path) -> None:
    for broken in ("- title: 问候\n", "- text: 您好\n", "- 您好\n", "title: 问候\n"):
        path = tmp_path / "canned.yaml"
        path.write_text(broken, encoding="utf-8")
        with pytest.raises(ValueError, match="title"):
            load_canned_examples(path)
