"""The console's cookie key: only a strong KEFU_SECRET_KEY is accepted, none set means a
random one kept in the data folder, and a cookie made under the old sha256(passphrase)
scheme opens nothing."""

import base64
import hashlib
import json
import secrets
from dataclasses import replace
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from cryptography.fernet import Fernet

from bot.app import create_app
from bot.cli.main import main
from bot.console.secret import KEY_FILE, console_secret
from bot.services import Services
from core.settings import Settings
from storage.models import Staff
from tests.support.console import sign_in

WEAK_KEYS = [
    pytest.param("changeme", id="changeme"),
    pytest.param("correct horse battery staple", id="passphrase"),
    pytest.param("0123456789abcdef" * 4, id="32 bytes of hex, a pattern"),
    pytest.param("a" * 64, id="one letter"),
    pytest.param(secrets.token_urlsafe(16), id="random but 16 bytes"),
]
STRONG_KEYS = {
    "url-safe base64": secrets.token_urlsafe(32),
    "hex": secrets.token_hex(32),
    "standard base64 (openssl rand -base64 32)": base64.b64encode(secrets.token_bytes(32)).decode(),
    "longer": secrets.token_urlsafe(64),
}


def old_scheme_cookie(passphrase: str, admin: Staff) -> str:
    """An admin session cookie as anyone who guessed the passphrase could make it before."""
    fernet = Fernet(base64.urlsafe_b64encode(hashlib.sha256(passphrase.encode()).digest()))
    session = {"staff_id": admin.id, "epoch": admin.session_epoch}
    return fernet.encrypt(json.dumps(session).encode()).decode()


async def opens_the_console(services: Services, cookie: str) -> bool:
    async with TestClient(TestServer(create_app(services))) as client:
        client.session.cookie_jar.update_cookies({"kefu_console": cookie})
        return (await client.get("/console/", allow_redirects=False)).status == 200


@pytest.mark.parametrize("weak", WEAK_KEYS)
def test_a_weak_secret_key_stops_kefu_before_it_starts(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    weak: str,
) -> None:
    monkeypatch.setenv("KEFU_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'kefu.db'}")
    monkeypatch.setenv("KEFU_SECRET_KEY", weak)
    orders = tmp_path / "orders.jsonl"
    orders.write_text("", encoding="utf-8")

    # Every command reads the settings first, `run` as this one (which returns either way).
    assert main(["import", "orders", str(orders)]) == 2

    err = capsys.readouterr().err
    assert "KEFU_SECRET_KEY" in err
    assert "secrets.token_urlsafe(32)" in err, "the message says how to make a good key"
    assert weak not in err, "the refused key is not echoed into logs"
    assert not (tmp_path / "kefu.db").exists()


@pytest.mark.parametrize("weak", WEAK_KEYS)
async def test_a_weak_key_set_in_code_is_refused_too(services: Services, weak: str) -> None:
    services.settings = replace(services.settings, secret_key=weak)
    with pytest.raises(ValueError, match="KEFU_SECRET_KEY"):
        create_app(services)


async def test_an_old_scheme_cookie_from_a_guessed_passphrase_opens_nothing(
    services: Services, admin: Staff
) -> None:
    # The passphrase a shop used to be able to set can no longer be set ...
    weak = replace(services.settings, secret_key="changeme")
    with pytest.raises(ValueError, match="KEFU_SECRET_KEY"):
        create_app(replace(services, settings=weak))
    # ... and the key kefu generates without one does not take the guessed cookie.
    assert not await opens_the_console(services, old_scheme_cookie("changeme", admin))


@pytest.mark.parametrize("key", STRONG_KEYS.values(), ids=STRONG_KEYS.keys())
async def test_a_strong_key_signs_in_and_keeps_sessions_over_a_restart(
    services: Services, admin: Staff, key: str
) -> None:
    services.settings = replace(services.settings, secret_key=key)
    async with TestClient(TestServer(create_app(services))) as client:
        await sign_in(client, admin.name)
        cookie = client.session.cookie_jar.filter_cookies(client.make_url("/console/"))
        kept = cookie["kefu_console"].value
    # Another process (or the next start) with the same key reads the same cookie ...
    assert await opens_the_console(services, kept)
    # ... but the key text is not simply hashed as before: its old-scheme cookie is refused.
    assert not await opens_the_console(services, old_scheme_cookie(key, admin))


def test_the_generated_key_is_private_and_kept(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")

    first = console_secret(settings)

    assert len(first) == 32
    assert (tmp_path / "data" / KEY_FILE).stat().st_mode & 0o077 == 0
    assert console_secret(settings) == first
    assert [path.name for path in (tmp_path / "data").iterdir()] == [KEY_FILE]


def test_a_damaged_key_file_is_named_at_start(tmp_path: Path) -> None:
    (tmp_path / KEY_FILE).write_text("not a key")

    with pytest.raises(ValueError, match=KEY_FILE):
        console_secret(Settings(data_dir=tmp_path))
