"""Order and parcel details in words, for a customer already verified."""

from datetime import datetime
from zoneinfo import ZoneInfo

from core.enums import OrderStatus
from core.messages import Reply
from handlers.context import Context
from storage.models import Order

# States in which there is no parcel to talk about, each with its own explanation.
NO_PARCEL = (
    OrderStatus.PENDING_PAYMENT,
    OrderStatus.PAID,
    OrderStatus.CANCELLED,
    OrderStatus.REFUNDED,
)


def local_time(moment: datetime, zone: ZoneInfo) -> str:
    """A time as customers read it: 11月21日 18:00 in the shop's time zone."""
    local = moment.astimezone(zone)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def order_detail(ctx: Context, order: Order) -> Reply:
    """Status, items and total, and for a shipped order the parcel's latest news."""
    items = "、".join(f"{item.name}×{item.qty}" for item in order.items) or "—"
    lines = [
        ctx.texts.render(
            "order_detail",
            order_no=order.order_no,
            status=ctx.texts.render(f"status_{order.status}"),
            items=items,
            total=f"{order.total:.2f}",
            total_label=ctx.texts.render(
                "order_total_due"
                if order.status == OrderStatus.PENDING_PAYMENT
                else "order_total_paid"
            ),
        )
    ]
    lines.extend(_parcel_lines(ctx, order))
    return Reply("\n".join(lines))


def parcel_detail(ctx: Context, order: Order) -> Reply:
    """Where the order's parcel is, or why there is none yet."""
    lines = [ctx.texts.render("parcel_heading", order_no=order.order_no)]
    lines.extend(_parcel_lines(ctx, order))
    return Reply("\n".join(lines))


def order_list(ctx: Context, orders: list[Order]) -> Reply:
    lines = [ctx.texts.render("order_list_heading", count=len(orders))]
    for order in orders:
        lines.append(
            ctx.texts.render(
                "order_list_line",
                order_no=order.order_no,
                date=local_time(order.created_at, ctx.settings.zone),
                status=ctx.texts.render(f"status_{order.status}"),
                total=f"{order.total:.2f}",
            )
        )
    lines.append(ctx.texts.render("order_list_footer"))
    return Reply("\n".join(lines))


def _parcel_lines(ctx: Context, order: Order) -> list[str]:
    zone = ctx.settings.zone
    if order.status in NO_PARCEL:
        return [ctx.texts.render(f"parcel_{order.status}")]
    shipment = order.shipment
    if shipment is None:
        return [ctx.texts.render("parcel_no_tracking")]
    lines = [
        ctx.texts.render(
            "parcel_carrier", carrier=shipment.carrier, tracking_no=shipment.tracking_no
        )
    ]
    if shipment.events:
        latest = shipment.events[-1]
        lines.append(
            ctx.texts.render(
                "parcel_latest_event",
                time=local_time(latest.time, zone),
                place=f"{latest.location} " if latest.location else "",
                description=latest.description,
            )
        )
    else:
        lines.append(ctx.texts.render("parcel_no_events"))
    if order.status == OrderStatus.SHIPPED:
        lines.append(ctx.texts.render("parcel_eta"))
    if order.status == OrderStatus.DELIVERED and order.delivered_at is not None:
        lines.append(
            ctx.texts.render("parcel_delivered", time=local_time(order.delivered_at, zone))
        )
    return lines
