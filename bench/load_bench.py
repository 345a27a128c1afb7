"""Throughput and latency of kefu's web chat over HTTP, with many customers at once.

Starts real `python -m bot run` servers on a fresh database per run (SQLite: one process;
PostgreSQL: two processes on one database, customers spread over them round-robin as a load
balancer would) and drives `POST /api/chat` with N concurrent customers, each holding a
realistic conversation (order lookup with verification, FAQ questions, a return) and waiting
for each reply before the next message. Each sends messages // N from the conversation's start,
so at large N the mix is mostly greetings and order questions. For comparison, the same client
drives a bare aiohttp JSON echo server (as many processes as kefu runs): the ceiling of this
machine and client. After each run the database is read directly: every message answered 200
must be stored exactly once, with its replies.

    .venv/bin/python bench/load_bench.py [--messages 2000] [--customers 10,100,1000]
        [--setups sqlite,postgres] [--port-base 18700]
"""

import argparse
import asyncio
import math
import os
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
import asyncpg
from aiohttp import web
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from knowledge import ReplyTexts
from knowledge.replies import DEFAULT_REPLIES
from tests.postgres_server import PostgresServer

ROOT = Path(__file__).resolve().parent.parent

# Demo orders (storage/demo.py) with the last four digits of their phone, which verify.
ORDERS = (
    ("KF20261120001", "8000"),
    ("KF20261115002", "8000"),
    ("KF20261125003", "5678"),
    ("KF20261126004", "1111"),
    ("KF20261101005", "5678"),
)
# One customer's messages; the return goes all the way to a ticket for the delivered order.
CONVERSATION = (
    "你好",
    "我的订单到哪了",
    "{order}",
    "{digits}",
    "它什么时候到",
    "付款后多久发货",
    "可以开发票吗",
    "我要退货",
    "是",
    "1",
    "2",
    "不喜欢这个味道",
    "确认",
    "退货运费谁出",
    "今天天气怎么样",
    "谢谢",
)
PYTHON = sys.executable
READY_TIMEOUT = 90.0  # seconds for a server to migrate, load the demo and answer /healthz
STOP_TIMEOUT = 15.0
REQUEST_TIMEOUT = 300.0  # generous: at N=1000 a request may queue for a long time
# The last line of a traceback in a server log: the exception and its message.
EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception)\b")
INTERNAL_ERROR = ReplyTexts.from_file(DEFAULT_REPLIES).render("internal_error")


@dataclass
class Result:
    """What the client saw in one run."""

    elapsed: float = 0.0
    sent: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    answered: dict[str, int] = field(default_factory=dict)  # message id -> number of replies
    refused: list[str] = field(default_factory=list)  # ids answered 503 ("not stored")
    internal_errors: int = 0  # 200s whose reply is the "something went wrong" text

    @property
    def rate(self) -> float:
        """Messages answered 200 per second."""
        return len(self.answered) / self.elapsed if self.elapsed else 0.0

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile of the latencies, in milliseconds."""
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(p * len(ordered)) - 1)] * 1000 if ordered else math.nan


async def customer(
    session: aiohttp.ClientSession,
    url: str,
    user: str,
    order: tuple[str, str],
    count: int,
    result: Result,
) -> None:
    """Send `count` messages of the conversation one after another, each after its reply."""
    order_no, digits = order
    for n in range(count):
        message = CONVERSATION[n % len(CONVERSATION)].format(order=order_no, digits=digits)
        message_id = f"{user}-{n}"
        result.sent += 1
        started = time.perf_counter()
        try:
            async with session.post(
                url, json={"user": user, "text": message, "id": message_id}
            ) as response:
                body = await response.json(content_type=None)
                status = response.status
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            result.errors[type(error).__name__] += 1
            continue
        result.latencies.append(time.perf_counter() - started)
        if status != 200:
            result.errors[f"HTTP {status}"] += 1
            if status == 503:
                result.refused.append(message_id)
            continue
        replies = body.get("replies", [])
        result.answered[message_id] = len(replies)
        result.internal_errors += any(r.get("text") == INTERNAL_ERROR for r in replies)


async def drive(ports: Sequence[int], customers: int, per_customer: int, tag: str) -> Result:
    """N customers at once, spread over the ports round-robin; their messages timed."""
    result = Result()
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        urls = [f"http://127.0.0.1:{port}/api/chat" for port in ports]
        started = time.perf_counter()
        await asyncio.gather(
            *(
                customer(
                    session,
                    urls[i % len(urls)],
                    f"{tag}-{i}",
                    ORDERS[i % len(ORDERS)],
                    per_customer,
                    result,
                )
                for i in range(customers)
            )
        )
        result.elapsed = time.perf_counter() - started
    return result


async def wait_ready(process: asyncio.subprocess.Process, port: int, log: Path) -> None:
    """Poll /healthz until 200; fail with the log's tail if the process dies or stalls."""
    deadline = time.monotonic() + READY_TIMEOUT
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if process.returncode is not None:
                break
            try:
                async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass  # not listening yet
            await asyncio.sleep(0.2)
    tail = log.read_text(errors="replace")[-2000:]
    raise RuntimeError(f"server on port {port} did not get ready:\n{tail}")


async def stop(process: asyncio.subprocess.Process) -> None:
    """SIGTERM (kefu shuts down cleanly on it), then SIGKILL if it hangs."""
    if process.returncode is not None:
        return
    process.terminate()
    try:
        await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
    except TimeoutError:
        process.kill()
        await process.wait()


@asynccontextmanager
async def servers(
    commands: Sequence[list[str]], ports: Sequence[int], env: dict[str, str], logs: Path
) -> AsyncIterator[None]:
    """Start the servers one at a time (the first migrates), each ready before the next."""
    processes: list[asyncio.subprocess.Process] = []
    try:
        for command, port in zip(commands, ports, strict=True):
            log = logs / f"server-{port}.log"
            with log.open("wb") as out:
                process = await asyncio.create_subprocess_exec(
                    *command, cwd=ROOT, env=env, stdout=out, stderr=asyncio.subprocess.STDOUT
                )
            processes.append(process)
            await wait_ready(process, port, log)
        yield
    finally:
        await asyncio.gather(*(stop(p) for p in processes))


# Each incoming web chat message with its external id and how many replies it has.
INCOMING = text(
    "SELECT m.external_id, (SELECT count(*) FROM messages r WHERE r.reply_to_id = m.id)"
    " FROM messages m JOIN identities i ON i.id = m.identity_id"
    " WHERE i.channel = 'web' AND m.direction = 'in'"
)


async def check_storage(url: str, result: Result) -> str:
    """Every id answered 200 stored once with its replies; ids answered 503 not stored."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            incoming = (await connection.execute(INCOMING)).all()
    finally:
        await engine.dispose()
    rows: dict[str | None, list[int]] = {}  # external id -> reply count of each stored copy
    for external_id, reply_rows in incoming:
        rows.setdefault(external_id, []).append(reply_rows)
    problems = Counter[str]()
    for message_id, reply_count in result.answered.items():
        found = rows.get(message_id, [])
        if len(found) != 1:
            problems[f"stored {len(found)} times"] += 1
        elif reply_count and not found[0]:
            problems["no reply row"] += 1
    problems["answered 503 but stored"] += sum(1 for i in result.refused if i in rows)
    # The assistant's fallback after an internal error keeps a message without its id.
    problems["stored without an id"] += len(rows.get(None, []))
    found_problems = +problems  # the kinds that did happen
    if not found_problems:
        return f"stored exactly once: OK ({len(result.answered)} messages)"
    listed = ", ".join(f"{kind}: {n}" for kind, n in sorted(found_problems.items()))
    return f"stored exactly once: PROBLEMS ({len(result.answered)} messages; {listed})"


def log_errors(logs: Path) -> str:
    """The servers' ERROR lines and tracebacks, with the commonest exceptions in them."""
    errors = tracebacks = 0
    kinds = Counter[str]()
    for log in sorted(logs.glob("server-*.log")):
        for line in log.read_text(errors="replace").splitlines():
            errors += " ERROR " in line
            tracebacks += line.startswith("Traceback")
            if EXCEPTION_LINE.match(line):
                kinds[line.split(" (Background")[0][:140]] += 1
    listed = "".join(f"; {kind} ×{n}" for kind, n in kinds.most_common(3))
    return f"server logs: {errors} ERROR lines, {tracebacks} tracebacks{listed}"


async def new_database(setup: str, pg: PostgresServer | None, folder: Path, run: int) -> str:
    """A fresh database for one run, so the counts afterwards are exact."""
    if setup == "sqlite":
        return f"sqlite+aiosqlite:///{folder / 'kefu.db'}"
    assert pg is not None
    connection = await asyncpg.connect(pg.url.replace("+asyncpg", "") + "/postgres")
    try:
        await connection.execute(f"CREATE DATABASE kefu_load_{run}")
    finally:
        await connection.close()
    return f"{pg.url}/kefu_load_{run}"


def row(setup: str, customers: int, result: Result, echo: Result, storage: str) -> str:
    """One Markdown table row."""
    errors = ", ".join(f"{k} ×{n}" for k, n in sorted(result.errors.items())) or "0"
    if result.internal_errors:
        errors += f" (+{result.internal_errors} 200s saying internal error)"
    ratio = result.rate / echo.rate if echo.rate else math.nan
    return (
        f"| {setup} | {customers} | {result.sent} "
        f"| {result.rate:.0f} | {result.percentile(0.50):.0f} | {result.percentile(0.95):.0f} "
        f"| {result.percentile(0.99):.0f} | {errors} | {echo.rate:.0f} | {ratio:.1%} "
        f"| {storage.removeprefix('stored exactly once: ')} |"
    )


async def one_run(
    setup: str, customers: int, per_customer: int, folder: Path, url: str, base: int
) -> tuple[Result, str, str]:
    """kefu at N customers on a fresh database: the client's figures, the storage check and the
    servers' errors."""
    ports = [base + n for n in range(1 if setup == "sqlite" else 2)]
    env = {
        **os.environ,
        "KEFU_DATABASE_URL": url,
        "KEFU_DATA_DIR": str(folder),
        "KEFU_DEMO": "1",
        "KEFU_HOST": "127.0.0.1",
        # Customers wait for each reply; the limit would only blur the figures.
        "KEFU_RATE_LIMIT_MESSAGES": "1000000",
    }
    commands = [[PYTHON, "-m", "bot", "run", "--port", str(port)] for port in ports]
    async with servers(commands, ports, env, folder):
        result = await drive(ports, customers, per_customer, folder.name)
    return result, await check_storage(url, result), log_errors(folder)


async def bench(messages: int, customer_counts: list[int], setups: list[str], base: int) -> None:
    """Every setup at every N, each next to the echo ceiling; a table at the end."""
    folder = Path(tempfile.mkdtemp(prefix="kefu-load-bench-"))
    pg = PostgresServer() if "postgres" in setups else None
    runs = [(setup, n) for setup in setups for n in customer_counts]
    table: list[str] = []
    echo_ports = [base + 10, base + 11]
    echo_commands = [
        [PYTHON, str(Path(__file__).resolve()), "--serve-echo", str(port)] for port in echo_ports
    ]
    try:
        if pg is not None:
            pg.start()
        async with servers(echo_commands, echo_ports, dict(os.environ), folder):
            for run, (setup, customers) in enumerate(runs, 1):
                run_folder = folder / f"run{run}"
                run_folder.mkdir()
                url = await new_database(setup, pg, run_folder, run)
                per_customer = messages // customers
                result, storage, logged = await one_run(
                    setup, customers, per_customer, run_folder, url, base
                )
                # The same client shape against as many echo processes as kefu ran.
                echo_at = echo_ports[: 1 if setup == "sqlite" else 2]
                echo = await drive(echo_at, customers, per_customer, "echo")
                print(f"{setup} N={customers}: {storage}\n  {logged}", flush=True)
                table.append(row(setup, customers, result, echo, storage))
    finally:
        if pg is not None:
            pg.remove()
        shutil.rmtree(folder, ignore_errors=True)
    print()
    print(
        "| setup | customers | messages | msg/s | p50 ms | p95 ms | p99 ms | errors "
        "| echo msg/s | kefu/echo | stored once |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---|")
    print("\n".join(table))


def serve_echo(port: int) -> None:
    """The ceiling: an aiohttp server that answers every POST with the JSON it got."""

    async def echo(request: web.Request) -> web.Response:
        return web.json_response(await request.json())

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_post("/api/chat", echo)
    app.router.add_get("/healthz", healthz)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--customers", default="10,100,1000", help="comma list of N")
    parser.add_argument("--setups", default="sqlite,postgres", help="sqlite and/or postgres")
    parser.add_argument("--port-base", type=int, default=18700)
    parser.add_argument("--serve-echo", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_echo:
        serve_echo(args.serve_echo)
        return
    setups = [s.strip() for s in args.setups.split(",") if s.strip()]
    if unknown := set(setups) - {"sqlite", "postgres"}:
        parser.error(f"unknown setups: {', '.join(sorted(unknown))}")
    customers = [int(n) for n in args.customers.split(",")]
    if any(n < 1 or n > args.messages for n in customers):
        parser.error("every customer count must be from 1 to --messages")
    asyncio.run(bench(args.messages, customers, setups, args.port_base))


if __name__ == "__main__":
    main()
