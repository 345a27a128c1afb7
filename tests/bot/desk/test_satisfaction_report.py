"""The satisfaction report: visits sent, answered, rated; by subject and agent; low scores."""

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import start_services
from bot.cli.main import main
from bot.desk.satisfaction_report import VisitFigures, satisfaction_report
from bot.services import Services
from core.settings import Settings
from storage.models import TICKET_KINDS
from tests.support.clock import FakeClock
from tests.support.command_line import command_line_settings
from tests.support.visits import delivery_visit, seed_visits, send


async def test_the_report_counts_sent_answered_and_rated_visits(
    services: Services, clock: FakeClock
) -> None:
    await seed_visits(services, clock)

    report = await satisfaction_report(services.sessions, clock, days=30)

    # Sent: alice, bob, carol, dave, hank, frank and erin; olga's is older than 30 days.
    assert report.total == VisitFigures(sent=7, answered=5, expired=1, rating_total=17)
    assert report.total.waiting == 1  # frank's
    assert round(report.total.answers.share or 0, 3) == 0.714
    assert report.total.average == 3.4
    assert report.ratings == {1: 1, 2: 1, 3: 0, 4: 1, 5: 2}
    assert [report.rating_share(rating).share for rating in range(1, 6)] == [
        0.2,
        0.2,
        0.0,
        0.2,
        0.4,
    ]
    assert report.low_score_count == 2
    assert (report.since, report.until) == (clock.now() - timedelta(days=30), clock.now())


async def test_visits_are_counted_by_what_they_asked_about(
    services: Services, clock: FakeClock
) -> None:
    await seed_visits(services, clock)

    report = await satisfaction_report(services.sessions, clock, days=30)

    assert report.by_subject == {
        "delivery": VisitFigures(sent=2, answered=2, rating_total=9),
        "after_sales": VisitFigures(sent=3, answered=2, expired=1, rating_total=6),
        "complaint": VisitFigures(sent=1, answered=1, rating_total=2),
        "callback": VisitFigures(sent=1),
        "followup": VisitFigures(),
    }
    assert report.by_subject["delivery"].average == 4.5
    assert report.by_subject["callback"].average is None
    assert report.by_subject["followup"].answers.share is None


async def test_visits_after_tickets_are_counted_by_who_resolved_them(
    services: Services, clock: FakeClock
) -> None:
    await seed_visits(services, clock)

    report = await satisfaction_report(services.sessions, clock, days=30)

    by_agent = [(agent.name, agent.figures) for agent in report.by_agent]
    assert by_agent == [
        ("小周", VisitFigures(sent=2, answered=2, rating_total=3)),
        ("老李", VisitFigures(sent=2, answered=1, expired=1, rating_total=5)),
        (None, VisitFigures(sent=1)),  # resolved from the command line
    ]
    assert report.by_agent[0].figures.average == 1.5


async def test_low_scores_list_their_follow_up_tickets_newest_first(
    services: Services, clock: FakeClock
) -> None:
    await seed_visits(services, clock)

    report = await satisfaction_report(services.sessions, clock, days=30)

    listed = [
        (low.followup_ticket, low.followup_status, low.rating, low.comment, low.visited_ticket)
        for low in report.low_scores
    ]
    assert listed == [
        ("FU20270101-0002", "open", 2, "客服态度一般\n等了很久", "CP20270101-0001"),
        ("FU20270101-0001", "open", 1, "退款还没到账", "AS20270101-0001"),
    ]
    assert [low.order_no for low in report.low_scores] == [None, None]


async def test_visits_that_did_not_go_are_counted_with_the_reason(
    services: Services, clock: FakeClock
) -> None:
    await seed_visits(services, clock)

    report = await satisfaction_report(services.sessions, clock, days=30)

    assert report.not_sent == {
        ("skipped", "7 天内已回访过该客户"): 1,
        ("undeliverable", "wechat_mp 渠道：已超出可主动发消息的时限"): 1,
    }
    assert (report.not_sent_with("skipped"), report.not_sent_with("undeliverable")) == (1, 1)


async def test_a_visit_sent_31_days_ago_counts_only_in_a_longer_period(
    services: Services, clock: FakeClock
) -> None:
    await seed_visits(services, clock)

    month = await satisfaction_report(services.sessions, clock, days=30)
    quarter = await satisfaction_report(services.sessions, clock, days=90)

    assert month.ratings[1] == 1
    assert (quarter.total.sent, quarter.ratings[1]) == (8, 2)
    assert quarter.by_subject["delivery"].sent == 3
    assert quarter.low_scores[-1].order_no == "KF20261115002"
    assert quarter.low_scores[-1].comment == "太慢了"


async def test_the_period_starts_exactly_n_days_back(services: Services, clock: FakeClock) -> None:
    await delivery_visit(services, "alice", "KF20261115002")
    await send(services)
    clock.advance(days=7)
    on_the_edge = await satisfaction_report(services.sessions, clock, days=7)
    clock.advance(seconds=1)
    past_it = await satisfaction_report(services.sessions, clock, days=7)

    assert (on_the_edge.total.sent, past_it.total.sent) == (1, 0)


async def test_an_empty_period_has_no_shares_and_no_average(
    services: Services, clock: FakeClock
) -> None:
    report = await satisfaction_report(services.sessions, clock, days=7)

    assert report.total == VisitFigures()
    assert (report.total.answers.share, report.total.average) == (None, None)
    assert report.ratings == {1: 0, 2: 0, 3: 0, 4: 0, 5: 0}
    assert report.rating_share(5).share is None
    assert list(report.by_subject) == ["delivery", *TICKET_KINDS]
    assert (report.by_agent, report.not_sent, report.low_scores) == ([], {}, [])


async def test_a_period_of_no_days_is_refused(services: Services, clock: FakeClock) -> None:
    with pytest.raises(ValueError):
        await satisfaction_report(services.sessions, clock, days=0)


# --- python -m bot report satisfaction ---------------------------------------------------------


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    # The seeded visits ask about demo orders.
    return command_line_settings(tmp_path, monkeypatch, demo=True)


def seed_database(settings: Settings, clock: FakeClock) -> None:
    async def run() -> None:
        services = await start_services(settings, clock)
        try:
            await seed_visits(services, clock)
        finally:
            await services.close()

    asyncio.run(run())


def test_cli_prints_the_satisfaction_report(
    cli_env: Settings, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_database(cli_env, clock)
    capsys.readouterr()

    assert main(["report", "satisfaction", "--days", "7"], clock=clock) == 0

    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "satisfaction visits sent from 2026-12-25 11:00 to 2027-01-01 11:00: 7"
    assert "answered:            5 (71.4%)" in lines
    assert "average rating:      3.4 (5 ratings)" in lines
    assert "not sent:            1 skipped, 1 undeliverable (due in the period)" in lines
    assert [line.split() for line in lines[lines.index("rating  answers  share") + 1 :][:5]] == [
        ["1", "1", "20.0%"],
        ["2", "1", "20.0%"],
        ["3", "0", "0.0%"],
        ["4", "1", "20.0%"],
        ["5", "2", "40.0%"],
    ]
    table = {line.split()[0]: line.split()[1:] for line in lines if line.split()[:1]}
    assert table["delivery"] == ["2", "2", "100.0%", "4.5"]
    assert table["after_sales"] == ["3", "2", "66.7%", "3.0"]
    assert table["followup"] == ["0", "0", "-", "-"]
    assert table["小周"] == ["2", "2", "100.0%", "1.5"]
    assert table["老李"] == ["2", "1", "50.0%", "5.0"]
    assert table["-"] == ["1", "0", "0.0%", "-"]
    # Chinese names take two columns each: the figures still line up under their headings.
    agents = next(n for n, line in enumerate(lines) if line.startswith("resolved by"))
    assert len({len(line.encode("gbk")) for line in lines[agents : agents + 4]}) == 1
    assert "low scores (rating 1-2): 2" in lines
    assert table["FU20270101-0002"] == [
        "open",
        "2",
        "ticket",
        "CP20270101-0001",
        "2027-01-01",
        "10:40",
        "客服态度一般",
        "等了很久",
    ]
    tickets = [line.split()[0] for line in lines if line.startswith("FU")]
    assert tickets == ["FU20270101-0002", "FU20270101-0001"]  # the newest answer first


def test_cli_report_on_no_visits(
    cli_env: Settings, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "satisfaction"], clock=clock) == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith(": 0")
    assert "answered:            0 (-)" in lines
    assert "average rating:      - (0 ratings)" in lines
    assert "resolved by: no visits after tickets" in lines
    assert lines[-1] == "low scores (rating 1-2): 0"
