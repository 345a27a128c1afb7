"""KeyedLocks: one customer's messages one at a time, different customers side by side, and
no lock kept for a customer who is gone."""

import asyncio
from collections.abc import Hashable

import pytest

from bot.pipeline.locks import KeyedLocks

GUARD_SECONDS = 5  # only so that a broken lock fails the test instead of hanging it


async def hold_until(
    locks: KeyedLocks,
    key: Hashable,
    log: list[str],
    name: str,
    release: asyncio.Event,
    trying: asyncio.Event | None = None,
    entered: asyncio.Event | None = None,
) -> None:
    """Take the key's lock, note entering and leaving in `log`, and wait for `release` inside.

    `trying` is set just before taking the lock, `entered` just after.
    """
    if trying is not None:
        trying.set()
    async with locks.hold(key):
        log.append(f"{name} in")
        if entered is not None:
            entered.set()
        await release.wait()
        log.append(f"{name} out")


async def start_holding(
    locks: KeyedLocks, key: Hashable, log: list[str], name: str, release: asyncio.Event
) -> asyncio.Task[None]:
    """A task that holds the key's lock; returns once it is inside."""
    entered = asyncio.Event()
    task = asyncio.create_task(hold_until(locks, key, log, name, release, entered=entered))
    async with asyncio.timeout(GUARD_SECONDS):
        await entered.wait()
    return task


async def test_the_same_key_runs_one_at_a_time() -> None:
    locks, log = KeyedLocks(), []
    release_first, release_second, second_trying = asyncio.Event(), asyncio.Event(), asyncio.Event()
    first = await start_holding(locks, "alice", log, "first", release_first)

    second = asyncio.create_task(
        hold_until(locks, "alice", log, "second", release_second, second_trying)
    )
    await second_trying.wait()  # resumes once `second` has blocked or got in

    assert log == ["first in"], "the second holder got in while the first was inside"
    assert len(locks) == 1
    release_first.set()
    release_second.set()
    async with asyncio.timeout(GUARD_SECONDS):
        await asyncio.gather(first, second)
    assert log == ["first in", "first out", "second in", "second out"]


async def test_waiters_on_one_key_get_in_in_arrival_order() -> None:
    locks, log, release = KeyedLocks(), [], asyncio.Event()
    tasks = [
        asyncio.create_task(hold_until(locks, "alice", log, str(n), release)) for n in range(4)
    ]
    release.set()

    async with asyncio.timeout(GUARD_SECONDS):
        await asyncio.gather(*tasks)

    assert log == [f"{n} {step}" for n in range(4) for step in ("in", "out")]


async def test_different_keys_run_at_the_same_time() -> None:
    locks, log = KeyedLocks(), []
    release_alice, release_bob = asyncio.Event(), asyncio.Event()
    alice = await start_holding(locks, "alice", log, "alice", release_alice)

    bob = await start_holding(locks, "bob", log, "bob", release_bob)  # alice is still inside
    release_bob.set()
    async with asyncio.timeout(GUARD_SECONDS):
        await bob

    assert log == ["alice in", "bob in", "bob out"]
    assert len(locks) == 1, "only alice's lock is still there"
    release_alice.set()
    await alice


async def test_no_lock_is_kept_after_use() -> None:
    locks, log, release = KeyedLocks(), [], asyncio.Event()
    release.set()

    for key in ("alice", "bob", ("web", "carol"), "alice"):
        await hold_until(locks, key, log, str(key), release)

    assert len(locks) == 0


async def test_no_lock_is_kept_after_an_error_inside() -> None:
    locks = KeyedLocks()

    with pytest.raises(RuntimeError):
        async with locks.hold("alice"):
            raise RuntimeError("handler failed")

    assert len(locks) == 0
    async with asyncio.timeout(GUARD_SECONDS), locks.hold("alice"):
        pass  # and the key can be taken again


async def test_a_cancelled_waiter_leaves_nothing_behind() -> None:
    locks, log = KeyedLocks(), []
    release_first, never, waiting = asyncio.Event(), asyncio.Event(), asyncio.Event()
    first = await start_holding(locks, "alice", log, "first", release_first)
    waiter = asyncio.create_task(hold_until(locks, "alice", log, "waiter", never, waiting))
    await waiting.wait()

    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    release_first.set()
    await first

    assert log == ["first in", "first out"]
    assert len(locks) == 0
    async with asyncio.timeout(GUARD_SECONDS), locks.hold("alice"):
        pass
