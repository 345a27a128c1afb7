"""The console's report page: the seeded week's figures, its charts and tables, the period."""

import re

import pytest

from bot.console.charts import Bar, column_chart, row_chart
from bot.services import Services
from tests.support.chat import Chat
from tests.support.clock import FakeClock
from tests.support.console import Console
from tests.support.service_week import HOUR, add_ticket, seed_week
from tests.support.visits import seed_visits


def charts(page: str) -> dict[str, str]:
    """Each inline SVG chart on the page by its label."""
    found = re.findall(r'<svg class="chart"[^>]*aria-label="([^"]+)".*?</svg>', page, re.S)
    bodies = re.findall(r'<svg class="chart".*?</svg>', page, re.S)
    return dict(zip(found, bodies, strict=True))


def bars(svg: str) -> list[str]:
    """The tooltips of the chart's bars."""
    return re.findall(r'<rect class="bar"[^>]*><title>([^<]*)</title></rect>', svg)


def figure(page: str, name: str) -> str:
    found = re.search(rf'id="{name}">([^<]*)<', page)
    assert found is not None, name
    return found.group(1)


async def test_an_agent_reads_the_figures_of_the_last_seven_days(
    agent_console: Console, chat: Chat, clock: FakeClock
) -> None:
    await seed_week(chat, clock)

    response = await agent_console.get("/console/reports")

    assert response.status == 200
    page = await response.text()
    assert figure(page, "customer-messages") == "7"
    assert figure(page, "faq-rate") == "50.0%"
    assert figure(page, "handover-rate") == "66.7%"
    assert figure(page, "first-response-rate") == "60.0%"
    assert "2 / 3 个会话" in page
    assert "3 / 5 张工单" in page
    drawn = charts(page)
    assert set(drawn) == {"每日客户消息", "转人工原因", "投诉分类"}
    assert bars(drawn["每日客户消息"]) == [
        "12-05 周六：2 条消息",
        "12-06 周日：3 条消息",
        "12-07 周一：2 条消息",
    ]
    assert bars(drawn["转人工原因"]) == ["客户要求：1", "机器人未能理解：1", "客服主动接入：1"]
    assert bars(drawn["投诉分类"]) == ["物流：1", "质量：2", "其他：1"]
    # The tables beside the charts.
    assert "<tr><td>12-06 周日</td><td>3</td></tr>" in page
    assert "<tr><td>质量</td><td>2</td></tr>" in page
    assert '<a href="/console/reports?days=7" aria-current="page">' in page


async def test_the_ticket_table_counts_kinds_by_status(
    agent_console: Console, chat: Chat, clock: FakeClock
) -> None:
    await seed_week(chat, clock)

    page = await (await agent_console.get("/console/reports?days=7")).text()

    table = page.split('<table class="tickets-by-status">')[1].split("</table>")[0]
    rows = {
        cells[0]: cells[1:]
        for cells in (
            re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row)
            for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)
        )
    }
    # Columns: open, in progress, waiting for the customer, resolved, closed, rejected, total.
    assert rows["售后"] == ["0", "1", "1", "0", "0", "0", "2"]
    assert rows["投诉"] == ["2", "0", "0", "1", "1", "0", "4"]
    assert rows["合计"] == ["2", "1", "1", "1", "1", "0", "6"]


async def test_thirty_days_count_the_older_chats_in(
    agent_console: Console, chat: Chat, clock: FakeClock
) -> None:
    await seed_week(chat, clock)

    page = await (await agent_console.get("/console/reports?days=30")).text()

    assert figure(page, "customer-messages") == "9"
    assert figure(page, "faq-rate") == "60.0%"
    assert figure(page, "handover-rate") == "75.0%"
    assert figure(page, "first-response-rate") == "50.0%"
    assert len(bars(charts(page)["每日客户消息"])) == 5
    assert '<a href="/console/reports?days=30" aria-current="page">' in page


async def test_an_empty_period_says_there_is_no_data(agent_console: Console) -> None:
    page = await (await agent_console.get("/console/reports?days=90")).text()

    assert "<svg" not in page
    assert page.count("暂无数据") == 4  # three charts and the ticket table
    assert figure(page, "customer-messages") == "0"
    assert figure(page, "faq-rate") == "—"


@pytest.mark.parametrize("days", ["8", "0", "-7", "7天", "abc", "٣٠"])
async def test_a_period_other_than_7_30_or_90_days_is_refused(
    agent_console: Console, days: str
) -> None:
    response = await agent_console.get("/console/reports", params={"days": days})

    assert response.status == 400
    assert "统计天数只能是 7、30、90 天" in await response.text()


async def test_a_category_stored_by_someone_else_is_shown_as_text(
    agent_console: Console, chat: Chat, clock: FakeClock
) -> None:
    await chat.ask("你好")
    await add_ticket(chat, "T1", "complaint", "open", clock.now(), HOUR, None, "<b>x</b>")

    page = await (await agent_console.get("/console/reports")).text()

    assert "<b>x</b>" not in page
    assert "&lt;b&gt;x&lt;/b&gt;：1" in charts(page)["投诉分类"]


def test_charts_escape_their_labels_and_draw_only_bars_with_a_value() -> None:
    days = column_chart([Bar("<i>", 0), Bar("a&b", 3, 'say "hi"')], "<script>")
    rows = row_chart([Bar("x", 2), Bar("y", 0)], "t")

    assert "<script>" not in days and "<i>" not in days
    assert 'aria-label="&lt;script&gt;"' in days
    assert "a&amp;b" in days
    assert bars(days) == ["say &#34;hi&#34;"]
    assert bars(rows) == ["x：2"]
    assert str(column_chart([Bar("x", 0)], "t")) == str(row_chart([], "t"))
    assert "暂无数据" in str(row_chart([], "t"))


# --- 满意度回访 ------------------------------------------------------------------------------


def table_rows(page: str, css_class: str) -> dict[str, list[str]]:
    """A table's body rows by their first cell; each cell's text, without tags."""
    table = page.split(f'<table class="{css_class}">')[1].split("</table>")[0]
    found = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        cells = [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<td>(.*?)</td>", row, re.S)
        ]
        if cells:  # the heading row has <th> cells only
            found[cells[0]] = cells[1:]
    return found


async def test_an_agent_reads_how_the_satisfaction_visits_went(
    agent_console: Console, services: Services, clock: FakeClock
) -> None:
    await seed_visits(services, clock)

    response = await agent_console.get("/console/reports?days=30")

    assert response.status == 200
    page = await response.text()
    assert figure(page, "visits-sent") == "7"
    assert figure(page, "visit-answer-rate") == "71.4%"
    assert figure(page, "visit-average") == "3.4"
    assert figure(page, "visits-expired") == "1"
    assert figure(page, "visits-not-sent") == "2"
    assert bars(charts(page)["评分分布"]) == [
        "1 分：1 条（20.0%）",
        "2 分：1 条（20.0%）",
        "4 分：1 条（20.0%）",
        "5 分：2 条（40.0%）",
    ]
    assert table_rows(page, "visit-ratings")["3 分"] == ["0", "0.0%"]
    subjects = table_rows(page, "visits-by-subject")
    assert subjects["订单签收"] == ["2", "2", "100.0%", "4.5"]
    assert subjects["售后"] == ["3", "2", "66.7%", "3.0"]
    assert subjects["回电"] == ["1", "0", "0.0%", "—"]
    assert subjects["回访跟进"] == ["0", "0", "—", "—"]
    assert table_rows(page, "visits-by-agent") == {
        "小周": ["2", "2", "100.0%", "1.5"],
        "老李": ["2", "1", "50.0%", "5.0"],
        "—": ["1", "0", "0.0%", "—"],
    }
    assert table_rows(page, "visits-not-sent") == {
        "已跳过": ["7 天内已回访过该客户", "1"],
        "无法送达": ["wechat_mp 渠道：已超出可主动发消息的时限", "1"],
    }


async def test_low_scores_link_to_their_follow_up_tickets(
    agent_console: Console, services: Services, clock: FakeClock
) -> None:
    await seed_visits(services, clock)

    page = await (await agent_console.get("/console/reports?days=30")).text()

    low = page.split('<table class="low-scores">')[1].split("</table>")[0]
    assert re.findall(r'<a href="(/console/tickets/FU[^"]+)">', low) == [
        "/console/tickets/FU20270101-0002",
        "/console/tickets/FU20270101-0001",
    ]
    assert table_rows(page, "low-scores")["FU20270101-0002"] == [
        "待处理",
        "2",
        "客服态度一般\n等了很久",
        "工单 CP20270101-0001",
        "01-01 10:40",
    ]
    ticket = await agent_console.get("/console/tickets/FU20270101-0002")
    assert ticket.status == 200


async def test_ninety_days_count_the_older_visit_in(
    agent_console: Console, services: Services, clock: FakeClock
) -> None:
    await seed_visits(services, clock)

    page = await (await agent_console.get("/console/reports?days=90")).text()

    assert figure(page, "visits-sent") == "8"
    assert table_rows(page, "visit-ratings")["1 分"] == ["2", "33.3%"]
    assert table_rows(page, "low-scores")["FU20261129-0001"][3] == "订单 KF20261115002"


async def test_a_period_without_visits_says_so(agent_console: Console) -> None:
    page = await (await agent_console.get("/console/reports?days=7")).text()

    assert figure(page, "visits-sent") == "0"
    assert figure(page, "visit-answer-rate") == "—"
    assert figure(page, "visit-average") == "—"
    assert "近 7 天没有发出回访。" in page
    assert "评分分布" not in page
