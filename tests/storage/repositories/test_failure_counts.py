"""FailureCountRepository: failures per source in a window, and a lock at the limit."""

from datetime import datetime, timedelta

from storage.repositories import Repositories
from storage.repositories.failure_counts import LOGIN, VERIFY, source_key

WINDOW = timedelta(minutes=10)
LOCK = timedelta(minutes=30)


async def test_the_failure_that_reaches_the_limit_locks_once(
    repos: Repositories, now: datetime
) -> None:
    key = source_key(LOGIN, "10.0.0.1")

    locked = [await repos.failure_counts.count_failure(key, now, WINDOW, 3, LOCK) for _ in range(4)]

    assert locked == [False, False, True, False]
    assert await repos.failure_counts.locked_until(key, now) == now + LOCK
    assert await repos.failure_counts.locked_until(key, now + LOCK) is None
    assert await repos.failure_counts.failures(key, now, WINDOW) == 1  # after the lock


async def test_sources_count_apart(repos: Repositories, now: datetime) -> None:
    one, other = source_key(LOGIN, "10.0.0.1"), source_key(LOGIN, "10.0.0.2")

    for _ in range(2):
        await repos.failure_counts.count_failure(one, now, WINDOW, 5, LOCK)
    await repos.failure_counts.count_failure(other, now, WINDOW, 5, LOCK)

    assert await repos.failure_counts.failures(one, now, WINDOW) == 2
    assert await repos.failure_counts.failures(other, now, WINDOW) == 1
    assert await repos.failure_counts.failures(source_key(VERIFY, "10.0.0.1"), now, WINDOW) == 0


async def test_a_new_window_starts_the_count_again(repos: Repositories, now: datetime) -> None:
    key = source_key(VERIFY, "10.0.0.3")
    for _ in range(2):
        await repos.failure_counts.count_failure(key, now, WINDOW, 3, LOCK)

    later = now + WINDOW
    assert await repos.failure_counts.failures(key, later, WINDOW) == 0
    locked = await repos.failure_counts.count_failure(key, later, WINDOW, 3, LOCK)

    assert locked is False
    assert await repos.failure_counts.failures(key, later, WINDOW) == 1


async def test_a_limit_of_zero_counts_nothing(repos: Repositories, now: datetime) -> None:
    key = source_key(LOGIN, "10.0.0.4")

    assert await repos.failure_counts.count_failure(key, now, WINDOW, 0, LOCK) is False
    assert await repos.failure_counts.failures(key, now, WINDOW) == 0


async def test_stale_counts_of_the_family_are_forgotten_but_locks_kept(
    repos: Repositories, now: datetime
) -> None:
    stale, locked = source_key(LOGIN, "10.0.0.5"), source_key(LOGIN, "10.0.0.6")
    other_family = source_key(VERIFY, "10.0.0.5")
    await repos.failure_counts.count_failure(stale, now, WINDOW, 5, LOCK)
    await repos.failure_counts.count_failure(locked, now, WINDOW, 1, LOCK)
    await repos.failure_counts.count_failure(other_family, now, WINDOW, 5, LOCK)
    later = now + WINDOW + timedelta(minutes=1)

    await repos.failure_counts.count_failure(source_key(LOGIN, "x"), later, WINDOW, 5, LOCK)

    # The stale count's row is gone: a fresh failure in the old window would count from 1.
    await repos.failure_counts.count_failure(stale, now, WINDOW, 5, LOCK)
    assert await repos.failure_counts.failures(stale, now, WINDOW) == 1
    assert await repos.failure_counts.locked_until(locked, later) == now + LOCK
    assert await repos.failure_counts.failures(other_family, now, WINDOW) == 1
