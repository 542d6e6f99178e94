"""The won amount apart from the opportunity amount (pipeline keeps what was opened; revenue what was won).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("handoffs") as batch:
        batch.add_column(sa.Column("won_amount", sa.Float))


def downgrade() -> None:
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_column("won_amount")
