"""The shop's view of a customer: the group they are in, their chats, orders, tickets, ratings
and when they were first and last in touch; and finding them by phone number or id."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from bot.desk.customer_profiles import CustomerProfile, customer_profile, find_customer
from bot.outreach.customer_groups import customer_group
from bot.services import Services
from core.settings import Settings
from storage.models import Customer
from storage.order_records import ItemRecord, OrderRecord
from storage.repositories import Repositories
from storage.repositories.customers import Spending
from tests.support.chat import Chat
from tests.support.clock import START, FakeClock
from tests.support.followups import FollowUpDesk

ZHANG_PHONE = "13800138000"  # 张三 in the demo shop: two orders bought, 415 yuan
NEWCOMER = "13600001111"  # nobody in the demo shop


def at(days_ago: int, minutes: int = 0) -> datetime:
    """A time before the tests' start, when the demo shop was loaded."""
    return START - timedelta(days=days_ago, minutes=minutes)


async def add_order(
    services: Services,
    order_no: str,
    status: str,
    total: str,
    created_at: datetime,
    phone: str = NEWCOMER,
    name: str = "赵六",
) -> None:
    """An order as the shop's import brings it in; its customer is created on the first."""
    amount = Decimal(total)
    record = OrderRecord(
        order_no=order_no,
        status=status,
        created_at=created_at,
        customer_name=name,
        customer_phone=phone,
        items=(ItemRecord("GIFT-01", "礼盒", 1, amount),),
        total=amount,
        paid_at=None if status == "pending_payment" else created_at,
        shipment=None,
        delivered_at=None,
    )
    async with services.sessions() as session, session.begin():
        await Repositories.for_session(session).orders.upsert(record)


async def found(services: Services, reference: str) -> int | None:
    async with services.sessions() as session:
        return await find_customer(Repositories.for_session(session), reference)


async def profile_of(services: Services, reference: str) -> CustomerProfile:
    async with services.sessions() as session:
        repos = Repositories.for_session(session)
        customer_id = await find_customer(repos, reference)
        assert customer_id is not None, f"nobody is {reference}"
        profile = await customer_profile(
            repos, customer_id, services.settings, services.clock.now()
        )
    assert profile is not None
    return profile


async def verified(chat: Chat, order_no: str = "KF20261120001", digits: str = "8000") -> Chat:
    await chat.ask(order_no)
    assert "验证成功" in await chat.ask(digits)
    return chat


# --- groups -----------------------------------------------------------------------------------


async def test_exactly_the_vip_spend_in_twelve_months_is_vip(services: Services) -> None:
    assert services.settings.vip_min_spend == 2000
    await add_order(services, "KF-VIP-1", "delivered", "1500.00", at(200))
    await add_order(services, "KF-VIP-2", "paid", "500.00", at(1))

    profile = await profile_of(services, NEWCOMER)

    assert (profile.group, profile.group_name) == ("vip", "VIP")
    assert profile.spent_12_months == Decimal("2000.00")


async def test_a_fen_short_of_the_vip_spend_is_not_vip(services: Services) -> None:
    await add_order(services, "KF-VIP-1", "delivered", "1999.99", at(10))

    profile = await profile_of(services, NEWCOMER)

    assert (profile.group, profile.group_name) == ("new", "新客户")


def test_a_threshold_in_fen_is_met_exactly() -> None:
    spending = Spending(orders=1, recent_orders=1, recent_spent=Decimal("1999.99"))
    assert customer_group(spending, Settings(vip_min_spend=1999.99)) == "vip"
    assert customer_group(spending, Settings(vip_min_spend=2000)) == "new"


async def test_orders_older_than_twelve_months_do_not_make_a_vip(services: Services) -> None:
    await add_order(services, "KF-OLD-1", "delivered", "5000.00", at(365, minutes=1))
    await add_order(services, "KF-NEW-1", "paid", "100.00", at(3))

    profile = await profile_of(services, NEWCOMER)

    # Two orders bought make a repeat customer however long ago; the money is too old for VIP.
    assert (profile.group, profile.group_name) == ("repeat", "回头客")
    assert (profile.bought_orders, profile.spent, profile.spent_12_months) == (
        2,
        Decimal("5100.00"),
        Decimal("100.00"),
    )


async def test_an_order_exactly_twelve_months_old_still_counts(services: Services) -> None:
    await add_order(services, "KF-OLD-1", "delivered", "2000.00", at(365))

    assert (await profile_of(services, NEWCOMER)).group == "vip"


@pytest.mark.parametrize("status", ["cancelled", "refunded", "pending_payment"])
async def test_orders_not_bought_count_for_nothing(services: Services, status: str) -> None:
    await add_order(services, "KF-NOT-1", status, "3000.00", at(5))
    await add_order(services, "KF-NOT-2", status, "3000.00", at(4))

    profile = await profile_of(services, NEWCOMER)

    assert profile.group == "new"
    assert (profile.orders, profile.bought_orders) == (2, 0)
    assert profile.spent == profile.spent_12_months == Decimal("0.00")
    assert [o.status for o in profile.recent_orders] == [status, status]


# --- what a profile shows ---------------------------------------------------------------------


async def test_a_verified_chat_shows_the_customers_whole_story(
    services: Services, chat: Chat, clock: FakeClock, followups: FollowUpDesk
) -> None:
    await verified(chat)
    await followups.schedule(chat, "order:visit", text="收到的宝贝还满意吗？回复 1～5 分")
    assert (await followups.send()).sent == 1
    await chat.ask("5")
    clock.advance(days=1)
    # No visit comes while a complaint is open: this one is made after the rating.
    await chat.ask("我要投诉")
    await chat.ask("快递丢件了也没人管")
    clock.advance(days=1)
    phone = await verified(chat.as_user("alice-on-her-phone"))
    clock.advance(hours=3)
    await chat.ask("在吗")

    profile = await profile_of(services, ZHANG_PHONE)

    assert (profile.name, profile.phone) == ("张三", "138****8000")
    assert (profile.group, profile.group_name) == ("repeat", "回头客")
    assert (profile.orders, profile.bought_orders) == (2, 2)
    assert profile.spent == profile.spent_12_months == Decimal("415.00")
    assert [(o.order_no, o.status, o.total) for o in profile.recent_orders] == [
        ("KF20261120001", "shipped", Decimal("118.00")),
        ("KF20261115002", "delivered", Decimal("297.00")),
    ]
    [complaint] = profile.recent_tickets
    assert (complaint.kind, complaint.status, complaint.category) == (
        "complaint",
        "open",
        "logistics",
    )
    assert complaint.number.startswith("CP")
    assert profile.open_tickets == 1
    assert [r.rating for r in profile.ratings] == [5]
    assert (profile.average_rating, profile.rating_count) == (5.0, 1)
    assert [(c.channel, c.external_id, c.active) for c in profile.chats] == [
        ("web", "alice", True),
        ("web", phone.user, True),
    ]
    assert profile.chats[0].conversation_id == (await chat.conversation()).id
    # 张三's first order, nine days ago, though the demo imported a newer one of his first.
    assert profile.first_contact == START - timedelta(days=9, hours=2)
    assert profile.last_contact == clock.now()


async def test_first_contact_is_the_first_chat_when_orders_came_later(
    services: Services, chat: Chat, clock: FakeClock
) -> None:
    bob = chat.as_user("bob")
    await bob.ask("你好，面膜有货吗")
    clock.advance(days=2)
    await add_order(services, "KF20261129101", "paid", "59.00", clock.now())
    await verified(bob, "KF20261129101", NEWCOMER[-4:])

    profile = await profile_of(services, NEWCOMER)

    assert profile.first_contact == START
    assert profile.last_contact == clock.now()


async def test_a_ticket_from_before_the_chat_was_verified_is_the_customers(
    services: Services, chat: Chat
) -> None:
    await chat.ask("我要投诉")
    await chat.ask("快递丢件了也没人管")
    await verified(chat)

    profile = await profile_of(services, ZHANG_PHONE)

    assert [t.kind for t in profile.recent_tickets] == ["complaint"]
    assert profile.open_tickets == 1


async def test_another_customers_tickets_and_ratings_stay_theirs(
    services: Services, chat: Chat, followups: FollowUpDesk
) -> None:
    li = await verified(chat.as_user("li"), "KF20261125003", "5678")
    await followups.schedule(li, "order:visit:li")
    assert (await followups.send()).sent == 1
    await li.ask("1")
    await li.ask("我要投诉")
    await li.ask("快递丢件了也没人管")
    await verified(chat)

    profile = await profile_of(services, ZHANG_PHONE)

    assert (profile.recent_tickets, profile.open_tickets, profile.ratings) == ((), 0, ())
    assert profile.average_rating is None
    assert [c.external_id for c in profile.chats] == ["alice"]


async def test_a_customer_who_never_chatted_has_no_chats_and_no_last_contact(
    services: Services,
) -> None:
    profile = await profile_of(services, "13700001111")  # 王五, one order not paid yet

    assert profile.name == "王五" and profile.chats == ()
    assert profile.last_contact is None
    assert profile.first_contact == START - timedelta(hours=2)
    assert (profile.orders, profile.bought_orders, profile.group) == (1, 0, "new")


async def test_there_is_no_profile_for_an_unknown_id(services: Services) -> None:
    async with services.sessions() as session:
        repos = Repositories.for_session(session)
        assert await customer_profile(repos, 999, services.settings, START) is None


# --- finding a customer -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "reference",
    [
        "13800138000",
        " 138 0013 8000 ",
        "138-0013-8000",
        "(138) 0013.8000",
        "+86 138 0013 8000",
        "+8613800138000",
        "8613800138000",
        "0086 138-0013-8000",
        "１３８００１３８０００",  # typed with a Chinese input method's full-width digits
    ],
)
async def test_a_phone_number_finds_its_customer_however_written(
    services: Services, reference: str
) -> None:
    zhang = await found(services, ZHANG_PHONE)
    assert zhang is not None

    assert await found(services, reference) == zhang


async def test_a_customer_id_finds_the_customer(services: Services) -> None:
    zhang = await found(services, ZHANG_PHONE)

    assert await found(services, str(zhang)) == zhang
    assert await found(services, f"#{zhang}") == zhang


@pytest.mark.parametrize(
    "reference",
    ["13800000000", "+86 138 0000 0000", "999", "#999", "", "#", "张三", "138001380o0", "9" * 40],
)
async def test_nobody_is_found_for_what_matches_no_customer(
    services: Services, reference: str
) -> None:
    assert await found(services, reference) is None


async def test_a_phone_number_wins_over_the_same_number_as_an_id(services: Services) -> None:
    async with services.sessions() as session, session.begin():
        session.add(Customer(id=1001, name="编号1001", phone="13911112222", created_at=START))
        session.add(Customer(name="座机", phone="1001", created_at=START))
    async with services.sessions() as session:
        landline = await Repositories.for_session(session).customers.id_for_phone("1001")

    assert landline is not None and landline != 1001
    assert await found(services, "1001") == landline
    assert await found(services, "#1001") == 1001
