"""Customer groups (new, repeat, VIP), computed from what each customer bought."""

from datetime import datetime, timedelta
from decimal import Decimal

from core.settings import Settings
from storage.repositories.customers import Spending

GROUPS = ("new", "repeat", "vip")
# Group names as staff read them in the console and the command line.
GROUP_NAMES = {"new": "新客户", "repeat": "回头客", "vip": "VIP"}
# Spending counts over the last twelve months.
SPENDING_WINDOW = timedelta(days=365)


def spending_since(now: datetime) -> datetime:
    """The start of the period a customer's group is judged on."""
    return now - SPENDING_WINDOW


def customer_group(spending: Spending | None, settings: Settings) -> str:
    """VIP by money spent in the last 12 months, repeat by orders, new otherwise."""
    if spending is None:
        return "new"
    # Through str: the float 1999.99 is a hair below Decimal("1999.99").
    if spending.recent_spent >= Decimal(str(settings.vip_min_spend)):
        return "vip"
    if spending.orders >= settings.repeat_min_orders:
        return "repeat"
    return "new"
