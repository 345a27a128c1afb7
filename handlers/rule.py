"""The shape of a routing rule and of a handler that owns dialogs."""

from typing import Any, Protocol

from core.messages import Reply
from handlers.context import Context


class Rule(Protocol):
    name: str
    # True for rules that may take a message in the middle of another dialog (a severe
    # complaint, a request for a person); their match decides what is worth interrupting for.
    interrupts_dialogs: bool

    async def match(self, ctx: Context) -> Any:
        """What the handler needs if this rule applies (truthy), else None."""
        ...

    async def handle(self, ctx: Context, found: Any) -> list[Reply]:
        """The replies for a message this rule matched; `found` is what `match` returned."""
        ...


class DialogOwner(Protocol):
    flows: tuple[str, ...]

    async def resume(self, ctx: Context) -> list[Reply] | None:
        """Continue the open dialog, or None when the message does not answer its question."""
        ...
