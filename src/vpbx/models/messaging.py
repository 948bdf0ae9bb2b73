"""SMS: packet offers, packets bought for numbers, templates, messages, the outbox, API
credentials of the SMS faces."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from vpbx.models.base import Base, BigIntPK, TimestampMixin, utcnow


class SmsPacketOffer(TimestampMixin, Base):
    """A packet the operator sells: `quota` messages for `price` (e.g. "SMS 500")."""

    __tablename__ = "sms_packet_offers"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    quota: Mapped[int]
    price: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class SmsPacket(Base):
    """A packet bought for one SMS-capable number of a tenant: a quota that sending spends.

    `uid` is the packet's public id (uuid-like, as Plusofon shows it); name, quota and
    price are copied from the offer. `remaining` only changes by one conditional UPDATE
    (`remaining >= n`), so concurrent sends never take it below zero.
    """

    __tablename__ = "sms_packets"
    __table_args__ = (
        CheckConstraint("remaining >= 0 AND remaining <= quota", name="remaining_in_quota"),
        Index("ix_sms_packets_tenant_id_id", "tenant_id", "id"),
        Index("ix_sms_packets_number_id_id", "number_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    number_id: Mapped[int] = mapped_column(ForeignKey("numbers.id", ondelete="CASCADE"))
    offer_id: Mapped[int | None] = mapped_column(
        ForeignKey("sms_packet_offers.id", ondelete="SET NULL")
    )
    name: Mapped[str] = mapped_column(String(200))
    quota: Mapped[int]
    remaining: Mapped[int]
    price: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SmsTemplate(TimestampMixin, Base):
    """A tenant's message text with named parameters (`{otp}`, `{name}`).

    `code` is how callers name it (eTelecom's templatecode); `status` is pending,
    approved or rejected, and only an approved template can be sent.
    """

    __tablename__ = "sms_templates"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(String(2000))
    params: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="approved")


class SmsMessage(Base):
    """One message vpbx sent, with its delivery status.

    `kind` is `tenant` (sent by a tenant from its number, spending a packet) or `otp`
    (a one-time code vpbx sent as the code authority: no tenant, no packet, and `text`
    holds the message with the code masked). `ref` is the public id that gateways and
    delivery reports use. `status` is queued, sent, delivered or failed, with the time
    of each step; `parts` is how many SMS parts the text takes (what the quota counts).
    """

    __tablename__ = "sms_messages"
    __table_args__ = (
        Index("ix_sms_messages_tenant_id_id", "tenant_id", "id"),
        Index("ix_sms_messages_number_id_id", "number_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    ref: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(8))
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    number_id: Mapped[int | None] = mapped_column(ForeignKey("numbers.id", ondelete="SET NULL"))
    packet_id: Mapped[int | None] = mapped_column(ForeignKey("sms_packets.id", ondelete="SET NULL"))
    template_id: Mapped[int | None] = mapped_column(
        ForeignKey("sms_templates.id", ondelete="SET NULL")
    )
    template_code: Mapped[str | None] = mapped_column(String(64))
    params: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    channel: Mapped[str] = mapped_column(String(8), default="SMS")
    sender: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    parts: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default="queued")
    error: Mapped[str | None] = mapped_column(String(200))
    gateway: Mapped[str] = mapped_column(String(16))
    gateway_ref: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()
    delivered_at: Mapped[datetime | None] = mapped_column()
    failed_at: Mapped[datetime | None] = mapped_column()


class SmsOutboxEntry(Base):
    """A message as the outbox gateway keeps it, for an operator to read.

    The outbox stands in for the phone network, so it holds the text as sent, one-time
    codes included: it is for demos and development (`VPBX_SMS_GATEWAY=outbox`).
    """

    __tablename__ = "sms_outbox"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    message_ref: Mapped[str] = mapped_column(String(32), index=True)
    sender: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(16), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SmsCredential(Base):
    """A username and password a tenant's software sends in the body of the SMS faces
    (eTelecom SMS Brandname), bound to the number its messages go out from.

    The password is generated (256 random bits), shown once and kept as its SHA-256.
    """

    __tablename__ = "sms_credentials"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    number_id: Mapped[int] = mapped_column(ForeignKey("numbers.id", ondelete="CASCADE"))
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column()
