"""CannedReplyRepository: staff's ready answers."""

from datetime import datetime, timedelta

from storage.repositories import Repositories


async def test_save_adds_changes_and_lists_by_title(repos: Repositories, now: datetime) -> None:
    before = len(await repos.canned.all())
    thanks = await repos.canned.save(None, "b 感谢", "感谢您的耐心", now)
    hello = await repos.canned.save(None, "a 问候", "您好", now)
    assert thanks is not None and hello is not None

    changed = await repos.canned.save(thanks.id, "b 感谢", "非常感谢", now + timedelta(hours=1))
    unknown = await repos.canned.save(10_000_000, "x", "x", now)

    assert changed is not None and changed.id == thanks.id and changed.text == "非常感谢"
    assert unknown is None
    titles = [r.title for r in await repos.canned.all()]
    assert len(titles) == before + 2 and titles == sorted(titles)


async def test_delete_once(repos: Repositories, now: datetime) -> None:
    reply = await repos.canned.save(None, "t", "x", now)
    assert reply is not None

    assert await repos.canned.delete(reply.id) is True
    assert await repos.canned.delete(reply.id) is False
    assert await repos.canned.by_id(reply.id) is None
