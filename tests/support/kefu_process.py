"""kefu as a real process: `python -m bot` on a free port, in a folder of the test's own."""

import asyncio
import os
import socket
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[2]
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


async def add_staff(folder: Path, name: str, role: str, password: str) -> None:
    """`python -m bot staff add` in the shop's folder, before the server starts."""
    password_file = folder / f"{name}.password"
    password_file.write_text(password + "\n", encoding="utf-8")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *("-m", "bot", "staff", "add", name, "--role", role),
        *("--password-file", str(password_file)),
        cwd=folder,
        env=kefu_environment(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await process.communicate()
    assert process.returncode == 0, (stdout + stderr).decode()
