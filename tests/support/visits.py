"""Satisfaction visits scheduled, sent, answered and expired, and a month of them seeded."""

from datetime import datetime, timedelta

from bot.desk.staff_accounts import create_staff
from bot.outreach.followup_delivery import ChannelReach, send_due_followups
from bot.services import Services
from storage.models import FollowUp, Ticket
from storage.repositories import Repositories
from tests.support.clock import FakeClock

HOUR = timedelta(hours=1)


class ClosedWindow:
    """A channel that may not message the customer now, as the Official Account after 48
    hours of silence."""

    def may_message(self, last_heard: datetime | None, now: datetime) -> bool:
        return False


async def identity_of(services: Services, user: str, channel: str = "web") -> int:
    async with services.sessions() as session, session.begin():
        identities = Repositories.for_session(session).identities
        return (await identities.get_or_create(channel, user, services.clock.now())).id


async def delivery_visit(services: Services, user: str, order_no: str, channel: str = "web") -> int:
    """A visit to `user` about an order's delivery, due now; its id."""
    identity_id = await identity_of(services, user, channel)
    now = services.clock.now()
    async with services.sessions() as session, session.begin():
        repos = Repositories.for_session(session)
        order = await repos.orders.by_number(order_no)
        assert order is not None
        subject = f"order:{order.id}:visit:{user}"
        assert await repos.followups.schedule(
            kind="visit",
            subject=subject,
            identity_id=identity_id,
            order_id=order.id,
            text="收到的宝贝还满意吗？",
            due_at=now,
            created_at=now,
        )
        followup = await repos.followups.by_subject(subject)
        assert followup is not None
        return followup.id


async def ticket_visit(
    services: Services, user: str, number: str, kind: str, staff_id: int | None
) -> int:
    """A ticket of this kind resolved now by a staff member (or nobody signed in), and its
    visit, due now; the visit's id."""
    identity_id = await identity_of(services, user)
    now = services.clock.now()
    async with services.sessions() as session, session.begin():
        repos = Repositories.for_session(session)
        ticket = await repos.tickets.add(resolved_ticket(number, kind, identity_id, now))
        subject = f"ticket:{ticket.id}:visit"
        assert await repos.followups.schedule(
            kind="visit",
            subject=subject,
            identity_id=identity_id,
            ticket_id=ticket.id,
            staff_id=staff_id,
            text=f"工单 {number} 处理得还满意吗？",
            due_at=now,
            created_at=now,
        )
        followup = await repos.followups.by_subject(subject)
        assert followup is not None
        return followup.id


def resolved_ticket(number: str, kind: str, identity_id: int, now: datetime) -> Ticket:
    return Ticket(
        number=number,
        kind=kind,
        status="resolved",
        identity_id=identity_id,
        first_response_due=now,
        resolution_due=now,
        first_response_at=now,
        resolved_at=now,
        created_at=now - 2 * HOUR,
        updated_at=now,
    )


async def send(services: Services, reach: dict[str, ChannelReach] | None = None) -> None:
    await send_due_followups(services.sessions, services.clock, services.settings, reach or {})


async def rate(services: Services, visit_id: int, rating: int, comment: str = "") -> None:
    """The customer's answer as the survey records it: the rating, their words, and for a
    low rating a follow-up ticket for staff."""
    now = services.clock.now()
    async with services.sessions() as session, session.begin():
        repos = Repositories.for_session(session)
        assert await repos.followups.record_rating(visit_id, rating, now)
        visit = await session.get(FollowUp, visit_id, populate_existing=True)
        assert visit is not None
        visit.comment = comment
        if rating <= 2:
            ticket = Ticket(
                kind="followup",
                status="open",
                identity_id=visit.identity_id,
                first_response_due=now + HOUR,
                resolution_due=now + 24 * HOUR,
                description=comment,
                created_at=now,
                updated_at=now,
            )
            await repos.tickets.add(ticket, prefix=f"FU{now:%Y%m%d}-")
            visit.followup_ticket_id = ticket.id


async def expire_unanswered(services: Services) -> None:
    cutoff = services.clock.now() - timedelta(hours=services.settings.visit_expire_hours)
    async with services.sessions() as session, session.begin():
        await Repositories.for_session(session).followups.expire_visits(cutoff)


async def seed_visits(services: Services, clock: FakeClock) -> None:
    """A month of visits, described in the tests below; the clock ends at 1 Jan 2027 11:00
    Shanghai time.

    Needs the demo orders.
    """
    zhou = await create_staff(services.sessions, clock, "zhou", "agent", "pw 12345678", "小周")
    li = await create_staff(services.sessions, clock, "li", "agent", "pw 12345678", "老李")
    # 29 November: a delivery visit rated 1, more than 30 days before the report.
    old = await delivery_visit(services, "olga", "KF20261115002")
    await send(services)
    await rate(services, old, 1, "太慢了")
    # 30 December, 10:00: a visit after an after-sales ticket, never answered: it expires.
    clock.advance(days=31, hours=-1)
    await ticket_visit(services, "erin", "AS20261230-0001", "after_sales", li.id)
    await send(services)
    # 1 January 2027, 10:00: the rest.
    clock.advance(hours=48)
    alice = await delivery_visit(services, "alice", "KF20261115002")
    bob = await delivery_visit(services, "bob", "KF20261120001")
    carol = await ticket_visit(services, "carol", "AS20270101-0001", "after_sales", zhou.id)
    dave = await ticket_visit(services, "dave", "CP20270101-0001", "complaint", zhou.id)
    hank = await ticket_visit(services, "hank", "AS20270101-0002", "after_sales", li.id)
    await ticket_visit(services, "frank", "CB20270101-0001", "callback", None)  # not answered
    await send(services)
    # Alice was visited just now: a second visit within the week is skipped.
    await ticket_visit(services, "alice", "AS20270101-0003", "after_sales", zhou.id)
    # Gina writes on the Official Account, whose window has closed.
    await delivery_visit(services, "gina", "KF20261120001", channel="wechat_mp")
    await send(services, {"wechat_mp": ClosedWindow()})
    for visit, rating, comment in ((alice, 5, ""), (bob, 4, "不错"), (hank, 5, "")):
        await rate(services, visit, rating, comment)
    clock.advance(minutes=20)
    await rate(services, carol, 1, "退款还没到账")
    clock.advance(minutes=20)
    await rate(services, dave, 2, "客服态度一般\n等了很久")
    clock.advance(minutes=20)
    await expire_unanswered(services)  # erin's, sent 49 hours ago
