"""All SQL of call records. Every read is scoped by tenant: another tenant's call is None."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, insert, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from vpbx.calls.schemas import CallFilter, Comparison
from vpbx.models import CallRecord, Extension, GroupCallCount, Number, RingGroup
from vpbx.numbers.enums import NumberStatus

# A call and the user of its extension now (None: no extension, or no user).
CallRow = tuple[CallRecord, int | None]

_OPS = {
    "eq": lambda column, value: column == value,
    "ne": lambda column, value: column != value,
    "lt": lambda column, value: column < value,
    "lte": lambda column, value: column <= value,
    "gt": lambda column, value: column > value,
    "gte": lambda column, value: column >= value,
}


def _compare(column: Any, conditions: Sequence[Comparison]) -> list[ColumnElement[bool]]:
    return [_OPS[c.op](column, c.value) for c in conditions]


class CallRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # --- intake -------------------------------------------------------------------------------

    def by_call_ids(self, tenant_id: int, call_ids: Collection[str]) -> dict[str, CallRecord]:
        if not call_ids:
            return {}
        rows = self.session.scalars(
            select(CallRecord).where(
                CallRecord.tenant_id == tenant_id, CallRecord.call_id.in_(call_ids)
            )
        )
        return {row.call_id: row for row in rows}

    def owned_hotlines(self, tenant_id: int, e164s: Collection[str]) -> set[str]:
        """Which of these numbers the tenant owns now."""
        if not e164s:
            return set()
        return set(
            self.session.scalars(
                select(Number.e164).where(
                    Number.tenant_id == tenant_id,
                    Number.status == NumberStatus.ACTIVE,
                    Number.e164.in_(e164s),
                )
            )
        )

    def extensions_by_number(
        self, tenant_id: int, numbers: Collection[str]
    ) -> dict[str, tuple[int, int | None]]:
        """number → (extension id, its user id) for the tenant's extensions among these."""
        if not numbers:
            return {}
        rows = self.session.execute(
            select(Extension.number, Extension.id, Extension.user_id).where(
                Extension.tenant_id == tenant_id, Extension.number.in_(numbers)
            )
        )
        return {row.number: (row.id, row.user_id) for row in rows}

    def group_numbers(self, tenant_id: int, numbers: Collection[str]) -> set[str]:
        if not numbers:
            return set()
        return set(
            self.session.scalars(
                select(RingGroup.number).where(
                    RingGroup.tenant_id == tenant_id, RingGroup.number.in_(numbers)
                )
            )
        )

    def insert_values(self, rows: Sequence[CallRecord]) -> bool:
        """As `insert`, as one Core INSERT of the rows' values (the objects stay
        transient: nothing reads them back)."""
        columns = [c.key for c in CallRecord.__table__.columns if c.key != "id"]
        values = [{key: getattr(row, key) for key in columns} for row in rows]
        if not values:
            return True
        try:
            with self.session.begin_nested():
                self.session.execute(insert(CallRecord), values)
        except IntegrityError:
            return False
        return True

    def count_group_calls(self, tenant_id: int, added: Mapping[str, int]) -> None:
        """Add to the recorded-call counts of the tenant's ring group numbers (their
        round-robin rotation), creating the rows that do not exist yet. Sorted, so two
        transactions adding to the same groups lock them in the same order."""
        if not added:
            return
        dialect = self.session.get_bind().dialect.name
        make = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = make(GroupCallCount).values(
            [
                {"tenant_id": tenant_id, "group_number": number, "calls": count}
                for number, count in sorted(added.items())
            ]
        )
        self.session.execute(
            statement.on_conflict_do_update(
                index_elements=["tenant_id", "group_number"],
                set_={"calls": GroupCallCount.calls + statement.excluded.calls},
            )
        )

    def insert(self, rows: Sequence[CallRecord]) -> bool:
        """Add the rows together, or none of them and answer False when one of their call
        ids was recorded meanwhile (a concurrent post) or a reference vanished."""
        try:
            with self.session.begin_nested():
                self.session.add_all(rows)
                self.session.flush()
        except IntegrityError:
            return False
        return True

    # --- reads --------------------------------------------------------------------------------

    def _select(self) -> Select[CallRecord, int | None]:
        return select(CallRecord, Extension.user_id).outerjoin(
            Extension, Extension.id == CallRecord.extension_id
        )

    def get(self, tenant_id: int, record_id: int) -> CallRow | None:
        row = self.session.execute(
            self._select().where(CallRecord.id == record_id, CallRecord.tenant_id == tenant_id)
        ).first()
        return None if row is None else (row[0], row[1])

    def with_users(self, tenant_id: int, record_ids: Collection[int]) -> dict[int, CallRow]:
        if not record_ids:
            return {}
        rows = self.session.execute(
            self._select().where(CallRecord.tenant_id == tenant_id, CallRecord.id.in_(record_ids))
        )
        return {row[0].id: (row[0], row[1]) for row in rows}

    def search(
        self,
        tenant_id: int,
        filters: CallFilter,
        *,
        after: tuple[datetime, int] | None,
        limit: int,
    ) -> list[CallRow]:
        """Newest first (started_at, then id, descending); `after` is the last call of the
        previous page, so equal start times neither repeat nor vanish between pages."""
        query = self._select().where(*self._conditions(tenant_id, filters))
        if after is not None:
            started, record_id = after
            # The plain range keeps the (tenant, started_at, id) index usable.
            query = query.where(
                CallRecord.started_at <= started,
                or_(
                    CallRecord.started_at < started,
                    and_(CallRecord.started_at == started, CallRecord.id < record_id),
                ),
            )
        query = query.order_by(CallRecord.started_at.desc(), CallRecord.id.desc()).limit(limit)
        return [(row[0], row[1]) for row in self.session.execute(query)]

    def search_newer(
        self,
        tenant_id: int,
        filters: CallFilter,
        *,
        before: tuple[datetime, int],
        limit: int,
    ) -> list[CallRow]:
        """The `limit` calls just newer than `before` (the first call of a page), read
        oldest first (started_at, then id, ascending): the caller reverses them into the
        newest-first page that precedes that one. The same index range as `search`, walked
        the other way."""
        started, record_id = before
        query = (
            self._select()
            .where(
                *self._conditions(tenant_id, filters),
                CallRecord.started_at >= started,
                or_(
                    CallRecord.started_at > started,
                    and_(CallRecord.started_at == started, CallRecord.id > record_id),
                ),
            )
            .order_by(CallRecord.started_at, CallRecord.id)
            .limit(limit)
        )
        return [(row[0], row[1]) for row in self.session.execute(query)]

    def page(
        self, tenant_id: int, filters: CallFilter, *, offset: int, limit: int
    ) -> list[CallRow]:
        query = (
            self._select()
            .where(*self._conditions(tenant_id, filters))
            .order_by(CallRecord.started_at.desc(), CallRecord.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return [(row[0], row[1]) for row in self.session.execute(query)]

    def count(self, tenant_id: int, filters: CallFilter) -> int:
        query = select(func.count()).select_from(CallRecord)
        if filters.user_id is not None:
            query = query.join(Extension, Extension.id == CallRecord.extension_id)
        return self.session.scalar(query.where(*self._conditions(tenant_id, filters))) or 0

    def _conditions(self, tenant_id: int, f: CallFilter) -> list[ColumnElement[bool]]:
        c: list[ColumnElement[bool]] = [CallRecord.tenant_id == tenant_id]
        if f.date_from is not None:
            c.append(CallRecord.started_at >= f.date_from)
        if f.date_to is not None:
            c.append(CallRecord.started_at < f.date_to)
        for column, values in (
            (CallRecord.direction, f.directions),
            (CallRecord.disposition, f.dispositions),
            (CallRecord.extension_id, f.extension_ids),
            (CallRecord.extension_number, f.extensions),
            (CallRecord.hotline, f.hotlines),
            (CallRecord.group_number, f.groups),
            (CallRecord.call_id, f.call_ids),
        ):
            if values:
                c.append(column.in_(values))
        if f.numbers:
            c.append(or_(CallRecord.caller.in_(f.numbers), CallRecord.callee.in_(f.numbers)))
        if f.user_id is not None:
            c.append(Extension.user_id == f.user_id)
        c += _compare(CallRecord.duration_s, f.duration)
        c += _compare(CallRecord.billsec, f.billsec)
        return c

    # --- what routing reads -------------------------------------------------------------------

    def last_answered_end(self, tenant_id: int, numbers: Collection[str]) -> dict[str, datetime]:
        """number → end of the last answered call of the tenant's extension with it.

        Joined by extension id, not the number written on the call, so a number given
        to a new extension starts idle; the (tenant, extension_id, started_at) index
        finds each extension's calls."""
        if not numbers:
            return {}
        rows = self.session.execute(
            select(Extension.number, func.max(CallRecord.ended_at))
            .join(
                CallRecord,
                and_(
                    CallRecord.tenant_id == Extension.tenant_id,
                    CallRecord.extension_id == Extension.id,
                ),
            )
            .where(
                Extension.tenant_id == tenant_id,
                Extension.number.in_(numbers),
                CallRecord.disposition == "answered",
            )
            .group_by(Extension.number)
        )
        return {number: ended for number, ended in rows if ended is not None}
