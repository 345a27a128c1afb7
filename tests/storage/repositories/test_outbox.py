"""OutboxRepository: messages queued for delivery, each claimed by one worker at a time."""

from datetime import datetime, timedelta

from core.enums import OutboxStatus, Sender
from storage.repositories import Repositories
from storage.repositories.outbox import OutboxEntry
from tests.support.factories import add_chat

LEASE = timedelta(minutes=2)


async def test_add_many_queues_rows_in_order_due_at_once(
    repos: Repositories, now: datetime
) -> None:
    chat = await add_chat(repos, now=now)
    entries = [
        OutboxEntry(chat.identity.id, chat.conversation.id, text) for text in ("一", "二", "三")
    ]

    rows = await repos.outbox.add_many(entries, now)

    assert [r.text for r in rows] == ["一", "二", "三"]
    assert all(r.status == OutboxStatus.PENDING and r.attempts == 0 for r in rows)
    assert await repos.outbox.due_ids(now) == [r.id for r in rows]
    assert await repos.outbox.due_ids(now, limit=2) == [rows[0].id, rows[1].id]
    assert await repos.outbox.due_ids(now - timedelta(seconds=1)) == []


async def test_due_ids_and_channels_keep_to_the_channels_asked_for(
    repos: Repositories, now: datetime
) -> None:
    web = await add_chat(repos, channel="web", now=now)
    wechat = await add_chat(repos, channel="wechat_mp", now=now)
    on_web = await repos.outbox.add(web.identity.id, web.conversation.id, "web", now)
    on_wechat = await repos.outbox.add(wechat.identity.id, wechat.conversation.id, "mp", now)

    assert await repos.outbox.due_ids(now, channels=["wechat_mp"]) == [on_wechat.id]
    assert await repos.outbox.due_ids(now, channels=[]) == []
    assert await repos.outbox.due_ids(now) == [on_web.id, on_wechat.id]
    assert sorted(await repos.outbox.due_channels(now)) == ["web", "wechat_mp"]


async def test_a_row_is_claimed_once_until_its_lease_runs_out(
    repos: Repositories, now: datetime
) -> None:
    chat = await add_chat(repos, now=now)
    row = await repos.outbox.add(chat.identity.id, chat.conversation.id, "您好", now)

    first = await repos.outbox.claim(row.id, now, LEASE)
    second = await repos.outbox.claim(row.id, now, LEASE)
    due_meanwhile = await repos.outbox.due_ids(now + LEASE - timedelta(seconds=1))
    after_lease = await repos.outbox.claim(row.id, now + LEASE, LEASE)

    assert (first, second) == ("pending", None)
    assert due_meanwhile == []
    assert after_lease == "interrupted"
    stored, identity = await repos.outbox.get(row.id)
    assert stored.attempts == 2 and stored.status == OutboxStatus.SENDING
    assert identity.id == chat.identity.id


async def test_a_lost_claim_cannot_record_its_result(repos: Repositories, now: datetime) -> None:
    chat = await add_chat(repos, now=now)
    message = await repos.messages.add_outgoing(
        chat.conversation.id, chat.identity.id, "您好", Sender.BOT, now
    )
    row = await repos.outbox.add(chat.identity.id, chat.conversation.id, "您好", now)
    await repos.outbox.claim(row.id, now, LEASE)  # attempt 1, whose worker stalls
    await repos.outbox.claim(row.id, now + LEASE, LEASE)  # attempt 2 takes over

    stale_sent = await repos.outbox.mark_sent(row.id, 1, message.id, now + LEASE)
    stale_failed = await repos.outbox.mark_failed(row.id, 1, "timeout", None)
    sent = await repos.outbox.mark_sent(row.id, 2, message.id, now + LEASE)
    sent_twice = await repos.outbox.mark_sent(row.id, 2, message.id, now + LEASE)

    assert (stale_sent, stale_failed, sent, sent_twice) == (False, False, True, False)
    stored, _ = await repos.outbox.get(row.id)
    assert stored.status == OutboxStatus.SENT
    assert stored.message_id == message.id and stored.sent_at == now + LEASE


async def test_mark_failed_retries_later_or_gives_up(repos: Repositories, now: datetime) -> None:
    chat = await add_chat(repos, now=now)
    retried = await repos.outbox.add(chat.identity.id, chat.conversation.id, "一", now)
    given_up = await repos.outbox.add(chat.identity.id, chat.conversation.id, "二", now)
    for row in (retried, given_up):
        await repos.outbox.claim(row.id, now, LEASE)
    retry_at = now + timedelta(minutes=10)

    await repos.outbox.mark_failed(retried.id, 1, "x" * 5000, retry_at)
    await repos.outbox.mark_failed(given_up.id, 1, "blocked", None)

    assert await repos.outbox.due_ids(retry_at - timedelta(seconds=1)) == []
    assert await repos.outbox.due_ids(retry_at + timedelta(hours=1)) == [retried.id]
    stored, _ = await repos.outbox.get(retried.id)
    failed, _ = await repos.outbox.get(given_up.id)
    assert stored.status == OutboxStatus.PENDING and len(stored.last_error) == 2000
    assert failed.status == OutboxStatus.FAILED and failed.last_error == "blocked"
    assert await repos.outbox.claim(given_up.id, retry_at, LEASE) is None
