"""The web chat as the customer's page sees it, through its HTTP API."""

from aiohttp.test_utils import TestClient


async def customer_messages(client: TestClient, user: str) -> list[tuple[str, str]]:
    response = await client.get("/api/chat/messages", params={"user": user})
    assert response.status == 200
    return [(m["from"], m["text"]) for m in (await response.json())["messages"]]
