"""When staff answer customers: the shop's business hours in its own time zone."""

from datetime import UTC, datetime, time, timedelta

from bot.quiet_hours import within
from core.settings import Settings
from knowledge import ReplyTexts
from knowledge.replies import DEFAULT_REPLIES


def _local(now: datetime, settings: Settings) -> datetime:
    return now.astimezone(settings.zone)


def is_open(now: datetime, settings: Settings) -> bool:
    """True while staff are at work; a closing time before the opening time spans midnight."""
    opens, closes = settings.opening_hours
    current = _local(now, settings).time()
    if opens == closes:  # "09:00-09:00": around the clock
        return True
    return within(current, opens, closes)


def next_opening(now: datetime, settings: Settings) -> datetime:
    """The next time staff start work after `now`, in the shop's time zone."""
    opens, _ = settings.opening_hours
    local = _local(now, settings)
    candidate = datetime.combine(local.date(), opens, tzinfo=local.tzinfo)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), opens, tzinfo=local.tzinfo)
    return candidate


def clock_time(moment: time | datetime) -> str:
    """A time of day as customers write it: "9:00", "21:30"."""
    return f"{moment.hour}:{moment.minute:02d}"


def service_hours(settings: Settings) -> str:
    """The business hours as customers read them: "9:00–21:00"."""
    opens, closes = settings.opening_hours
    return f"{clock_time(opens)}–{clock_time(closes)}"


def shop_texts(settings: Settings) -> ReplyTexts:
    """The shop's reply texts, with its business hours for any text that names {hours}."""
    texts = ReplyTexts.from_file(settings.replies_file or DEFAULT_REPLIES)
    return texts.with_standing(hours=service_hours(settings))


def is_today(moment: datetime, now: datetime, settings: Settings) -> bool:
    """True when `moment` falls on the same local day as `now`."""
    return _local(moment, settings).date() == _local(now, settings).date()


def local_clock_time(moment: datetime, settings: Settings) -> str:
    """A moment's time of day in the shop's time zone: "20:50"."""
    return clock_time(_local(moment, settings))


def after_business_hours(start: datetime, hours: float, settings: Settings) -> datetime:
    """The moment `hours` of staff time have passed after `start`; closed hours do not count.

    A promise to answer "within 2 hours" made at 20:30 comes due at 10:30 the next morning,
    not at 22:30 when nobody is there.
    """
    # Sums in UTC: adding hours to a local time would skip or repeat a clock change's hour.
    remaining = timedelta(hours=hours)
    opens, closes = settings.opening_hours
    if opens == closes:
        return start.astimezone(UTC) + remaining
    moment = start if is_open(start, settings) else next_opening(start, settings)
    moment = moment.astimezone(UTC)
    while True:
        closing = _next_closing(moment, settings).astimezone(UTC)
        if moment + remaining <= closing:
            return moment + remaining
        remaining -= closing - moment
        moment = next_opening(closing, settings).astimezone(UTC)


def _next_closing(moment: datetime, settings: Settings) -> datetime:
    _, closes = settings.opening_hours
    local = _local(moment, settings)
    candidate = datetime.combine(local.date(), closes, tzinfo=local.tzinfo)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), closes, tzinfo=local.tzinfo)
    return candidate
