"""`python -m bot db upgrade`: apply the schema migrations."""

import argparse

from core.clock import Clock
from core.settings import Settings
from storage.database import create_engine, migrate


def add_schema_commands(commands: argparse._SubParsersAction) -> None:
    database = commands.add_parser("db", help="the database schema")
    actions = database.add_subparsers(dest="action", required=True)
    actions.add_parser("upgrade", help="apply the schema migrations (also done by run)")


async def upgrade_database(settings: Settings, clock: Clock, args: argparse.Namespace) -> int:
    engine = create_engine(settings.database_url)
    try:
        revision = await migrate(engine)
    finally:
        await engine.dispose()
    print(f"database schema at revision {revision}")
    return 0
