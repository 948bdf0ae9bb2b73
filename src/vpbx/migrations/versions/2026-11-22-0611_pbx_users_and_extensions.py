"""The PBX: tenant SIP settings, users, extensions and their outbound hotlines

Revision ID: f7bd1cad8ddc
Revises: e78a7cfc81d5
Create Date: 2026-11-22 06:11:08.166680
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "f7bd1cad8ddc"
down_revision = "e78a7cfc81d5"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "tenant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("users_tenant_id_fkey"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("users_pkey")),
        sa.UniqueConstraint("tenant_id", "email", name=op.f("users_tenant_id_email_key")),
    )
    op.create_table(
        "extensions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "tenant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("number", sa.String(length=6), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "caller_id_number_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.Column("ha1", sa.String(length=32), nullable=False),
        sa.Column("ha1b", sa.String(length=32), nullable=False),
        sa.Column("password_sealed", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["caller_id_number_id"],
            ["numbers.id"],
            name=op.f("extensions_caller_id_number_id_fkey"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("extensions_tenant_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("extensions_user_id_fkey"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("extensions_pkey")),
        sa.UniqueConstraint("tenant_id", "number", name=op.f("extensions_tenant_id_number_key")),
    )
    op.create_index(op.f("ix_extensions_user_id"), "extensions", ["user_id"], unique=False)
    op.create_table(
        "extension_hotlines",
        sa.Column(
            "extension_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "number_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["extension_id"],
            ["extensions.id"],
            name=op.f("extension_hotlines_extension_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["number_id"],
            ["numbers.id"],
            name=op.f("extension_hotlines_number_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("extension_id", "number_id", name=op.f("extension_hotlines_pkey")),
    )
    # Existing tenants get a domain from their id before the column becomes required.
    with op.batch_alter_table("tenants") as batch:
        batch.add_column(sa.Column("sip_domain", sa.String(length=253), nullable=True))
        batch.add_column(sa.Column("outbound_proxy", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("extension_length", sa.SmallInteger(), nullable=True))
    op.execute("UPDATE tenants SET sip_domain = 't' || id || '.vpbx.local', extension_length = 3")
    with op.batch_alter_table("tenants") as batch:
        batch.alter_column("sip_domain", existing_type=sa.String(length=253), nullable=False)
        batch.alter_column("extension_length", existing_type=sa.SmallInteger(), nullable=False)
        batch.create_unique_constraint(op.f("tenants_sip_domain_key"), ["sip_domain"])


def downgrade() -> None:
    with op.batch_alter_table("tenants") as batch:
        batch.drop_constraint(op.f("tenants_sip_domain_key"), type_="unique")
        batch.drop_column("extension_length")
        batch.drop_column("outbound_proxy")
        batch.drop_column("sip_domain")
    op.drop_table("extension_hotlines")
    op.drop_index(op.f("ix_extensions_user_id"), table_name="extensions")
    op.drop_table("extensions")
    op.drop_table("users")
