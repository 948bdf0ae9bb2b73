"""Group call counts: the round-robin rotation kept as a counter

Revision ID: 8e3f61a2c7d4
Revises: 5d1c0e7a9b42
Create Date: 2026-11-22 15:00:00

A round-robin ring group starts each call one member further than the last: its
rotation is the number of calls recorded for it. That was a count over the group's call
records on every route decision, which grows with the group's history (a busy group's
millionth call counted a million index entries). Now the count is a row per group
number, added to as records are stored; this migration fills it from the records so far.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "8e3f61a2c7d4"
down_revision = "5d1c0e7a9b42"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "group_call_counts",
        sa.Column(
            "tenant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("group_number", sa.String(length=6), nullable=False),
        sa.Column("calls", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("group_call_counts_tenant_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "group_number", name=op.f("group_call_counts_pkey")),
    )
    op.execute(
        "INSERT INTO group_call_counts (tenant_id, group_number, calls) "
        "SELECT tenant_id, group_number, count(*) FROM call_records "
        "WHERE group_number IS NOT NULL GROUP BY tenant_id, group_number"
    )


def downgrade() -> None:
    op.drop_table("group_call_counts")
