"""The foundation: events, leads, handoffs, erasures.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from leadpact.store.types import Instant

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column(
            "seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True
        ),
        sa.Column("id", sa.String(200), nullable=False, unique=True),
        sa.Column("lead_id", sa.String(200), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("rank", sa.SmallInteger, nullable=False),
        sa.Column("at", Instant, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("hash", sa.String(32), nullable=False),
        sa.Column("received_at", Instant, nullable=False),
    )
    op.create_index("ix_events_lead_at", "events", ["lead_id", "at"])
    op.create_table(
        "leads",
        sa.Column("lead_id", sa.String(200), primary_key=True),
        sa.Column("email", sa.String(320)),
        sa.Column("account_id", sa.String(200)),
        sa.Column("source", sa.String(64)),
        sa.Column("campaign", sa.String(200)),
        sa.Column("fields", sa.Text, nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("stage_times", sa.Text, nullable=False),
        sa.Column("segment", sa.String(64)),
        sa.Column("tier", sa.String(16)),
        sa.Column("owner", sa.String(200)),
        sa.Column("fit", sa.Float, nullable=False),
        sa.Column("engagement", sa.Float, nullable=False),
        sa.Column("cycles", sa.Integer, nullable=False),
        sa.Column("created_at", Instant, nullable=False),
        sa.Column("last_event_at", Instant, nullable=False),
        sa.Column("flags", sa.Text, nullable=False),
        sa.Column("erased_at", Instant),
    )
    op.create_index("ix_leads_email", "leads", ["email"])
    op.create_index("ix_leads_account", "leads", ["account_id"])
    op.create_index("ix_leads_stage", "leads", ["stage"])
    op.create_table(
        "handoffs",
        sa.Column("lead_id", sa.String(200), primary_key=True),
        sa.Column("n", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("start_at", Instant, nullable=False),
        sa.Column("mql_at", Instant),
        sa.Column("trigger_event", sa.String(200), nullable=False),
        sa.Column("tier", sa.String(16)),
        sa.Column("segment", sa.String(64)),
        sa.Column("source", sa.String(64)),
        sa.Column("campaign", sa.String(200)),
        sa.Column("fit", sa.Float, nullable=False),
        sa.Column("engagement", sa.Float, nullable=False),
        sa.Column("owner", sa.String(200)),
        sa.Column("first_touch_at", Instant),
        sa.Column("first_touch_rep", sa.String(200)),
        sa.Column("touches", sa.Integer, nullable=False),
        sa.Column("channels", sa.Integer, nullable=False),
        sa.Column("disposition", sa.String(16)),
        sa.Column("disposition_at", Instant),
        sa.Column("disposition_reason", sa.String(64)),
        sa.Column("disposition_by", sa.String(200)),
        sa.Column("sal_at", Instant),
        sa.Column("sql_at", Instant),
        sa.Column("opportunity_at", Instant),
        sa.Column("customer_at", Instant),
        sa.Column("closed_lost_at", Instant),
        sa.Column("rejected_at", Instant),
        sa.Column("disqualified_at", Instant),
        sa.Column("recycled_at", Instant),
        sa.Column("outcome_reason", sa.String(64)),
        sa.Column("outcome_touches", sa.Integer),
        sa.Column("outcome_channels", sa.Integer),
        sa.Column("min_touch_met", sa.Boolean),
        sa.Column("amount", sa.Float),
        sa.Column("opportunity_id", sa.String(200)),
        sa.Column("close_date", sa.String(10)),
        sa.Column("ended_at", Instant),
        sa.Column("flags", sa.Text, nullable=False),
        sa.Column("packet", sa.Text),
    )
    for column in ("mql_at", "disposition_at", "sql_at", "opportunity_at"):
        op.create_index(f"ix_handoffs_{column}", "handoffs", [column])
    op.create_table(
        "erasures",
        sa.Column("lead_id", sa.String(200), primary_key=True),
        sa.Column("erased_at", Instant, nullable=False),
        sa.Column("events", sa.Integer, nullable=False),
        sa.Column("reason", sa.Text),
    )


def downgrade() -> None:
    for table in ("erasures", "handoffs", "leads", "events"):
        op.drop_table(table)
