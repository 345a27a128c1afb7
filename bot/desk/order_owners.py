"""An order imported again under another customer's phone: refused, or moved when staff say so.

A different phone on a known order is more often a typo than a new owner, and moving the
order would show it to whoever holds that phone. So an import refuses the move unless it is
allowed; an allowed move takes the order from the old customer's chats at once (access
follows the order's customer), cancels what was waiting to be sent to them about it, and
leaves a note for staff in the audit log. The new owner's news is scheduled by the caller as
for a new order, so their verified chat gets the shipping notice.
"""

from dataclasses import dataclass, replace
from datetime import datetime

from bot.outreach.followups import cancel_waiting
from storage.models import Order
from storage.order_records import OrderRecord
from storage.repositories import Repositories

AUDIT_ACTION = "order_owner_changed"
# The note on a cancelled follow-up, read by staff in the console.
CANCEL_NOTE = "订单已改归另一位客户"


@dataclass(frozen=True)
class OwnerChange:
    """An order moved from one customer to another by a line of an import."""

    order_no: str
    old_phone: str
    new_phone: str
    cancelled: int = 0  # follow-ups to the old customer's chats that will not be sent

    def describe(self) -> str:
        """One line for the import's summary; phones shown by their last four digits."""
        return (
            f"order {self.order_no} moved from the customer with phone "
            f"…{self.old_phone[-4:]} to …{self.new_phone[-4:]}; {self.cancelled} waiting "
            "messages to the old customer cancelled"
        )


async def owner_phone(repos: Repositories, order: Order | None) -> str | None:
    """The phone of the customer an order belongs to now; None for an order not stored yet."""
    if order is None:
        return None
    return (await repos.orders.customer(order)).phone


def refuse_move(record: OrderRecord, old_phone: str) -> ValueError:
    """The problem reported for a line that would move its order without leave."""
    return ValueError(
        f"order {record.order_no} belongs to the customer with phone …{old_phone[-4:]}, this "
        f"line gives …{record.customer_phone[-4:]}: not imported. Check the phone; if the "
        "order really changed hands, import again with --allow-owner-change"
    )


async def take_from_old_owner(
    repos: Repositories, order: Order, change: OwnerChange, now: datetime
) -> OwnerChange:
    """After `order` moved (before its new owner's news): cancel what waited for the old
    customer's chats and note it for staff; the change with the number cancelled."""
    cancelled = await cancel_waiting(repos, await repos.orders.followups(order.id), CANCEL_NOTE)
    change = replace(change, cancelled=cancelled)
    await repos.audit.record(
        None, AUDIT_ACTION, now, subject=order.order_no, detail=change.describe()
    )
    return change
