"""Call records (CDRs): one row per call attempt, answered or not."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vpbx.models.base import Base, BigIntPK, utcnow


class CallRecord(Base):
    """A finished call as the SIP server reports it.

    `direction` is in / out / internal; `disposition` answered / no_answer / busy /
    failed / rejected. `hotline` is the tenant number involved (E.164), `extension_id`
    / `extension_number` the tenant's extension, `group_number` the ring group rung.
    `duration_s` runs from start to end, `billsec` from answer to end. `call_id` is the
    SIP server's id of the call: posting the same one twice records it once.
    """

    __tablename__ = "call_records"
    __table_args__ = (
        UniqueConstraint("tenant_id", "call_id"),
        Index("ix_call_records_tenant_started", "tenant_id", "started_at", "id"),
        Index("ix_call_records_tenant_extension", "tenant_id", "extension_id", "started_at"),
        Index("ix_call_records_tenant_hotline", "tenant_id", "hotline", "started_at"),
        Index("ix_call_records_tenant_group", "tenant_id", "group_number", "ended_at"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    call_id: Mapped[str] = mapped_column(String(255))
    direction: Mapped[str] = mapped_column(String(8))
    caller: Mapped[str] = mapped_column(String(64))
    callee: Mapped[str] = mapped_column(String(64))
    hotline: Mapped[str | None] = mapped_column(String(16))
    extension_id: Mapped[int | None] = mapped_column(
        ForeignKey("extensions.id", ondelete="SET NULL")
    )
    extension_number: Mapped[str | None] = mapped_column(String(6))
    group_number: Mapped[str | None] = mapped_column(String(6))
    started_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    ended_at: Mapped[datetime]
    duration_s: Mapped[int]
    billsec: Mapped[int]
    disposition: Mapped[str] = mapped_column(String(16))
    hangup_cause: Mapped[str] = mapped_column(String(64), default="")
    sip_status: Mapped[int | None]
    recording_url: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class GroupCallCount(Base):
    """How many calls have been recorded for a ring group number: the round-robin
    rotation (the next call starts one member further). Kept up to date as records are
    stored, so a route decision reads one row instead of counting the group's history."""

    __tablename__ = "group_call_counts"

    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    group_number: Mapped[str] = mapped_column(String(6), primary_key=True)
    calls: Mapped[int] = mapped_column(BigInteger, default=0)
