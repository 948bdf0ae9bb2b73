"""Contact lists: black and white lists of callers, and the numbers they screen."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vpbx.models.base import Base, BigIntPK, TimestampMixin, utcnow


class ContactList(TimestampMixin, Base):
    """A named list of callers; `type` is "black" (refused) or "white" (only these)."""

    __tablename__ = "contact_lists"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(8))


class ContactListEntry(Base):
    """A caller of a list: an E.164 number, or a prefix ending in "*" ("+8419*")."""

    __tablename__ = "contact_list_entries"
    __table_args__ = (UniqueConstraint("list_id", "value"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("contact_lists.id", ondelete="CASCADE"))
    value: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NumberContactList(Base):
    """The list of one type ("black" or "white") screening calls to an owned number."""

    __tablename__ = "number_contact_lists"

    number_id: Mapped[int] = mapped_column(
        ForeignKey("numbers.id", ondelete="CASCADE"), primary_key=True
    )
    list_type: Mapped[str] = mapped_column(String(8), primary_key=True)
    list_id: Mapped[int] = mapped_column(
        ForeignKey("contact_lists.id", ondelete="CASCADE"), index=True
    )
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
