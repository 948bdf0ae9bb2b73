"""The tenant's PBX: the people (users) and their SIP accounts (extensions)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vpbx.models.base import Base, BigIntPK, TimestampMixin


class User(TimestampMixin, Base):
    """A person of the tenant (OMICall's agent); may hold extensions."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("tenant_id", "email"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(16))
    role: Mapped[str] = mapped_column(String(16), default="agent")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class Extension(TimestampMixin, Base):
    """A SIP account of the tenant's PBX: what a softphone registers with.

    The password is kept as the digest hashes a SIP server checks (`ha1` =
    md5(number:domain:password), `ha1b` = md5(number@domain:domain:password)) and,
    sealed with the instance key, for the documented faces that must return it.
    """

    __tablename__ = "extensions"
    __table_args__ = (UniqueConstraint("tenant_id", "number"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(6))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    expires_at: Mapped[datetime | None] = mapped_column()
    caller_id_number_id: Mapped[int | None] = mapped_column(
        ForeignKey("numbers.id", ondelete="SET NULL")
    )
    ha1: Mapped[str] = mapped_column(String(32))
    ha1b: Mapped[str] = mapped_column(String(32))
    password_sealed: Mapped[str] = mapped_column(String(200))


class ExtensionHotline(Base):
    """A tenant number an extension may place outbound calls on."""

    __tablename__ = "extension_hotlines"

    extension_id: Mapped[int] = mapped_column(
        ForeignKey("extensions.id", ondelete="CASCADE"), primary_key=True
    )
    number_id: Mapped[int] = mapped_column(
        ForeignKey("numbers.id", ondelete="CASCADE"), primary_key=True
    )


class RingGroup(TimestampMixin, Base):
    """A ring group: a number of the dial plan that rings its members by a strategy.

    When nobody answers within `timeout_s` the call goes to the no-answer target:
    `hangup`, or an `extension` / `group` (by number) or an external `number` (E.164).
    """

    __tablename__ = "ring_groups"
    __table_args__ = (UniqueConstraint("tenant_id", "number"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(6))
    name: Mapped[str] = mapped_column(String(200))
    strategy: Mapped[str] = mapped_column(String(16), default="simultaneous")
    timeout_s: Mapped[int] = mapped_column(default=60)
    no_answer_kind: Mapped[str] = mapped_column(String(16), default="hangup")
    no_answer_value: Mapped[str | None] = mapped_column(String(32))


class RingGroupMember(Base):
    """An extension of a group, at a position, rung for `timeout_s` seconds."""

    __tablename__ = "ring_group_members"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("ring_groups.id", ondelete="CASCADE"), primary_key=True
    )
    extension_id: Mapped[int] = mapped_column(
        ForeignKey("extensions.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int]
    timeout_s: Mapped[int] = mapped_column(default=20)
