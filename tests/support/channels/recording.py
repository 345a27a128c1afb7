"""A channel that records what it delivered and fails when a test asks it to."""

import asyncio


class RecordingSender:
    """A channel that records what it delivered; it can fail its first `failures` tries."""

    def __init__(self, failures: int = 0) -> None:
        self.delivered: list[tuple[str, str]] = []
        self.tries = 0
        self._failures = failures

    dedupes = True  # as the web chat, which these stand in for

    async def deliver(self, user: str, text: str, key: str = "") -> None:
        self.tries += 1
        await asyncio.sleep(0)  # let another worker run in between, as a network call would
        if self._failures:
            self._failures -= 1
            raise ConnectionError("the messaging service is down")
        self.delivered.append((user, text))
