"""Repositories: the only code that queries the database."""

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from storage.repositories.audit import AuditRepository
from storage.repositories.canned import CannedReplyRepository
from storage.repositories.channels import ChannelRepository
from storage.repositories.conversations import ConversationRepository
from storage.repositories.customers import CustomerRepository
from storage.repositories.failure_counts import FailureCountRepository
from storage.repositories.faq import FaqRepository, UnansweredRepository
from storage.repositories.followups import FollowUpRepository
from storage.repositories.handovers import HandoverRepository
from storage.repositories.identities import IdentityRepository
from storage.repositories.messages import MessageRepository
from storage.repositories.notifications import NotificationRepository
from storage.repositories.orders import OrderRepository
from storage.repositories.outbox import OutboxRepository
from storage.repositories.products import ProductRepository
from storage.repositories.staff import StaffRepository
from storage.repositories.tickets import TicketRepository


@dataclass(frozen=True)
class Repositories:
    """All repositories bound to one session: one unit of work."""

    identities: IdentityRepository
    customers: CustomerRepository
    conversations: ConversationRepository
    messages: MessageRepository
    orders: OrderRepository
    faq: FaqRepository
    unanswered: UnansweredRepository
    products: ProductRepository
    tickets: TicketRepository
    outbox: OutboxRepository
    notifications: NotificationRepository
    staff: StaffRepository
    handovers: HandoverRepository
    canned: CannedReplyRepository
    audit: AuditRepository
    followups: FollowUpRepository
    channels: ChannelRepository
    failure_counts: FailureCountRepository

    @classmethod
    def for_session(cls, session: AsyncSession) -> "Repositories":
        return cls(
            identities=IdentityRepository(session),
            customers=CustomerRepository(session),
            conversations=ConversationRepository(session),
            messages=MessageRepository(session),
            orders=OrderRepository(session),
            faq=FaqRepository(session),
            unanswered=UnansweredRepository(session),
            products=ProductRepository(session),
            tickets=TicketRepository(session),
            outbox=OutboxRepository(session),
            notifications=NotificationRepository(session),
            staff=StaffRepository(session),
            handovers=HandoverRepository(session),
            canned=CannedReplyRepository(session),
            audit=AuditRepository(session),
            followups=FollowUpRepository(session),
            channels=ChannelRepository(session),
            failure_counts=FailureCountRepository(session),
        )


__all__ = [
    "AuditRepository",
    "CannedReplyRepository",
    "ChannelRepository",
    "ConversationRepository",
    "CustomerRepository",
    "FailureCountRepository",
    "FaqRepository",
    "FollowUpRepository",
    "HandoverRepository",
    "IdentityRepository",
    "MessageRepository",
    "NotificationRepository",
    "OrderRepository",
    "OutboxRepository",
    "ProductRepository",
    "Repositories",
    "StaffRepository",
    "TicketRepository",
    "UnansweredRepository",
]
