"""Binding a chat identity to an order's customer by the phone number's last four digits.

Nothing about an order is shown before the identity is bound to its customer. A wrong answer,
an unknown order number and a locked order get the same replies, so a stranger learns
nothing; only the owner's id and phone are read before that, one query whatever the answer.
"""

import hmac
from dataclasses import dataclass
from datetime import timedelta

from bot.messages import Reply
from handlers.context import Context
from handlers.order_views import order_detail, parcel_detail
from handlers.patterns import order_references, phone_digits_with_reference, phone_last_four
from handlers.reorder import reorder_replies

FLOW = "verify"


def is_locked(ctx: Context) -> bool:
    locked_until = ctx.identity.locked_until
    return locked_until is not None and locked_until > ctx.clock.now()


async def show_order(ctx: Context, order_no: str, purpose: str) -> list[Reply]:
    """The order's details for an identity allowed to see them; remembers it as the topic.

    For "reorder" (buying the same again), what the now verified customer last bought.
    """
    if purpose == "reorder":
        return await reorder_replies(ctx)
    order = await ctx.repos.orders.by_number(order_no)
    assert order is not None  # its owner was just looked up
    ctx.memory["order_no"] = order.order_no
    return [parcel_detail(ctx, order) if purpose == "logistics" else order_detail(ctx, order)]


async def open_order(ctx: Context, reference: str, purpose: str) -> list[Reply]:
    """Show the order if this identity may see it, else ask for the phone digits.

    Digits given in the same message ("KF2026…，尾号8000") answer at once.
    """
    check = await reference_access(ctx, reference)
    if check is None or not (check.ok or check.locked):
        ctx.start_dialog(FLOW, prompt="verify_ask", reference=reference, purpose=purpose)
        return [ctx.say("verify_ask")] if check is None else check.replies
    if ctx.dialog is not None and ctx.dialog.get("flow") == FLOW:
        ctx.end_dialog()  # no digits to wait for any more
    if not check.ok:
        return check.replies
    return [*check.replies, *await show_order(ctx, check.order_no, purpose)]


@dataclass(frozen=True)
class DigitCheck:
    """The outcome of checking phone digits for an order reference."""

    ok: bool
    replies: list[Reply]
    locked: bool = False  # this chat may not try again for a while
    order_no: str = ""  # the verified order's number, when ok


async def owned_order_no(ctx: Context, reference: str) -> str | None:
    """The order's number when this chat is already bound to its customer, else None."""
    owner = await ctx.repos.orders.owner(reference)
    if owner is not None and owner.customer_id == ctx.identity.customer_id:
        return owner.order_no
    return None


async def reference_access(ctx: Context, reference: str) -> DigitCheck | None:
    """Whether this chat may see the referenced order, as far as this message tells.

    Ok at once when the chat is bound to the order's customer; else the check of the phone
    digits given in the same message, or the refusal of a locked chat; None when the digits
    are still to be asked for.
    """
    order_no = await owned_order_no(ctx, reference)
    if order_no is not None:
        return DigitCheck(True, [], order_no=order_no)
    if is_locked(ctx):
        return DigitCheck(False, [_locked(ctx)], locked=True)
    digits = phone_digits_with_reference(ctx.text)
    return None if digits is None else await verify_digits(ctx, reference, digits)


async def verify_digits(ctx: Context, reference: str, digits: str) -> DigitCheck:
    """Bind the identity if the digits match the phone of the referenced order.

    A wrong answer, an unknown reference and a locked customer get the same replies; every
    failure counts towards the chat's and the customer's lockouts.
    """
    settings = ctx.settings
    now = ctx.clock.now()
    if is_locked(ctx):
        return DigitCheck(False, [_locked(ctx)], locked=True)
    owner = await ctx.repos.orders.owner(reference)
    lock_until = now + timedelta(minutes=settings.verify_lock_minutes)
    customers = ctx.repos.customers
    # The same queries whether the order exists or not, so timing tells nothing either.
    customer_id = owner.customer_id if owner else None
    locked_customer = await customers.is_locked(customer_id, now)
    expected = owner.phone[-4:] if owner else "----"
    if hmac.compare_digest(expected.encode(), digits.encode()) and not locked_customer:
        assert owner is not None
        await ctx.repos.identities.bind(ctx.identity, owner.customer_id)
        await customers.clear_failed_verifications(owner.customer_id)
        return DigitCheck(True, [ctx.say("verify_ok")], order_no=owner.order_no)
    await customers.record_failed_verification(
        customer_id, settings.verify_customer_max_attempts, lock_until
    )
    locked = await ctx.repos.identities.record_failed_verification(
        ctx.identity, max_attempts=settings.verify_max_attempts, lock_until=lock_until
    )
    if locked:
        return DigitCheck(False, [_locked(ctx)], locked=True)
    return DigitCheck(False, [ctx.say("verify_failed")])


async def check_digits(ctx: Context, digits: str) -> list[Reply]:
    """Answer the verification dialog: the order on success, else why not."""
    assert ctx.dialog is not None
    check = await verify_digits(ctx, ctx.dialog["reference"], digits)
    if check.ok:
        purpose = ctx.dialog["purpose"]
        ctx.end_dialog()
        return [*check.replies, *await show_order(ctx, check.order_no, purpose)]
    if check.locked:
        ctx.end_dialog()
    return check.replies


def _locked(ctx: Context) -> Reply:
    return ctx.say("verify_locked", minutes=ctx.settings.verify_lock_minutes)


class Verification:
    """Owns the dialog that waits for the phone number's last four digits."""

    flows = (FLOW,)

    async def resume(self, ctx: Context) -> list[Reply] | None:
        if order_references(ctx.text):
            return None  # a new order number: the orders rule starts over with it
        digits = phone_last_four(ctx.text)
        if digits is None:
            return None
        return await check_digits(ctx, digits)
