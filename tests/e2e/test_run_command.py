"""`python -m bot run` as a shop starts it: a real process, a real port, a database file."""

import os
import subprocess
from pathlib import Path

import aiohttp

from tests.support.kefu_process import ROOT, running_kefu


async def test_run_serves_chat_on_a_fresh_database(server: str, tmp_path: Path) -> None:
    assert (tmp_path / "data" / "kefu.db").is_file()
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{server}/") as page:
            assert page.status == 200
            assert "在线客服" in await page.text()
        body = {"user": "e2e", "text": "KF20261120001", "id": "1"}
        async with session.post(f"{server}/api/chat", json=body) as response:
            replies = (await response.json())["replies"]
        assert "手机号" in replies[0]["text"]
        async with session.post(
            f"{server}/api/chat", json={"user": "e2e", "text": "8000", "id": "2"}
        ) as response:
            text = (await response.json())["replies"][-1]["text"]
        assert "SF1234567890123" in text
        async with session.get(f"{server}/api/chat/messages?user=e2e&after=0") as response:
            messages = (await response.json())["messages"]
        assert [m["text"] for m in messages][-1] == text


def test_make_run_and_make_chat_ask_for_the_demo_shop() -> None:
    """`python -m bot run` starts a shop without the demo; the README's `make run` has it."""
    env = {name: value for name, value in os.environ.items() if name != "KEFU_DEMO"}
    for target in ("run", "chat"):
        planned = subprocess.run(
            ["make", "--dry-run", target], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert planned.returncode == 0, planned.stderr
        assert f"KEFU_DEMO=1 .venv/bin/python -m bot {target}" in planned.stdout


async def test_the_access_log_of_a_running_server_shows_no_chat_id(tmp_path: Path) -> None:
    chat_id, output = "9c4f1e2d3b4a59687766554433221100", tmp_path / "kefu.log"
    async with running_kefu(tmp_path, output=output) as server, aiohttp.ClientSession() as session:
        body = {"user": chat_id, "text": "你好"}
        async with session.post(f"{server}/api/chat", json=body) as response:
            assert response.status == 200
        url = f"{server}/api/chat/messages?user={chat_id}&after=0"
        async with session.get(url) as response:
            assert response.status == 200

    logged = output.read_text(encoding="utf-8")
    assert '"GET /api/chat/messages?user=***&after=0 HTTP/1.1" 200' in logged
    assert chat_id not in logged
