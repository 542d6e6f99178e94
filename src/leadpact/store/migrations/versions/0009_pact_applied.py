"""A pact version is in force once applied: `applied_at` is set when `pact apply` has re-projected the leads
the change hands off or flags (NULL: the apply was interrupted and the next `pact apply` finishes it).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from leadpact.store.types import Instant

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pact_versions") as batch:
        batch.add_column(sa.Column("applied_at", Instant))
    op.execute("UPDATE pact_versions SET applied_at = recorded_at")


def downgrade() -> None:
    with op.batch_alter_table("pact_versions") as batch:
        batch.drop_column("applied_at")
