"""Contact lists: black and white lists of callers and the numbers they screen. Never commits.

A list has a type fixed at creation ("black": these callers are refused; "white": only
these get through), entries (E.164 numbers or "+<digits>*" prefixes, see
`contacts_values`), and the tenant's numbers it screens, at most one list of each type
per number. Route resolution reads them through `ContactListRepository.screening`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from vpbx.audit.service import record_change
from vpbx.config import Settings
from vpbx.errors import Conflict, Invalid, NotFound
from vpbx.kit.pages import OffsetPage, check_window
from vpbx.models import ContactList, ContactListEntry
from vpbx.models.base import utcnow
from vpbx.numbers.service import canonical_e164
from vpbx.pbx.contacts_numbers import NumberListAssignment
from vpbx.pbx.contacts_repository import ContactListRepository
from vpbx.pbx.contacts_schemas import (
    ContactListCreate,
    ContactListOut,
    ContactListUpdate,
    EntriesAdd,
    EntriesOut,
    EntryOut,
    ListRef,
    NumberContactLists,
)
from vpbx.pbx.contacts_values import entry_kind, normalise_entry, search_terms
from vpbx.tenancy.principal import Principal
from vpbx.tenancy.service import clean_name

# Screening scans a list's entries on every call, so a list stays a list, not a database.
MAX_ENTRIES = 10_000
# A bulk read names its numbers in one IN list, well inside every database's limit.
MAX_BULK_READ = 1000


def entry_view(entry: ContactListEntry) -> EntryOut:
    return EntryOut(
        id=entry.id,
        value=entry.value,
        kind="prefix" if entry_kind(entry.value) == "prefix" else "number",
        note=entry.note,
        created_at=entry.created_at,
    )


class ContactListService(NumberListAssignment):
    def __init__(self, session: Session, settings: Settings) -> None:
        self.session = session
        self.region = settings.default_country
        self.page_size_max = settings.page_size_max
        self.repo = ContactListRepository(session)

    # --- lists --------------------------------------------------------------------

    def get(self, principal: Principal, list_id: int, *, for_update: bool = False) -> ContactList:
        found = self.repo.contact_list(principal.require_tenant(), list_id, for_update=for_update)
        if found is None:
            raise NotFound(f"contact list {list_id} not found", code="contact_list_not_found")
        return found

    def view(self, lists: Sequence[ContactList]) -> list[ContactListOut]:
        ids = [c.id for c in lists]
        counts = self.repo.entry_counts(ids)
        numbers = self.repo.assigned_numbers(lists[0].tenant_id, ids) if lists else {}
        return [
            ContactListOut(
                id=c.id,
                name=c.name,
                type="white" if c.type == "white" else "black",
                entry_count=counts.get(c.id, 0),
                numbers=numbers.get(c.id, []),
                created_at=c.created_at,
                updated_at=c.updated_at,
            )
            for c in lists
        ]

    def show(self, principal: Principal, list_id: int) -> ContactListOut:
        return self.view([self.get(principal, list_id)])[0]

    def list_lists(
        self, principal: Principal, *, list_type: str | None, after_id: int | None, limit: int
    ) -> list[ContactListOut]:
        rows = self.repo.lists(
            principal.require_tenant(), list_type=list_type, after_id=after_id, limit=limit
        )
        return self.view(rows)

    def lists_page(
        self, principal: Principal, *, offset: int, limit: int
    ) -> OffsetPage[ContactListOut]:
        """A page of the tenant's lists by position in id order (the order of
        `list_lists`), and how many it has in all."""
        tenant_id = principal.require_tenant()
        check_window(offset, limit, self.page_size_max)
        rows, total = self.repo.lists_page(tenant_id, offset=offset, limit=limit)
        return OffsetPage[ContactListOut](items=self.view(rows), total=total)

    def create(self, principal: Principal, data: ContactListCreate) -> ContactListOut:
        tenant_id = principal.require_tenant()
        name = clean_name(data.name)
        self._name_free(tenant_id, name)
        contact_list = ContactList(tenant_id=tenant_id, name=name, type=data.type)
        with self._name_guard(name):
            self.repo.add(contact_list)
        out = self.view([contact_list])[0]
        self._audit(principal, "contact_list.create", contact_list.id, None, _fields(out))
        return out

    def update(self, principal: Principal, list_id: int, data: ContactListUpdate) -> ContactListOut:
        contact_list = self.get(principal, list_id)
        if data.type is not None and data.type != contact_list.type:
            raise Invalid(
                f"the type of a contact list is fixed once created: list {list_id} stays "
                f"{contact_list.type}; create a new {data.type} list instead",
                code="contact_list_type_fixed",
                field="type",
            )
        before = _fields(self.view([contact_list])[0])
        if data.name is not None:
            name = clean_name(data.name)
            if name != contact_list.name:
                self._name_free(contact_list.tenant_id, name)
                with self._name_guard(name):
                    contact_list.name = name
        out = self.view([contact_list])[0]
        if _fields(out) != before:
            self._audit(principal, "contact_list.update", list_id, before, _fields(out))
        return out

    def delete(self, principal: Principal, list_id: int) -> None:
        """Refused while the list screens numbers: deleting a blacklist in use would let
        its callers through unnoticed, so the numbers are named for the caller to detach."""
        contact_list = self.get(principal, list_id, for_update=True)
        out = self.view([contact_list])[0]
        if out.numbers:
            raise Conflict(
                f"contact list {list_id} screens {', '.join(out.numbers)}: remove it from "
                "those numbers first (PUT /v1/numbers/{e164}/contact-lists)",
                code="in_use",
                numbers=out.numbers,
            )
        self.repo.remove_list(contact_list)
        before = {**_fields(out), "entry_count": out.entry_count}
        self._audit(principal, "contact_list.delete", list_id, before, None)

    # --- entries ------------------------------------------------------------------

    def entries(
        self,
        principal: Principal,
        list_id: int,
        *,
        keyword: str | None,
        after_id: int | None,
        limit: int,
    ) -> list[EntryOut]:
        contact_list = self.get(principal, list_id)
        search = search_terms(keyword, self.region) if keyword and keyword.strip() else None
        rows = self.repo.entries(contact_list.id, search=search, after_id=after_id, limit=limit)
        return [entry_view(e) for e in rows]

    def add_entries(self, principal: Principal, list_id: int, data: EntriesAdd) -> EntriesOut:
        """All or nothing: one bad, repeated or already-listed value refuses the batch."""
        contact_list = self.get(principal, list_id)
        values = self._values([e.value for e in data.entries])
        held = self.repo.existing_values(contact_list.id, values)
        if held:
            raise Conflict(
                f"already in contact list {list_id}: {', '.join(held[:20])}",
                code="entry_exists",
                values=held,
            )
        count = self.repo.entry_counts([contact_list.id]).get(contact_list.id, 0)
        if count + len(values) > MAX_ENTRIES:
            raise Conflict(
                f"contact list {list_id} holds {count} entries; adding {len(values)} would pass "
                f"the limit of {MAX_ENTRIES} (use prefixes such as +8419* for ranges)",
                code="contact_list_full",
            )
        notes = [e.note.strip() for e in data.entries]
        rows = [
            ContactListEntry(list_id=contact_list.id, value=v, note=n)
            for v, n in zip(values, notes, strict=True)
        ]
        with self.repo.guarded(
            f"an entry was added to contact list {list_id} at the same time: retry",
            "entry_exists",
        ):
            for row in rows:
                self.repo.add(row)
            contact_list.updated_at = utcnow()
        added = [{"value": r.value, "note": r.note} for r in rows]
        self._audit(principal, "contact_list.entries_add", list_id, None, {"entries": added})
        return EntriesOut(items=[entry_view(r) for r in rows])

    def remove_entry(self, principal: Principal, list_id: int, entry_id: int) -> None:
        contact_list = self.get(principal, list_id)
        entry = self.repo.entry(contact_list.id, entry_id)
        if entry is None:
            raise NotFound(
                f"entry {entry_id} not found in contact list {list_id}", code="entry_not_found"
            )
        self._remove(principal, contact_list, entry)

    def remove_entry_by_value(self, principal: Principal, list_id: int, value: str) -> None:
        contact_list = self.get(principal, list_id)
        stored = normalise_entry(value, self.region, field="value")
        entry = self.repo.entry_by_value(contact_list.id, stored)
        if entry is None:
            raise NotFound(f"{stored} is not in contact list {list_id}", code="entry_not_found")
        self._remove(principal, contact_list, entry)

    def _remove(
        self, principal: Principal, contact_list: ContactList, entry: ContactListEntry
    ) -> None:
        before = {"value": entry.value, "note": entry.note}
        self.repo.remove_entry(entry)
        contact_list.updated_at = utcnow()
        self._audit(principal, "contact_list.entry_delete", contact_list.id, before, None)

    # --- assignment ---------------------------------------------------------------

    def attach(self, principal: Principal, list_id: int, numbers: Sequence[str]) -> ContactListOut:
        """Screen several numbers with the list (it replaces their list of its type)."""
        contact_list = self.get(principal, list_id)
        rows = self._owned_numbers(contact_list.tenant_id, numbers)
        self._apply(principal, rows, {contact_list.type: contact_list})
        return self.view([contact_list])[0]

    def lists_of_numbers(
        self, principal: Principal, numbers: Sequence[str]
    ) -> dict[str, NumberContactLists]:
        """The lists screening each of these numbers, by E.164, in two queries whatever
        their count (faces that list a page of numbers). A number that is not one of the
        tenant's active numbers is absent."""
        tenant_id = principal.require_tenant()
        if len(numbers) > MAX_BULK_READ:
            raise Invalid(f"read at most {MAX_BULK_READ} numbers at once", field="numbers")
        wanted = sorted({canonical_e164(text) for text in numbers})
        rows = self.repo.owned_numbers(tenant_id, wanted)
        held = self.repo.assignments(tenant_id, [n.id for n in rows])
        views = {}
        for number in rows:
            refs = {t: ListRef(id=c.id, name=c.name) for t, c in held.get(number.id, {}).items()}
            views[number.e164] = NumberContactLists(
                number=number.e164, black=refs.get("black"), white=refs.get("white")
            )
        return views

    # --- helpers ------------------------------------------------------------------

    def _values(self, texts: list[str]) -> list[str]:
        """Stored forms of the values, refusing a batch that names one value twice."""
        values: list[str] = []
        first: dict[str, int] = {}
        for index, text in enumerate(texts):
            value = normalise_entry(text, self.region, field=f"entries.{index}.value")
            if value in first:
                raise Invalid(
                    f"entries {first[value]} and {index} are both {value}",
                    code="duplicate_entry",
                    field=f"entries.{index}.value",
                )
            first[value] = index
            values.append(value)
        return values

    def _name_free(self, tenant_id: int, name: str) -> None:
        if self.repo.list_by_name(tenant_id, name) is not None:
            raise Conflict(
                f"a contact list named {name!r} exists", code="contact_list_exists", field="name"
            )

    def _name_guard(self, name: str) -> Any:
        return self.repo.guarded(
            f"a contact list named {name!r} exists", "contact_list_exists", field="name"
        )

    def _audit(
        self,
        principal: Principal,
        action: str,
        list_id: int,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        record_change(self.session, principal, action, "contact_list", list_id, before, after)


def _fields(out: ContactListOut) -> dict[str, Any]:
    return out.model_dump(mode="json", include={"name", "type", "numbers"})
