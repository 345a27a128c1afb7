"""Weak console passwords are refused wherever a password is chosen: too short, common, the
account's own name or the shop's name."""

import asyncio
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.desk.password_policy import COMMON_PASSWORDS, Weakness, common_passwords, password_weakness


@pytest.mark.parametrize(
    ("password", "weakness"),
    [
        ("short1!", Weakness.TOO_SHORT),
        ("x" * 129, Weakness.TOO_LONG),
        ("1234567890", Weakness.COMMON),
        ("QwertyUIOP", Weakness.COMMON),
        ("Ｐａｓｓｗｏｒｄ１２３", Weakness.COMMON),  # full-width is the same password
        ("woaini1314", Weakness.COMMON),
        ("ababababab", Weakness.COMMON),
        ("xiaowang2024", Weakness.NAME),
        ("XiaoWang!!!!", Weakness.NAME),
        ("HappyShop888", Weakness.NAME),
        ("blue tea kettle 9", None),
        ("xiaowang likes green tea", None),
    ],
)
def test_a_password_is_judged(password: str, weakness: Weakness | None) -> None:
    assert password_weakness(password, ("xiaowang", "happyshop")) == weakness


def test_the_shipped_list_has_a_few_hundred_common_passwords() -> None:
    listed = common_passwords()
    assert len(listed) >= 300
    assert {"123456", "password", "qwertyuiop", "1q2w3e4r5t"} <= listed
    assert COMMON_PASSWORDS.is_file()


async def add_staff(folder: Path, name: str, password: str) -> tuple[int, str]:
    password_file = folder / "password.txt"
    password_file.write_text(password + "\n", encoding="utf-8")
    argv = ["staff", "add", name, "--password-file", str(password_file)]
    return await asyncio.to_thread(main, argv), password


@pytest.mark.parametrize(
    ("password", "error"),
    [
        ("abc12345", "at least 10 characters"),
        ("password123", "too common"),
        ("xiaowang2026", "the account's name or the shop's name"),
        ("LuckyCat!!!", "the account's name or the shop's name"),
    ],
)
async def test_the_command_line_refuses_a_weak_password(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    password: str,
    error: str,
) -> None:
    monkeypatch.setenv("KEFU_DATABASE_URL", database_url)
    monkeypatch.setenv("KEFU_SHOP_NAME", "Lucky Cat")
    code, _ = await add_staff(tmp_path, "xiaowang", password)
    assert code == 1
    assert error in capsys.readouterr().err
    code, _ = await add_staff(tmp_path, "xiaowang", "green tea at noon 7")
    assert code == 0
