"""What a handler gets to work with for one incoming message."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from core.clock import Clock
from core.messages import Incoming, Reply
from core.settings import Settings
from handlers.dialog_state import DialogFrame, DialogState
from knowledge import FaqMatch, KnowledgeBase, ReplyTexts
from knowledge.normalize import matched_part
from knowledge.product_catalogue import ProductCatalogue
from storage.models import Conversation, Identity
from storage.repositories import Repositories

# The router's way to let another feature's rule take the message: its replies if it matched.
Handoff = Callable[["Context", str], Awaitable[list[Reply] | None]]


async def _nobody_to_hand_to(ctx: "Context", feature: str) -> list[Reply] | None:
    return None


@dataclass
class Context:
    """One message's unit of work: who wrote, what, and the tools to answer it.

    `dialog` and `memory` are working copies of the conversation's state; the pipeline saves
    them after the handler ran.
    """

    incoming: Incoming
    message_id: int  # the stored incoming message
    identity: Identity
    conversation: Conversation
    repos: Repositories
    kb: KnowledgeBase
    catalogue: ProductCatalogue
    texts: ReplyTexts
    clock: Clock
    settings: Settings
    dialog: dict[str, Any] | None = None
    memory: dict[str, Any] = field(default_factory=dict)
    fallbacks_in_a_row: int = 0
    handled_by: str = ""  # the rule or dialog flow that answered, for reports
    memo: dict[str, Any] = field(default_factory=dict)  # per-message results of the rules
    handoff: Handoff = _nobody_to_hand_to  # set by the router that routes the message
    # FAQ searches by text: every rule asks the FAQ about the same message, which is costly.
    _faq_searches: dict[str, list[FaqMatch]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @property
    def text(self) -> str:
        """The message as the rules read it: its start (`matched_part`), so that a pasted
        essay costs no more to understand than a long question."""
        return matched_part(self.incoming.text)

    @property
    def whole_text(self) -> str:
        """The message as the customer wrote it, for what is kept (a ticket's description)."""
        return self.incoming.text

    @property
    def faq_matches(self) -> list[FaqMatch]:
        """Every FAQ entry this message matches, best first; searched once per message."""
        return self.faq_matches_for(self.text)

    def faq_matches_for(self, text: str) -> list[FaqMatch]:
        """Every FAQ entry `text` matches, best first; each text searched once per message."""
        if text not in self._faq_searches:
            self._faq_searches[text] = self.kb.search(text, limit=len(self.kb))
        return self._faq_searches[text]

    async def hand_to(self, feature: str) -> list[Reply] | None:
        """Let the named feature's rule take the message: its replies, or None if it did not
        match. Rules never build each other; the router knows them all."""
        return await self.handoff(self, feature)

    def say(self, name: str, **fields: Any) -> Reply:
        """A reply from the named template."""
        return Reply(self.texts.render(name, **fields))

    def start_dialog(self, state: DialogState) -> None:
        """Open a dialog with its state; its question is asked from now."""
        state.since = self.clock.now().isoformat()
        self.dialog = state.to_stored()

    def end_dialog(self) -> None:
        self.dialog = None

    def dialog_expired(self) -> bool:
        """True when the open dialog waited longer than the settings allow."""
        if self.dialog is None:
            return False
        since = datetime.fromisoformat(DialogFrame.from_stored(self.dialog).since)
        timeout = timedelta(minutes=self.settings.dialog_timeout_minutes)
        return self.clock.now() - since > timeout
