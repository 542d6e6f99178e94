"""Pact versions: which pact judged events from when on (a scoring change is a new version, never a rewrite).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from leadpact.store.types import Instant

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pact_versions",
        sa.Column(
            "seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True
        ),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("effective_at", Instant),
        sa.Column("pact", sa.Text, nullable=False),
        sa.Column("recorded_at", Instant, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("pact_versions")
