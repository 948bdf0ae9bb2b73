"""NumberService.owned_page and LineService.by_ids: the tenant's numbers by position and
by id, for faces that page by page number (Plusofon); another tenant's never appear."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Party
from vpbx.config import Settings
from vpbx.db import transaction
from vpbx.errors import Invalid
from vpbx.kit.pages import MAX_OFFSET, OffsetPage
from vpbx.numbers.enums import NumberType, OwnerType
from vpbx.numbers.lines import LineService
from vpbx.numbers.schemas import TenantNumber
from vpbx.numbers.service import NumberService
from vpbx.tenancy.principal import Principal

# Alice owns four numbers and holds two; Bob owns three and holds one.
ALICE_OWNS = ["+842438256868", "+84912345678", "+79309993750", "+78001234567"]
ALICE_HOLDS = ["+74951334527", "+84987776868"]
BOB_OWNS = ["+842438250000", "+842477778823", "+74951919036"]
BOB_HOLDS = ["+842477712345"]


def principal(party: Party) -> Principal:
    return Principal(
        actor="test", partner_id=party.partner_id, tenant_id=party.tenant_id, is_partner=False
    )


@pytest.fixture
def owners(
    factory: sessionmaker[Session], settings: Settings, stock: list[str], alice: Party, bob: Party
) -> None:
    with transaction(factory) as session:
        service = NumberService(session, settings)
        for party, owns, holds in ((alice, ALICE_OWNS, ALICE_HOLDS), (bob, BOB_OWNS, BOB_HOLDS)):
            service.buy(principal(party), owns, months=6, owner_type=OwnerType.BUSINESS)
            for e164 in holds:  # one hold a personal one, to show it is remembered
                kind = OwnerType.PERSONAL if e164 == holds[0] else OwnerType.BUSINESS
                [held] = service.reserve(principal(party), [e164], owner_type=kind)
                assert held.status == "reserved", held


def page(
    factory: sessionmaker[Session], settings: Settings, party: Party, **kwargs: object
) -> OffsetPage[TenantNumber]:
    with factory() as session:
        result: OffsetPage[TenantNumber] = NumberService(session, settings).owned_page(
            principal(party),
            **kwargs,  # type: ignore[arg-type]
        )
        return result


def by_nsn(numbers: list[str]) -> list[str]:
    """The service's order: national significant number (the E.164 after its country)."""
    nsn = {"+84": 3, "+7": 2}
    return sorted(numbers, key=lambda e: e[nsn["+84" if e.startswith("+84") else "+7"] :])


@pytest.mark.usefixtures("owners")
def test_pages_by_position_with_totals_and_ids(
    factory: sessionmaker[Session], settings: Settings, alice: Party
) -> None:
    everything = page(factory, settings, alice, status="active", offset=0, limit=50)
    assert everything.total == 4
    assert [n.e164 for n in everything.items] == by_nsn(ALICE_OWNS)
    pages = [page(factory, settings, alice, status="active", offset=o, limit=3) for o in (0, 3, 6)]
    assert [[n.e164 for n in p.items] for p in pages] == [
        [n.e164 for n in everything.items[:3]],
        [n.e164 for n in everything.items[3:]],
        [],
    ]
    assert {p.total for p in pages} == {4}
    with factory() as session:
        lines = LineService(session, settings).by_e164(principal(alice), ALICE_OWNS)
    assert {n.e164: n.id for n in everything.items} == {e: line.id for e, line in lines.items()}
    first = everything.items[0]
    assert (first.status, first.owner_type, first.hold_owner_type) == ("active", "business", None)
    assert first.prices
    assert first.paid_until is not None


@pytest.mark.usefixtures("owners")
def test_filters_and_holds(
    factory: sessionmaker[Session], settings: Settings, alice: Party
) -> None:
    def e164s(**kwargs: object) -> list[str]:
        return [n.e164 for n in page(factory, settings, alice, offset=0, **kwargs).items]

    mobiles = by_nsn(["+79309993750", "+84912345678"])
    assert e164s(status="active", number_type=NumberType.MOBILE) == mobiles
    assert e164s(status="active", number_type=NumberType.TOLL_FREE) == ["+78001234567"]
    assert e164s(status="active", sms=True) == mobiles
    assert e164s(status="active", sms=False) == by_nsn(["+842438256868", "+78001234567"])
    held = page(factory, settings, alice, status="reserved", offset=0)
    assert held.total == 2
    kinds = {n.e164: (n.status, n.hold_owner_type) for n in held.items}
    assert kinds == {
        "+74951334527": ("reserved", "personal"),
        "+84987776868": ("reserved", "business"),
    }
    assert all(n.reserved_until is not None for n in held.items)
    both = page(factory, settings, alice, offset=0)
    assert both.total == 6


@pytest.mark.usefixtures("owners")
def test_another_tenants_numbers_never_appear(
    factory: sessionmaker[Session], settings: Settings, alice: Party, bob: Party
) -> None:
    for status in ("active", "reserved", None):
        mine = page(factory, settings, alice, status=status, offset=0, limit=200)
        theirs = page(factory, settings, bob, status=status, offset=0, limit=200)
        assert not {n.e164 for n in mine.items} & set(BOB_OWNS + BOB_HOLDS)
        assert not {n.e164 for n in theirs.items} & set(ALICE_OWNS + ALICE_HOLDS)
        assert {n.id for n in mine.items}.isdisjoint({n.id for n in theirs.items})
    assert page(factory, settings, bob, offset=0).total == 4
    with factory() as session:
        lines = LineService(session, settings)
        bobs = lines.by_e164(principal(bob), BOB_OWNS + BOB_HOLDS)
        alices = lines.by_e164(principal(alice), ALICE_OWNS + ALICE_HOLDS)
        ids = [line.id for line in bobs.values()] + [line.id for line in alices.values()]
        assert set(lines.by_ids(principal(alice), ids)) == {line.id for line in alices.values()}
        assert set(lines.by_ids(principal(bob), ids)) == {line.id for line in bobs.values()}
        assert lines.by_ids(principal(alice), []) == {}
        assert lines.by_ids(principal(alice), [2**62]) == {}


@pytest.mark.usefixtures("owners")
def test_bad_pages_are_refused(
    factory: sessionmaker[Session], settings: Settings, alice: Party
) -> None:
    for kwargs, field in (
        ({"offset": -1}, "offset"),
        ({"offset": MAX_OFFSET + 1}, "offset"),
        ({"offset": 0, "limit": 0}, "limit"),
        ({"offset": 0, "limit": settings.page_size_max + 1}, "limit"),
        ({"offset": 0, "status": "aging"}, "status"),
    ):
        with pytest.raises(Invalid) as caught:
            page(factory, settings, alice, **kwargs)
        assert caught.value.details["field"] == field
