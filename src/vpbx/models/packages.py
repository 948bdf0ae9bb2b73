"""Carrier packages: a partner's catalogue, orders confirmed by a one-time code, the code log."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Index, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vpbx.models.base import Base, BigIntPK, TimestampMixin, utcnow


class CarrierPackage(TimestampMixin, Base):
    """A bundle of a mobile carrier (call, SMS, data or a combo) that a partner sells.

    `carrier` is the carrier's code (VIETTEL, MOBIFONE, VINAPHONE…) and `product_code`
    the carrier's own code of the bundle (MP5X, V200B, 6C120); `validity_days` is how
    long the bundle lasts once active. An inactive package is no longer sold.
    """

    __tablename__ = "carrier_packages"
    __table_args__ = (UniqueConstraint("partner_id", "carrier", "product_code"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    carrier: Mapped[str] = mapped_column(String(16))
    product_code: Mapped[str] = mapped_column(String(32))
    type: Mapped[str] = mapped_column(String(8))
    price: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
    validity_days: Mapped[int] = mapped_column(SmallInteger)
    description: Mapped[str] = mapped_column(String(500), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class PackageOrder(Base):
    """A package bought for a subscriber's phone, confirmed by a one-time code.

    `order_code` is the public id (`DG` + UTC timestamp + 6 digits) and `telco_trans_id`
    the carrier's transaction. `status` is pending (a code is out), active (confirmed:
    the bundle runs until `active_until`), failed (too many wrong codes, or the carrier
    refused) or cancelled (a newer code for the same phone and package replaced it); a
    pending order past `otp_expires_at` is expired, which readers derive from the clock.
    The code itself is never stored: `otp_hash` is its HMAC under a key derived from the
    instance key. The price, type and validity are copied from the package when ordered.
    """

    __tablename__ = "package_orders"
    __table_args__ = (
        Index("ix_package_orders_partner_id_id", "partner_id", "id"),
        Index("ix_package_orders_tenant_id_id", "tenant_id", "id"),
        Index("ix_package_orders_phone_package", "phone", "package_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    order_code: Mapped[str] = mapped_column(String(24), unique=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id", ondelete="SET NULL"))
    package_id: Mapped[int] = mapped_column(
        ForeignKey("carrier_packages.id", ondelete="RESTRICT"), index=True
    )
    carrier: Mapped[str] = mapped_column(String(16))
    product_code: Mapped[str] = mapped_column(String(32))
    package_type: Mapped[str] = mapped_column(String(8))
    price: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
    validity_days: Mapped[int] = mapped_column(SmallInteger)
    phone: Mapped[str] = mapped_column(String(16))
    utm_source: Mapped[str] = mapped_column(String(255), default="")
    utm_medium: Mapped[str] = mapped_column(String(255), default="")
    utm_content: Mapped[str] = mapped_column(String(255), default="")
    utm_campaign: Mapped[str] = mapped_column(String(255), default="")
    telco_trans_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    otp_hash: Mapped[str | None] = mapped_column(String(64))
    otp_expires_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    sends: Mapped[int] = mapped_column(SmallInteger, default=1)
    last_sent_at: Mapped[datetime]
    failure: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column()
    active_until: Mapped[datetime | None] = mapped_column()


class OtpSend(Base):
    """One code sent to a phone: the log that the resend cool-down and the per-phone and
    per-key rate limits count (API nodes keep no state of their own)."""

    __tablename__ = "otp_sends"
    __table_args__ = (
        Index("ix_otp_sends_phone_sent_at", "phone", "sent_at"),
        Index("ix_otp_sends_api_key_sent_at", "api_key_id", "sent_at"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    order_id: Mapped[int] = mapped_column(
        ForeignKey("package_orders.id", ondelete="CASCADE"), index=True
    )
    phone: Mapped[str] = mapped_column(String(16))
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
