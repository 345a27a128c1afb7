"""change notifications for the console (PostgreSQL)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29

On PostgreSQL a NOTIFY on `kefu_changes` follows every statement that changes a message, a
conversation, a handover or an outbox row, whichever process ran it, so consoles connected to
any process hear of it without polling. SQLite runs in one process and needs none.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("messages", "conversations", "handovers", "outbox")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE OR REPLACE FUNCTION kefu_notify_change() RETURNS trigger AS $$ "
        "BEGIN PERFORM pg_notify('kefu_changes', TG_TABLE_NAME); RETURN NULL; END "
        "$$ LANGUAGE plpgsql"
    )
    for table in TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_notify_change AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION kefu_notify_change()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_notify_change ON {table}")
    op.execute("DROP FUNCTION IF EXISTS kefu_notify_change()")
