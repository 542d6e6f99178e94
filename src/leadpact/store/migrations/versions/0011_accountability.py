"""Accountability (DESIGN.md §10): escalations opened once per (rule, team, period), decisions of the
reviews, and the heads' signatures of each pact version.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from leadpact.store.types import Instant

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _seq() -> sa.Column[int]:
    return sa.Column(
        "seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True
    )


def upgrade() -> None:
    op.create_table(
        "escalations",
        _seq(),
        sa.Column("rule", sa.String(32), nullable=False),
        sa.Column("team", sa.String(64), nullable=False),
        sa.Column("period", sa.String(32), nullable=False),
        sa.Column("action", sa.String(200), nullable=False),
        sa.Column("opened_at", Instant, nullable=False),
        sa.Column("due_at", Instant),
        sa.Column("owner", sa.Text, nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.Column("plan", sa.Text),
        sa.Column("resolved_at", Instant),
        sa.Column("resolved_by", sa.String(200)),
        sa.UniqueConstraint("rule", "team", "period", name="uq_escalations_rule_team_period"),
    )
    op.create_table(
        "decisions",
        _seq(),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("owner", sa.String(320), nullable=False),
        sa.Column("team", sa.String(64)),
        sa.Column("due", sa.String(10), nullable=False),
        sa.Column("made_at", Instant, nullable=False),
        sa.Column("made_by", sa.String(200)),
        sa.Column("done_at", Instant),
        sa.Column("done_by", sa.String(200)),
    )
    op.create_index("ix_decisions_due", "decisions", ["due"])
    op.create_table(
        "pact_signatures",
        sa.Column("version", sa.String(64), primary_key=True),
        sa.Column("side", sa.String(16), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("at", Instant, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("pact_signatures")
    op.drop_index("ix_decisions_due", "decisions")
    op.drop_table("decisions")
    op.drop_table("escalations")
