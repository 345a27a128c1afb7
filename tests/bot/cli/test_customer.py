"""`python -m bot customers show PHONE|ID`: a customer's profile printed for staff."""

import argparse
import asyncio
from pathlib import Path

import pytest

from bot.app import start_services
from bot.cli.customer import add_customer_commands, customers_show
from bot.cli.main import main
from bot.services import Services
from core.settings import Settings
from tests.support.chat import Chat
from tests.support.clock import FakeClock
from tests.support.followups import FollowUpDesk


def arguments(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot")
    add_customer_commands(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(["customers", "show", *argv])


async def verified(chat: Chat) -> None:
    await chat.ask("KF20261120001")
    assert "验证成功" in await chat.ask("8000")


async def test_the_profile_is_printed_with_times_in_the_shops_zone(
    services: Services,
    settings: Settings,
    clock: FakeClock,
    chat: Chat,
    followups: FollowUpDesk,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await verified(chat)  # at 11:00 in Shanghai, 03:00 UTC
    await followups.schedule(chat, "order:visit")
    await followups.send()
    await chat.ask("4")
    clock.advance(hours=1)
    await chat.ask("我要投诉")
    await chat.ask("快递丢件了也没人管")
    capsys.readouterr()

    assert await customers_show(settings, clock, arguments("+86 138-0013-8000")) == 0

    printed = capsys.readouterr()
    assert printed.err == ""
    lines = printed.out.splitlines()
    assert lines[:8] == [
        "customer:       #1 张三  138****8000",
        "group:          回头客 (repeat)",
        "orders:         2 placed, 2 bought, ¥415.00 spent in all",
        "last 12 months: ¥415.00 spent",
        "open tickets:   1",
        "satisfaction:   4.0 average of 1 rating (newest first: 4)",
        "first contact:  2026-11-20 09:00",
        "last contact:   2026-11-29 12:00",
    ]
    assert lines[8:14] == [
        "chats:",
        "  web  alice  since 2026-11-29 11:00",
        "recent orders:",
        "  KF20261120001  2026-11-26 09:00  shipped    ¥118.00",
        "  KF20261115002  2026-11-20 09:00  delivered  ¥297.00",
        "recent tickets:",
    ]
    [ticket] = lines[14:]
    assert ticket.startswith("  CP20261129-") and ticket.endswith(
        "  2026-11-29 12:00  complaint  open  logistics"
    )
    assert "13800138000" not in printed.out  # the phone number stays masked


async def test_a_customer_id_shows_the_same_customer(
    services: Services, settings: Settings, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await customers_show(settings, clock, arguments("13912345678")) == 0
    by_phone = capsys.readouterr().out
    customer_id = by_phone.split()[1].removeprefix("#")

    assert await customers_show(settings, clock, arguments(customer_id)) == 0

    assert capsys.readouterr().out == by_phone
    assert "李四" in by_phone and "chats: none verified" in by_phone
    assert "last contact:   -" in by_phone
    # 李四's refunded order is listed but bought nothing.
    assert "orders:         2 placed, 1 bought, ¥89.00 spent in all" in by_phone


@pytest.mark.parametrize("reference", ["13800000000", "999", "not-a-customer"])
async def test_an_unknown_customer_is_an_error_on_stderr(
    services: Services,
    settings: Settings,
    clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
    reference: str,
) -> None:
    assert await customers_show(settings, clock, arguments(reference)) == 1

    printed = capsys.readouterr()
    assert printed.out == ""
    assert printed.err == (
        f"customers show: no customer with the phone number or id {reference!r}\n"
    )


def test_the_command_line_runs_it(
    settings: Settings,
    clock: FakeClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("KEFU_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("KEFU_DATA_DIR", str(tmp_path))

    async def open_the_demo_shop() -> None:
        await (await start_services(settings, clock)).close()

    asyncio.run(open_the_demo_shop())

    assert main(["customers", "show", "138 0013 8000"], clock=clock) == 0
    assert capsys.readouterr().out.startswith("customer:       #1 张三  138****8000\n")
    assert main(["customers", "show", "13000000000"], clock=clock) == 1
    assert "no customer" in capsys.readouterr().err
