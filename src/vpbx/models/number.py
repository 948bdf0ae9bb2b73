"""The phone number: one row per number of the operator's stock, whatever its state."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from vpbx.models.base import Base, BigIntPK, TimestampMixin, digits


class Number(TimestampMixin, Base):
    """A number of the stock (E.164) with what search needs and its lifecycle state.

    `nsn` is the national significant number, `area_code` its national destination
    code (city code for fixed lines, operator prefix for mobiles) and `subscriber` the
    rest; `nsn_rev` is `nsn` reversed so a suffix mask is a btree range too.
    `tenant_id` is the holder of a reservation or the owner of an active number.
    """

    __tablename__ = "numbers"
    __table_args__ = (
        Index("ix_numbers_nsn_id", "nsn", "id"),
        Index("ix_numbers_nsn_rev", "nsn_rev"),
        Index("ix_numbers_tier_nsn", "tier", "nsn"),
        Index("ix_numbers_tenant_status", "tenant_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    e164: Mapped[str] = mapped_column(String(16), unique=True)
    country: Mapped[str] = mapped_column(String(2))
    country_code: Mapped[int] = mapped_column(SmallInteger)
    nsn: Mapped[str] = mapped_column(digits(15))
    nsn_rev: Mapped[str] = mapped_column(digits(15))
    area_code: Mapped[str] = mapped_column(String(8))
    subscriber: Mapped[str] = mapped_column(digits(15))
    region: Mapped[str] = mapped_column(String(120), default="")
    number_type: Mapped[str] = mapped_column(String(16))
    carrier: Mapped[str] = mapped_column(String(64), default="")
    tier: Mapped[int] = mapped_column(SmallInteger)
    vanity_rule: Mapped[str | None] = mapped_column(String(40))
    sms_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    currency: Mapped[str] = mapped_column(String(3))
    connection_price: Mapped[Decimal]
    monthly_price: Mapped[Decimal]
    status: Mapped[str] = mapped_column(String(16))
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenants.id", ondelete="RESTRICT"))
    owner_type: Mapped[str | None] = mapped_column(String(16))
    # Who may buy it: None for anyone, or only "business" (e.g. toll-free lines).
    offer_owner_type: Mapped[str | None] = mapped_column(String(16))
    reserved_until: Mapped[datetime | None] = mapped_column()
    active_since: Mapped[datetime | None] = mapped_column()
    paid_until: Mapped[datetime | None] = mapped_column()
    aging_until: Mapped[datetime | None] = mapped_column()


class NumberPrice(Base):
    """The price of a number in a further currency (the list price is on the number)."""

    __tablename__ = "number_prices"

    number_id: Mapped[int] = mapped_column(
        ForeignKey("numbers.id", ondelete="CASCADE"), primary_key=True
    )
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    connection_price: Mapped[Decimal]
    monthly_price: Mapped[Decimal]
