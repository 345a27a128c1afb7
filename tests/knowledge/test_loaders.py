"""Loading FAQ files: good files give entries, bad ones a ValueError that says where."""

import json
from pathlib import Path
from typing import Any

import pytest

from knowledge import FaqItem
from knowledge.loaders import load_entries

GOOD = {"id": "invoice", "question": "可以开发票吗", "answer": "可以", "alternates": ["要发票"]}


def write_jsonl(path: Path, *rows: Any) -> Path:
    path = path / "faq.jsonl"
    path.write_text(
        "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8"
    )
    return path


def test_a_good_yaml_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "faq.yaml"
    path.write_text(
        "- id: invoice\n  question: 可以开发票吗\n  alternates: [要发票, 开票]\n"
        "  answer: 可以\n  category: invoice\n",
        encoding="utf-8",
    )

    assert load_entries(path) == [
        FaqItem("invoice", "可以开发票吗", "可以", ("要发票", "开票"), "invoice")
    ]


def test_an_empty_yaml_file_has_no_entries(tmp_path: Path) -> None:
    path = tmp_path / "faq.yaml"
    path.write_text("", encoding="utf-8")

    assert load_entries(path) == []


def test_broken_yaml_is_a_value_error_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "faq.yaml"
    path.write_text("- id: a\n  question: q\n  answer: [unclosed\n", encoding="utf-8")

    with pytest.raises(ValueError, match=r"invalid YAML.* line \d"):
        load_entries(path)


def test_yaml_that_is_not_a_list_of_entries_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "faq.yaml"
    path.write_text("id: a\nquestion: q\nanswer: b\n", encoding="utf-8")

    with pytest.raises(ValueError, match="list of entries"):
        load_entries(path)


def test_a_jsonl_line_that_is_not_json_is_reported_with_its_line_number(tmp_path: Path) -> None:
    path = tmp_path / "faq.jsonl"
    path.write_text(json.dumps(GOOD) + "\n\n" + '{"id": "b", "question": \n', encoding="utf-8")

    with pytest.raises(ValueError, match="line 3: invalid JSON"):
        load_entries(path)


def test_a_bad_jsonl_entry_is_reported_with_its_line_number(tmp_path: Path) -> None:
    path = tmp_path / "faq.jsonl"
    path.write_text(json.dumps(GOOD) + "\n\n" + '{"id": "b", "question": "q"}\n', encoding="utf-8")

    with pytest.raises(ValueError, match="line 3: missing answer"):
        load_entries(path)


def test_a_duplicate_id_in_one_jsonl_file_is_refused_naming_the_id(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path, GOOD, {**GOOD, "answer": "另一个答案"})

    with pytest.raises(ValueError, match=r"line 2: duplicate id 'invoice'.*line 1"):
        load_entries(path)


def test_a_duplicate_id_in_one_csv_file_is_refused_naming_the_id(tmp_path: Path) -> None:
    path = tmp_path / "faq.csv"
    path.write_text(
        "id,question,answer\npay,支持花呗吗,支持\n pay ,能用花呗吗,能\n", encoding="utf-8"
    )

    with pytest.raises(ValueError, match="line 3: duplicate id 'pay'"):
        load_entries(path)


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"question": ["可以开发票吗"]}, "question must be text"),
        ({"answer": {"text": "可以"}}, "answer must be text"),
        ({"answer": 1}, "answer must be text"),
        ({"alternates": ["要发票", {"q": "开票"}]}, "alternate 2 must be text"),
        ({"alternates": "要发票"}, "alternates must be a list"),
        ({"id": ["invoice"]}, "id must be text"),
        ({"id": True}, "id must be text"),
        ({"category": ["invoice"]}, "category must be text"),
    ],
    ids=[
        "question-list",
        "answer-dict",
        "answer-number",
        "alternate-dict",
        "alternates-text",
        "id-list",
        "id-bool",
        "category-list",
    ],
)
def test_a_field_that_is_not_text_is_refused_with_the_entry_position(
    tmp_path: Path, changes: dict[str, Any], problem: str
) -> None:
    path = write_jsonl(tmp_path, {**GOOD, "id": "first"}, {**GOOD, **changes})

    with pytest.raises(ValueError, match=f"line 2: {problem}"):
        load_entries(path)


def test_a_yaml_entry_that_is_not_text_is_refused_with_the_line_it_starts_on(
    tmp_path: Path,
) -> None:
    path = tmp_path / "faq.yaml"
    path.write_text(
        "- id: a\n  question: q\n  answer: b\n- {id: c, question: {x: 1}, answer: d}\n",
        encoding="utf-8",
    )

    with pytest.raises(ValueError, match="line 4: question must be text"):
        load_entries(path)


def test_a_numeric_id_is_taken_as_its_text(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path, {**GOOD, "id": 17})

    assert [entry.id for entry in load_entries(path)] == ["17"]


def test_empty_alternates_are_dropped(tmp_path: Path) -> None:
    path = tmp_path / "faq.yaml"
    path.write_text(
        "- id: a\n  question: q\n  answer: b\n  alternates:\n    -\n    - ' '\n    - c\n",
        encoding="utf-8",
    )

    assert load_entries(path)[0].alternates == ("c",)


def test_a_csv_row_the_reader_refuses_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "faq.csv"
    huge = "很" * 200_000  # beyond the csv module's field size limit
    path.write_text(f"id,question,answer\na,q,b\nc,{huge},d\n", encoding="utf-8")

    with pytest.raises(ValueError, match="line 3:"):
        load_entries(path)
