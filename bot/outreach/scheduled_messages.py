"""Messages staff schedule for a customer (DESIGN §4, reminders staff set by hand).

A scheduled message is a follow-up of kind "message": the scheduler sends it at the chosen
time, quiet hours or not, through the outbox and with the staff sender, like a reply typed
in the console. The console's conversation page and `python -m bot remind` both come here.
"""

import string
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.outreach.followups import schedule_message
from core.clock import Clock
from core.patterns import phone_candidates
from core.settings import Settings
from storage.models import Identity
from storage.repositories import Repositories

# A time typed a moment ago for "now" is sent at once, not refused as past.
GRACE = timedelta(minutes=1)
# How far ahead a message may be scheduled: a year, and the same day a year on.
HORIZON = timedelta(days=366)
PHONE_CHARACTERS = set(string.digits + " +-()")
MIN_PHONE_DIGITS = 4


class ScheduleRefused(ValueError):
    """A message that cannot be scheduled: str() says why in English (the command line),
    `chinese` says it for the console."""

    def __init__(self, english: str, chinese: str) -> None:
        super().__init__(english)
        self.chinese = chinese


@dataclass(frozen=True)
class ScheduledMessage:
    """What was scheduled: the follow-up's id, when it goes, and to which chat."""

    id: int
    due_at: datetime
    channel: str
    external_id: str

    @property
    def recipient(self) -> str:
        return f"{self.channel}:{self.external_id}"


def parse_time(raw: str, zone: ZoneInfo) -> datetime:
    """A date and time as typed ("2026-12-01 10:00", "2026-12-01T10:00", either with an
    offset such as "+08:00"); without an offset it is the shop's time."""
    text = raw.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    # A date alone would mean midnight, which nobody means to schedule.
    if moment is None or len(text) <= len("2026-12-01"):
        raise ScheduleRefused(
            f'unreadable time {raw!r}: give a date and a time, e.g. "2026-12-01 10:00"',
            "请填写发送的日期和时间",
        )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment


async def find_recipient(repos: Repositories, reference: str) -> Identity:
    """The chat a customer reference means: a phone number or a customer id ("#12"), whose
    verified chat used most lately is meant, or a chat as "channel:user" ("web:alice")."""
    reference = reference.strip()
    if reference.startswith("#") and reference[1:].isdecimal() and len(reference) <= 10:
        identity = await repos.identities.latest_for_customer(int(reference[1:]))
        if identity is None:
            raise ScheduleRefused(
                f"no chat found for customer {reference}", f"找不到客户 {reference} 的会话"
            )
        return identity
    channel, colon, user = reference.partition(":")
    if colon and channel and user:
        identity = await repos.identities.find(channel, user)
        if identity is None:
            raise ScheduleRefused(f"no chat {reference}", f"找不到会话 {reference}")
        return identity
    digits = "".join(ch for ch in reference if ch.isdigit())
    if set(reference) <= PHONE_CHARACTERS and len(digits) >= MIN_PHONE_DIGITS:
        customer_id = None
        for phone in phone_candidates(reference):  # "+86 138 …" is stored as "138…"
            customer_id = await repos.customers.id_for_phone(phone)
            if customer_id is not None:
                break
        identity = None
        if customer_id is not None:
            identity = await repos.identities.latest_for_customer(customer_id)
        if identity is None:
            raise ScheduleRefused(
                f"no customer with a chat has the phone number {digits}",
                f"找不到手机号为 {digits} 且有会话的客户",
            )
        return identity
    raise ScheduleRefused(
        f'unknown customer {reference!r}: give a phone number, "#12" or "channel:user"',
        f"无法识别客户 {reference}",
    )


def check_message(text: str, at: datetime, now: datetime, settings: Settings) -> None:
    """Refuse a blank or too long text, and a time past or more than a year away."""
    if not text:
        raise ScheduleRefused("the message is empty", "请填写消息内容")
    limit = settings.max_message_chars
    if len(text) > limit:
        raise ScheduleRefused(
            f"the message is {len(text)} characters; at most {limit}",
            f"消息内容不能超过 {limit} 个字（现在 {len(text)} 个）",
        )
    if at < now - GRACE:
        raise ScheduleRefused("that time has passed", "发送时间已经过去，请选择以后的时间")
    if at > now + HORIZON:
        raise ScheduleRefused("that is more than a year away", "发送时间不能晚于一年以后")


async def schedule_customer_message(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    settings: Settings,
    *,
    at: datetime,
    text: str,
    staff_id: int | None,
    identity_id: int | None = None,
    customer: str | None = None,
) -> ScheduledMessage:
    """Schedule a message to one chat (`identity_id`) or to a customer reference (see
    `find_recipient`); recorded in the audit log. Raises ScheduleRefused."""
    if (identity_id is None) == (customer is None):
        raise TypeError("give exactly one of identity_id and customer")
    text = text.strip()
    now = clock.now()
    check_message(text, at, now, settings)
    async with sessions() as session, session.begin():
        repos = Repositories.for_session(session)
        if customer is not None:
            identity = await find_recipient(repos, customer)
        else:
            assert identity_id is not None
            found = await repos.identities.by_id(identity_id)
            if found is None:
                raise ScheduleRefused("no such chat", "找不到这个会话")
            identity = found
        due = max(at, now)
        followup = await schedule_message(
            repos, identity, text, due, now, staff_id, subject=f"message:{uuid4().hex}"
        )
        scheduled = ScheduledMessage(followup.id, due, identity.channel, identity.external_id)
        local = due.astimezone(settings.zone).strftime("%Y-%m-%d %H:%M")
        await repos.audit.record(
            staff_id, "message_scheduled", now, scheduled.recipient, f"{local} {text[:200]}"
        )
    return scheduled


async def cancel_followup(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    *,
    followup_id: int,
    identity_id: int,
    staff_id: int,
    note: str,
) -> bool:
    """Cancel a follow-up of this chat that has not gone yet, noting who did; False when it
    has gone (or is not this chat's)."""
    async with sessions() as session, session.begin():
        repos = Repositories.for_session(session)
        followup = await repos.followups.get(followup_id)
        if followup is None or followup.identity_id != identity_id:
            return False
        if not await repos.followups.cancel(followup_id, note):
            return False
        identity = await repos.identities.by_id(identity_id)
        assert identity is not None
        await repos.audit.record(
            staff_id,
            "followup_cancelled",
            clock.now(),
            f"{identity.channel}:{identity.external_id}",
            f"{followup.kind} {followup.text[:200]}",
        )
    return True
