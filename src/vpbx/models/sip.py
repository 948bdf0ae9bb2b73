"""What the SIP server (Kamailio) shares with vpbx: carrier trunks and its schema versions.

Kamailio reads two views made by the migration (not ORM tables, so they never drift
from the data they show): `sip_subscribers` (the accounts auth_db checks: enabled,
unexpired extensions of active tenants, digest hashes only) and `sip_trunk_addresses`
(the carrier source addresses the permissions module trusts).
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vpbx.models.base import Base, BigIntPK, TimestampMixin


class SipTrunk(TimestampMixin, Base):
    """A carrier trunk of a partner (the operator's reseller): where calls to outside
    numbers leave (`host`:`port` over `transport`) and, through its sources, which
    addresses may send calls in without an account."""

    __tablename__ = "sip_trunks"
    __table_args__ = (UniqueConstraint("partner_id", "name"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    host: Mapped[str] = mapped_column(String(253))
    port: Mapped[int] = mapped_column(Integer, default=5060)
    transport: Mapped[str] = mapped_column(String(8), default="udp")


class SipTrunkSource(Base):
    """An address (a host or a network: `address`/`mask`) a trunk's calls come from."""

    __tablename__ = "sip_trunk_sources"
    __table_args__ = (UniqueConstraint("trunk_id", "address", "mask"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    trunk_id: Mapped[int] = mapped_column(ForeignKey("sip_trunks.id", ondelete="CASCADE"))
    address: Mapped[str] = mapped_column(String(45))
    mask: Mapped[int] = mapped_column(SmallInteger)


class SipTrunkTenant(Base):
    """The trunk a tenant's outside calls use: at most one per tenant, of its partner."""

    __tablename__ = "sip_trunk_tenants"

    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    trunk_id: Mapped[int] = mapped_column(
        ForeignKey("sip_trunks.id", ondelete="CASCADE"), index=True
    )


class SipSchemaVersion(Base):
    """Kamailio's `version` table (named by its `version_table` setting): the schema
    version it expects of each table it reads, checked when it starts."""

    __tablename__ = "sip_versions"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    table_name: Mapped[str] = mapped_column(String(32), unique=True)
    table_version: Mapped[int] = mapped_column(Integer, default=0)
