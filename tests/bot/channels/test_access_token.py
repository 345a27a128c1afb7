"""The cached access token the WeChat and WeCom clients share: kept until shortly before it
expires, fetched once for callers waiting together, forgotten when the API rejects it."""

import asyncio
from datetime import timedelta

import pytest

from bot.channels.access_token import AccessToken
from tests.support.clock import FakeClock


class Rejected(Exception):
    """The API said the token is no longer valid."""


class TokenIssuer:
    """Hands out token-1, token-2, … each living two hours; `gate` holds a fetch back once
    it has `started`."""

    def __init__(self) -> None:
        self.issued = 0
        self.started = asyncio.Event()
        self.gate: asyncio.Event | None = None

    async def fetch(self) -> tuple[str, timedelta]:
        self.started.set()
        if self.gate is not None:
            await self.gate.wait()
        self.issued += 1
        return f"token-{self.issued}", timedelta(hours=2)


@pytest.fixture
def issuer() -> TokenIssuer:
    return TokenIssuer()


@pytest.fixture
def token(issuer: TokenIssuer, clock: FakeClock) -> AccessToken:
    return AccessToken(issuer.fetch, lambda error: isinstance(error, Rejected), clock)


async def test_the_token_is_fetched_once_and_reused(
    token: AccessToken, issuer: TokenIssuer
) -> None:
    assert await token.get() == "token-1"
    assert await token.get() == "token-1"
    assert issuer.issued == 1


async def test_the_token_is_renewed_five_minutes_before_it_expires(
    token: AccessToken, issuer: TokenIssuer, clock: FakeClock
) -> None:
    await token.get()
    clock.advance(minutes=114, seconds=59)
    assert await token.get() == "token-1"
    clock.advance(seconds=1)
    assert await token.get() == "token-2"
    assert issuer.issued == 2


async def test_callers_waiting_together_share_one_fetch(
    token: AccessToken, issuer: TokenIssuer
) -> None:
    issuer.gate = asyncio.Event()
    waiting = asyncio.gather(*(token.get() for _ in range(5)))
    await issuer.started.wait()  # the others started with the first and wait for it
    issuer.gate.set()
    assert await waiting == ["token-1"] * 5
    assert issuer.issued == 1


async def test_a_forgotten_token_is_fetched_anew(token: AccessToken, issuer: TokenIssuer) -> None:
    await token.forget(await token.get())
    assert await token.get() == "token-2"


async def test_forgetting_a_token_already_replaced_keeps_the_new_one(
    token: AccessToken, issuer: TokenIssuer
) -> None:
    old = await token.get()
    await token.forget(old)
    await token.get()
    await token.forget(old)  # a second caller that was refused with the old token
    assert await token.get() == "token-2"
    assert issuer.issued == 2


async def test_a_call_with_a_rejected_token_is_made_again_with_a_new_one(
    token: AccessToken,
) -> None:
    used: list[str] = []

    async def request(value: str) -> str:
        used.append(value)
        if value == "token-1":
            raise Rejected
        return "answer"

    assert await token.call(request) == "answer"
    assert used == ["token-1", "token-2"]


async def test_a_call_is_made_again_only_once(token: AccessToken) -> None:
    used: list[str] = []

    async def request(value: str) -> str:
        used.append(value)
        raise Rejected

    with pytest.raises(Rejected):
        await token.call(request)
    assert used == ["token-1", "token-2"]


async def test_other_errors_are_not_retried_and_keep_the_token(
    token: AccessToken, issuer: TokenIssuer
) -> None:
    async def request(value: str) -> str:
        raise ValueError("refused for another reason")

    with pytest.raises(ValueError):
        await token.call(request)
    assert await token.get() == "token-1"
    assert issuer.issued == 1
