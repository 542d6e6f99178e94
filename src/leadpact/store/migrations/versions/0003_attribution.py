"""Attribution inputs on handoffs (the lead's first activity and first touch) and indexes on every column a
metric is dated by.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from leadpact.store.types import Instant

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

DATED = ("rejected_at", "disqualified_at", "recycled_at", "customer_at")


def upgrade() -> None:
    with op.batch_alter_table("handoffs") as batch:
        batch.add_column(sa.Column("first_activity_at", Instant))
        batch.add_column(sa.Column("lead_first_touch_at", Instant))
        batch.add_column(sa.Column("team", sa.String(64)))
    for column in DATED:
        op.create_index(f"ix_handoffs_{column}", "handoffs", [column])


def downgrade() -> None:
    for column in DATED:
        op.drop_index(f"ix_handoffs_{column}", "handoffs")
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_column("team")
        batch.drop_column("lead_first_touch_at")
        batch.drop_column("first_activity_at")
