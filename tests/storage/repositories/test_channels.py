"""ChannelRepository: cursors, repeat deliveries, signed URLs and users who left."""

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from storage.repositories import Repositories
from tests.support.factories import add_chat


async def test_state_is_replaced_per_key(repos: Repositories, now: datetime) -> None:
    assert await repos.channels.state("wecom:cursor") is None

    await repos.channels.set_state("wecom:cursor", "a", now)
    await repos.channels.set_state("wecom:cursor", "b", now + timedelta(seconds=1))
    await repos.channels.set_state("other:cursor", "z", now)

    assert await repos.channels.state("wecom:cursor") == "b"
    assert await repos.channels.state("other:cursor") == "z"


async def test_an_event_is_new_once_per_channel(repos: Repositories, now: datetime) -> None:
    first = await repos.channels.first_time("wechat_mp", "msg-1", now)
    repeat = await repos.channels.first_time("wechat_mp", "msg-1", now)
    elsewhere = await repos.channels.first_time("wecom_kf", "msg-1", now)

    assert (first, repeat, elsewhere) == (True, False, True)


async def test_a_signed_url_carries_only_its_first_message(
    repos: Repositories, now: datetime
) -> None:
    expires = now + timedelta(minutes=5)

    first = await repos.channels.use_signed_request("wechat_mp", "sig", "message-a", expires)
    retried = await repos.channels.use_signed_request("wechat_mp", "sig", "message-a", expires)
    replayed = await repos.channels.use_signed_request("wechat_mp", "sig", "message-b", expires)
    other_channel = await repos.channels.use_signed_request("wecom_kf", "sig", "message-b", expires)

    assert (first, retried, replayed, other_channel) == (True, True, False, True)


async def test_forget_signed_requests_drops_only_expired_ones(
    repos: Repositories, now: datetime
) -> None:
    await repos.channels.use_signed_request("wechat_mp", "old", "a", now - timedelta(seconds=1))
    await repos.channels.use_signed_request("wechat_mp", "live", "b", now)

    forgotten = await repos.channels.forget_signed_requests(now)

    assert forgotten == 1
    # The old URL is unknown again; the live one still refuses another message.
    assert await repos.channels.use_signed_request("wechat_mp", "old", "c", now) is True
    assert await repos.channels.use_signed_request("wechat_mp", "live", "c", now) is False


async def test_set_active_marks_only_that_channel_user(
    repos: Repositories, session: AsyncSession, now: datetime
) -> None:
    gone = await add_chat(repos, channel="wechat_mp", external_id="openid-1", now=now)
    same_id_elsewhere = await add_chat(repos, channel="wecom_kf", external_id="openid-1", now=now)

    await repos.channels.set_active("wechat_mp", "openid-1", False)
    session.expunge_all()

    assert (await repos.identities.find("wechat_mp", "openid-1")).active is False  # type: ignore[union-attr]
    stored = await repos.identities.by_id(same_id_elsewhere.identity.id)
    assert stored is not None and stored.active is True
    assert gone.identity.id != same_id_elsewhere.identity.id
