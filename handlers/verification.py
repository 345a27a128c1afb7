"""Binding a chat identity to an order's customer by the phone number's last four digits.

Nothing about an order is shown before the identity is bound to its customer. A wrong answer
and an unknown order number get the same reply, so a stranger learns nothing.
"""

import hmac
from datetime import timedelta

from bot.messages import Reply
from handlers.context import Context
from handlers.order_views import order_detail, parcel_detail
from handlers.patterns import is_mobile_number, order_references, phone_last_four
from storage.models import Order

FLOW = "verify"


async def find_order(ctx: Context, reference: str) -> Order | None:
    """The order with this order number, or whose parcel has this tracking number."""
    order = await ctx.repos.orders.by_number(reference)
    if order is None:
        order = await ctx.repos.orders.by_tracking_number(reference)
    return order


def show(ctx: Context, order: Order, purpose: str) -> Reply:
    """The order's details for an identity allowed to see them; remembers it as the topic."""
    ctx.memory["order_no"] = order.order_no
    return parcel_detail(ctx, order) if purpose == "logistics" else order_detail(ctx, order)


def is_locked(ctx: Context) -> bool:
    locked_until = ctx.identity.locked_until
    return locked_until is not None and locked_until > ctx.clock.now()


async def open_order(ctx: Context, reference: str, purpose: str) -> list[Reply]:
    """Show the order if this identity may see it, else ask for the phone digits."""
    order = await find_order(ctx, reference)
    if order is not None and order.customer_id == ctx.identity.customer_id:
        return [show(ctx, order, purpose)]
    if is_locked(ctx):
        return [ctx.say("verify_locked", minutes=ctx.settings.verify_lock_minutes)]
    ctx.start_dialog(FLOW, prompt="verify_ask", reference=reference, purpose=purpose)
    return [ctx.say("verify_ask")]


class Verification:
    """Owns the dialog that waits for the phone number's last four digits."""

    flows = (FLOW,)

    async def resume(self, ctx: Context) -> list[Reply] | None:
        assert ctx.dialog is not None
        if any(not is_mobile_number(ref) for ref in order_references(ctx.text)):
            return None  # a new order number: the orders rule starts over with it
        digits = phone_last_four(ctx.text)
        if digits is None:
            return None
        if is_locked(ctx):
            ctx.end_dialog()
            return [ctx.say("verify_locked", minutes=ctx.settings.verify_lock_minutes)]
        order = await find_order(ctx, ctx.dialog["reference"])
        if order is not None:
            customer = await ctx.repos.orders.customer(order)
            if hmac.compare_digest(customer.phone[-4:], digits):
                await ctx.repos.identities.bind(ctx.identity, customer.id)
                purpose = ctx.dialog["purpose"]
                ctx.end_dialog()
                return [ctx.say("verify_ok"), show(ctx, order, purpose)]
        return await self._refuse(ctx)

    async def _refuse(self, ctx: Context) -> list[Reply]:
        settings = ctx.settings
        locked = await ctx.repos.identities.record_failed_verification(
            ctx.identity,
            max_attempts=settings.verify_max_attempts,
            lock_until=ctx.clock.now() + timedelta(minutes=settings.verify_lock_minutes),
        )
        if locked:
            ctx.end_dialog()
            return [ctx.say("verify_locked", minutes=settings.verify_lock_minutes)]
        return [ctx.say("verify_failed")]
