"""Which contact lists screen which of the tenant's numbers. Never commits.

A number has at most one list of each type. `ContactListService` gets these methods
from `NumberListAssignment`; the native face sets one number's lists at a time, provider
faces (Plusofon's PATCH number/contact-list) set one list on many numbers at once.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from vpbx.audit.service import record_change
from vpbx.errors import Invalid, NotFound
from vpbx.models import ContactList, Number, NumberContactList
from vpbx.numbers.service import canonical_e164
from vpbx.pbx.contacts_repository import ContactListRepository
from vpbx.pbx.contacts_schemas import (
    LIST_TYPES,
    ListRef,
    ListType,
    NumberContactLists,
    NumberContactListsSet,
)
from vpbx.tenancy.principal import Principal


class NumberListAssignment:
    session: Session
    repo: ContactListRepository

    def number_lists(self, principal: Principal, number_text: str) -> NumberContactLists:
        number = self._owned_number(principal, number_text)
        return self._number_view(principal.require_tenant(), number)

    def set_number_lists(
        self, principal: Principal, number_text: str, data: NumberContactListsSet
    ) -> NumberContactLists:
        """Replace both lists of one number; `None` removes that type's list."""
        tenant_id = principal.require_tenant()
        number = self._owned_number(principal, number_text)
        wanted = {"black": data.black_list_id, "white": data.white_list_id}
        changes = {
            list_type: self._list_ref(tenant_id, list_id, list_type, f"{list_type}_list_id")
            for list_type, list_id in wanted.items()
        }
        self._apply(principal, [number], changes)
        return self._number_view(tenant_id, number)

    def assign(
        self, principal: Principal, list_id: int | None, list_type: str, numbers: Sequence[str]
    ) -> list[str]:
        """Bulk assignment for provider faces (Plusofon's PATCH number/contact-list): the
        list (or, with `list_id` None, no list) of `list_type` on every number given,
        all or nothing. The list is a reference in a body, so an unknown one is 422."""
        tenant_id = principal.require_tenant()
        checked = _list_type(list_type)
        rows = self._owned_numbers(tenant_id, numbers)
        self._apply(principal, rows, {checked: self._list_ref(tenant_id, list_id, checked)})
        return [n.e164 for n in rows]

    def assign_ids(
        self, principal: Principal, list_id: int | None, list_type: str, number_ids: Sequence[int]
    ) -> list[str]:
        """`assign` for faces that name numbers by their id (Plusofon's `numbers[]`)."""
        tenant_id = principal.require_tenant()
        checked = _list_type(list_type)
        wanted = list(dict.fromkeys(number_ids))
        # An id beyond BIGINT names no number; PostgreSQL would refuse the query itself.
        rows = self.repo.owned_numbers_by_id(tenant_id, [i for i in wanted if 0 < i < 2**63])
        missing = sorted(set(wanted) - {n.id for n in rows})
        if missing:
            raise _numbers_not_found([str(i) for i in missing])
        self._apply(principal, rows, {checked: self._list_ref(tenant_id, list_id, checked)})
        return [n.e164 for n in sorted(rows, key=lambda n: wanted.index(n.id))]

    def _apply(
        self,
        principal: Principal,
        numbers: Sequence[Number],
        changes: dict[str, ContactList | None],
    ) -> None:
        """Set each number's list of each type given (None: no list of that type), with
        one audit event per number that changed. A few queries whatever the count."""
        tenant_id = principal.require_tenant()
        ids = [n.id for n in numbers]
        rows = {t: self.repo.assignment_rows(tenant_id, ids, t) for t in changes}
        after = {t: (c.id if c else None) for t, c in changes.items()}
        dropped: dict[str, list[int]] = {t: [] for t in changes}
        with self.repo.guarded(
            "the contact lists of these numbers changed at the same time: retry",
            "concurrent_change",
        ):
            for number in numbers:
                held = {t: rows[t].get(number.id) for t in changes}
                before = {t: (row.list_id if row else None) for t, row in held.items()}
                if before == after:
                    continue
                for list_type, list_id in after.items():
                    row = held[list_type]
                    if list_id is None:
                        dropped[list_type].append(number.id)
                    elif row is not None:
                        row.list_id = list_id
                    else:
                        self.repo.add(
                            NumberContactList(
                                number_id=number.id,
                                list_type=list_type,
                                list_id=list_id,
                                tenant_id=tenant_id,
                            )
                        )
                record_change(
                    self.session,
                    principal,
                    "number.contact_lists",
                    "number",
                    number.e164,
                    before,
                    after,
                )
            for list_type, number_ids in dropped.items():
                self.repo.unassign(tenant_id, number_ids, list_type)

    def _number_view(self, tenant_id: int, number: Number) -> NumberContactLists:
        held = self.repo.assignments(tenant_id, [number.id]).get(number.id, {})
        refs = {t: ListRef(id=c.id, name=c.name) for t, c in held.items()}
        return NumberContactLists(
            number=number.e164, black=refs.get("black"), white=refs.get("white")
        )

    def _owned_number(self, principal: Principal, text: str) -> Number:
        tenant_id = principal.require_tenant()
        e164 = canonical_e164(text)
        found = self.repo.owned_numbers(tenant_id, [e164])
        if not found:
            raise NotFound(f"number {e164} not found among your numbers", code="number_not_found")
        return found[0]

    def _owned_numbers(self, tenant_id: int, texts: Sequence[str]) -> list[Number]:
        """The tenant's active numbers named, in the order given, each once; 422 naming
        every one that is not (a reference in a body, not the object addressed)."""
        wanted: list[str] = []
        for index, text in enumerate(texts):
            try:
                wanted.append(canonical_e164(text))
            except Invalid as exc:
                raise Invalid(exc.message, field=f"numbers.{index}") from None
        wanted = list(dict.fromkeys(wanted))
        rows = {n.e164: n for n in self.repo.owned_numbers(tenant_id, wanted)}
        missing = [e for e in wanted if e not in rows]
        if missing:
            raise _numbers_not_found(missing)
        return [rows[e] for e in wanted]

    def _list_ref(
        self, tenant_id: int, list_id: int | None, list_type: str, field: str = "contact_list_id"
    ) -> ContactList | None:
        """A list named in a body: the tenant's own and of the type it is used as."""
        if list_id is None:
            return None
        found = self.repo.contact_list(tenant_id, list_id)
        if found is None:
            raise Invalid(
                f"contact list {list_id} not found", code="contact_list_not_found", field=field
            )
        if found.type != list_type:
            raise Invalid(
                f"contact list {list_id} is a {found.type} list, not a {list_type} list",
                code="contact_list_type_mismatch",
                field=field,
            )
        return found


def _list_type(text: str) -> ListType:
    if text not in LIST_TYPES:
        raise Invalid(f"a list type is black or white, not {text!r}", field="type")
    return "white" if text == "white" else "black"


def _numbers_not_found(missing: list[str]) -> Invalid:
    return Invalid(
        f"not among your active numbers: {', '.join(missing[:20])}",
        code="number_not_found",
        field="numbers",
        numbers=missing,
    )
