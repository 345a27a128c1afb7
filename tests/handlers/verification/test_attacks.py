"""Guessing phone digits as an attacker would: many chat ids and spellings of one, many
customers, thousands of guesses. Nobody is verified, the owner is never locked out by someone
else's guesses, and staff hear of it."""

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from bot.services import Services
from core.messages import Incoming
from storage.models import Customer, Identity, Order, StaffNotification
from tests.support.clock import START, FakeClock

ORDER = "KF20261120001"  # 张三, phone ending 8000
ATTACKER = "203.0.113.7"
# One guess: the attacker's n-th, and its text; the answer.
Guess = Callable[[int, str], Awaitable[str]]


@dataclass(frozen=True)
class Target:
    """A customer the attacker knows an order number of (but not the phone)."""

    order_no: str
    last_four: str


async def add_customers(services: Services, count: int, seed: int) -> list[Target]:
    """`count` imported customers, each with a paid order and a random mobile number."""
    rng = random.Random(seed)
    phones = rng.sample(range(10**8), count)
    targets = []
    async with services.sessions() as session, session.begin():
        for n, number in enumerate(phones):
            phone = f"139{number:08d}"
            customer = Customer(name=f"顾客{n}", phone=phone, created_at=START)
            session.add(customer)
            await session.flush()
            order_no = f"KF2026300{n:05d}"
            session.add(
                Order(
                    order_no=order_no,
                    customer_id=customer.id,
                    status="paid",
                    total=Decimal("99.00"),
                    created_at=START - timedelta(days=1),
                )
            )
            targets.append(Target(order_no, phone[-4:]))
    return targets


def wrong_digits(rng: random.Random, right: str) -> str:
    while (digits := f"{rng.randrange(10_000):04d}") == right:
        pass
    return digits


def spellings(base: str) -> list[str]:
    """Ways to write one chat id that must all be the same chat."""
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in base)
    return [base, base.upper(), f"{base} ", f"{base}\u200b", full_width, f"\u202e{base}\u2069"]


async def verified_chats(services: Services) -> int:
    async with services.sessions() as session:
        count = await session.scalar(
            select(func.count()).select_from(Identity).where(Identity.customer_id.is_not(None))
        )
    return count or 0


async def alerts(services: Services) -> list[str]:
    """What staff were told that is about no ticket."""
    async with services.sessions() as session:
        rows = await session.scalars(
            select(StaffNotification.reason).where(StaffNotification.ticket_id.is_(None))
        )
        return list(rows.all())


async def say(services: Services, clock: FakeClock, user: str, text: str, address: str) -> str:
    """A web customer's message from a network address, through the assistant."""
    incoming = Incoming("web", user, text, clock.now(), address=address)
    return "\n".join(reply.text for reply in await services.assistant.handle(incoming))


async def guess_attack(rounds: int, targets: list[Target], guess: Guess) -> list[str]:
    """Rounds over every customer, wrong digits each but the last time, when the attacker
    sends the right ones (as if narrowing them down); the answers, in order."""
    rng = random.Random(4)
    answers = []
    for round_no in range(rounds):
        for n, target in enumerate(targets):
            last = round_no == rounds - 1
            digits = target.last_four if last else wrong_digits(rng, target.last_four)
            answers.append(await guess(n + round_no, f"{target.order_no}，尾号{digits}"))
    return answers


async def test_a_scripted_guessing_attack_through_the_web_api_verifies_nobody(
    client: TestClient, services: Services, clock: FakeClock
) -> None:
    targets = await add_customers(services, 100, seed=17)

    async def guess(n: int, text: str) -> str:
        # A few dozen chat ids, each written in several ways.
        user = spellings(f"att{n % 40}")[n % 6]
        response = await client.post("/api/chat", json={"user": user, "text": text})
        assert response.status == 200
        clock.advance(seconds=1)
        return "\n".join(reply["text"] for reply in (await response.json())["replies"])

    answers = await guess_attack(3, targets, guess)

    assert len(answers) == 300
    assert await verified_chats(services) == 0
    # Only the first few guesses were even compared: the address was stopped then.
    compared = sum("没能核对上" in answer for answer in answers)
    assert compared < services.settings.verify_address_max_failures
    assert all("分钟后再试" in answer for answer in answers[compared + 1 :])
    (alert,) = await alerts(services)
    assert "127.0.0.1" in alert


async def test_guessing_from_a_fresh_chat_and_address_each_time_verifies_nobody(
    services: Services, clock: FakeClock
) -> None:
    targets = await add_customers(services, 75, seed=23)

    async def guess(n: int, text: str) -> str:
        # A botnet: every guess from a new chat id and a new address.
        clock.advance(seconds=1)
        return await say(services, clock, f"bot-{n}-{clock.now():%H%M%S}", text, f"10.0.{n}.1")

    answers = await guess_attack(4, targets, guess)

    assert len(answers) == 300
    assert await verified_chats(services) == 0
    compared = sum("没能核对上" in answer for answer in answers)
    assert compared <= services.settings.verify_global_max_failures
    assert all("验证暂停" in answer for answer in answers[compared:])
    (alert,) = await alerts(services)
    assert "批量猜订单" in alert


async def test_verification_resumes_after_the_pause_and_verified_chats_keep_going(
    services: Services, clock: FakeClock
) -> None:
    assert "验证成功" in await say(services, clock, "zhang", f"{ORDER}，尾号8000", "")
    for n in range(services.settings.verify_global_max_failures):
        await say(services, clock, f"bot-{n}", f"{ORDER}，尾号{1000 + n}", f"10.0.{n}.1")
    paused = await say(services, clock, "newcomer", f"{ORDER}，尾号8000", "198.51.100.20")
    assert "验证暂停" in paused and "60分钟后再试" in paused
    # The chat verified before the pause still sees its orders.
    assert "SF1234567890123" in await say(services, clock, "zhang", f"{ORDER}到哪了", "")
    clock.advance(minutes=61)
    assert "验证成功" in await say(
        services, clock, "newcomer", f"{ORDER}，尾号8000", "198.51.100.20"
    )


async def test_the_owner_gets_through_while_a_stranger_keeps_the_orders_locked(
    services: Services, clock: FakeClock
) -> None:
    for n in range(5):  # five wrong answers from fresh chats lock 张三's orders
        answer = await say(services, clock, f"guess-{n}", f"{ORDER}，尾号{1000 + n}", ATTACKER)
        assert "没能核对上" in answer
    # The stranger's right digits are refused: from a new chat, but an address that failed.
    refused = await say(services, clock, "guess-new", f"{ORDER}，尾号8000", ATTACKER)
    assert "没能核对上" in refused and "验证成功" not in refused
    owner = await say(services, clock, "owner", f"{ORDER}，尾号8000", "198.51.100.20")
    assert "验证成功" in owner and "SF1234567890123" in owner
    # Still locked for the stranger's chats, wherever they write from now.
    again = await say(services, clock, "guess-0", f"{ORDER}，尾号8000", "192.0.2.44")
    assert "没能核对上" in again


async def test_guesses_during_a_lock_do_not_prolong_it(
    services: Services, clock: FakeClock
) -> None:
    for n in range(5):  # locks 张三's orders for 30 minutes
        await say(services, clock, f"guess-{n}", f"{ORDER}，尾号{1000 + n}", ATTACKER)
    clock.advance(minutes=20)
    for n in range(6):  # as many again while locked, from another address
        await say(services, clock, f"later-{n}", f"{ORDER}，尾号{2000 + n}", "203.0.113.8")
    clock.advance(minutes=11)
    # The lock ended on time: even a chat that once failed may verify with the right digits.
    answer = await say(services, clock, "guess-0", f"{ORDER}，尾号8000", "192.0.2.44")
    assert "验证成功" in answer
