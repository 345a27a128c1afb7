"""What the console shows of conversations: the lists and one conversation, read-only."""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

from bot.desk.customer_profiles import CustomerProfile, customer_profile
from bot.desk.media import MediaReference, media_references
from bot.desk.unit_of_work import Sessions, unit_of_work
from core.enums import ConversationMode, FollowUpKind, FollowUpStatus, HandoverStatus, Sender
from core.settings import Settings
from storage.models import CannedReply, Conversation, FollowUp, Handover, Message, OutboxMessage
from storage.repositories import Repositories
from storage.repositories.conversations import ConversationOwner

# Bot conversations are listed when a message came within this time, at most this many.
RECENT_BOT_WINDOW = timedelta(hours=24)
RECENT_BOT_LIMIT = 50
PREVIEW_CHARS = 40
CHANNEL_NAMES = {"web": "网页", "console": "终端", "wechaty": "微信", "wechat_mp": "公众号"}
ORDER_STATUS_NAMES = {
    "pending_payment": "待付款",
    "paid": "已付款",
    "shipped": "已发货",
    "delivered": "已签收",
    "cancelled": "已取消",
    "refunded": "已退款",
}
SENDER_NAMES = {"customer": "客户", "bot": "机器人", "staff": "客服"}
UNSENT_NAMES = {"pending": "发送中", "sending": "发送中", "failed": "发送失败"}
FOLLOWUP_KIND_NAMES = {
    "shipping_notice": "发货通知",
    "visit": "满意度回访",
    "care": "定期回访",
    "return_reminder": "退货提醒",
    "message": "定时消息",
}
FOLLOWUP_STATUS_NAMES = {
    "scheduled": "待发送",
    "sent": "已发送",
    "answered": "已回复",
    "expired": "已过期未回复",
    "skipped": "未发送",
    "undeliverable": "无法送达",
}


def customer_label(owner: ConversationOwner | None) -> str:
    """ "网页 · alice", with the verified customer's name when the chat is bound to one."""
    if owner is None:
        return "未知客户"
    label = chat_label(owner.channel, owner.external_id)
    if owner.customer_name:
        label += f"（{owner.customer_name}）"
    return label


def chat_label(channel: str, external_id: str) -> str:
    """ "网页 · alice": the channel and the customer's id on it."""
    # Platform ids (WeChat openids) are long and meaningless: their ends tell them apart.
    if len(external_id) > 14:
        external_id = f"{external_id[:6]}…{external_id[-4:]}"
    return f"{CHANNEL_NAMES.get(channel, channel)} · {external_id}"


def preview(message: Message | None) -> str:
    if message is None:
        return ""
    text = " ".join(message.text.split())
    if not text and message.media:
        return "[图片/附件]"
    return text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS] + "…"


@dataclass(frozen=True)
class ListedConversation:
    """One line of a conversation list."""

    id: int
    customer: str
    mode: str
    preview: str
    last_at: datetime | None = None
    reason: str | None = None  # why it was handed to a person
    position: int | None = None  # place in the queue, from 1
    waiting_minutes: int | None = None
    holder: str = ""  # the agent's display name


@dataclass(frozen=True)
class ConversationLists:
    queued: list[ListedConversation]
    mine: list[ListedConversation]
    others: list[ListedConversation]
    recent_bot: list[ListedConversation]


async def load_lists(repos: Repositories, staff_id: int, now: datetime) -> ConversationLists:
    """The queue, my conversations, other agents' conversations and recent bot chats."""
    queue = await repos.handovers.queued()
    active = {h.conversation_id: h for h in await repos.handovers.active()}
    human = await repos.conversations.in_mode("human")
    recent = await repos.conversations.active_in_mode(
        "bot", now - RECENT_BOT_WINDOW, RECENT_BOT_LIMIT
    )
    ids = {h.conversation_id for h in queue} | {c.id for c in human} | {c.id for c, _ in recent}
    owners = await repos.conversations.owners(ids)
    last = await repos.messages.last_from_customer(ids)
    names = await staff_names(repos)

    def line(conversation_id: int, mode: str) -> ListedConversation:
        message = last.get(conversation_id)
        return ListedConversation(
            id=conversation_id,
            customer=customer_label(owners.get(conversation_id)),
            mode=mode,
            preview=preview(message),
            last_at=message.created_at if message else None,
        )

    queued = [
        replace(
            line(h.conversation_id, "queued"),
            reason=h.reason,
            position=place,
            waiting_minutes=max(0, int((now - h.requested_at).total_seconds() // 60)),
        )
        for place, h in enumerate(queue, start=1)
    ]
    mine: list[ListedConversation] = []
    others: list[ListedConversation] = []
    for conversation in human:
        handover = active.get(conversation.id)
        listed = replace(
            line(conversation.id, "human"),
            reason=handover.reason if handover else None,
            holder=names.get(conversation.staff_id or 0, ""),
        )
        (mine if conversation.staff_id == staff_id else others).append(listed)
    recent_bot = [replace(line(c.id, "bot"), last_at=at) for c, at in recent]
    return ConversationLists(queued, mine, others, recent_bot)


async def staff_names(repos: Repositories) -> dict[int, str]:
    """Display names by staff id (a small shop has a handful of staff)."""
    return {member.id: member.display_name for member in await repos.staff.all()}


@dataclass(frozen=True)
class ShownMessage:
    id: int
    sender: str
    author: str
    text: str
    time: datetime
    media: list[MediaReference]


def shown_messages(messages: Sequence[Message], names: dict[int, str]) -> list[ShownMessage]:
    return [
        ShownMessage(
            id=m.id,
            sender=m.sender,
            author=_author(m.sender, m.staff_id, names),
            text=m.text,
            time=m.created_at,
            media=media_references(m.media),
        )
        for m in messages
    ]


@dataclass(frozen=True)
class UnsentReply:
    """An outbox row of the conversation that has not reached the customer yet."""

    id: int
    author: str
    text: str
    time: datetime
    status: str  # 发送中 / 发送失败
    reason: str  # why the last try failed, as the platform said


def unsent_replies(rows: Sequence[OutboxMessage], names: dict[int, str]) -> list[UnsentReply]:
    return [
        UnsentReply(
            row.id,
            _author(row.sender, row.staff_id, names),
            row.text,
            row.created_at,
            UNSENT_NAMES.get(row.status, row.status),
            row.last_error,
        )
        for row in rows
    ]


def _author(sender: str, staff_id: int | None, names: dict[int, str]) -> str:
    if sender == Sender.STAFF and staff_id is not None and staff_id in names:
        return f"客服 {names[staff_id]}"
    return SENDER_NAMES.get(sender, sender)


@dataclass(frozen=True)
class ShownOrder:
    order_no: str
    status: str
    total: Decimal
    tracking_no: str


@dataclass(frozen=True)
class ShownTicket:
    number: str
    kind: str
    status: str


@dataclass(frozen=True)
class ConversationDetail:
    """One conversation as its page shows it."""

    id: int
    customer: str
    customer_name: str | None
    mode: str
    holder_id: int | None
    holder: str
    handover: Handover | None
    position: int | None
    messages: list[ShownMessage]
    unsent: list[UnsentReply]
    orders: list[ShownOrder]
    tickets: list[ShownTicket]
    identity_id: int | None = None
    customer_id: int | None = None  # the verified customer of the chat

    @property
    def last_message_id(self) -> int:
        return self.messages[-1].id if self.messages else 0

    def held_by(self, staff_id: int) -> bool:
        return self.mode == ConversationMode.HUMAN and self.holder_id == staff_id


async def load_detail(
    repos: Repositories, conversation_id: int, after_message_id: int = 0
) -> ConversationDetail | None:
    """The conversation page's content (messages after `after_message_id`), or None."""
    conversation = await repos.conversations.by_id(conversation_id)
    if conversation is None:
        return None
    owner = (await repos.conversations.owners([conversation.id])).get(conversation.id)
    names = await staff_names(repos)
    handover = await repos.handovers.current(conversation.id)
    position = None
    if handover is not None and handover.status == HandoverStatus.QUEUED:
        position = await repos.handovers.position(handover)
    orders: list[ShownOrder] = []
    tickets: list[ShownTicket] = []
    if owner is not None:
        if owner.customer_id is not None:
            orders = [
                ShownOrder(
                    o.order_no,
                    ORDER_STATUS_NAMES.get(o.status, o.status),
                    o.total,
                    o.shipment.tracking_no if o.shipment else "",
                )
                for o in await repos.orders.recent_for_customer(owner.customer_id, limit=10)
            ]
        tickets = [
            ShownTicket(t.number, t.kind, t.status)
            for t in await repos.tickets.for_owner(owner.identity_id, owner.customer_id, limit=20)
        ]
    return ConversationDetail(
        id=conversation.id,
        customer=customer_label(owner),
        customer_name=owner.customer_name if owner else None,
        mode=conversation.mode,
        holder_id=conversation.staff_id if conversation.mode == ConversationMode.HUMAN else None,
        holder=names.get(conversation.staff_id or 0, "")
        if conversation.mode == ConversationMode.HUMAN
        else "",
        handover=handover,
        position=position,
        messages=shown_messages(
            await repos.messages.in_conversation(conversation.id, after_message_id), names
        ),
        unsent=unsent_replies(await repos.messages.unsent(conversation.id), names),
        orders=orders,
        tickets=tickets,
        identity_id=owner.identity_id if owner else None,
        customer_id=owner.customer_id if owner else None,
    )


@dataclass(frozen=True)
class ShownFollowUp:
    """A message the bot sends this chat on its own at a time, and what became of it."""

    id: int
    kind: str
    author: str  # who scheduled a staff message; empty for the bot's own
    text: str
    due_at: datetime
    status: str
    note: str
    rating: int | None
    scheduled: bool  # not gone yet: it can be cancelled


def shown_followups(followups: Sequence[FollowUp], names: dict[int, str]) -> list[ShownFollowUp]:
    return [
        ShownFollowUp(
            id=f.id,
            kind=FOLLOWUP_KIND_NAMES.get(f.kind, f.kind),
            author=_author(Sender.STAFF, f.staff_id, names)
            if f.kind == FollowUpKind.MESSAGE
            else "",
            text=f.text,
            due_at=f.due_at,
            status=FOLLOWUP_STATUS_NAMES.get(f.status, f.status),
            note=f.note,
            rating=f.rating,
            scheduled=f.status == FollowUpStatus.SCHEDULED,
        )
        for f in followups
    ]


async def load_followups(repos: Repositories, conversation_id: int) -> list[ShownFollowUp]:
    """The follow-ups of a conversation's chat, the latest due first (none if it is gone)."""
    conversation = await repos.conversations.by_id(conversation_id)
    if conversation is None:
        return []
    followups = await repos.followups.for_identity(conversation.identity_id)
    return shown_followups(followups, await staff_names(repos))


@dataclass(frozen=True)
class OtherChat:
    """Another chat verified as the same customer, linked when it has a conversation."""

    label: str
    conversation_id: int | None
    active: bool


@dataclass(frozen=True)
class CustomerPanel:
    """The verified customer beside a conversation: their profile and their other chats."""

    profile: CustomerProfile
    other_chats: list[OtherChat]


async def load_customer_panel(
    repos: Repositories, detail: ConversationDetail, settings: Settings, now: datetime
) -> CustomerPanel | None:
    """The profile of the conversation's customer; None for a chat not verified as one, so
    nothing about any customer is shown beside it."""
    if detail.customer_id is None:
        return None
    profile = await customer_profile(repos, detail.customer_id, settings, now)
    if profile is None:
        return None
    others = [
        OtherChat(chat_label(chat.channel, chat.external_id), chat.conversation_id, chat.active)
        for chat in profile.chats
        if chat.identity_id != detail.identity_id
    ]
    return CustomerPanel(profile, others)


@dataclass(frozen=True)
class OpenConversation:
    """One conversation as its page shows it, the canned replies its reply box offers and the
    verified customer's panel."""

    detail: ConversationDetail
    canned: Sequence[CannedReply]
    panel: CustomerPanel | None


async def conversation_lists(sessions: Sessions, staff_id: int, now: datetime) -> ConversationLists:
    async with unit_of_work(sessions) as repos:
        return await load_lists(repos, staff_id, now)


async def open_conversation(
    sessions: Sessions,
    conversation_id: int,
    settings: Settings,
    now: datetime,
    after_message_id: int = 0,
) -> OpenConversation | None:
    """The conversation with its messages after `after_message_id`; None when there is none."""
    async with unit_of_work(sessions) as repos:
        detail = await load_detail(repos, conversation_id, after_message_id)
        if detail is None:
            return None
        canned = await repos.canned.all()
        # Loaded for every refresh too: the side panel is replaced whole each time.
        panel = await load_customer_panel(repos, detail, settings, now)
    return OpenConversation(detail, canned, panel)


async def conversation_followups(sessions: Sessions, conversation_id: int) -> list[ShownFollowUp]:
    async with unit_of_work(sessions) as repos:
        return await load_followups(repos, conversation_id)


async def conversation_by_id(sessions: Sessions, conversation_id: int) -> Conversation | None:
    """The conversation as stored now."""
    async with unit_of_work(sessions) as repos:
        return await repos.conversations.by_id(conversation_id)
