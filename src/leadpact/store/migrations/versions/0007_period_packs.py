"""Month packs: a month's metric rows kept as columns, and the day marks that tell when they are stale.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from leadpact.store.types import Instant

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "period_marks",
        sa.Column("day", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("gen", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "period_packs",
        sa.Column("tz", sa.String(64), primary_key=True),
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("format", sa.Integer, nullable=False),
        sa.Column("marks", sa.BigInteger, nullable=False),
        sa.Column("built_at", Instant, nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":  # numpy columns hardly compress: store them as they are
        op.execute("ALTER TABLE period_packs ALTER COLUMN payload SET STORAGE EXTERNAL")


def downgrade() -> None:
    op.drop_table("period_packs")
    op.drop_table("period_marks")
