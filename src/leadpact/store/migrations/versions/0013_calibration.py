"""Calibration sessions (DESIGN.md §13): a seeded, stratified sample of handoffs and both teams' verdicts.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from leadpact.store.types import Instant

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calibration_sessions",
        sa.Column(
            "seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True
        ),
        sa.Column("created_at", Instant, nullable=False),
        sa.Column("period", sa.String(64), nullable=False),
        sa.Column("seed", sa.BigInteger, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("bands", sa.Text, nullable=False),
    )
    op.create_table(
        "calibration_items",
        sa.Column("session", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
        sa.Column("lead_id", sa.String(200), primary_key=True),
        sa.Column("n", sa.Integer, primary_key=True),
        sa.Column("band", sa.String(32), nullable=False),
        sa.Column("fit", sa.Float, nullable=False),
        sa.Column("engagement", sa.Float, nullable=False),
        sa.Column("source", sa.String(64)),
        sa.Column("tier", sa.String(16)),
        sa.Column("segment", sa.String(64)),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("reached_sql", sa.Boolean, nullable=False),
        sa.Column("marketing", sa.String(3)),
        sa.Column("sales", sa.String(3)),
        sa.Column("marketing_at", Instant),
        sa.Column("sales_at", Instant),
    )


def downgrade() -> None:
    op.drop_table("calibration_items")
    op.drop_table("calibration_sessions")
