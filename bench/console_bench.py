"""How fast the staff console's busiest pages are with many conversations.

Fills a SQLite file database with N customer chats (a third of them waiting in the queue, a
few held by the agent), then times the dashboard, its live fragment and the ticket list as a
signed-in agent sees them, and, for comparison in the same run, one customer message.

    .venv/bin/python bench/console_bench.py [--conversations 500] [--rounds 20]
"""

import argparse
import asyncio
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app, start_services
from bot.desk.handover import take_over
from bot.desk.staff_accounts import create_staff
from bot.services import Services
from core.clock import SystemClock
from core.messages import Incoming
from core.settings import Settings

PASSWORD = "bench password"
PAGES = ("/console/", "/console/api/conversations", "/console/tickets")


async def fill(services: Services, conversations: int) -> None:
    """Chats: every third asks for a person, every fifth complains (a ticket)."""
    clock = services.clock
    for n in range(conversations):
        user = f"customer{n}"
        for text in ("你好", "付款后多久发货"):
            await services.assistant.handle(Incoming("web", user, text, clock.now()))
        if n % 3 == 0:
            await services.assistant.handle(Incoming("web", user, "转人工", clock.now()))
        if n % 5 == 0:
            await services.assistant.handle(
                Incoming("web", user, "快递太慢了，我要投诉", clock.now())
            )


async def timed(client: TestClient, path: str, rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = await client.get(path)
        await response.read()
        assert response.status == 200, (path, response.status)
        times.append(time.perf_counter() - started)
    return times


async def run(conversations: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{folder}/bench.db",
            data_dir=Path(folder),
            business_hours="00:00-00:00",
            demo=True,
        )
        services = await start_services(settings, SystemClock())
        staff = await create_staff(services.sessions, services.clock, "bench", "agent", PASSWORD)
        started = time.perf_counter()
        await fill(services, conversations)
        print(
            f"conversations       {conversations} (filled in {time.perf_counter() - started:.1f} s)"
        )
        for conversation_id in range(1, 6):
            await take_over(
                services.sessions,
                services.clock,
                services.assistant.texts,
                conversation_id,
                staff.id,
            )
        async with TestClient(TestServer(create_app(services))) as client:
            page = await (await client.get("/console/login")).text()
            token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
            form = {"name": "bench", "password": PASSWORD, "csrf_token": token}
            await client.post("/console/login", data=form)
            for path in PAGES:
                times = await timed(client, path, rounds)
                size = len(await (await client.get(path)).read())
                print(
                    f"{path:<28}p50 {statistics.median(times) * 1000:6.1f} ms   "
                    f"max {max(times) * 1000:6.1f} ms   {size // 1024} KB"
                )
            times = []
            for n in range(rounds):
                started = time.perf_counter()
                incoming = Incoming("web", f"timing{n}", "可以开发票吗", services.clock.now())
                await services.assistant.handle(incoming)
                times.append(time.perf_counter() - started)
            print(f"{'one customer message':<28}p50 {statistics.median(times) * 1000:6.1f} ms")
        await services.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(run(args.conversations, args.rounds))


if __name__ == "__main__":
    main()
