"""All SQL of forwarding, scenarios and call queues. Every read is scoped by tenant:
another tenant's row is None (or absent from a result)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeVar

from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from vpbx.kit.rows import AnyRow
from vpbx.models import (
    CallQueue,
    CallQueueMember,
    Extension,
    Number,
    NumberForwarding,
    RingGroup,
    Scenario,
    ScenarioOption,
)
from vpbx.numbers.enums import NumberStatus

Named = TypeVar("Named", Scenario, CallQueue)


class ForwardingRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def flush_unique(self, obj: Scenario | CallQueue | None = None) -> bool:
        """Add (if given) and flush; False when a unique constraint refused the row.

        The savepoint keeps the transaction usable after a refusal, so two requests
        racing for one name give one 201 and one 409, never a 500.
        """
        try:
            with self.session.begin_nested():
                if obj is not None:
                    self.session.add(obj)
                self.session.flush()
        except IntegrityError:
            return False
        return True

    def remove(self, obj: Scenario | CallQueue) -> None:
        self.session.delete(obj)
        self.session.flush()

    # --- numbers and their forwarding --------------------------------------------

    def active_numbers(
        self, tenant_id: int, e164s: Iterable[str], *, for_update: bool = False
    ) -> dict[str, Number]:
        """The tenant's active numbers among these (the only ones that can forward).
        `for_update` locks them, in one order, until the transaction ends: writers of
        the same numbers' forwarding take turns (PostgreSQL; SQLite has one writer)."""
        wanted = list(set(e164s))
        if not wanted:
            return {}
        query = select(Number).where(
            Number.e164.in_(wanted),
            Number.tenant_id == tenant_id,
            Number.status == NumberStatus.ACTIVE,
        )
        if for_update:
            query = query.order_by(Number.id).with_for_update()
        return {row.e164: row for row in self.session.scalars(query)}

    def forwardings(self, tenant_id: int, number_ids: Sequence[int]) -> dict[int, NumberForwarding]:
        if not number_ids:
            return {}
        rows = self.session.scalars(
            select(NumberForwarding).where(
                NumberForwarding.tenant_id == tenant_id,
                NumberForwarding.number_id.in_(number_ids),
            )
        )
        return {row.number_id: row for row in rows}

    def save_forwarding(self, row: NumberForwarding) -> None:
        self.session.add(row)
        self.session.flush()

    # --- readable names of targets -----------------------------------------------

    def extension_numbers(self, tenant_id: int, ids: Iterable[int]) -> dict[int, str]:
        rows = self._pairs(tenant_id, Extension, Extension.number, ids)
        return {row[0]: row[1] for row in rows}

    def group_labels(self, tenant_id: int, ids: Iterable[int]) -> dict[int, tuple[str, str]]:
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        rows = self.session.execute(
            select(RingGroup.id, RingGroup.number, RingGroup.name).where(
                RingGroup.tenant_id == tenant_id, RingGroup.id.in_(wanted)
            )
        ).all()
        return {row.id: (row.number, row.name) for row in rows}

    def scenario_names(self, tenant_id: int, ids: Iterable[int]) -> dict[int, str]:
        rows = self._pairs(tenant_id, Scenario, Scenario.name, ids)
        return {row[0]: row[1] for row in rows}

    def queue_names(self, tenant_id: int, ids: Iterable[int]) -> dict[int, str]:
        rows = self._pairs(tenant_id, CallQueue, CallQueue.name, ids)
        return {row[0]: row[1] for row in rows}

    def _pairs(
        self,
        tenant_id: int,
        table: type[Extension] | type[Scenario] | type[CallQueue],
        column: object,
        ids: Iterable[int],
    ) -> list[AnyRow]:
        wanted = sorted(set(ids))
        if not wanted:
            return []
        query = select(table.id, column).where(  # type: ignore[call-overload]
            table.tenant_id == tenant_id, table.id.in_(wanted)
        )
        return list(self.session.execute(query).all())

    # --- scenarios ---------------------------------------------------------------

    def scenario(self, tenant_id: int, scenario_id: int) -> Scenario | None:
        return self.session.scalar(
            select(Scenario).where(Scenario.id == scenario_id, Scenario.tenant_id == tenant_id)
        )

    def scenario_by_name(self, tenant_id: int, name: str) -> Scenario | None:
        return self.session.scalar(
            select(Scenario).where(Scenario.tenant_id == tenant_id, Scenario.name == name)
        )

    def scenarios(
        self, tenant_id: int, *, after_id: int | None = None, limit: int | None = None
    ) -> Sequence[Scenario]:
        return self._page(Scenario, tenant_id, after_id, limit)

    def options(self, scenario_ids: Sequence[int]) -> dict[int, list[ScenarioOption]]:
        if not scenario_ids:
            return {}
        rows = self.session.scalars(
            select(ScenarioOption)
            .where(ScenarioOption.scenario_id.in_(scenario_ids))
            .order_by(ScenarioOption.scenario_id, ScenarioOption.digit)
        )
        found: dict[int, list[ScenarioOption]] = {}
        for row in rows:
            found.setdefault(row.scenario_id, []).append(row)
        return found

    def set_options(self, scenario_id: int, options: Sequence[tuple[str, str, str | None]]) -> None:
        """(digit, target kind, target value) for every key of the menu."""
        self.session.execute(
            delete(ScenarioOption).where(ScenarioOption.scenario_id == scenario_id)
        )
        for digit, kind, value in options:
            self.session.add(
                ScenarioOption(
                    scenario_id=scenario_id, digit=digit, target_kind=kind, target_value=value
                )
            )
        self.session.flush()

    # --- call queues -------------------------------------------------------------

    def queue(self, tenant_id: int, queue_id: int) -> CallQueue | None:
        return self.session.scalar(
            select(CallQueue).where(CallQueue.id == queue_id, CallQueue.tenant_id == tenant_id)
        )

    def queue_by_name(self, tenant_id: int, name: str) -> CallQueue | None:
        return self.session.scalar(
            select(CallQueue).where(CallQueue.tenant_id == tenant_id, CallQueue.name == name)
        )

    def queues(
        self, tenant_id: int, *, after_id: int | None = None, limit: int | None = None
    ) -> Sequence[CallQueue]:
        return self._page(CallQueue, tenant_id, after_id, limit)

    def queue_members(self, queue_ids: Sequence[int]) -> dict[int, list[AnyRow]]:
        """(queue_id, extension_id, number) rows per queue, in queue order."""
        if not queue_ids:
            return {}
        rows = self.session.execute(
            select(CallQueueMember.queue_id, CallQueueMember.extension_id, Extension.number)
            .join(Extension, Extension.id == CallQueueMember.extension_id)
            .where(CallQueueMember.queue_id.in_(queue_ids))
            .order_by(CallQueueMember.queue_id, CallQueueMember.position)
        ).all()
        found: dict[int, list[AnyRow]] = {}
        for row in rows:
            found.setdefault(row.queue_id, []).append(row)
        return found

    def set_queue_members(self, queue_id: int, extension_ids: Sequence[int]) -> None:
        self.session.execute(delete(CallQueueMember).where(CallQueueMember.queue_id == queue_id))
        for position, extension_id in enumerate(extension_ids):
            self.session.add(
                CallQueueMember(queue_id=queue_id, extension_id=extension_id, position=position)
            )
        self.session.flush()

    def _page(
        self, table: type[Named], tenant_id: int, after_id: int | None, limit: int | None
    ) -> Sequence[Named]:
        query = select(table).where(table.tenant_id == tenant_id)
        if after_id is not None:
            query = query.where(table.id > after_id)
        query = query.order_by(table.id)
        return self.session.scalars(query if limit is None else query.limit(limit)).all()

    # --- who uses a target (deletes are refused while anything does) -------------

    def numbers_forwarding_to(
        self,
        tenant_id: int,
        *,
        extension_id: int | None = None,
        group_id: int | None = None,
        scenario_id: int | None = None,
        call_queue_id: int | None = None,
    ) -> list[str]:
        """E.164 of the numbers whose forwarding (or CRM default) names this target."""
        conditions = [
            column == value
            for column, value in (
                (NumberForwarding.extension_id, extension_id),
                (NumberForwarding.group_id, group_id),
                (NumberForwarding.scenario_id, scenario_id),
                (NumberForwarding.call_queue_id, call_queue_id),
            )
            if value is not None
        ]
        query = (
            select(Number.e164)
            .join(NumberForwarding, NumberForwarding.number_id == Number.id)
            .where(NumberForwarding.tenant_id == tenant_id, or_(*conditions))
            .order_by(Number.e164)
        )
        return list(self.session.scalars(query))

    def scenarios_targeting(
        self, tenant_id: int, kind: str, value: str, *, besides: int | None = None
    ) -> list[str]:
        """Names of the tenant's scenarios with an option or no-input target (kind, value)."""
        by_option = select(ScenarioOption.scenario_id).where(
            ScenarioOption.target_kind == kind, ScenarioOption.target_value == value
        )
        query = select(Scenario.name).where(
            Scenario.tenant_id == tenant_id,
            or_(
                Scenario.id.in_(by_option),
                (Scenario.no_input_kind == kind) & (Scenario.no_input_value == value),
            ),
        )
        if besides is not None:
            query = query.where(Scenario.id != besides)
        return list(self.session.scalars(query.order_by(Scenario.name)))
