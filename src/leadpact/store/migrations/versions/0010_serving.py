"""Serving (DESIGN.md §9): API keys (only their hashes), the secrets every serve process shares, the HubSpot
contacts the webhook has seen before their lead.created could be made, and an index that lets the live stream
find newly recorded clock alerts cheaply.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from leadpact.store.types import Instant

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", Instant, nullable=False),
        sa.Column("revoked_at", Instant),
    )
    op.create_table(
        "server_secrets",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(200), nullable=False),
        sa.Column("created_at", Instant, nullable=False),
    )
    op.create_table(
        "hubspot_contacts",
        sa.Column("object_id", sa.String(64), primary_key=True),
        sa.Column("created_event", sa.String(64)),
        sa.Column("created_at", Instant),
        sa.Column("properties", sa.Text, nullable=False),
        sa.Column("lead_created", sa.Text),
        sa.Column("updated_at", Instant, nullable=False),
    )
    op.create_index("ix_clock_alerts_recorded_at", "clock_alerts", ["recorded_at"])


def downgrade() -> None:
    op.drop_index("ix_clock_alerts_recorded_at", "clock_alerts")
    op.drop_table("hubspot_contacts")
    op.drop_table("server_secrets")
    op.drop_table("api_keys")
