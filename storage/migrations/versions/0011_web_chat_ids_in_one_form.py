"""web chat ids in their one form (trimmed, NFKC, invisible characters dropped, case-folded)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08

The web channel now reads `att2`, `ATT2 ` and `ａｔｔ２` as one chat. A chat stored under
another spelling would otherwise become unreachable: its customer would find an empty,
unverified chat. Each is renamed to the one form, unless that form is taken (then both stay,
and the spelled one is reachable no more than before any normalisation would have let it be).
The rule is written out here, not imported: a migration must do the same thing forever.
"""

import unicodedata
from collections import Counter
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _one_form(raw: str) -> str | None:
    """The web channel's form of an id in December 2026; None for one it refuses."""
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in raw):
        return None

    def visible(text: str) -> str:
        return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")

    text = visible(unicodedata.normalize("NFKC", raw))
    text = visible(unicodedata.normalize("NFKC", text.casefold())).strip()
    return text or None


def upgrade() -> None:
    identities = sa.table(
        "identities",
        sa.column("id", sa.Integer),
        sa.column("channel", sa.String),
        sa.column("external_id", sa.String),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(identities.c.id, identities.c.external_id).where(identities.c.channel == "web")
    ).all()
    taken = {external_id for _, external_id in rows}
    wanted = {row_id: _one_form(external_id) for row_id, external_id in rows}
    claims = Counter(form for form in wanted.values() if form is not None)
    for row_id, external_id in rows:
        form = wanted[row_id]
        if form is None or form == external_id or form in taken or claims[form] > 1:
            continue
        connection.execute(
            identities.update().where(identities.c.id == row_id).values(external_id=form)
        )


def downgrade() -> None:
    pass  # the old spellings are not kept; they read as the same chats anyway
