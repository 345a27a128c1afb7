"""Binding a chat identity to an order's customer by the phone number's last four digits.

Nothing about an order is shown before the identity is bound to its customer. A wrong answer,
an unknown order number and a locked order get the same replies, so a stranger learns
nothing; only the owner's id and phone are read before that, one query whatever the answer.

Wrong answers count for the chat, for the customer, for the web client's address and for all
chats together. A locked customer still lets the right digits through from a source that never
failed (the owner, while a stranger guesses), and guesses during a lock do not prolong it, so
knowing an order number is not enough to lock its owner out. An address, or every chat not
verified yet, that fails too often is refused for a while and staff are told.
"""

import hmac
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.messages import Reply
from core.patterns import order_references, phone_digits_with_reference, phone_last_four
from handlers.context import Context
from handlers.orders.views import order_detail, parcel_detail
from handlers.products.reorder import reorder_replies
from handlers.verification.state import VerificationState
from storage.repositories.failure_counts import VERIFY, VERIFY_ALL, source_key


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
        ctx.start_dialog(VerificationState(reference=reference, purpose=purpose))
        return [ctx.say("verify_ask")] if check is None else check.replies
    if VerificationState.holds(ctx.dialog):
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
    digits = phone_digits_with_reference(ctx.text)
    if digits is not None:
        return await verify_digits(ctx, reference, digits)  # which refuses a locked source first
    return await _refusal(ctx, ctx.clock.now())


async def verify_digits(ctx: Context, reference: str, digits: str) -> DigitCheck:
    """Bind the identity if the digits match the phone of the referenced order.

    A wrong answer, an unknown reference and a locked customer get the same replies. A locked
    customer's right digits pass only from a source with no failures; a failure counts for
    the chat, its address and all chats, and for the customer unless locked already.
    """
    settings = ctx.settings
    now = ctx.clock.now()
    refusal = await _refusal(ctx, now)
    if refusal is not None:
        return refusal
    owner = await ctx.repos.orders.owner(reference)
    customers = ctx.repos.customers
    # The same queries whether the order exists or not, so timing tells nothing either.
    customer_id = owner.customer_id if owner else None
    locked_customer = await customers.is_locked(customer_id, now)
    clean = await _never_failed(ctx, now)
    expected = owner.phone[-4:] if owner else "----"
    if hmac.compare_digest(expected.encode(), digits.encode()) and (clean or not locked_customer):
        assert owner is not None
        await ctx.repos.identities.bind(ctx.identity, owner.customer_id)
        await customers.clear_failed_verifications(owner.customer_id)
        await _tell_other_chats(ctx, owner.customer_id, now)
        return DigitCheck(True, [ctx.say("verify_ok")], order_no=owner.order_no)
    lock_until = now + timedelta(minutes=settings.verify_lock_minutes)
    # A lock is never prolonged by the guesses it refuses: else guessing keeps the owner out.
    await customers.record_failed_verification(
        None if locked_customer else customer_id,
        settings.verify_customer_max_attempts,
        lock_until,
    )
    locked = await ctx.repos.identities.record_failed_verification(
        ctx.identity, max_attempts=settings.verify_max_attempts, lock_until=lock_until
    )
    address_locked = await _count_for_sources(ctx, now)
    if locked or address_locked:
        return DigitCheck(False, [_locked(ctx)], locked=True)
    return DigitCheck(False, [ctx.say("verify_failed")])


async def _refusal(ctx: Context, now: datetime) -> DigitCheck | None:
    """The refusal of a chat, or a web address, locked for its wrong answers, or of a chat
    not verified yet while all chats together failed too often; None when it may try."""
    if is_locked(ctx):
        return DigitCheck(False, [_locked(ctx)], locked=True)
    limits = ctx.repos.failure_counts
    address = ctx.incoming.address
    if address and await limits.locked_until(source_key(VERIFY, address), now) is not None:
        return DigitCheck(False, [_locked(ctx)], locked=True)
    if ctx.identity.customer_id is None:
        paused_until = await limits.locked_until(VERIFY_ALL, now)
        if paused_until is not None:
            minutes = math.ceil((paused_until - now).total_seconds() / 60)
            return DigitCheck(False, [ctx.say("verify_paused", minutes=minutes)], locked=True)
    return None


async def _never_failed(ctx: Context, now: datetime) -> bool:
    """Whether this chat never gave wrong digits (nor was locked for them), and its address
    gave none lately: then it is not the one guessing."""
    identity = ctx.identity
    if identity.failed_verifications or identity.locked_until is not None:
        return False
    address = ctx.incoming.address
    if not address:
        return True
    window = timedelta(minutes=ctx.settings.verify_window_minutes)
    return await ctx.repos.failure_counts.failures(source_key(VERIFY, address), now, window) == 0


async def _count_for_sources(ctx: Context, now: datetime) -> bool:
    """Count a wrong answer for the chat's address and for all chats, alerting staff when a
    limit is reached; True when the address is locked by it."""
    settings = ctx.settings
    limits = ctx.repos.failure_counts
    window_minutes = settings.verify_window_minutes
    window = timedelta(minutes=window_minutes)
    address = ctx.incoming.address
    address_locked = bool(address) and await limits.count_failure(
        source_key(VERIFY, address),
        now,
        window,
        settings.verify_address_max_failures,
        timedelta(minutes=settings.verify_lock_minutes),
    )
    if address_locked:
        alert = (
            f"验证保护：网络地址 {address} 在{window_minutes}分钟内答错手机号后四位 "
            f"{settings.verify_address_max_failures} 次，已暂停它的验证"
            f"{settings.verify_lock_minutes}分钟。可能有人在猜别人的订单。"
        )
        await ctx.repos.notifications.add(None, alert, urgent=True, now=now)
    global_minutes = settings.verify_global_lock_minutes
    if await limits.count_failure(
        VERIFY_ALL,
        now,
        window,
        settings.verify_global_max_failures,
        timedelta(minutes=global_minutes),
    ):
        alert = (
            f"验证保护：所有聊天在{window_minutes}分钟内共答错手机号后四位 "
            f"{settings.verify_global_max_failures} 次，未验证过的聊天暂停验证"
            f"{global_minutes}分钟。可能有人在批量猜订单，请留意。"
        )
        await ctx.repos.notifications.add(None, alert, urgent=True, now=now)
    return address_locked


async def _tell_other_chats(ctx: Context, customer_id: int, now: datetime) -> None:
    """Tell the customer's other chats that this one was just verified as theirs: a stranger
    who guessed right does not go unnoticed (shipping notices go to all of them)."""
    text = ctx.texts.render("verify_new_chat_linked")
    for identity, conversation_id in await ctx.repos.customers.chats(customer_id):
        if identity.id != ctx.identity.id and identity.active and conversation_id is not None:
            await ctx.repos.outbox.add(identity.id, conversation_id, text, now)


async def check_digits(ctx: Context, digits: str) -> list[Reply]:
    """Answer the verification dialog: the order on success, else why not."""
    assert ctx.dialog is not None
    state = VerificationState.from_stored(ctx.dialog)
    check = await verify_digits(ctx, state.reference, digits)
    if check.ok:
        ctx.end_dialog()
        return [*check.replies, *await show_order(ctx, check.order_no, state.purpose)]
    if check.locked:
        ctx.end_dialog()
    return check.replies


def _locked(ctx: Context) -> Reply:
    return ctx.say("verify_locked", minutes=ctx.settings.verify_lock_minutes)


class Verification:
    """Owns the dialog that waits for the phone number's last four digits."""

    flows = (VerificationState.FLOW,)

    async def resume(self, ctx: Context) -> list[Reply] | None:
        if order_references(ctx.text):
            return None  # a new order number: the orders rule starts over with it
        digits = phone_last_four(ctx.text)
        if digits is None:
            return None
        return await check_digits(ctx, digits)
