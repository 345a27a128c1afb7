"""SQLAlchemy models: the shop's customers, orders, shipments, conversations and messages."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from core.enums import (
    ConversationMode,
    FollowUpStatus,
    HandoverReason,
    HandoverStatus,
    OutboxStatus,
    Sender,
    StaffRole,
    TicketKind,
    TicketStatus,
)
from storage.types import UTCDateTime

# The values of the enums as plain strings, for modules outside storage that still import
# them; they are to go once those use the enums (core.enums) themselves.
TICKET_KINDS = tuple(kind.value for kind in TicketKind)
TICKET_STATUSES = tuple(status.value for status in TicketStatus)
STAFF_ROLES = tuple(role.value for role in StaffRole)
HANDOVER_REASONS = tuple(reason.value for reason in HandoverReason)


class Base(DeclarativeBase):
    pass


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Wrong phone digits for this customer's orders from any chat: stops guessing with
    # a fresh chat id every few tries.
    failed_verifications: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Identity(Base):
    """A chat identity on one channel, bound to a customer once verified."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(200))
    # Indexed: a customer's profile and care visits look up all their chats.
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    failed_verifications: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # False once the customer left the channel (unfollowed the Official Account).
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class FailureCount(Base):
    """Wrong answers from one source (`family:source`, e.g. a console sign-in address, a web
    chat's address, all chats together), counted in a fixed window; at the limit that source
    is refused until `locked_until`."""

    __tablename__ = "failure_counts"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ChannelState(Base):
    """A channel's value that must outlive the process, e.g. WeCom's message cursor."""

    __tablename__ = "channel_state"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ChannelEvent(Base):
    """A platform event already handled (a follow, a callback retried by the platform)."""

    __tablename__ = "channel_events"
    __table_args__ = (UniqueConstraint("channel", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SignedRequest(Base):
    """A platform's signed callback URL already used, and for which message: the same URL
    with another message is a replay. Kept while the URL's timestamp is still accepted."""

    __tablename__ = "signed_requests"
    __table_args__ = (UniqueConstraint("channel", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(64))  # sha256 of timestamp, nonce, signature
    message_key: Mapped[str] = mapped_column(String(64))  # sha256 of what makes the message
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_no: Mapped[str] = mapped_column(String(64), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    status: Mapped[str] = mapped_column(String(32))  # an OrderStatus
    total: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    items: Mapped[list["OrderItem"]] = relationship(
        order_by="OrderItem.id", lazy="raise_on_sql", cascade="all, delete-orphan"
    )
    shipment: Mapped["Shipment | None"] = relationship(
        lazy="raise_on_sql", cascade="all, delete-orphan"
    )


class OrderItem(Base):
    __tablename__ = "order_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    qty: Mapped[int] = mapped_column(Integer)
    price: Mapped[Decimal] = mapped_column(Numeric(12, 2))


class Shipment(Base):
    __tablename__ = "shipments"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    carrier: Mapped[str] = mapped_column(String(64))
    tracking_no: Mapped[str] = mapped_column(String(64), index=True)
    shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    events: Mapped[list["TrackingEvent"]] = relationship(
        order_by="TrackingEvent.time", lazy="raise_on_sql", cascade="all, delete-orphan"
    )


class TrackingEvent(Base):
    __tablename__ = "tracking_events"
    __table_args__ = (UniqueConstraint("shipment_id", "time", "description"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"), index=True)
    time: Mapped[datetime] = mapped_column(UTCDateTime())
    location: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text)


class Conversation(Base):
    """One identity's conversation: its mode, the open dialog and what was last talked about."""

    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    identity_id: Mapped[int] = mapped_column(ForeignKey("identities.id"), unique=True)
    mode: Mapped[str] = mapped_column(String(16), default=ConversationMode.BOT, index=True)
    dialog: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    memory: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The agent holding the conversation while it is in `human` mode.
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)


class Message(Base):
    """A message in or out; incoming ones are unique per identity and external id."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("identity_id", "external_id"),
        Index("ix_messages_identity_direction_id", "identity_id", "direction", "id"),
        # Reports and the console's recent chats read messages by direction and time.
        Index("ix_messages_direction_created", "direction", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    identity_id: Mapped[int] = mapped_column(ForeignKey("identities.id"))
    direction: Mapped[str] = mapped_column(String(3))  # a Direction
    sender: Mapped[str] = mapped_column(String(16))  # a Sender
    text: Mapped[str] = mapped_column(Text)
    media: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    external_id: Mapped[str | None] = mapped_column(String(128))
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))  # who wrote it
    # For incoming messages: the rule that answered ("faq", "fallback" …), or "staff" when a
    # person had the conversation; reports count answer rates from it.
    handled_by: Mapped[str | None] = mapped_column(String(32))


class FaqEntry(Base):
    __tablename__ = "faq_entries"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    alternates: Mapped[list[str]] = mapped_column(JSON, default=list)
    category: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class UnansweredQuestion(Base):
    """A question the bot could not answer, kept for staff to turn into FAQ entries."""

    __tablename__ = "unanswered_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"))
    text: Mapped[str] = mapped_column(Text)
    best_score: Mapped[float] = mapped_column(default=0.0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Product(Base):
    """A product the shop sells, from its catalogue; `non_returnable` refuses no-reason
    returns (opened cosmetics). A product only seen on an order has no price or stock yet."""

    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    non_returnable: Mapped[bool] = mapped_column(Boolean, default=False)
    # Other names customers use ("小白瓶"); tags say what it suits ("敏感肌", "补水").
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    category: Mapped[str] = mapped_column(String(64), default="", server_default="")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The list price, the same for every customer; None until the catalogue is imported.
    price: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    stock: Mapped[int | None] = mapped_column(Integer)  # None: not counted
    restock_date: Mapped[date | None] = mapped_column(Date)  # when out of stock, if known
    # When the catalogue last changed this product: the assistant re-reads it after a change.
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Ticket(Base):
    """An after-sales request or a complaint (later also callbacks and survey follow-ups)."""

    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_status_kind", "status", "kind"),
        Index("ix_tickets_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # a TicketKind
    status: Mapped[str] = mapped_column(String(20), default=TicketStatus.OPEN)
    identity_id: Mapped[int] = mapped_column(ForeignKey("identities.id"), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    order_item_id: Mapped[int | None] = mapped_column(ForeignKey("order_items.id"))
    request_type: Mapped[str | None] = mapped_column(String(16))  # return|exchange|refund|repair
    category: Mapped[str | None] = mapped_column(String(16))  # complaints: logistics, quality …
    severity: Mapped[str] = mapped_column(String(8), default="normal")  # normal|urgent
    reason: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    media: Mapped[list[str]] = mapped_column(JSON, default=list)
    within_policy: Mapped[bool] = mapped_column(Boolean, default=True)
    policy_note: Mapped[str] = mapped_column(Text, default="")
    first_response_due: Mapped[datetime] = mapped_column(UTCDateTime())
    resolution_due: Mapped[datetime] = mapped_column(UTCDateTime())
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Staff reminders sent for each deadline: 0 none, 1 "due within the hour", 2 "overdue".
    response_reminded: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    resolution_reminded: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class TicketEvent(Base):
    """One entry of a ticket's history: created, a status change, or a note."""

    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    time: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(16))  # a TicketEventKind
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="")
    public: Mapped[bool] = mapped_column(Boolean, default=False)  # meant for the customer
    author: Mapped[str] = mapped_column(String(64), default=Sender.BOT)


class OutboxMessage(Base):
    """A message to a customer that is not a direct reply, stored before it is delivered."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    identity_id: Mapped[int] = mapped_column(ForeignKey("identities.id"), index=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    text: Mapped[str] = mapped_column(Text)
    sender: Mapped[str] = mapped_column(String(16), default=Sender.BOT)  # bot|staff
    status: Mapped[str] = mapped_column(String(10), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_error: Mapped[str] = mapped_column(Text, default="")
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))  # who wrote it


class FollowUp(Base):
    """A message the bot sends on its own at a time: a shipping notice, a satisfaction visit
    (回访), a reminder, or a message staff scheduled.

    `subject` names what it is about ("order:12:shipped:SF123") and is unique, so the same
    cause never schedules it twice, whoever schedules it and however often.
    """

    __tablename__ = "followups"
    __table_args__ = (
        Index("ix_followups_status_due", "status", "due_at"),
        Index("ix_followups_identity_kind", "identity_id", "kind", "status"),
        Index("ix_followups_customer_sent", "customer_id", "kind", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # a FollowUpKind
    subject: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=FollowUpStatus.SCHEDULED)
    identity_id: Mapped[int] = mapped_column(ForeignKey("identities.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    # Who scheduled it (a staff message) or whose work a visit asks about (a resolved ticket).
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    text: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # False for a time staff chose themselves: it is kept even in quiet hours.
    quiet: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"))
    rating: Mapped[int | None] = mapped_column(Integer)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    comment: Mapped[str] = mapped_column(Text, default="")
    # The follow-up ticket a low rating opened.
    followup_ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))


class StaffNotification(Base):
    """Something staff should look at: a new ticket, an urgent one, a deadline."""

    __tablename__ = "staff_notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    # None for an alert about no ticket (verification guessing, say).
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    reason: Mapped[str] = mapped_column(String(200))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Staff(Base):
    """A support agent or admin who logs in to the console."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)  # the login name
    display_name: Mapped[str] = mapped_column(String(64))  # shown to customers
    role: Mapped[str] = mapped_column(String(8))  # a StaffRole
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Refreshed while the agent has the console open: agents seen lately are online.
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Sessions carry the value they signed in with: raising it (sign-out, a new password,
    # deactivation) ends every session of the account at once.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # A password someone else chose (the demo's): it opens only the change-password page.
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Handover(Base):
    """One stretch of a conversation with a person: queued, taken by an agent, ended.

    The conversation's `mode` says where it is now; these rows are the queue and the record
    reports count handovers from.
    """

    __tablename__ = "handovers"
    __table_args__ = (
        Index("ix_handovers_status_requested", "status", "requested_at"),
        Index("ix_handovers_requested_at", "requested_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    reason: Mapped[str] = mapped_column(String(16))  # a HandoverReason
    status: Mapped[str] = mapped_column(String(8), default=HandoverStatus.QUEUED)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The last message from staff (or the take-over): a long silence hands the chat back.
    last_staff_message_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_reason: Mapped[str | None] = mapped_column(String(16))  # a HandoverEnd


class CannedReply(Base):
    """A ready answer staff insert with one click; admins manage them."""

    __tablename__ = "canned_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AuditEntry(Base):
    """What a staff member did: logins, take-overs, FAQ and account changes."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    time: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    action: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(100), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
