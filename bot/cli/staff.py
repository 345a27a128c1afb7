"""`python -m bot staff add NAME --role agent|admin`: create a console account."""

import argparse
import getpass
import sys
from pathlib import Path

from bot.cli.database import shop_database
from bot.desk.staff_accounts import AccountError, create_staff
from core.clock import Clock
from core.enums import StaffRole
from core.settings import Settings


def add_staff_commands(commands: argparse._SubParsersAction) -> None:
    staff = commands.add_parser("staff", help="manage staff accounts for the console")
    actions = staff.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="create a staff account")
    add.add_argument("name", help="the login name")
    add.add_argument("--role", choices=tuple(StaffRole), default=StaffRole.AGENT)
    add.add_argument("--display-name", default="", help="the name customers see (default NAME)")
    add.add_argument(
        "--password-file",
        type=Path,
        help="read the password from the first line of this file instead of asking",
    )


def read_password(password_file: Path | None) -> str:
    """The new password: the file's first line, or typed twice at the prompt."""
    if password_file is not None:
        lines = password_file.read_text(encoding="utf-8").splitlines()
        return lines[0] if lines else ""
    password = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != password:
        raise AccountError("the two passwords differ")
    return password


async def staff_add(settings: Settings, clock: Clock, args: argparse.Namespace) -> int:
    try:
        password = read_password(args.password_file)
    except OSError as error:
        print(f"cannot read the password file: {error}", file=sys.stderr)
        return 2
    except AccountError as error:
        print(f"staff add: {error}", file=sys.stderr)
        return 2
    async with shop_database(settings, clock) as sessions:
        try:
            staff = await create_staff(
                sessions,
                clock,
                args.name,
                args.role,
                password,
                args.display_name,
                settings.shop_name,
            )
        except AccountError as error:
            print(f"staff add: {error}", file=sys.stderr)
            return 1
    print(f"created {staff.role} {staff.name!r}; sign in at /console/")
    return 0
