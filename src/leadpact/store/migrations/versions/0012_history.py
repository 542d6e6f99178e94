"""History and deals (DESIGN.md §12): an event may be a fact of the source system's past, taken as given
(`"history": true`), stored on the event so the projection, an export and a fresh store read it the same; a
handoff opened by one is marked; a handoff keeps its closer (the `by` of its deal stages) and product.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("history", sa.Boolean, nullable=False, server_default=sa.false()))
    with op.batch_alter_table("handoffs") as batch:
        batch.add_column(sa.Column("history", sa.Boolean, nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("closer", sa.String(200)))
        batch.add_column(sa.Column("product", sa.String(200)))


def downgrade() -> None:
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_column("product")
        batch.drop_column("closer")
        batch.drop_column("history")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("history")
