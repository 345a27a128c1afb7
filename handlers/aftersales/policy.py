"""The shop's after-sales policy (DESIGN §4), and the ticket a request becomes."""

from dataclasses import dataclass
from datetime import timedelta

from core.enums import OrderStatus, TicketKind
from core.messages import Reply
from handlers.aftersales.state import AfterSalesState
from handlers.aftersales.words import EXCHANGE, QUALITY, REFUND, RETURN, USAGE
from handlers.context import Context
from handlers.orders.views import local_time
from handlers.tickets.opening import open_ticket
from storage.models import Order, OrderItem

NOT_SHIPPED = (OrderStatus.PENDING_PAYMENT, OrderStatus.PAID)
# Orders there is nothing to do for any more.
CLOSED = (OrderStatus.CANCELLED, OrderStatus.REFUNDED)


@dataclass(frozen=True)
class PolicyCheck:
    within: bool
    note: str = ""  # why not, in words for the customer and for staff


def check_policy(
    ctx: Context,
    order: Order,
    request_type: str,
    reason: str,
    non_returnable: bool,
) -> PolicyCheck:
    """Whether the request is within the policy, and if not, why."""
    settings = ctx.settings
    if order.status in NOT_SHIPPED:
        if request_type == REFUND:
            return PolicyCheck(True)
        return PolicyCheck(False, ctx.texts.render("aftersales_policy_only_refund"))
    if order.status != OrderStatus.DELIVERED:
        return PolicyCheck(False, ctx.texts.render("aftersales_policy_in_transit"))
    if reason == USAGE:
        return PolicyCheck(True)
    since_delivery = ctx.clock.now() - order.delivered_at if order.delivered_at else None
    if reason == QUALITY:
        limit = settings.return_days_quality
        if since_delivery is not None and since_delivery > timedelta(days=limit):
            return PolicyCheck(
                False, ctx.texts.render("aftersales_policy_quality_expired", days=limit)
            )
        return PolicyCheck(True)
    if non_returnable:
        return PolicyCheck(False, ctx.texts.render("aftersales_policy_non_returnable"))
    limit = settings.return_days_no_reason
    if since_delivery is not None and since_delivery > timedelta(days=limit):
        return PolicyCheck(
            False, ctx.texts.render("aftersales_policy_no_reason_expired", days=limit)
        )
    return PolicyCheck(True)


def summary(ctx: Context, slots: AfterSalesState, order: Order, policy: PolicyCheck) -> Reply:
    """What will be submitted, for the customer to check."""
    photos = len(slots.media)
    lines = [
        ctx.texts.render(
            "aftersales_summary",
            order_no=order.order_no,
            item=slots.item_name or ctx.texts.render("aftersales_whole_order"),
            type=ctx.texts.render(f"aftersales_type_{slots.type}"),
            reason=ctx.texts.render(f"aftersales_reason_{slots.reason}"),
            description=slots.description or ctx.texts.render("aftersales_no_description"),
            photos=ctx.texts.render("aftersales_photos_count", count=photos)
            if photos
            else ctx.texts.render("aftersales_photos_none"),
        )
    ]
    if not policy.within:
        lines.append(ctx.texts.render("aftersales_summary_outside_policy"))
    return Reply("\n".join(lines))


async def submit(
    ctx: Context,
    slots: AfterSalesState,
    order: Order,
    item: OrderItem | None,
    policy: PolicyCheck,
) -> list[Reply]:
    """Open the ticket and tell the customer its number, what happens next and by when."""
    request_type = slots.type
    ticket = await open_ticket(
        ctx,
        TicketKind.AFTER_SALES,
        order_id=order.id,
        order_item_id=item.id if item else None,
        request_type=request_type,
        reason=slots.reason,
        description=slots.description,
        media=list(slots.media),
        within_policy=policy.within,
        policy_note=policy.note,
    )
    lines = [ctx.texts.render("aftersales_opened", number=ticket.number)]
    if not policy.within:
        lines.append(ctx.texts.render("aftersales_next_review"))
    elif request_type == REFUND and order.status in NOT_SHIPPED:
        lines.append(ctx.texts.render("aftersales_next_refund_unshipped"))
    else:
        lines.append(ctx.texts.render(f"aftersales_next_{request_type}"))
        if slots.reason == QUALITY and request_type in (RETURN, EXCHANGE):
            lines.append(ctx.texts.render("aftersales_next_quality_postage"))
    due = local_time(ticket.resolution_due, ctx.settings.zone)
    lines.append(ctx.texts.render("aftersales_due", due=due))
    return [Reply("\n".join(lines))]
