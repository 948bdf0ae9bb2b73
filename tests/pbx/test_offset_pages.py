"""Offset pages of extensions, ring groups and contact lists: one page by position in id
order and the tenant's total, for faces that page by page number (Plusofon's paginator).
Another tenant's objects never appear; a bad position or size is Invalid."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Party
from tests.pbx.forwarding_helpers import buy_as
from vpbx.config import Settings
from vpbx.db import transaction
from vpbx.errors import Invalid
from vpbx.kit.pages import MAX_OFFSET, OffsetPage
from vpbx.pbx.contacts import ContactListService
from vpbx.pbx.contacts_schemas import ContactListCreate
from vpbx.pbx.extensions import ExtensionService
from vpbx.pbx.groups import GroupService
from vpbx.pbx.schemas import ExtensionCreate, GroupCreate
from vpbx.tenancy.principal import Principal

# make(session, settings, principal, n) creates the n-th object; page(...) reads a page.
Make = Callable[[Session, Settings, Principal, int], int]
Read = Callable[..., OffsetPage[Any]]


def tenant(party: Party) -> Principal:
    return Principal(
        actor="test", partner_id=party.partner_id, tenant_id=party.tenant_id, is_partner=False
    )


def _extension(session: Session, settings: Settings, principal: Principal, n: int) -> int:
    data = ExtensionCreate(display_name=f"Desk {n}")
    return ExtensionService(session, settings).create(principal, data).id


def _group(session: Session, settings: Settings, principal: Principal, n: int) -> int:
    return GroupService(session).create(principal, GroupCreate(name=f"Group {n}")).id


def _contact_list(session: Session, settings: Settings, principal: Principal, n: int) -> int:
    data = ContactListCreate(name=f"List {n}", type="white" if n % 2 else "black")
    return ContactListService(session, settings).create(principal, data).id


def _extension_page(session: Session, settings: Settings, **kw: Any) -> OffsetPage[Any]:
    return ExtensionService(session, settings).page(**kw)


def _group_page(session: Session, settings: Settings, **kw: Any) -> OffsetPage[Any]:
    return GroupService(session, settings).groups_page(**kw)


def _contact_list_page(session: Session, settings: Settings, **kw: Any) -> OffsetPage[Any]:
    return ContactListService(session, settings).lists_page(**kw)


KINDS = [
    pytest.param(_extension, _extension_page, id="extensions"),
    pytest.param(_group, _group_page, id="groups"),
    pytest.param(_contact_list, _contact_list_page, id="contact_lists"),
]


def made(
    factory: sessionmaker[Session], settings: Settings, make: Make, alice: Party, bob: Party
) -> tuple[list[int], list[int]]:
    """Seven of Alice's objects and two of Bob's, their ids interleaved."""
    mine: list[int] = []
    theirs: list[int] = []
    with transaction(factory) as session:
        for n in range(7):
            mine.append(make(session, settings, tenant(alice), n))
            if n in (2, 5):
                theirs.append(make(session, settings, tenant(bob), n))
    return mine, theirs


@pytest.mark.parametrize(("make", "read"), KINDS)
def test_pages_walk_the_tenants_objects_in_id_order_with_the_total(
    factory: sessionmaker[Session],
    settings: Settings,
    alice: Party,
    bob: Party,
    make: Make,
    read: Read,
) -> None:
    mine, theirs = made(factory, settings, make, alice, bob)
    with factory() as session:
        pages = [
            read(session, settings, principal=tenant(alice), offset=offset, limit=3)
            for offset in (0, 3, 6)
        ]
        assert [[item.id for item in p.items] for p in pages] == [mine[:3], mine[3:6], mine[6:]]
        assert {p.total for p in pages} == {7}
        beyond = read(session, settings, principal=tenant(alice), offset=7, limit=3)
        assert (beyond.items, beyond.total) == ([], 7)
        far = read(session, settings, principal=tenant(alice), offset=MAX_OFFSET, limit=3)
        assert (far.items, far.total) == ([], 7)
        # Bob sees his two and nothing of Alice's, whatever the page.
        his = read(session, settings, principal=tenant(bob), offset=0, limit=100)
        assert ([item.id for item in his.items], his.total) == (theirs, 2)
        skipped = read(session, settings, principal=tenant(bob), offset=1, limit=100)
        assert ([item.id for item in skipped.items], skipped.total) == (theirs[1:], 2)


@pytest.mark.parametrize(("make", "read"), KINDS)
def test_a_tenant_with_none_has_an_empty_page(
    factory: sessionmaker[Session], settings: Settings, alice: Party, make: Make, read: Read
) -> None:
    with factory() as session:
        empty = read(session, settings, principal=tenant(alice), offset=0, limit=15)
    assert (empty.items, empty.total) == ([], 0)


@pytest.mark.parametrize(("make", "read"), KINDS)
@pytest.mark.parametrize(
    ("offset", "limit", "field"),
    [
        (-1, 15, "offset"),
        (MAX_OFFSET + 1, 15, "offset"),
        (0, 0, "limit"),
        (0, -5, "limit"),
        (0, 201, "limit"),
    ],
)
def test_a_bad_position_or_size_is_invalid(
    factory: sessionmaker[Session],
    settings: Settings,
    alice: Party,
    make: Make,
    read: Read,
    offset: int,
    limit: int,
    field: str,
) -> None:
    assert settings.page_size_max == 200
    with factory() as session, pytest.raises(Invalid) as caught:
        read(session, settings, principal=tenant(alice), offset=offset, limit=limit)
    assert (caught.value.details["field"], caught.value.code) == (field, "validation_failed")


@pytest.mark.parametrize(("make", "read"), KINDS)
def test_a_partner_is_not_a_tenant(
    factory: sessionmaker[Session], settings: Settings, alice: Party, make: Make, read: Read
) -> None:
    partner = Principal(actor="test", partner_id=alice.partner_id, tenant_id=None, is_partner=True)
    with factory() as session, pytest.raises(Invalid) as caught:
        read(session, settings, principal=partner, offset=0, limit=15)
    assert caught.value.code == "tenant_required"


def test_the_instance_page_size_bounds_a_page(
    factory: sessionmaker[Session], settings: Settings, alice: Party
) -> None:
    small = settings.model_copy(update={"page_size_max": 2})
    with factory() as session:
        for read in (_extension_page, _group_page, _contact_list_page):
            with pytest.raises(Invalid):
                read(session, small, principal=tenant(alice), offset=0, limit=3)
            assert read(session, small, principal=tenant(alice), offset=0, limit=2).total == 0


def test_an_extension_page_carries_caller_id_and_state(
    client: TestClient,
    factory: sessionmaker[Session],
    settings: Settings,
    alice: Party,
    stock: list[str],
) -> None:
    """What Plusofon's SIP list shows of each: name, number, enabled and caller ID."""
    buy_as(client, alice, "business", stock[0])
    with transaction(factory) as session:
        service = ExtensionService(session, settings)
        service.create(tenant(alice), ExtensionCreate(display_name="Anna", number="201"))
        off = ExtensionCreate(number="202", enabled=False, caller_id_hotline=stock[0])
        service.create(tenant(alice), off)
    with factory() as session:
        page = ExtensionService(session, settings).page(tenant(alice), offset=0, limit=15)
    shown = [(e.number, e.display_name, e.enabled, e.caller_id_hotline) for e in page.items]
    assert shown == [("201", "Anna", True, None), ("202", "", False, stock[0])]
