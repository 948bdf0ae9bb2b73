"""Holds and sales of numbers: reservations and orders."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from vpbx.models.base import Base, BigIntPK, utcnow


class Reservation(Base):
    """A tenant's hold on one number until `expires_at`.

    `state` is active, cancelled or purchased; an active hold past `expires_at` is
    expired, which readers derive from the clock (no background job is needed).
    """

    __tablename__ = "reservations"
    __table_args__ = (Index("ix_reservations_tenant_state", "tenant_id", "state", "id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    number_id: Mapped[int] = mapped_column(ForeignKey("numbers.id", ondelete="CASCADE"), index=True)
    e164: Mapped[str] = mapped_column(String(16))
    owner_type: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None] = mapped_column()


class Order(Base):
    """A purchase of one or more numbers for a number of months."""

    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    months: Mapped[int] = mapped_column(SmallInteger)
    owner_type: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OrderItem(Base):
    """One number of an order, at the price it was sold for."""

    __tablename__ = "order_items"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    number_id: Mapped[int] = mapped_column(ForeignKey("numbers.id", ondelete="RESTRICT"))
    e164: Mapped[str] = mapped_column(String(16))
    currency: Mapped[str] = mapped_column(String(3))
    connection_price: Mapped[Decimal]
    monthly_price: Mapped[Decimal]
    paid_until: Mapped[datetime]
