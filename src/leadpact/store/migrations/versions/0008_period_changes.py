"""The change log of the day marks (which leads changed at each mark), and each pack's marks per day, so a
stale month pack re-reads only the leads that changed.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "period_changes",
        sa.Column("day", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("gen", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("lead_id", sa.String(200), primary_key=True),
    )
    with op.batch_alter_table("period_packs") as batch:
        batch.add_column(sa.Column("gens", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("period_packs") as batch:
        batch.drop_column("gens")
    op.drop_table("period_changes")
