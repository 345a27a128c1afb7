"""`python -m bot run` as a shop starts it: a real process, a real port, a database file."""

import asyncio
import os
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def wait_until_healthy(url: str, process: asyncio.subprocess.Process) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(300):
            if process.returncode is not None:
                raise AssertionError("the server exited during start-up")
            try:
                async with session.get(url) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.05)  # polling a real process; not timing the product
    raise AssertionError("the server did not become healthy")


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[str]:
    port = free_port()
    env = {**os.environ, "KEFU_PORT": str(port), "PYTHONPATH": str(ROOT)}
    env.pop("KEFU_DATABASE_URL", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        await wait_until_healthy(f"{base}/healthz", process)
        yield base
    finally:
        if process.returncode is None:
            process.terminate()
        await process.wait()


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
