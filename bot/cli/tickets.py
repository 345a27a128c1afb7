"""`python -m bot tickets list|show|update`: work tickets from the terminal."""

import argparse
import sys

from bot.cli.database import shop_database
from bot.cli.ticket_printing import print_ticket, print_ticket_list, print_update
from bot.desk.actor import Actor
from bot.desk.tickets import (
    ReturnNotApprovable,
    TicketNotFound,
    approve_return,
    list_tickets,
    show_ticket,
    update_ticket,
)
from bot.desk.unit_of_work import Sessions
from core.clock import Clock
from core.enums import TicketKind, TicketStatus
from core.settings import Settings
from knowledge.replies import shop_texts

TICKET_KINDS = tuple(TicketKind)
TICKET_STATUSES = tuple(TicketStatus)


def add_ticket_commands(commands: argparse._SubParsersAction) -> None:
    tickets = commands.add_parser("tickets", help="list, show and update tickets")
    actions = tickets.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="tickets, newest first")
    listing.add_argument("--status", choices=TICKET_STATUSES)
    listing.add_argument("--kind", choices=TICKET_KINDS)
    listing.add_argument(
        "--overdue", action="store_true", help="only active tickets past a deadline"
    )
    show = actions.add_parser("show", help="a ticket and its history")
    show.add_argument("number")
    update = actions.add_parser(
        "update", help="change the status and/or add a note; the customer is told"
    )
    update.add_argument("number")
    update.add_argument("--status", choices=TICKET_STATUSES)
    update.add_argument("--note", help="a note; internal unless --public")
    update.add_argument(
        "--public", action="store_true", help="the note is for the customer and sent to them"
    )
    update.add_argument(
        "--approve-return",
        action="store_true",
        help="approve a return or exchange: the customer is sent the return address "
        "(KEFU_RETURN_ADDRESS) and the ticket waits for their parcel",
    )


def check_ticket_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuse an update that asks for nothing, or for two things that exclude each other."""
    if args.action != "update":
        return
    if args.approve_return and args.status is not None:
        parser.error("tickets update: --approve-return sets the status; leave out --status")
    if args.status is None and args.note is None and not args.approve_return:
        parser.error("tickets update: give --status, --note or --approve-return")
    if args.public and args.note is None:
        parser.error("tickets update: --public needs a --note")


async def tickets(settings: Settings, clock: Clock, args: argparse.Namespace) -> int:
    """Run the action on the shop's database; 1 for an unknown ticket or a refused approval,
    2 for an update with nothing in it."""
    async with shop_database(settings, clock) as sessions:
        try:
            await _act(sessions, settings, clock, args)
        except TicketNotFound:
            print(f"no ticket numbered {args.number}", file=sys.stderr)
            return 1
        except ReturnNotApprovable as refusal:
            print(f"tickets update: {refusal}", file=sys.stderr)
            return 1
        except ValueError as error:  # e.g. a note of blanks only: nothing to update
            print(f"tickets {args.action}: {error}", file=sys.stderr)
            return 2
    return 0


async def _act(
    sessions: Sessions, settings: Settings, clock: Clock, args: argparse.Namespace
) -> None:
    zone = settings.zone
    if args.action == "list":
        listed = await list_tickets(
            sessions, clock, status=args.status, kind=args.kind, overdue=args.overdue
        )
        print_ticket_list(listed, zone)
        return
    if args.action == "show":
        print_ticket(await show_ticket(sessions, args.number), zone)
        return
    texts, actor = shop_texts(settings), Actor.command_line(clock.now())
    if args.approve_return:
        update = await approve_return(
            sessions,
            args.number,
            note=args.note,
            public=args.public,
            actor=actor,
            texts=texts,
            settings=settings,
        )
    else:
        update = await update_ticket(
            sessions,
            args.number,
            status=args.status,
            note=args.note,
            public=args.public,
            actor=actor,
            texts=texts,
            settings=settings,
        )
    print_update(update)
