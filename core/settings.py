"""Settings from `KEFU_…` environment variables, with defaults that run out of the box.

A leaf module with no project imports, so handlers may read the policy values.
"""

import base64
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# A year: longer promises (or inf/nan) are typing mistakes, not service levels.
MAX_PROMISE_HOURS = 24 * 366
MAX_DAYS = 366
# Settings where an empty value means "none" rather than "the default".
EMPTY_ALLOWED = ("quiet_hours", "return_address", "secret_key")
# KEFU_SECRET_KEY: at least this many random bytes, written as url-safe base64 or hex.
SECRET_KEY_BYTES = 32
SECRET_KEY_HOWTO = (
    'generate one with: python -c "import secrets; print(secrets.token_urlsafe(32))", '
    "or leave it unset to have one generated into KEFU_DATA_DIR"
)


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    database_url: str = "sqlite+aiosqlite:///data/kefu.db"
    demo: bool = False  # the demo shop: `make run` and `make chat` ask for it (KEFU_DEMO=1)
    timezone: str = "Asia/Shanghai"
    faq_file: Path | None = None  # None: the bundled default FAQ
    replies_file: Path | None = None  # None: the bundled reply texts
    # The bot answers from the FAQ when its best match's confidence (0-100: close to the
    # question and clearly ahead of the next entry) reaches `faq_answer_confidence`, and
    # otherwise offers the entries scoring at least `faq_suggest_score` as choices. Calibrated
    # on real customer questions (bench/faq_bench.py, README "FAQ matching"): at 31 at most
    # 10% of the questions a shop's FAQ cannot answer get an answer; from 28 the right entry is
    # answered or offered for most questions it can.
    faq_answer_confidence: float = 31.0
    faq_suggest_score: float = 28.0
    verify_max_attempts: int = 3
    verify_lock_minutes: int = 30
    # Wrong answers for one customer's orders from any chats before those orders are locked.
    verify_customer_max_attempts: int = 5
    # Wrong answers from one web client address, and from all chats together, in a window of
    # `verify_window_minutes`: at the limit that address is refused for `verify_lock_minutes`,
    # or every chat not yet verified for `verify_global_lock_minutes`, and staff are alerted.
    # 0 turns a limit off.
    verify_address_max_failures: int = 10
    verify_global_max_failures: int = 20
    verify_window_minutes: int = 60
    verify_global_lock_minutes: int = 60
    # An open dialog older than this is forgotten; the next message starts afresh.
    dialog_timeout_minutes: int = 30
    # After-sales policy: days after delivery.
    return_days_no_reason: int = 7
    return_days_quality: int = 30
    # Promised times (service levels) per ticket kind; urgent tickets are faster.
    after_sales_first_response_hours: float = 4.0
    after_sales_resolution_hours: float = 48.0
    complaint_first_response_hours: float = 2.0
    complaint_resolution_hours: float = 24.0
    urgent_first_response_hours: float = 0.5
    urgent_resolution_hours: float = 12.0
    # A callback asked for out of hours is due this long after staff start work.
    callback_hours: float = 1.0
    max_message_chars: int = 4000
    # One customer sending more than this many messages in this many seconds is asked to slow
    # down (once a burst); the messages are still stored, and nobody else waits for them.
    rate_limit_messages: int = 20
    rate_limit_seconds: float = 10.0
    # Where the generated console secret key is kept (with the SQLite file by default).
    data_dir: Path = Path("data")
    # Signs and encrypts console session cookies; generated into data_dir when empty.
    secret_key: str = ""
    # When staff answer customers, in the shop's time zone, every day.
    business_hours: str = "09:00-21:00"
    # Handover: conversations per agent at once, the idle time that hands a chat back to the
    # bot, and the minutes per waiting customer used to estimate the wait.
    max_conversations_per_agent: int = 5
    human_idle_minutes: int = 30
    minutes_per_queued_customer: int = 3
    # Console logins: wrong passwords in a row before the account is locked, and for how long.
    login_max_failures: int = 5
    login_lock_minutes: int = 15
    # Wrong sign-ins from one network address (any names) within `login_lock_minutes` before
    # the address is refused for as long; behind a reverse proxy, trust the address it adds
    # to X-Forwarded-For (else every sign-in comes from the proxy).
    login_address_max_failures: int = 20
    trust_forwarded_for: bool = False
    # The shop's name: refused as a console password, as is the account's own name.
    shop_name: str = ""
    session_hours: int = 12
    # Mark session cookies Secure even when a TLS-terminating proxy forwards plain HTTP.
    secure_cookies: bool = False
    # No message goes out on the bot's own initiative in these hours (shop time; empty: none).
    quiet_hours: str = "21:00-09:00"
    # Satisfaction visits (回访): days after delivery / after a ticket is resolved; at most one
    # per customer in `visit_every_days`; unanswered visits expire after `visit_expire_hours`.
    visit_after_delivery_days: float = 3.0
    visit_after_ticket_days: float = 1.0
    visit_every_days: float = 7.0
    visit_expire_hours: float = 48.0
    # Care visits (定期回访) per customer group, every this many days since the last one or
    # since the customer was last heard from; 0 turns them off for the group (the default).
    # They keep to the satisfaction visits' rules: quiet hours, one visit a week, none during
    # an open complaint, the channel's window.
    care_visit_new_days: float = 0.0
    care_visit_repeat_days: float = 0.0
    care_visit_vip_days: float = 0.0
    # Customer groups: VIP from this much spent (yuan) in the last 12 months, repeat from this
    # many orders bought (ever), new otherwise.
    vip_min_spend: float = 2000.0
    repeat_min_orders: int = 2
    # Stock: at most this many left is "low"; exact numbers are told only when allowed.
    low_stock: int = 5
    show_stock_count: bool = False
    # An approved return whose parcel is not on its way after this many days gets a reminder.
    return_reminder_days: float = 3.0
    # The address customers send returns to, quoted in reminders (empty: "the one staff sent").
    return_address: str = ""
    # How often due follow-ups are claimed and sent, in seconds.
    scheduler_tick_seconds: float = 30.0
    # WeChat Official Account (公众号) callback at /wechat/mp: on when the token and AppID are
    # set; safe mode (encrypted messages) when the EncodingAESKey is set too.
    mp_token: str = ""
    mp_appid: str = ""
    mp_aes_key: str = ""
    mp_secret: str = ""
    mp_api_base: str = "https://api.weixin.qq.com"
    # WeCom customer service (企业微信 微信客服) callback at /wecom/kf: on when all are set.
    wecom_corp_id: str = ""
    wecom_secret: str = ""
    wecom_token: str = ""
    wecom_aes_key: str = ""
    wecom_api_base: str = "https://qyapi.weixin.qq.com"
    # The shop's people answer WeCom customers in the WeCom client, not in kefu's console: a
    # handover moves the WeCom session to the pool (待接入池), after which kefu cannot send.
    wecom_handover_in_client: bool = False
    # Wechaty puppet service (personal WeChat or WeCom): on when both are set.
    wechaty_endpoint: str = ""
    wechaty_token: str = ""

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def opening_hours(self) -> tuple[time, time]:
        """Business hours as (opens, closes) local times; closing before opening spans
        midnight."""
        opens, _, closes = self.business_hours.partition("-")
        return time.fromisoformat(opens.strip()), time.fromisoformat(closes.strip())

    @property
    def secret_key_bytes(self) -> bytes | None:
        """KEFU_SECRET_KEY decoded, None when unset; a short or patterned key is refused."""
        if not self.secret_key:
            return None
        key = _decode_key(self.secret_key.strip())
        # A passphrase or a repeated pattern would let a visitor guess the key offline from
        # any cookie; random bytes have (almost) all different values.
        if key is None or len(key) < SECRET_KEY_BYTES or len(set(key)) < SECRET_KEY_BYTES // 2:
            raise ValueError(
                f"KEFU_SECRET_KEY: too weak, a key of at least {SECRET_KEY_BYTES} random bytes "
                f"(url-safe base64 or hex) is needed; {SECRET_KEY_HOWTO}"
            )
        return key

    @property
    def quiet_window(self) -> tuple[time, time] | None:
        """Quiet hours as (start, end) local times, None when there are none."""
        if not self.quiet_hours.strip():
            return None
        start, _, end = self.quiet_hours.partition("-")
        return time.fromisoformat(start.strip()), time.fromisoformat(end.strip())

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        """Settings with every field overridable as KEFU_<FIELD NAME IN CAPITALS>."""
        environ = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for field in fields(cls):
            raw = environ.get(f"KEFU_{field.name.upper()}")
            if raw is None or (raw == "" and field.name not in EMPTY_ALLOWED):
                continue
            values[field.name] = _convert(field.name, raw, field.default)
        settings = cls(**values)  # type: ignore[arg-type]
        try:
            settings.zone  # noqa: B018 - fail at start on an unknown time zone
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"KEFU_TIMEZONE: unknown time zone {settings.timezone!r}") from None
        for field in fields(cls):
            value = getattr(settings, field.name)
            numeric = isinstance(value, int | float)
            if numeric and field.name.endswith("_hours") and not 0 <= value <= MAX_PROMISE_HOURS:
                raise ValueError(
                    f"KEFU_{field.name.upper()}: expected 0 to {MAX_PROMISE_HOURS} hours, "
                    f"got {value}"
                )
            if numeric and field.name.endswith("_days") and not 0 <= value <= MAX_DAYS:
                raise ValueError(
                    f"KEFU_{field.name.upper()}: expected 0 to {MAX_DAYS} days, got {value}"
                )
        if not 0 < settings.scheduler_tick_seconds <= 3600:
            raise ValueError(
                "KEFU_SCHEDULER_TICK_SECONDS: expected more than 0 and at most 3600, "
                f"got {settings.scheduler_tick_seconds}"
            )
        try:
            settings.opening_hours  # noqa: B018 - fail at start on unreadable hours
        except ValueError:
            raise ValueError(
                f"KEFU_BUSINESS_HOURS: expected HH:MM-HH:MM, got {settings.business_hours!r}"
            ) from None
        try:
            settings.quiet_window  # noqa: B018 - fail at start on unreadable hours
        except ValueError:
            raise ValueError(
                f"KEFU_QUIET_HOURS: expected HH:MM-HH:MM or nothing, got {settings.quiet_hours!r}"
            ) from None
        settings.secret_key_bytes  # noqa: B018 - refuse a weak console key at start
        return settings


def _decode_key(text: str) -> bytes | None:
    """Hex or (url-safe or standard) base64, padding optional; None when it is neither."""
    try:
        if re.fullmatch(r"(?:[0-9a-fA-F]{2})+", text):
            return bytes.fromhex(text)
        standard = text.replace("-", "+").replace("_", "/").rstrip("=")
        return base64.b64decode(standard + "=" * (-len(standard) % 4), validate=True)
    except ValueError:  # binascii.Error included
        return None


def _convert(name: str, raw: str, default: object) -> object:
    try:
        if isinstance(default, bool):
            if raw.lower() not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                raise ValueError(raw)
            return raw.lower() in ("1", "true", "yes", "on")
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
        if isinstance(default, Path) or name.endswith(("_file", "_dir")):
            return Path(raw)
    except ValueError:
        raise ValueError(f"KEFU_{name.upper()}: cannot read {raw!r}") from None
    return raw
