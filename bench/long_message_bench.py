"""What a flood of long random messages costs (issue 17): per message, and on the console.

Part one sends messages of 4,000 random CJK characters to `Assistant.handle`, one at a time,
and measures the CPU time of the event loop's thread per message, with matching bounded to
`MATCHED_CHARS` as shipped and, for comparison in the same run, unbounded (the whole message
read; the text cleaned once per message, as now, so the code before this cost more still);
each with characters never seen before (the pinyin cache emptied before every message) and
once they are all known. A message of 40 random characters is the baseline.

Part two stores 500 such questions as unanswered and times their grouping, bounded and (on a
few of them, the rest extrapolated: it grows with the square) unbounded, then the console page
/console/faq/unanswered as an admin opens it, with the longest the event loop was held.

    .venv/bin/python bench/long_message_bench.py [--messages 20] [--questions 500]
"""

import argparse
import asyncio
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app, start_services
from bot.desk import unanswered_questions
from bot.desk.staff_accounts import create_staff
from bot.services import Services
from core.clock import SystemClock
from core.messages import Incoming
from core.settings import Settings
from knowledge import normalize, pinyin
from storage.repositories import Repositories

LENGTH = 4000
PASSWORD = "long message bench 2026"
# Unbounded grouping is timed on this many questions and scaled up to the full count.
UNBOUNDED_SAMPLE = 40


def random_chinese(rng: random.Random, length: int) -> str:
    return "".join(chr(rng.randint(0x4E00, 0x9FFF)) for _ in range(length))


@contextmanager
def unbounded(settings: Settings) -> Iterator[None]:
    """Matching and grouping read whole texts, as before the bound."""
    matched, grouped = normalize.MATCHED_CHARS, unanswered_questions.GROUPED_CHARS
    normalize.MATCHED_CHARS = unanswered_questions.GROUPED_CHARS = settings.max_message_chars
    try:
        yield
    finally:
        normalize.MATCHED_CHARS, unanswered_questions.GROUPED_CHARS = matched, grouped


async def loop_cpu(services: Services, texts: list[str], cold: bool) -> float:
    """Median CPU milliseconds of the event loop's thread per message."""
    spent = []
    for text in texts:
        if cold:
            pinyin._hanzi_syllable.cache_clear()
        user = f"u{random.random()}"
        started = time.thread_time()
        await services.assistant.handle(Incoming("web", user, text, services.clock.now()))
        spent.append(time.thread_time() - started)
    return statistics.median(spent) * 1000


async def per_message(settings: Settings, messages: int) -> None:
    rng = random.Random(17)
    services = await start_services(settings, SystemClock())
    short = [random_chinese(rng, 40) for _ in range(messages)]
    await loop_cpu(services, short, cold=False)  # FAQ and catalogue read
    print(f"loop CPU per message (median of {messages})")
    short = [random_chinese(rng, 40) for _ in range(messages)]  # the same path: not understood
    print(f"  40 chars                            {await loop_cpu(services, short, False):7.1f} ms")
    for label, bound in (("bounded (now)", False), ("unbounded (before)", True)):
        with unbounded(settings) if bound else nullcontext():
            cold = await loop_cpu(
                services, [random_chinese(rng, LENGTH) for _ in range(messages)], True
            )
            warm = await loop_cpu(
                services, [random_chinese(rng, LENGTH) for _ in range(messages)], False
            )
        print(
            f"  {LENGTH} chars, {label:<19} new chars {cold:7.1f} ms   known chars {warm:7.1f} ms"
        )
    await services.close()


async def heartbeat(stop: asyncio.Event) -> float:
    """The longest the event loop was held while this ran, in milliseconds."""
    worst = 0.0
    last = time.perf_counter()
    while not stop.is_set():
        await asyncio.sleep(0.001)
        now = time.perf_counter()
        worst = max(worst, now - last - 0.001)
        last = now
    return worst * 1000


async def unanswered_page(settings: Settings, questions: int) -> None:
    rng = random.Random(18)
    services = await start_services(settings, SystemClock())
    clock = services.clock
    await services.assistant.handle(
        Incoming("web", "flood", random_chinese(rng, LENGTH), clock.now())
    )
    async with services.sessions() as session, session.begin():
        unanswered = Repositories.for_session(session).unanswered
        [first] = await unanswered.recent(clock.now() - timedelta(days=1))
        for _ in range(questions - 1):
            await unanswered.add(first.message_id, random_chinese(rng, LENGTH), 0.0, clock.now())
        rows = await unanswered.recent(clock.now() - timedelta(days=1), questions)
    synonyms = services.assistant.faq.synonyms
    started = time.perf_counter()
    groups = unanswered_questions.group_questions(rows, synonyms)
    bounded = time.perf_counter() - started
    with unbounded(settings):
        started = time.perf_counter()
        unanswered_questions.group_questions(rows[:UNBOUNDED_SAMPLE], synonyms)
        sample = time.perf_counter() - started
    estimate = sample * (questions / UNBOUNDED_SAMPLE) ** 2
    print(f"grouping {questions} unanswered questions of {LENGTH} chars ({len(groups)} groups)")
    print(f"  bounded (now)                       {bounded * 1000:7.0f} ms")
    scale = f"{questions}²/{UNBOUNDED_SAMPLE}²"
    print(
        f"  unbounded (before)                  {estimate:7.0f} s  "
        f"(estimated: {sample:.2f} s for {UNBOUNDED_SAMPLE} questions, times {scale})"
    )

    await create_staff(services.sessions, clock, "bench", "admin", PASSWORD)
    async with TestClient(TestServer(create_app(services))) as client:
        page = await (await client.get("/console/login")).text()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        form = {"name": "bench", "password": PASSWORD, "csrf_token": token}
        await client.post("/console/login", data=form)
        stop = asyncio.Event()
        stalls = asyncio.create_task(heartbeat(stop))
        started = time.perf_counter()
        response = await client.get("/console/faq/unanswered")
        size = len(await response.read())
        elapsed = time.perf_counter() - started
        stop.set()
        assert response.status == 200, response.status
        print(
            f"  /console/faq/unanswered page        {elapsed * 1000:7.0f} ms   "
            f"event loop held at most {await stalls:.0f} ms   {size // 1024} KB"
        )
    await services.close()


async def run(messages: int, questions: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{folder}/bench.db", data_dir=Path(folder), demo=True
        )
        await per_message(settings, messages)
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{folder}/bench.db", data_dir=Path(folder), demo=True
        )
        await unanswered_page(settings, questions)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--questions", type=int, default=500)
    args = parser.parse_args()
    asyncio.run(run(args.messages, args.questions))


if __name__ == "__main__":
    main()
