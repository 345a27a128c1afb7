"""Template filters: times in the shop's zone, Chinese labels for stored codes, and text
cleaned of invisible characters."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from jinja2 import pass_environment
from jinja2.environment import Environment
from markupsafe import Markup

# Characters that change how text around them is shown while showing nothing themselves: bidi
# marks, embeddings, overrides and isolates (U+202E shows "订单\u202eKF…" backwards), and every
# character Unicode calls boundary-neutral: controls but tab and line breaks, the soft hyphen,
# zero-width spaces and joiners, invisible operators, the byte-order mark, tag characters …
INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0000-\U000e007f]"
)

LABELS = {
    # conversation modes
    "bot": "机器人",
    "queued": "排队中",
    "human": "人工服务中",
    # ticket kinds
    "after_sales": "售后",
    "complaint": "投诉",
    "callback": "回电",
    "followup": "回访跟进",
    # ticket statuses
    "open": "待处理",
    "in_progress": "处理中",
    "waiting_customer": "等待客户",
    "resolved": "已解决",
    "closed": "已关闭",
    "rejected": "已驳回",
    # complaint categories
    "logistics": "物流",
    "quality": "质量",
    "service": "服务",
    "price": "价格",
    "other": "其他",
    # request types
    "return": "退货",
    "exchange": "换货",
    "refund": "退款",
    "repair": "维修",
    # handover reasons
    "request": "客户要求",
    "fallback": "机器人未能理解",
    "staff": "客服主动接入",
    # roles, senders, severities
    "agent": "客服",
    "admin": "管理员",
    "customer": "客户",
    "urgent": "紧急",
    "normal": "普通",
}


def label(code: str | None) -> str:
    """The Chinese label for a stored code; unknown codes are shown as they are."""
    if code is None:
        return ""
    return LABELS.get(code, code)


@pass_environment
def local_time(
    environment: Environment, value: datetime | None, pattern: str = "%m-%d %H:%M"
) -> str:
    """A stored UTC time in the shop's zone."""
    if value is None:
        return ""
    zone: ZoneInfo = environment.globals["zone"]  # type: ignore[assignment]
    return value.astimezone(zone).strftime(pattern)


def visible(value: object) -> object:
    """Text as shown on a console page: customers' text and ids without invisible characters
    that would reorder or hide what staff read; other values as they are."""
    if isinstance(value, Markup):  # already-safe HTML (a macro, a chart) stays HTML
        return Markup(INVISIBLE.sub("", value))
    if isinstance(value, str):
        return INVISIBLE.sub("", value)
    return value


FILTERS = {"label": label, "local_time": local_time}
