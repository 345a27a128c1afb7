"""Care visits (定期回访): a friendly word to customers the shop has not heard from in a while,
every so many days per customer group (settings `care_visit_*_days`; 0, the default, is off).

A run looks at every customer with an active chat, in a few queries however many there are:
their group (by what they bought), when they last wrote or ordered, and their care visits. A
customer whose group has an interval, and who was neither sent a care visit nor heard from (a
message, an order) within it, gets one due now, in the chat they used most lately, worded for
their group. It is then sent
by the rules of every visit (`bot.outreach.followup_delivery`): not in quiet hours, not during an
open
complaint or a chat with a person, not within a week of another visit, only inside the
channel's window. It asks for no rating, so it is no satisfaction visit to answer or report.

A care visit waiting to go keeps another from being scheduled, and its subject names the
customer and the shop's date, so two runs or two processes schedule it once. One that could
not go (skipped by a rule, cancelled by staff, refused by the channel) counts as this round's
visit: the next comes a whole interval later.
"""

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.outreach.customer_groups import customer_group, spending_since
from core.clock import Clock
from core.enums import FollowUpKind
from core.settings import Settings
from knowledge import ReplyTexts
from storage.repositories import Repositories
from storage.repositories.followups import Scheduled


def care_intervals(settings: Settings) -> dict[str, timedelta]:
    """group → how long after the last contact its customers are visited; groups that are
    off are left out."""
    days = {
        "new": settings.care_visit_new_days,
        "repeat": settings.care_visit_repeat_days,
        "vip": settings.care_visit_vip_days,
    }
    return {group: timedelta(days=d) for group, d in days.items() if d > 0}


async def schedule_care_visits(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    settings: Settings,
    texts: ReplyTexts,
) -> int:
    """Schedule the care visits that have come due; the number scheduled."""
    intervals = care_intervals(settings)
    if not intervals:
        return 0  # off: not a single query
    now = clock.now()
    # Contact longer ago than the longest interval is as good as none, for every group.
    since = now - max(intervals.values())
    async with sessions() as session, session.begin():
        repos = Repositories.for_session(session)
        chats = await repos.identities.latest_active_by_customer()
        if not chats:
            return 0
        spending = await repos.customers.spending(spending_since(now))
        groups = {
            customer_id: group
            for customer_id in chats
            if (group := customer_group(spending.get(customer_id), settings)) in intervals
        }
        if not groups:
            return 0
        heard = await repos.identities.customers_heard_since(since)
        # An order is contact too: a customer who just bought is no one to miss.
        for customer_id, ordered in (await repos.customers.ordered_since(since)).items():
            heard[customer_id] = max(ordered, heard.get(customer_id, ordered))
        due = _due(groups, intervals, heard, *await repos.followups.care_visits_since(since), now)
        if not due:
            return 0
        # Another process may have scheduled some of them since they were read: one process
        # at a time from here, and their care visits read again.
        await repos.followups.hold_care_scheduling()
        due = _due(groups, intervals, heard, *await repos.followups.care_visits_since(since), now)
        day = f"{now.astimezone(settings.zone):%Y-%m-%d}"
        wording = {group: texts.render(f"followup_care_{group}") for group in intervals}
        rows: list[Scheduled] = [
            {
                "kind": FollowUpKind.CARE,
                "subject": f"care:{customer_id}:{day}",
                "identity_id": chats[customer_id],
                "customer_id": customer_id,
                "text": wording[groups[customer_id]],
                "due_at": now,
                "created_at": now,
            }
            for customer_id in due
        ]
        return await repos.followups.schedule_many(rows)


def _due(
    groups: Mapping[int, str],
    intervals: Mapping[str, timedelta],
    heard: Mapping[int, datetime],
    visited: Mapping[int, datetime],
    waiting: set[int],
    now: datetime,
) -> list[int]:
    """The customers due a care visit: no contact within their group's interval, and none
    waiting to go already."""
    due = []
    for customer_id, group in groups.items():
        if customer_id in waiting:
            continue
        contacts = [t for t in (heard.get(customer_id), visited.get(customer_id)) if t]
        if contacts and max(contacts) > now - intervals[group]:
            continue
        due.append(customer_id)
    return sorted(due)
