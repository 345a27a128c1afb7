"""One chat however its id is spelled: trimmed, NFKC, invisible characters dropped, web ids
case-folded; control characters refused."""

import pytest
from aiohttp.test_utils import TestClient

from bot.channels.user_ids import InvalidUserId, chat_user_id

ORDER = "KF20261120001"  # 张三, phone ending 8000
SPELLINGS = ["att2 ", " ATT2", "att2\u200b", "ａｔｔ２", "\u202eAtt2\u202c", "\ufeffatt2"]


async def answer(client: TestClient, user: str, text: str) -> str:
    response = await client.post("/api/chat", json={"user": user, "text": text})
    assert response.status == 200, await response.text()
    return "\n".join(reply["text"] for reply in (await response.json())["replies"])


@pytest.mark.parametrize("spelling", SPELLINGS)
async def test_every_spelling_of_a_web_id_is_the_same_chat(
    client: TestClient, spelling: str
) -> None:
    assert "验证成功" in await answer(client, "att2", f"{ORDER}，尾号8000")

    # Verified already: the order is shown without asking for the digits again.
    shown = await answer(client, spelling, f"{ORDER}到哪了")
    assert "SF1234567890123" in shown and "手机号" not in shown
    response = await client.get("/api/chat/messages", params={"user": spelling})
    assert response.status == 200
    assert any("验证成功" in m["text"] for m in (await response.json())["messages"])


async def test_wrong_answers_under_other_spellings_count_for_one_chat(
    client: TestClient,
) -> None:
    for spelling in SPELLINGS[:2]:
        assert "没能核对上" in await answer(client, spelling, f"{ORDER}，尾号1234")
    locked = await answer(client, SPELLINGS[2], f"{ORDER}，尾号4321")
    assert "30分钟后再试" in locked
    assert "验证成功" not in await answer(client, SPELLINGS[3], f"{ORDER}，尾号8000")


@pytest.mark.parametrize("user", ["att2\n", "att\t2", "att2\x7f", "\x85att2", "a\x00b", "\x1b[0m"])
async def test_a_web_id_with_a_control_character_is_a_clear_400(
    client: TestClient, user: str
) -> None:
    response = await client.post("/api/chat", json={"user": user, "text": "你好"})
    assert response.status == 400
    assert "control characters" in (await response.json())["error"]
    listed = await client.get("/api/chat/messages", params={"user": user})
    assert listed.status == 400
    assert "control characters" in (await listed.json())["error"]


@pytest.mark.parametrize("user", ["\u200b", " \u202e ", "\ufeff"])
async def test_a_web_id_of_only_invisible_characters_is_a_400(
    client: TestClient, user: str
) -> None:
    response = await client.post("/api/chat", json={"user": user, "text": "你好"})
    assert response.status == 400
    assert "user is required" in (await response.json())["error"]


def test_platform_ids_keep_their_case() -> None:
    # WeChat's openids differ only in case sometimes: one must never become another.
    assert chat_user_id("oAbC-123_xYz") == "oAbC-123_xYz"
    assert chat_user_id(" oAbC\u200b ") == "oAbC"
    with pytest.raises(InvalidUserId):
        chat_user_id("oAbC\r\n")
