"""Clocks, their alerts, violations, and the notification outbox.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from leadpact.store.types import Instant

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_SEQ = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "clocks",
        sa.Column("lead_id", sa.String(200), primary_key=True),
        sa.Column("n", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("started_at", Instant, nullable=False),
        sa.Column("due_at", Instant, nullable=False),
        sa.Column("business", sa.Boolean, nullable=False),
        sa.Column("rule", sa.String(200), nullable=False),
        sa.Column("met_at", Instant),
        sa.Column("cancelled_at", Instant),
        sa.Column("warn_times", sa.Text, nullable=False),
        sa.Column("next_at", Instant),
        sa.Column("owner", sa.String(200)),
        sa.Column("team", sa.String(64)),
        sa.Column("tier", sa.String(16)),
        sa.Column("segment", sa.String(64)),
    )
    op.create_index("ix_clocks_next_at", "clocks", ["next_at"])
    op.create_index("ix_clocks_due_at", "clocks", ["kind", "due_at"])
    op.create_table(
        "clock_alerts",
        sa.Column("lead_id", sa.String(200), primary_key=True),
        sa.Column("n", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("level", sa.String(16), primary_key=True),
        sa.Column("at", Instant, nullable=False),
        sa.Column("due_at", Instant, nullable=False),
        sa.Column("recorded_at", Instant, nullable=False),
        sa.Column("sent", sa.Boolean, nullable=False),
    )
    op.create_table(
        "violations",
        sa.Column("seq", _SEQ, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(300), nullable=False, unique=True),
        sa.Column("lead_id", sa.String(200), nullable=False),
        sa.Column("n", sa.Integer),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("at", Instant, nullable=False),
        sa.Column("owed_by", sa.String(16), nullable=False),
        sa.Column("owner", sa.String(200)),
        sa.Column("team", sa.String(64)),
        sa.Column("what", sa.Text, nullable=False),
        sa.Column("recorded_at", Instant, nullable=False),
    )
    op.create_index("ix_violations_at", "violations", ["at"])
    op.create_table(
        "outbox",
        sa.Column("seq", _SEQ, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(300), nullable=False, unique=True),
        sa.Column("topic", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("target", sa.String(500), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", Instant, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", Instant, nullable=False),
        sa.Column("sent_at", Instant),
    )
    op.create_index("ix_outbox_due", "outbox", ["status", "next_attempt_at"])


def downgrade() -> None:
    for table in ("outbox", "violations", "clock_alerts", "clocks"):
        op.drop_table(table)
