"""Throughput and latency of `Assistant.handle` on a SQLite file database.

Sends N messages from M customers (realistic mix: greetings, FAQ questions, order lookups with
verification, parcel follow-ups, unknown questions), customers concurrently, each customer's
messages in order. Prints messages per second and p50/p99 latency.

    .venv/bin/python bench/pipeline_bench.py [--messages 2000] [--customers 20]
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import start_services
from bot.pipeline.assistant import Assistant
from core.clock import Clock, SystemClock
from core.messages import Incoming
from core.settings import Settings

CONVERSATION = (
    "你好",
    "付款后多久发货",
    "我的订单到哪了",
    "KF20261120001",
    "8000",
    "它什么时候到",
    "可以开发票吗",
    "退货运费谁出",
    "今天天气怎么样",
    "谢谢",
)


async def customer(
    assistant: Assistant, clock: Clock, user: str, count: int, latencies: list[float]
) -> None:
    for n in range(count):
        text = CONVERSATION[n % len(CONVERSATION)]
        started = time.perf_counter()
        await assistant.handle(Incoming("bench", user, text, clock.now(), f"{user}-{n}"))
        latencies.append(time.perf_counter() - started)


async def run(messages: int, customers: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(database_url=f"sqlite+aiosqlite:///{folder}/bench.db", demo=True)
        clock = SystemClock()
        services = await start_services(settings, clock)
        latencies: list[float] = []
        per_customer = messages // customers
        started = time.perf_counter()
        await asyncio.gather(
            *(
                customer(services.assistant, clock, f"c{i}", per_customer, latencies)
                for i in range(customers)
            )
        )
        elapsed = time.perf_counter() - started
        await services.close()
    latencies.sort()
    total = len(latencies)
    print(f"messages            {total}")
    print(f"customers           {customers}")
    print(f"elapsed             {elapsed:.2f} s")
    print(f"messages/second     {total / elapsed:.0f}")
    print(f"latency p50         {statistics.median(latencies) * 1000:.1f} ms")
    print(f"latency p99         {latencies[int(total * 0.99) - 1] * 1000:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--customers", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(run(args.messages, args.customers))


if __name__ == "__main__":
    main()
