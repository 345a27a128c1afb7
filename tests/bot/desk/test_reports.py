"""The complaints report: by category and severity, first responses in time, time to resolve."""

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import start_services
from bot.cli.main import main
from bot.desk.reports import complaint_report, summarise
from bot.services import Services
from core.settings import Settings
from storage.models import Ticket
from storage.repositories import Repositories
from tests.support.chat import Chat
from tests.support.clock import START, FakeClock


async def add_complaint(
    chat: Chat,
    number: str,
    *,
    created: timedelta = timedelta(0),
    category: str | None,
    severity: str = "normal",
    answer_within: timedelta = timedelta(hours=2),
    answered: timedelta | None = None,
    resolved: timedelta | None = None,
    kind: str = "complaint",
) -> None:
    """A complaint created `created` after START, its times given relative to that."""
    await chat.say("你好")
    opened = START + created
    async with chat.services.sessions() as session, session.begin():
        repos = Repositories.for_session(session)
        identity = await repos.identities.find(chat.channel, chat.user)
        assert identity is not None
        await repos.tickets.add(
            Ticket(
                number=number,
                kind=kind,
                status="open" if resolved is None else "resolved",
                identity_id=identity.id,
                category=category,
                severity=severity,
                first_response_due=opened + answer_within,
                resolution_due=opened + timedelta(hours=24),
                first_response_at=None if answered is None else opened + answered,
                resolved_at=None if resolved is None else opened + resolved,
                created_at=opened,
                updated_at=opened,
            )
        )


async def add_handful(chat: Chat) -> None:
    """Five complaints in the last 30 days, one older, and an after-sales request."""
    hours = timedelta(hours=1)
    await add_complaint(
        chat, "CP20261129-0001", category="logistics", answered=1 * hours, resolved=4 * hours
    )
    await add_complaint(  # answered late
        chat,
        "CP20261129-0002",
        category="logistics",
        severity="urgent",
        answer_within=timedelta(minutes=30),
        answered=1 * hours,
        resolved=10 * hours,
    )
    # Not answered, due two hours after START: missed at the time of the report.
    await add_complaint(chat.as_user("bob"), "CP20261129-0003", category="quality")
    # Not answered, but not due yet when the report is made: not judged either way.
    await add_complaint(chat, "CP20261129-0004", category="service", created=4 * hours)
    # Answered exactly at the deadline: in time. No category: "other".
    await add_complaint(
        chat, "CP20261129-0005", category=None, answered=2 * hours, resolved=6 * hours
    )
    await add_complaint(
        chat, "CP20261029-0001", category="price", created=-timedelta(days=31), resolved=hours
    )
    await add_complaint(
        chat, "AS20261129-0001", category=None, kind="after_sales", answered=5 * hours
    )


async def test_the_report_counts_a_handful_of_complaints(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    await add_handful(chat)
    clock.advance(hours=5)

    report = await complaint_report(services.sessions, clock, days=30)

    assert report.total == 5
    assert report.counts == {
        ("logistics", "normal"): 1,
        ("logistics", "urgent"): 1,
        ("quality", "normal"): 1,
        ("service", "normal"): 1,
        ("other", "normal"): 1,
    }
    assert report.by_category("logistics") == 2
    assert (report.by_severity("normal"), report.by_severity("urgent")) == (4, 1)
    assert (report.answered_in_time, report.answered_late_or_missed) == (2, 2)
    assert report.in_time_share == 0.5
    assert report.median_time_to_resolve == timedelta(hours=6)  # of 4, 6 and 10 hours
    assert report.resolved == 3
    assert (report.since, report.until) == (clock.now() - timedelta(days=30), clock.now())


async def test_a_longer_period_takes_older_complaints_in(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    await add_handful(chat)
    clock.advance(hours=5)

    report = await complaint_report(services.sessions, clock, days=40)

    assert report.total == 6
    assert report.by_category("price") == 1
    assert report.median_time_to_resolve == timedelta(hours=5)  # of 1, 4, 6 and 10 hours


async def test_an_unanswered_complaint_is_missed_only_once_past_its_deadline(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    await add_complaint(chat, "CP20261129-0001", category="quality")

    clock.advance(hours=2)
    on_time = await complaint_report(services.sessions, clock)
    clock.advance(minutes=1)
    late = await complaint_report(services.sessions, clock)

    assert (on_time.judged, on_time.in_time_share) == (0, None)
    assert (late.answered_late_or_missed, late.in_time_share) == (1, 0.0)


def test_an_empty_report_has_no_share_and_no_median() -> None:
    report = summarise([], START - timedelta(days=30), START)

    assert (report.total, report.in_time_share, report.median_time_to_resolve) == (0, None, None)
    assert report.categories() == ["logistics", "quality", "service", "price", "other"]


# --- python -m bot report complaints -----------------------------------------------------------


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("KEFU_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("KEFU_DEMO", "0")
    return Settings.from_env()


def seed_handful(settings: Settings, clock: FakeClock) -> None:
    async def run() -> None:
        services = await start_services(settings, clock)
        try:
            await add_handful(Chat(services, clock))
        finally:
            await services.close()

    asyncio.run(run())


def test_cli_report_prints_the_table_and_the_figures(
    cli_env: Settings, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_handful(cli_env, clock)
    clock.advance(hours=5)
    capsys.readouterr()

    assert main(["report", "complaints"], clock=clock) == 0

    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "complaints from 2026-10-30 16:00 to 2026-11-29 16:00: 5"
    table = {line.split()[0]: line.split()[1:] for line in lines[2:9]}
    assert table == {
        "category": ["normal", "urgent", "total"],
        "logistics": ["1", "1", "2"],
        "quality": ["1", "0", "1"],
        "service": ["1", "0", "1"],
        "price": ["0", "0", "0"],
        "other": ["1", "0", "1"],
        "total": ["4", "1", "5"],
    }
    # Numbers are right-aligned under their headings.
    assert len({len(line) for line in lines[2:9]}) == 1
    assert "first response in time:  50% (2 of 4 answered or past due)" in out
    assert "median time to resolve:  6h 0m (3 resolved)" in out


def test_cli_report_over_more_days(
    cli_env: Settings, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_handful(cli_env, clock)
    clock.advance(hours=5)
    capsys.readouterr()

    assert main(["report", "complaints", "--days", "40"], clock=clock) == 0

    out = capsys.readouterr().out
    assert out.splitlines()[0].endswith(": 6")
    assert "median time to resolve:  5h 0m (4 resolved)" in out


def test_cli_report_on_no_complaints(
    cli_env: Settings, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "complaints"], clock=clock) == 0

    out = capsys.readouterr().out
    assert "first response in time:  - (0 of 0 answered or past due)" in out
    assert "median time to resolve:  - (0 resolved)" in out


@pytest.mark.parametrize("days", ["0", "-3", "a week"])
def test_cli_report_refuses_a_period_that_is_no_number_of_days(
    cli_env: Settings, capsys: pytest.CaptureFixture[str], days: str
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["report", "complaints", "--days", days])

    assert exit_info.value.code == 2
    assert "--days" in capsys.readouterr().err
