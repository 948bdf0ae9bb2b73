"""Ring groups and their members

Revision ID: c24ac6c63475
Revises: f7bd1cad8ddc
Create Date: 2026-11-22 06:21:32.943330
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c24ac6c63475"
down_revision = "f7bd1cad8ddc"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ring_groups",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "tenant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("number", sa.String(length=6), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("strategy", sa.String(length=16), nullable=False),
        sa.Column("timeout_s", sa.Integer(), nullable=False),
        sa.Column("no_answer_kind", sa.String(length=16), nullable=False),
        sa.Column("no_answer_value", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("ring_groups_tenant_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("ring_groups_pkey")),
        sa.UniqueConstraint("tenant_id", "number", name=op.f("ring_groups_tenant_id_number_key")),
    )
    op.create_table(
        "ring_group_members",
        sa.Column("group_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "extension_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("timeout_s", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["extension_id"],
            ["extensions.id"],
            name=op.f("ring_group_members_extension_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["ring_groups.id"],
            name=op.f("ring_group_members_group_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_id", "extension_id", name=op.f("ring_group_members_pkey")),
    )


def downgrade() -> None:
    op.drop_table("ring_group_members")
    op.drop_table("ring_groups")
