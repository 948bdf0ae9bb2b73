"""/v1/contact-lists and /v1/numbers/{e164}/contact-lists: black and white lists of callers."""

from __future__ import annotations

from typing import Annotated, Literal, TypeVar

from fastapi import APIRouter, Path, Query, Response

from vpbx.api.deps import PrincipalDep, SessionDep, SettingsDep
from vpbx.api.native.params import NO_NUL, IdCursor, IdPath, Limit, page_limit
from vpbx.api.transaction import TransactionalRoute
from vpbx.numbers.schemas import Page
from vpbx.pbx.contacts import ContactListService
from vpbx.pbx.contacts_schemas import (
    ContactListCreate,
    ContactListOut,
    ContactListUpdate,
    EntriesAdd,
    EntriesOut,
    EntryOut,
    NumberContactLists,
    NumberContactListsSet,
    NumbersAttach,
)

T = TypeVar("T", ContactListOut, EntryOut)
router = APIRouter(prefix="/v1", tags=["contacts"], route_class=TransactionalRoute)

E164Path = Annotated[
    str, Path(max_length=32, pattern=NO_NUL, description="One of your numbers, E.164.")
]
Keyword = Annotated[
    str | None,
    Query(max_length=40, pattern=NO_NUL, description="Digits the entry contains, e.g. 8491."),
]
EntryValue = Annotated[
    str,
    Query(
        min_length=1,
        max_length=40,
        pattern=NO_NUL,
        description='The number or prefix to remove, as it was added; send "+" as %2B.',
    ),
]


def _page(items: list[T], limit: int) -> Page[T]:
    more = len(items) > limit
    return Page(items=items[:limit], next_cursor=str(items[limit - 1].id) if more else None)


def _plus(value: str) -> str:
    # In a query string an unescaped "+" arrives as a space: " 8424*" meant "+8424*".
    return "+" + value[1:] if value.startswith(" ") and value[1:2].isdigit() else value


@router.get("/contact-lists", response_model=Page[ContactListOut])
def list_contact_lists(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    type: Literal["black", "white"] | None = None,
    cursor: IdCursor = None,
    limit: Limit = None,
) -> Page[ContactListOut]:
    size = page_limit(limit, settings.page_size_max)
    rows = ContactListService(session, settings).list_lists(
        principal, list_type=type, after_id=cursor, limit=size + 1
    )
    return _page(rows, size)


@router.post("/contact-lists", status_code=201, response_model=ContactListOut)
def create_contact_list(
    body: ContactListCreate, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> ContactListOut:
    return ContactListService(session, settings).create(principal, body)


@router.get("/contact-lists/{list_id}", response_model=ContactListOut)
def get_contact_list(
    list_id: IdPath, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> ContactListOut:
    return ContactListService(session, settings).show(principal, list_id)


@router.patch("/contact-lists/{list_id}", response_model=ContactListOut)
def update_contact_list(
    list_id: IdPath,
    body: ContactListUpdate,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> ContactListOut:
    """Rename the list. Its type is fixed once created (422 contact_list_type_fixed)."""
    return ContactListService(session, settings).update(principal, list_id, body)


@router.delete("/contact-lists/{list_id}", status_code=204)
def delete_contact_list(
    list_id: IdPath, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> Response:
    """Delete the list and its entries; 409 in_use, naming the numbers, while it screens any."""
    ContactListService(session, settings).delete(principal, list_id)
    return Response(status_code=204)


@router.get("/contact-lists/{list_id}/entries", response_model=Page[EntryOut])
def list_entries(
    list_id: IdPath,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    keyword: Keyword = None,
    cursor: IdCursor = None,
    limit: Limit = None,
) -> Page[EntryOut]:
    size = page_limit(limit, settings.page_size_max)
    rows = ContactListService(session, settings).entries(
        principal, list_id, keyword=keyword, after_id=cursor, limit=size + 1
    )
    return _page(rows, size)


@router.post("/contact-lists/{list_id}/entries", status_code=201, response_model=EntriesOut)
def add_entries(
    list_id: IdPath,
    body: EntriesAdd,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> EntriesOut:
    """Add up to 1000 numbers or prefixes, all or nothing."""
    return ContactListService(session, settings).add_entries(principal, list_id, body)


@router.delete("/contact-lists/{list_id}/entries/{entry_id}", status_code=204)
def delete_entry(
    list_id: IdPath,
    entry_id: IdPath,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> Response:
    ContactListService(session, settings).remove_entry(principal, list_id, entry_id)
    return Response(status_code=204)


@router.delete("/contact-lists/{list_id}/entries", status_code=204)
def delete_entry_by_value(
    list_id: IdPath,
    value: EntryValue,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> Response:
    """Remove the entry holding `value` (written in any form it could have been added in)."""
    ContactListService(session, settings).remove_entry_by_value(principal, list_id, _plus(value))
    return Response(status_code=204)


@router.post("/contact-lists/{list_id}/numbers", response_model=ContactListOut)
def attach_numbers(
    list_id: IdPath,
    body: NumbersAttach,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> ContactListOut:
    """Screen up to 1000 of your numbers with this list, all or nothing; it replaces the
    list of the same type each number had."""
    return ContactListService(session, settings).attach(principal, list_id, body.numbers)


@router.get("/numbers/{e164}/contact-lists", response_model=NumberContactLists)
def get_number_lists(
    e164: E164Path, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> NumberContactLists:
    return ContactListService(session, settings).number_lists(principal, e164)


@router.put("/numbers/{e164}/contact-lists", response_model=NumberContactLists)
def set_number_lists(
    e164: E164Path,
    body: NumberContactListsSet,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> NumberContactLists:
    """Set both lists of the number; null removes one. Both fields are required."""
    return ContactListService(session, settings).set_number_lists(principal, e164, body)
