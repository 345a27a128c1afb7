"""`python -m bot customers show PHONE|ID`: a customer's profile in the terminal."""

import argparse
import sys
from zoneinfo import ZoneInfo

from bot.cli.database import shop_database
from bot.cli.terminal_text import table, when
from bot.desk.customer_profiles import CustomerProfile, look_up_profile
from core.clock import Clock
from core.settings import Settings

# Ratings listed one by one after the average; older ones only count toward it.
LISTED_RATINGS = 10


def add_customer_commands(commands: argparse._SubParsersAction) -> None:
    customers = commands.add_parser("customers", help="look up the shop's customers")
    actions = customers.add_subparsers(dest="action", required=True)
    show = actions.add_parser(
        "show", help="a customer's group, chats, orders, tickets, ratings and contact times"
    )
    show.add_argument(
        "customer",
        help='a phone number (spaces, dashes and +86 allowed) or a customer id ("12" or '
        '"#12"); a number that is both is taken as a phone number',
    )


async def customers_show(settings: Settings, clock: Clock, args: argparse.Namespace) -> int:
    """Print the customer's profile; 1 when no customer matches."""
    async with shop_database(settings, clock) as sessions:
        profile = await look_up_profile(sessions, args.customer, settings, clock.now())
    if profile is None:
        print(
            f"customers show: no customer with the phone number or id {args.customer!r}",
            file=sys.stderr,
        )
        return 1
    print_profile(profile, settings.zone)
    return 0


def print_profile(profile: CustomerProfile, zone: ZoneInfo) -> None:
    average = profile.average_rating
    if average is None:
        satisfaction = "no ratings"
    else:
        listed = ", ".join(str(r.rating) for r in profile.ratings[:LISTED_RATINGS])
        more = ", …" if profile.rating_count > LISTED_RATINGS else ""
        count = f"{profile.rating_count} rating{'s' if profile.rating_count != 1 else ''}"
        satisfaction = f"{average:.1f} average of {count} (newest first: {listed}{more})"
    fields = [
        ("customer", f"#{profile.customer_id} {profile.name}  {profile.phone}"),
        ("group", f"{profile.group_name} ({profile.group})"),
        (
            "orders",
            f"{profile.orders} placed, {profile.bought_orders} bought, "
            f"¥{profile.spent} spent in all",
        ),
        ("last 12 months", f"¥{profile.spent_12_months} spent"),
        ("open tickets", str(profile.open_tickets)),
        ("satisfaction", satisfaction),
        ("first contact", when(profile.first_contact, zone)),
        ("last contact", when(profile.last_contact, zone)),
    ]
    width = max(len(label) for label, _ in fields) + 1
    for label, value in fields:
        print(f"{label + ':':<{width}} {value}")
    print("chats:" if profile.chats else "chats: none verified")
    _print_rows(
        [
            [
                chat.channel,
                chat.external_id,
                f"since {when(chat.since, zone)}",
                "" if chat.active else "left the channel",
            ]
            for chat in profile.chats
        ]
    )
    print("recent orders:" if profile.recent_orders else "recent orders: none")
    _print_rows(
        [
            [order.order_no, when(order.created_at, zone), order.status, f"¥{order.total}"]
            for order in profile.recent_orders
        ],
        right_from=3,
    )
    print("recent tickets:" if profile.recent_tickets else "recent tickets: none")
    _print_rows(
        [
            [
                ticket.number,
                when(ticket.created_at, zone),
                ticket.kind,
                ticket.status,
                ticket.category or "-",
            ]
            for ticket in profile.recent_tickets
        ]
    )


def _print_rows(rows: list[list[str]], right_from: int = 99) -> None:
    """Rows as aligned columns, indented under their heading."""
    for line in table(rows, right_from) if rows else []:
        print(f"  {line}")
