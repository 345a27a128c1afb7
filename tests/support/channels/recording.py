"""A channel that records what it delivered and fails when a test asks it to."""

import asyncio
import sys
from collections.abc import Callable

# Fail every try, as a platform that refuses this customer until they write again.
FOREVER = sys.maxsize


def _service_down() -> Exception:
    return ConnectionError("the messaging service is down")


class RecordingSender:
    """A channel that records what it delivered; it fails its first `failures` tries with
    `fails_with()`. As a platform it dedupes (the web chat), repeats (`dedupes=False`, as
    WeChat's custom/send) or drops a message whose key it has seen (`drops_repeats`, as
    WeCom's msgid)."""

    def __init__(
        self,
        failures: int = 0,
        *,
        fails_with: Callable[[], Exception] = _service_down,
        dedupes: bool = True,
        drops_repeats: bool = False,
    ) -> None:
        self.delivered: list[tuple[str, str]] = []
        self.keys: list[str] = []
        self.tries = 0
        self.dedupes = dedupes
        self._failures = failures
        self._fails_with = fails_with
        self._drops_repeats = drops_repeats

    async def deliver(self, user: str, text: str, key: str = "") -> None:
        self.tries += 1
        self.keys.append(key)
        await asyncio.sleep(0)  # let another worker run in between, as a network call would
        if self._failures:
            self._failures -= 1
            raise self._fails_with()
        if self._drops_repeats and self.keys.count(key) > 1:
            return
        self.delivered.append((user, text))
