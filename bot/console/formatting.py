"""Template filters: times in the shop's zone, Chinese labels for stored codes."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from jinja2 import pass_environment
from jinja2.environment import Environment

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


@dataclass(frozen=True)
class MediaReference:
    text: str
    is_link: bool


def media_references(media: Sequence[str] | None) -> list[MediaReference]:
    """Customers' media references; only web addresses become links, since anything else
    (javascript:, data:) could run script when clicked."""
    return [MediaReference(ref, _is_web_address(ref)) for ref in media or ()]


def _is_web_address(reference: str) -> bool:
    try:
        parts = urlsplit(reference)
    except ValueError:  # e.g. a broken IPv6 host: shown as text
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


FILTERS = {"label": label, "local_time": local_time}
