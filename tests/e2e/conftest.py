"""End-to-end fixtures: kefu as a real process on a free port, and headless Chromium."""

import asyncio
import os
import shutil
import socket
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
from playwright.async_api import Browser, async_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The demo shop's orders and customers: a server asks for them, as `make run` does.
DEMO_SHOP = {"KEFU_DEMO": "1"}
# How long a server has to stop after SIGTERM before it is killed.
STOP_SECONDS = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def kefu_environment(extra: Mapping[str, str] = {}) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **extra}
    env.pop("KEFU_DATABASE_URL", None)
    return env


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


@asynccontextmanager
async def running_kefu(
    folder: Path, extra_env: Mapping[str, str] = {}, output: Path | None = None
) -> AsyncIterator[str]:
    """`python -m bot run` in `folder` on a free port; its base URL while it runs. What it
    prints and logs goes to `output` when given."""
    port = free_port()
    with open(output or os.devnull, "wb") as printed:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=folder,
            env=kefu_environment({"KEFU_PORT": str(port), **extra_env}),
            stdout=printed,
            stderr=printed,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            await wait_until_healthy(f"{base}/healthz", process)
            yield base
        finally:
            if process.returncode is None:
                process.terminate()
            try:
                await asyncio.wait_for(process.wait(), STOP_SECONDS)
            except TimeoutError:
                # A server stuck on its way down must not hold up the whole suite.
                process.kill()
                await process.wait()


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[str]:
    async with running_kefu(tmp_path, DEMO_SHOP) as base:
        yield base


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    assert executable, "Chromium is installed by `make test`; run it through make"
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        await browser.close()
