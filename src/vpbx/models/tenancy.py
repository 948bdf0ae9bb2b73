"""Who owns what: partners (resellers), their tenants (business customers), API keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from vpbx.models.base import Base, BigIntPK, TimestampMixin, utcnow


class Partner(TimestampMixin, Base):
    """A reseller: owns tenants and sells them numbers from the operator's stock."""

    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    email: Mapped[str | None] = mapped_column(String(320))


class Tenant(TimestampMixin, Base):
    """A business customer of a partner, with its own PBX and numbers."""

    __tablename__ = "tenants"
    __table_args__ = (UniqueConstraint("partner_id", "name"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320), index=True)
    status: Mapped[str] = mapped_column(String(16), default="active")
    # The tenant's PBX: its SIP domain (the digest realm of its extensions), the
    # WebRTC/WSS proxy its softphones use (None: the instance default), and the
    # length of its extension numbers.
    sip_domain: Mapped[str] = mapped_column(String(253), unique=True)
    outbound_proxy: Mapped[str | None] = mapped_column(String(255))
    extension_length: Mapped[int] = mapped_column(SmallInteger, default=3)
    # Bumped by database triggers on every write to a table the dial plan reads
    # (migration 5d1c0e7a9b42): route decisions cache the plan while it is unchanged.
    plan_version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class ApiKey(Base):
    """A bearer credential of a partner or of one tenant. Only its SHA-256 is kept."""

    __tablename__ = "api_keys"
    __table_args__ = (
        CheckConstraint("(partner_id IS NULL) <> (tenant_id IS NULL)", name="exactly_one_owner"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(String(200))
    partner_id: Mapped[int | None] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    tenant_id: Mapped[int | None] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column()
