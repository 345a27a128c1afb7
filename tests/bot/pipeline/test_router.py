"""The router: a rule hands a message to another feature through it, never by building one."""

from dataclasses import dataclass, field
from typing import Any, cast

from bot.pipeline.router import Router
from core.messages import Incoming, Reply
from handlers.context import Context
from tests.support.clock import FakeClock


@dataclass
class Recorded:
    """A rule that matches when told to, and records what it handled."""

    name: str
    matches: bool = True
    hand_to: str = ""
    interrupts_dialogs: bool = False
    handled: list[str] = field(default_factory=list)

    async def match(self, ctx: Context) -> bool:
        return self.matches

    async def handle(self, ctx: Context, found: Any) -> list[Reply]:
        self.handled.append(ctx.text)
        replies = [Reply(self.name)]
        if self.hand_to:
            handed = await ctx.hand_to(self.hand_to)
            replies += handed if handed is not None else [Reply("nobody")]
        return replies


def context(text: str) -> Context:
    clock = FakeClock()
    incoming = Incoming("web", "alice", text, clock.now())
    none = cast(Any, None)
    return Context(incoming, 1, none, none, none, none, none, none, clock, none)


async def test_a_rule_hands_the_message_to_another_feature() -> None:
    first, other = Recorded("first", hand_to="other"), Recorded("other")
    router = Router([first, other], [], fallback=Recorded("fallback"))
    assert [r.text for r in await router.route(context("你好"))] == ["first", "other"]
    assert other.handled == ["你好"]


async def test_a_feature_that_does_not_match_or_is_unknown_takes_nothing() -> None:
    for target, other in (("other", Recorded("other", matches=False)), ("missing", None)):
        first = Recorded("first", hand_to=target)
        rules = [first] if other is None else [first, Recorded("x", matches=False), other]
        router = Router(rules, [], fallback=Recorded("fallback"))
        assert [r.text for r in await router.route(context("你好"))] == ["first", "nobody"]


async def test_a_context_without_a_router_hands_to_nobody() -> None:
    assert await context("你好").hand_to("aftersales") is None
