"""Reading CSV rows by the line they start on: a quote left open swallows no line."""

import pytest

from knowledge.csv_rows import read_csv


def test_rows_are_named_by_their_line_and_blank_rows_left_out() -> None:
    found = read_csv("SKU , Name\r\na,1\r\n\r\n,\r\nb,2\r\n")

    assert found.header == ["sku", "name"]
    assert [(row.line, row.cells) for row in found.rows] == [
        (2, {"sku": "a", "name": "1"}),
        (5, {"sku": "b", "name": "2"}),
    ]
    assert found.problems == []


def test_a_quoted_cell_may_hold_line_breaks() -> None:
    found = read_csv('id,text,tag\n1,"第一行\n第二行",x\n2,y,z\n')

    assert [(row.line, row.cells["text"]) for row in found.rows] == [
        (2, "第一行\n第二行"),
        (4, "y"),
    ]
    assert found.problems == []


def test_a_quote_never_closed_is_reported_and_the_lines_after_it_read() -> None:
    found = read_csv('id,text,tag\n1,"open,x\n2,y,z\n3,w,v\n')

    assert found.problems == [(2, "a quote opened on this line is never closed")]
    assert [row.line for row in found.rows] == [3, 4]


def test_a_quote_closed_lines_later_that_took_whole_rows_is_reported() -> None:
    found = read_csv('id,text,tag\n1,"open\n2,y,z\n3,w,v\nend",x\n4,u,t\n')

    assert found.problems == [
        (
            2,
            "a quote opened on this line runs to line 5: close it, or double a quote meant "
            "inside a cell",
        ),
        (5, "2 cells, but the header has 3 columns"),
    ]
    assert [row.cells["id"] for row in found.rows] == ["2", "3", "4"]


@pytest.mark.parametrize("text", ['"id,name\n', 'id,"na"me\n'])
def test_an_unreadable_header_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError, match="unreadable CSV header"):
        read_csv(text)
