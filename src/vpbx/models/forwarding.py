"""Where a tenant's numbers send their calls: forwarding, voice-menu scenarios, call queues."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vpbx.models.base import Base, BigIntPK, TimestampMixin


class Scenario(TimestampMixin, Base):
    """A voice menu: a greeting, then a digit pressed picks a target.

    `no_input_kind` / `no_input_value` is where the call goes when the caller presses
    nothing within `input_timeout_s` (same target kinds as the options).
    """

    __tablename__ = "scenarios"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    greeting: Mapped[str] = mapped_column(Text, default="")
    input_timeout_s: Mapped[int] = mapped_column(default=10)
    no_input_kind: Mapped[str] = mapped_column(String(16), default="hangup")
    no_input_value: Mapped[str | None] = mapped_column(String(255))


class ScenarioOption(Base):
    """One key of a scenario's menu: digit 0-9, * or # → a target.

    Target kinds: extension / group (by dial-plan number), number (E.164), sip_uri,
    scenario / call_queue (by id), hangup.
    """

    __tablename__ = "scenario_options"

    scenario_id: Mapped[int] = mapped_column(
        ForeignKey("scenarios.id", ondelete="CASCADE"), primary_key=True
    )
    digit: Mapped[str] = mapped_column(String(1), primary_key=True)
    target_kind: Mapped[str] = mapped_column(String(16))
    target_value: Mapped[str | None] = mapped_column(String(255))


class CallQueue(TimestampMixin, Base):
    """A queue: callers wait (at most `max_wait_s`) while members are offered calls."""

    __tablename__ = "call_queues"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    strategy: Mapped[str] = mapped_column(String(16), default="longest_idle")
    max_wait_s: Mapped[int] = mapped_column(default=300)


class CallQueueMember(Base):
    """An extension answering a queue's calls, at a position (used by ordered strategies)."""

    __tablename__ = "call_queue_members"

    queue_id: Mapped[int] = mapped_column(
        ForeignKey("call_queues.id", ondelete="CASCADE"), primary_key=True
    )
    extension_id: Mapped[int] = mapped_column(
        ForeignKey("extensions.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int]


class NumberForwarding(TimestampMixin, Base):
    """Where calls to one owned number go (Plusofon's number/follow), one row per number.

    `type` is sip / number / group / scenario / call_queue / sip_uri / bitrix / amo /
    empty. Exactly the target column of the type is set: `extension_id` (sip),
    `destination` (number: E.164; sip_uri: the URI), `group_id`, `scenario_id`,
    `call_queue_id`, `host` (bitrix / amo: the CRM's host). For bitrix and amo,
    `type_default` and its target say where the call rings while the CRM decides,
    with `cli_mode_default`. `cli_mode` is "Y" (caller's number and name) or "N"
    (the forwarding number). Target rows are referenced by id; the services refuse
    to delete a target that a forwarding still uses.
    """

    __tablename__ = "number_forwardings"

    number_id: Mapped[int] = mapped_column(
        ForeignKey("numbers.id", ondelete="CASCADE"), primary_key=True
    )
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(16))
    type_default: Mapped[str | None] = mapped_column(String(16))
    extension_id: Mapped[int | None] = mapped_column(
        ForeignKey("extensions.id", ondelete="CASCADE"), index=True
    )
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("ring_groups.id", ondelete="CASCADE"), index=True
    )
    scenario_id: Mapped[int | None] = mapped_column(
        ForeignKey("scenarios.id", ondelete="CASCADE"), index=True
    )
    call_queue_id: Mapped[int | None] = mapped_column(
        ForeignKey("call_queues.id", ondelete="CASCADE"), index=True
    )
    destination: Mapped[str | None] = mapped_column(String(255))
    host: Mapped[str | None] = mapped_column(String(253))
    cli_mode: Mapped[str] = mapped_column(String(1), default="Y")
    cli_mode_default: Mapped[str | None] = mapped_column(String(1))
