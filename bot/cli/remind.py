"""`python -m bot remind CUSTOMER AT TEXT`: schedule a message to a customer."""

import argparse
import sys

from bot.cli.database import shop_database
from bot.outreach.scheduled_messages import ScheduleRefused, parse_time, schedule_customer_message
from core.clock import Clock
from core.settings import Settings


def add_remind_command(commands: argparse._SubParsersAction) -> None:
    remind = commands.add_parser(
        "remind",
        help="schedule a message to a customer; it is sent at that time, even in quiet hours",
    )
    remind.add_argument(
        "customer", help='a phone number, a customer id as "#12", or a chat as "web:alice"'
    )
    remind.add_argument(
        "at",
        help='when: "2026-12-01 10:00" in the shop\'s time zone, or with an offset (+08:00)',
    )
    remind.add_argument("text", help="the message, as the customer will read it")


async def remind(settings: Settings, clock: Clock, args: argparse.Namespace) -> int:
    """Schedule the message and say when it goes and to whom; 2 when it is refused."""
    try:
        at = parse_time(args.at, settings.zone)
    except ScheduleRefused as refusal:
        print(f"remind: {refusal}", file=sys.stderr)
        return 2
    async with shop_database(settings, clock) as sessions:
        try:
            scheduled = await schedule_customer_message(
                sessions,
                clock,
                settings,
                at=at,
                text=args.text,
                staff_id=None,
                customer=args.customer,
            )
        except ScheduleRefused as refusal:
            print(f"remind: {refusal}", file=sys.stderr)
            return 2
    local = scheduled.due_at.astimezone(settings.zone).strftime("%Y-%m-%d %H:%M")
    print(f"scheduled for {local} ({settings.timezone}) to {scheduled.recipient}")
    return 0
