"""Routing: every assignment with its rule and reason, and the fairness ledger.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from leadpact.store.types import Instant

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assignments",
        sa.Column(
            "seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True
        ),
        sa.Column("lead_id", sa.String(200), nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("rep", sa.String(200)),
        sa.Column("team", sa.String(64)),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("rule", sa.Integer),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("skipped", sa.Text, nullable=False),
        sa.Column("expected", sa.Text, nullable=False),
        sa.Column("mql_at", Instant, nullable=False),
        sa.Column("at", Instant, nullable=False),
        sa.Column("account_id", sa.String(200)),
        sa.Column("email_domain", sa.String(200)),
    )
    op.create_index("ix_assignments_lead", "assignments", ["lead_id", "n"])
    op.create_index("ix_assignments_rep_at", "assignments", ["rep", "at"])
    op.create_index("ix_assignments_at", "assignments", ["at"])
    op.create_index("ix_assignments_account", "assignments", ["account_id"])
    op.create_index("ix_assignments_domain", "assignments", ["email_domain"])
    op.create_table(
        "routing_ledger",
        sa.Column("rep", sa.String(200), primary_key=True),
        sa.Column("credit", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("routing_ledger")
    op.drop_table("assignments")
