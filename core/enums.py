"""Every status, kind, mode and channel name kefu stores, as StrEnums.

The values are what the database holds; a StrEnum member equals its string, so rows written
before these types existed read the same.
"""

from enum import StrEnum


class ChannelName(StrEnum):
    """The transports a customer may write on."""

    WEB = "web"
    CONSOLE = "console"  # the terminal chat (python -m bot chat)
    WECHATY = "wechaty"
    WECHAT_MP = "wechat_mp"
    WECOM_KF = "wecom_kf"


class ConversationMode(StrEnum):
    """Who answers a conversation now."""

    BOT = "bot"
    QUEUED = "queued"  # waiting for a person; the bot still answers
    HUMAN = "human"  # a person holds it; the bot is silent


class Direction(StrEnum):
    IN = "in"
    OUT = "out"


class Sender(StrEnum):
    """Who wrote a message."""

    CUSTOMER = "customer"
    BOT = "bot"
    STAFF = "staff"


class OrderStatus(StrEnum):
    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


class TicketKind(StrEnum):
    AFTER_SALES = "after_sales"
    COMPLAINT = "complaint"
    CALLBACK = "callback"
    FOLLOWUP = "followup"


class TicketStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    WAITING_CUSTOMER = "waiting_customer"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REJECTED = "rejected"

    @property
    def active(self) -> bool:
        """True while somebody still has to act on the ticket."""
        return self in ACTIVE_TICKET_STATUSES


ACTIVE_TICKET_STATUSES = (
    TicketStatus.OPEN,
    TicketStatus.IN_PROGRESS,
    TicketStatus.WAITING_CUSTOMER,
)
FINISHED_TICKET_STATUSES = (TicketStatus.RESOLVED, TicketStatus.CLOSED, TicketStatus.REJECTED)


class TicketEventKind(StrEnum):
    """One entry of a ticket's history."""

    CREATED = "created"
    STATUS = "status"
    NOTE = "note"
    APPROVED = "approved"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class FollowUpKind(StrEnum):
    SHIPPING_NOTICE = "shipping_notice"
    VISIT = "visit"  # a satisfaction visit (回访), asking for a rating
    CARE = "care"  # a care visit to a customer not heard from in a while; no rating
    RETURN_REMINDER = "return_reminder"
    MESSAGE = "message"  # a message staff scheduled


# The kinds that are visits for the rules of sending: one a week per customer, none during a
# complaint or while a person talks with the customer. A care visit (定期回访) asks for no
# rating: it is no satisfaction visit to answer, report or expire, but a visit all the same.
VISIT_KINDS = (FollowUpKind.VISIT, FollowUpKind.CARE)


class FollowUpStatus(StrEnum):
    SCHEDULED = "scheduled"  # waiting for its time
    SENT = "sent"  # in the outbox; a visit waits for the customer's rating
    ANSWERED = "answered"  # a visit the customer rated
    EXPIRED = "expired"  # a visit nobody answered in time
    SKIPPED = "skipped"  # not sent on purpose (`note` says why: weekly limit, open complaint …)
    UNDELIVERABLE = "undeliverable"  # the channel may not message the customer now


class StaffRole(StrEnum):
    AGENT = "agent"
    ADMIN = "admin"


class HandoverReason(StrEnum):
    """Why a chat went to the queue for a person."""

    REQUEST = "request"
    COMPLAINT = "complaint"
    FALLBACK = "fallback"
    STAFF = "staff"


class HandoverStatus(StrEnum):
    QUEUED = "queued"
    ACTIVE = "active"
    ENDED = "ended"


class HandoverEnd(StrEnum):
    """How a person's hold on a chat ended."""

    HANDBACK = "handback"
    IDLE = "idle"
    LEFT_QUEUE = "left_queue"
