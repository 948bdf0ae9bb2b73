"""The SQL that loads one tenant's dial plan for route resolution.

A route is resolved per call, so each kind of object is read in one query for the
whole tenant (hotlines with their forwarding, list entries, scenarios, queues with
members, call statistics), never one query per object.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from vpbx.kit.rows import AnyRow
from vpbx.models import (
    CallQueue,
    CallQueueMember,
    ContactListEntry,
    Extension,
    GroupCallCount,
    Number,
    NumberContactList,
    NumberForwarding,
    RingGroup,
    Scenario,
)
from vpbx.numbers.enums import NumberStatus


class DialPlanRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def hotlines(self, tenant_id: int) -> Sequence[AnyRow]:
        """The tenant's active numbers with their forwarding (None columns when unset),
        its target written as routing reads it (extension and group by number)."""
        target_extension = aliased(Extension)
        return self.session.execute(
            select(
                Number.id,
                Number.e164,
                NumberForwarding.type,
                NumberForwarding.cli_mode,
                NumberForwarding.destination,
                NumberForwarding.host,
                NumberForwarding.scenario_id,
                NumberForwarding.call_queue_id,
                target_extension.number.label("extension_number"),
                RingGroup.number.label("group_number"),
            )
            .outerjoin(NumberForwarding, NumberForwarding.number_id == Number.id)
            .outerjoin(target_extension, target_extension.id == NumberForwarding.extension_id)
            .outerjoin(RingGroup, RingGroup.id == NumberForwarding.group_id)
            .where(Number.tenant_id == tenant_id, Number.status == NumberStatus.ACTIVE)
            .order_by(Number.e164)
        ).all()

    def screening(self, tenant_id: int) -> dict[tuple[int, str], list[str]]:
        """(number id, "black" | "white") → the entries of the list assigned there."""
        rows = self.session.execute(
            select(NumberContactList.number_id, NumberContactList.list_type, ContactListEntry.value)
            .join(ContactListEntry, ContactListEntry.list_id == NumberContactList.list_id)
            .where(NumberContactList.tenant_id == tenant_id)
            .order_by(ContactListEntry.value)
        ).all()
        found: dict[tuple[int, str], list[str]] = {}
        for number_id, list_type, value in rows:
            found.setdefault((number_id, list_type), []).append(value)
        return found

    def scenarios(self, tenant_id: int) -> Sequence[AnyRow]:
        return self.session.execute(
            select(Scenario.id, Scenario.name).where(Scenario.tenant_id == tenant_id)
        ).all()

    def queues(self, tenant_id: int) -> Sequence[CallQueue]:
        return self.session.scalars(
            select(CallQueue).where(CallQueue.tenant_id == tenant_id).order_by(CallQueue.id)
        ).all()

    def queue_members(self, tenant_id: int) -> dict[int, list[str]]:
        """Queue id → its members' extension numbers in position order."""
        rows = self.session.execute(
            select(CallQueueMember.queue_id, Extension.number)
            .join(Extension, Extension.id == CallQueueMember.extension_id)
            .where(Extension.tenant_id == tenant_id)
            .order_by(CallQueueMember.queue_id, CallQueueMember.position)
        ).all()
        found: dict[int, list[str]] = {}
        for queue_id, number in rows:
            found.setdefault(queue_id, []).append(number)
        return found

    def group_call_counts(self, tenant_id: int, numbers: Collection[str]) -> dict[str, int]:
        """Ring-group number → calls recorded for it: the round-robin rotation (kept
        as records are stored: one row per group, whatever its history)."""
        rows = self.session.execute(
            select(GroupCallCount.group_number, GroupCallCount.calls).where(
                GroupCallCount.tenant_id == tenant_id, GroupCallCount.group_number.in_(numbers)
            )
        ).all()
        return {str(number): int(count) for number, count in rows}
