"""Console: 订单 — find an order, see it whole, record its shipment or its delivery."""

# Updates go through bot.outreach.order_updates, so the customer's news (a shipping notice, a visit)
# is scheduled in the same transaction as the change, exactly as on import.

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from aiohttp import web

from bot.console.forms import form_text
from bot.console.services import SERVICES
from bot.console.signed_in import signed_in
from bot.console.templates import render
from bot.desk.conversation_views import (
    FOLLOWUP_KIND_NAMES,
    FOLLOWUP_STATUS_NAMES,
    ORDER_STATUS_NAMES,
    ConversationOwner,
    customer_label,
)
from bot.desk.customer_profiles import masked_phone
from bot.desk.order_views import ListedOrder, Order, newest_orders, order_detail
from bot.outreach.order_updates import (
    SHIPPABLE_STATUSES,
    OrderNotFound,
    OrderUpdate,
    UpdateRefused,
    record_delivery,
    record_shipment,
)
from core.enums import OrderStatus
from core.patterns import fold
from core.shop_time import is_quiet

LIST_LIMIT = 50
SEARCH_LIMIT = 64  # longer than any order or tracking number
# Offered as the carrier is typed; any other name may be typed too.
CARRIERS = ("顺丰速运", "中通快递", "圆通速递", "韵达快递", "申通快递", "极兔速递", "京东物流")
# What a POST did and what the customer will hear, named in the redirect's query.
DONE = {"shipment": "已保存发货信息", "delivery": "已确认签收", "unchanged": "订单信息没有变化"}
NEWS = {
    "notice": "已通知客户（发货通知已排期）",
    "visit": "满意度回访已排期（签收 {days} 天后）",
    "no_chat": "客户没有绑定的聊天，未发送通知",
    "none": "没有新的通知需要发送",
}


@dataclass(frozen=True)
class OrderRow:
    """A listed order as the page shows it: the phone masked, the status in words."""

    listed: ListedOrder
    phone: str
    status: str


@dataclass(frozen=True)
class ShownChat:
    label: str
    conversation_id: int | None


@dataclass(frozen=True)
class ShipmentForm:
    """The shipment form as typed, kept when it is refused."""

    carrier: str = ""
    tracking_no: str = ""


async def list_page(request: web.Request) -> web.Response:
    """GET /console/orders?q=: the newest orders, or those matching an order/tracking number."""
    services = request.config_dict[SERVICES]
    search = "".join(fold(request.query.get("q", "")).split()).upper()[:SEARCH_LIMIT]
    listed = await newest_orders(services.sessions, LIST_LIMIT, search)
    if len(listed) == 1 and search in (listed[0].order_no, listed[0].tracking_no):
        raise web.HTTPFound(_order_path(listed[0].order_no))
    rows = [
        OrderRow(item, masked_phone(item.phone), ORDER_STATUS_NAMES.get(item.status, item.status))
        for item in listed
    ]
    context = {
        "section": "orders",
        "rows": rows,
        "search": search,
        "limit": LIST_LIMIT,
        "missing": "",
    }
    return render(request, "orders.html", context)


async def order_page(request: web.Request) -> web.Response:
    """GET /console/orders/{number}: the order whole, with the shipment and delivery forms."""
    services = request.config_dict[SERVICES]
    done, news = request.query.get("done", ""), request.query.get("news", "")
    notice = ""
    if done in DONE and news in NEWS:
        settings = services.settings
        days = f"{settings.visit_after_delivery_days:g}"
        notice = f"{DONE[done]}，{NEWS[news].format(days=days)}"
        if news == "notice" and is_quiet(services.clock.now(), settings):
            notice += f"；现在是免打扰时段（{settings.quiet_hours}），结束后发出"
    return await _detail_page(request, notice=notice)


async def ship(request: web.Request) -> web.Response:
    """POST /console/orders/{number}/shipment: record or correct the parcel."""
    services = request.config_dict[SERVICES]
    form = await request.post()
    typed = ShipmentForm(form_text(form, "carrier"), form_text(form, "tracking_no"))
    try:
        update = await record_shipment(
            services.sessions,
            services.clock,
            services.settings,
            services.assistant.texts,
            request.match_info["number"],
            typed.carrier,
            typed.tracking_no,
            signed_in(request).id,
        )
    except OrderNotFound:
        return _not_found(request)
    except UpdateRefused as error:
        return await _detail_page(request, form=typed, shipment_error=str(error), status=400)
    raise web.HTTPFound(_after(update, "shipment"))


async def deliver(request: web.Request) -> web.Response:
    """POST /console/orders/{number}/delivery: the customer has received the parcel."""
    services = request.config_dict[SERVICES]
    try:
        update = await record_delivery(
            services.sessions,
            services.clock,
            services.settings,
            services.assistant.texts,
            request.match_info["number"],
            signed_in(request).id,
        )
    except OrderNotFound:
        return _not_found(request)
    except UpdateRefused as error:
        return await _detail_page(request, delivery_error=str(error), status=400)
    raise web.HTTPFound(_after(update, "delivery"))


def _after(update: OrderUpdate, done: str) -> str:
    """The order's page, saying what was done and what the customer will hear."""
    news = update.news
    if news.notices:
        heard = "notice"
    elif news.visits:
        heard = "visit"
    elif news.no_chat:
        heard = "no_chat"
    else:
        heard = "none"
    query = urlencode({"done": done if update.changed else "unchanged", "news": heard})
    return f"{_order_path(update.order_no)}?{query}"


async def _detail_page(
    request: web.Request,
    *,
    form: ShipmentForm | None = None,
    shipment_error: str = "",
    delivery_error: str = "",
    notice: str = "",
    status: int = 200,
) -> web.Response:
    services = request.config_dict[SERVICES]
    found = await order_detail(services.sessions, request.match_info["number"].strip())
    if found is None:
        return _not_found(request)
    order, customer, chats, followups = found.order, found.customer, found.chats, found.followups
    shown_chats = [
        ShownChat(
            customer_label(
                ConversationOwner(chat.identity_id, chat.channel, chat.external_id, None, None)
            ),
            chat.conversation_id,
        )
        for chat in chats
    ]
    context: dict[str, Any] = {
        "section": "orders",
        "order": order,
        "status_name": ORDER_STATUS_NAMES.get(order.status, order.status),
        "customer_name": customer.name,
        "phone": masked_phone(customer.phone),
        "chats": shown_chats,
        "followups": followups,
        "followup_kinds": FOLLOWUP_KIND_NAMES,
        "followup_statuses": FOLLOWUP_STATUS_NAMES,
        "may_ship": order.status in SHIPPABLE_STATUSES,
        "may_deliver": order.status == OrderStatus.SHIPPED,
        "form": form or _current_shipment(order),
        "carriers": CARRIERS,
        "shipment_error": shipment_error,
        "delivery_error": delivery_error,
        "notice": notice,
    }
    return render(request, "order.html", context, status=status)


def _current_shipment(order: Order) -> ShipmentForm:
    """The form filled in with the parcel recorded, so a wrong number is corrected in place."""
    if order.shipment is None:
        return ShipmentForm()
    return ShipmentForm(order.shipment.carrier, order.shipment.tracking_no)


def _not_found(request: web.Request) -> web.Response:
    context = {
        "section": "orders",
        "rows": [],
        "search": "",
        "limit": LIST_LIMIT,
        "missing": request.match_info["number"],
    }
    return render(request, "orders.html", context, status=404)


def _order_path(order_no: str) -> str:
    return f"/console/orders/{quote(order_no)}"


def add_routes(app: web.Application) -> None:
    app.router.add_get("/orders", list_page)
    app.router.add_get("/orders/{number}", order_page)
    app.router.add_post("/orders/{number}/shipment", ship)
    app.router.add_post("/orders/{number}/delivery", deliver)
