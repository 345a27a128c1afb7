"""Settings from KEFU_… environment variables: the documented defaults and overrides."""

from datetime import time
from pathlib import Path

import pytest

from bot.cli.main import main
from core.settings import Settings


def test_defaults_match_the_documented_ones() -> None:
    settings = Settings.from_env({})

    assert settings.host == "127.0.0.1"
    assert settings.port == 8080
    assert settings.database_url == "sqlite+aiosqlite:///data/kefu.db"
    assert settings.demo is False  # a shop's own server starts without the demo shop
    assert settings.max_message_chars == 4000
    assert settings.verify_max_attempts == 3
    assert settings.verify_lock_minutes == 30
    assert settings.zone.key == "Asia/Shanghai"


def test_environment_variables_override_the_defaults() -> None:
    settings = Settings.from_env(
        {
            "KEFU_HOST": "0.0.0.0",
            "KEFU_PORT": "9090",
            "KEFU_DATABASE_URL": "sqlite+aiosqlite:////srv/shop/kefu.db",
            "KEFU_FAQ_FILE": "/srv/shop/faq.yaml",
        }
    )

    assert settings.host == "0.0.0.0"
    assert settings.port == 9090
    assert settings.database_url == "sqlite+aiosqlite:////srv/shop/kefu.db"
    assert settings.faq_file == Path("/srv/shop/faq.yaml")


@pytest.mark.parametrize(
    ("raw", "demo"),
    [("0", False), ("false", False), ("no", False), ("OFF", False), ("1", True), ("yes", True)],
)
def test_demo_can_be_switched_on_and_off(raw: str, demo: bool) -> None:
    assert Settings.from_env({"KEFU_DEMO": raw}).demo is demo


def test_an_empty_variable_keeps_the_default() -> None:
    assert Settings.from_env({"KEFU_PORT": "", "KEFU_DEMO": ""}) == Settings()


def test_other_environment_variables_are_ignored() -> None:
    assert Settings.from_env({"PORT": "1", "HOST": "example.com", "kefu_port": "1"}) == Settings()


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("KEFU_PORT", "eighty"),
        ("KEFU_PORT", "80.5"),
        ("KEFU_VERIFY_MAX_ATTEMPTS", "three"),
        ("KEFU_DEMO", "maybe"),
        ("KEFU_FAQ_ANSWER_CONFIDENCE", "high"),
    ],
)
def test_a_value_that_cannot_be_read_is_a_value_error_naming_the_variable(
    name: str, raw: str
) -> None:
    with pytest.raises(ValueError, match=name) as error:
        Settings.from_env({name: raw})
    assert raw in str(error.value)


def test_an_unknown_time_zone_is_a_value_error_naming_the_variable() -> None:
    with pytest.raises(ValueError, match="KEFU_TIMEZONE"):
        Settings.from_env({"KEFU_TIMEZONE": "Mars/Olympus_Mons"})


def test_a_time_zone_that_is_not_a_zone_name_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        Settings.from_env({"KEFU_TIMEZONE": "../../etc/passwd"})


def test_another_time_zone_is_used() -> None:
    assert Settings.from_env({"KEFU_TIMEZONE": "Europe/Berlin"}).zone.key == "Europe/Berlin"


@pytest.mark.parametrize(
    ("name", "raw"),
    [("KEFU_PORT", "eighty"), ("KEFU_TIMEZONE", "Mars/Olympus_Mons")],
)
def test_the_command_line_reports_a_bad_setting_as_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    raw: str,
) -> None:
    monkeypatch.setenv("KEFU_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'kefu.db'}")
    monkeypatch.setenv(name, raw)
    orders = tmp_path / "orders.jsonl"
    orders.write_text("", encoding="utf-8")

    assert main(["import", "orders", str(orders)]) == 2

    err = capsys.readouterr().err
    assert "configuration error" in err
    assert name in err
    assert not (tmp_path / "kefu.db").exists(), "nothing is started with a bad setting"


@pytest.mark.parametrize("value", ["-1", "nan", "inf", "100000"])
def test_a_promised_time_that_cannot_be_meant_stops_the_start(value: str) -> None:
    with pytest.raises(ValueError, match="KEFU_COMPLAINT_FIRST_RESPONSE_HOURS"):
        Settings.from_env({"KEFU_COMPLAINT_FIRST_RESPONSE_HOURS": value})


def test_the_scheduler_defaults_are_the_documented_ones() -> None:
    settings = Settings.from_env({})

    assert settings.quiet_window == (time(21), time(9))
    assert (settings.visit_after_delivery_days, settings.visit_after_ticket_days) == (3, 1)
    assert (settings.visit_every_days, settings.visit_expire_hours) == (7, 48)
    assert settings.scheduler_tick_seconds == 30


def test_empty_quiet_hours_mean_none() -> None:
    assert Settings.from_env({"KEFU_QUIET_HOURS": ""}).quiet_window is None
    assert Settings.from_env({"KEFU_QUIET_HOURS": "22:30-07:00"}).quiet_window == (
        time(22, 30),
        time(7),
    )


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("KEFU_QUIET_HOURS", "night"),
        ("KEFU_QUIET_HOURS", "21:00"),
        ("KEFU_VISIT_AFTER_DELIVERY_DAYS", "-1"),
        ("KEFU_VISIT_EVERY_DAYS", "inf"),
        ("KEFU_SCHEDULER_TICK_SECONDS", "0"),
        ("KEFU_SCHEDULER_TICK_SECONDS", "nan"),
    ],
)
def test_a_scheduler_setting_that_cannot_be_meant_stops_the_start(name: str, raw: str) -> None:
    with pytest.raises(ValueError, match=name):
        Settings.from_env({name: raw})
