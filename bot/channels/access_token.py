"""What the WeChat and WeCom API clients share: a cached access token and a lazy HTTP session.

Both APIs hand out an access token valid for `expires_in` seconds. It is kept until shortly
before it runs out, and fetched again at once when the API says it is invalid or expired
(another server with the same secret asked for a new one); the call is then made once more.
"""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import aiohttp

from core.clock import Clock

# A token is renewed this long before the API says it expires.
TOKEN_MARGIN = timedelta(minutes=5)

T = TypeVar("T")


class AccessToken:
    """A token from `fetch` (the token and how long it lives), kept until TOKEN_MARGIN before
    it expires; `rejected` tells an error saying the API no longer accepts the token."""

    def __init__(
        self,
        fetch: Callable[[], Awaitable[tuple[str, timedelta]]],
        rejected: Callable[[Exception], bool],
        clock: Clock,
    ) -> None:
        self._fetch = fetch
        self._rejected = rejected
        self._clock = clock
        self._token: str | None = None
        self._until = datetime.min.replace(tzinfo=UTC)
        # One fetch serves every caller waiting while it runs.
        self._lock = asyncio.Lock()

    async def get(self) -> str:
        """The cached token, fetched first when there is none or it is about to expire."""
        async with self._lock:
            if self._token is None or self._clock.now() >= self._until:
                token, lifetime = await self._fetch()
                self._token = token
                self._until = self._clock.now() + lifetime - TOKEN_MARGIN
            return self._token

    async def forget(self, token: str) -> None:
        """Drop `token`, unless a concurrent call has already replaced it."""
        async with self._lock:
            if self._token == token:
                self._token = None

    async def call(self, request: Callable[[str], Awaitable[T]]) -> T:
        """`request(token)`; when the token is rejected, again once with a new one."""
        token = await self.get()
        try:
            return await request(token)
        except Exception as error:
            if not self._rejected(error):
                raise
        await self.forget(token)
        return await request(await self.get())


class LazySession:
    """An aiohttp session opened on first use; after close() the next use opens a new one."""

    def __init__(self, timeout: aiohttp.ClientTimeout) -> None:
        self._timeout = timeout
        self._http: aiohttp.ClientSession | None = None

    def get(self) -> aiohttp.ClientSession:
        """The open session, opened now if there is none."""
        if self._http is None:
            self._http = aiohttp.ClientSession(timeout=self._timeout)
        return self._http

    async def close(self) -> None:
        """Close the HTTP connections; the next get() opens new ones."""
        if self._http is not None:
            await self._http.close()
            self._http = None
