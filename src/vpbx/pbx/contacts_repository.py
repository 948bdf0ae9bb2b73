"""All SQL of contact lists. Every read is scoped by tenant: another tenant's row is None.

Entries have no tenant column of their own: they are always reached through a list
already found for the tenant (`list_id` comes from a scoped read, never from a client).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import ColumnElement, delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from vpbx.errors import Conflict
from vpbx.models import ContactList, ContactListEntry, Number, NumberContactList
from vpbx.numbers.enums import NumberStatus

# e164 -> (blacklist entries, whitelist entries), as route screening reads them.
Screening = dict[str, tuple[tuple[str, ...], tuple[str, ...]]]


def _search(contains: str | None, start: str | None) -> ColumnElement[bool]:
    # Only digits and "+" reach here (contacts_values.search_terms): no wildcard to escape.
    terms = [ContactListEntry.value.like(f"%{contains}%")] if contains else []
    if start:
        terms.append(ContactListEntry.value.like(f"{start}%"))
    return or_(*terms)


class ContactListRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    @contextmanager
    def guarded(self, message: str, code: str, **details: object) -> Iterator[None]:
        """Flush inside a savepoint: a unique or foreign-key clash with a concurrent
        transaction, or a row it removed meanwhile, becomes a Conflict instead of a 500.
        The checks before each write make this the rare, racing case."""
        try:
            with self.session.begin_nested():
                yield
                self.session.flush()
        except (IntegrityError, StaleDataError):
            raise Conflict(message, code=code, **details) from None

    # --- lists --------------------------------------------------------------------

    def add(self, obj: ContactList | ContactListEntry | NumberContactList) -> None:
        self.session.add(obj)

    def contact_list(
        self, tenant_id: int, list_id: int, *, for_update: bool = False
    ) -> ContactList | None:
        query = select(ContactList).where(
            ContactList.id == list_id, ContactList.tenant_id == tenant_id
        )
        # Locking the row orders a delete after any assignment in flight (PostgreSQL;
        # SQLite writers are serialised already and ignore FOR UPDATE).
        return self.session.scalar(query.with_for_update() if for_update else query)

    def list_by_name(self, tenant_id: int, name: str) -> ContactList | None:
        return self.session.scalar(
            select(ContactList).where(ContactList.tenant_id == tenant_id, ContactList.name == name)
        )

    def lists(
        self, tenant_id: int, *, list_type: str | None, after_id: int | None, limit: int
    ) -> Sequence[ContactList]:
        query = select(ContactList).where(ContactList.tenant_id == tenant_id)
        if list_type is not None:
            query = query.where(ContactList.type == list_type)
        if after_id is not None:
            query = query.where(ContactList.id > after_id)
        return self.session.scalars(query.order_by(ContactList.id).limit(limit)).all()

    def lists_page(
        self, tenant_id: int, *, offset: int, limit: int
    ) -> tuple[Sequence[ContactList], int]:
        """A page of the tenant's lists by position in id order, the order of `lists`, and
        how many it has in all."""
        query = select(ContactList).where(ContactList.tenant_id == tenant_id)
        window = query.order_by(ContactList.id).offset(offset).limit(limit)
        rows = self.session.scalars(window).all()
        total = self.session.scalar(select(func.count()).select_from(query.subquery()))
        return rows, total or 0

    def entry_counts(self, list_ids: Sequence[int]) -> dict[int, int]:
        if not list_ids:
            return {}
        rows = self.session.execute(
            select(ContactListEntry.list_id, func.count())
            .where(ContactListEntry.list_id.in_(list_ids))
            .group_by(ContactListEntry.list_id)
        ).all()
        return {int(list_id): int(count) for list_id, count in rows}

    def assigned_numbers(self, tenant_id: int, list_ids: Sequence[int]) -> dict[int, list[str]]:
        """list id -> the E.164 of the tenant's numbers it screens, sorted."""
        if not list_ids:
            return {}
        rows = self.session.execute(
            select(NumberContactList.list_id, Number.e164)
            .join(Number, Number.id == NumberContactList.number_id)
            .where(
                NumberContactList.tenant_id == tenant_id,
                NumberContactList.list_id.in_(list_ids),
            )
            .order_by(Number.e164)
        ).all()
        found: dict[int, list[str]] = {}
        for list_id, e164 in rows:
            found.setdefault(list_id, []).append(e164)
        return found

    def remove_list(self, contact_list: ContactList) -> None:
        self.session.execute(
            delete(ContactListEntry).where(ContactListEntry.list_id == contact_list.id)
        )
        self.session.delete(contact_list)
        self.session.flush()

    # --- entries ------------------------------------------------------------------

    def entries(
        self,
        list_id: int,
        *,
        search: tuple[str | None, str | None] | None,
        after_id: int | None,
        limit: int,
    ) -> Sequence[ContactListEntry]:
        """Entries in id order; `search` is (digits found anywhere, or the start)."""
        query = select(ContactListEntry).where(ContactListEntry.list_id == list_id)
        if search is not None:
            query = query.where(_search(*search))
        if after_id is not None:
            query = query.where(ContactListEntry.id > after_id)
        return self.session.scalars(query.order_by(ContactListEntry.id).limit(limit)).all()

    def entry(self, list_id: int, entry_id: int) -> ContactListEntry | None:
        return self.session.scalar(
            select(ContactListEntry).where(
                ContactListEntry.id == entry_id, ContactListEntry.list_id == list_id
            )
        )

    def entry_by_value(self, list_id: int, value: str) -> ContactListEntry | None:
        return self.session.scalar(
            select(ContactListEntry).where(
                ContactListEntry.list_id == list_id, ContactListEntry.value == value
            )
        )

    def existing_values(self, list_id: int, values: Sequence[str]) -> list[str]:
        """Which of `values` the list holds already, in the order given."""
        if not values:
            return []
        held = set(
            self.session.scalars(
                select(ContactListEntry.value).where(
                    ContactListEntry.list_id == list_id, ContactListEntry.value.in_(values)
                )
            )
        )
        return [v for v in values if v in held]

    def remove_entry(self, entry: ContactListEntry) -> None:
        self.session.delete(entry)
        self.session.flush()

    # --- numbers ------------------------------------------------------------------

    def owned_numbers(self, tenant_id: int, e164s: Sequence[str]) -> list[Number]:
        """The tenant's active numbers among `e164s` (missing ones are simply absent)."""
        if not e164s:
            return []
        return list(
            self.session.scalars(
                select(Number).where(
                    Number.e164.in_(e164s),
                    Number.tenant_id == tenant_id,
                    Number.status == NumberStatus.ACTIVE,
                )
            )
        )

    def owned_numbers_by_id(self, tenant_id: int, number_ids: Sequence[int]) -> list[Number]:
        if not number_ids:
            return []
        return list(
            self.session.scalars(
                select(Number).where(
                    Number.id.in_(number_ids),
                    Number.tenant_id == tenant_id,
                    Number.status == NumberStatus.ACTIVE,
                )
            )
        )

    def assignments(
        self, tenant_id: int, number_ids: Sequence[int]
    ) -> dict[int, dict[str, ContactList]]:
        """number id -> {list type: list} for the given numbers of the tenant."""
        if not number_ids:
            return {}
        rows = self.session.execute(
            select(NumberContactList.number_id, NumberContactList.list_type, ContactList)
            .join(ContactList, ContactList.id == NumberContactList.list_id)
            .where(
                NumberContactList.tenant_id == tenant_id,
                NumberContactList.number_id.in_(number_ids),
            )
        ).all()
        found: dict[int, dict[str, ContactList]] = {}
        for number_id, list_type, contact_list in rows:
            found.setdefault(number_id, {})[list_type] = contact_list
        return found

    def assignment_rows(
        self, tenant_id: int, number_ids: Sequence[int], list_type: str
    ) -> dict[int, NumberContactList]:
        if not number_ids:
            return {}
        rows = self.session.scalars(
            select(NumberContactList).where(
                NumberContactList.tenant_id == tenant_id,
                NumberContactList.number_id.in_(number_ids),
                NumberContactList.list_type == list_type,
            )
        )
        return {row.number_id: row for row in rows}

    def unassign(self, tenant_id: int, number_ids: Sequence[int], list_type: str) -> None:
        if number_ids:
            self.session.execute(
                delete(NumberContactList).where(
                    NumberContactList.tenant_id == tenant_id,
                    NumberContactList.number_id.in_(number_ids),
                    NumberContactList.list_type == list_type,
                )
            )

    # --- route screening ------------------------------------------------------------

    def screening(self, tenant_id: int) -> Screening:
        """For each active number of the tenant that has a list: its blacklist and
        whitelist entries, in one query. A number whose assigned list is empty maps to
        an empty tuple for that type; numbers without lists are absent."""
        rows = self.session.execute(
            select(Number.e164, NumberContactList.list_type, ContactListEntry.value)
            .join(Number, Number.id == NumberContactList.number_id)
            .outerjoin(ContactListEntry, ContactListEntry.list_id == NumberContactList.list_id)
            .where(
                NumberContactList.tenant_id == tenant_id,
                Number.tenant_id == tenant_id,
                Number.status == NumberStatus.ACTIVE,
            )
            .order_by(Number.e164, NumberContactList.list_type, ContactListEntry.id)
        ).all()
        lists: dict[str, dict[str, list[str]]] = {}
        for e164, list_type, value in rows:
            entries = lists.setdefault(e164, {"black": [], "white": []})[list_type]
            if value is not None:
                entries.append(value)
        return {e164: (tuple(t["black"]), tuple(t["white"])) for e164, t in lists.items()}
