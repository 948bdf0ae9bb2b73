"""The number lifecycle through the service layer: available → reserved → active → aging."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Party
from vpbx.config import Settings
from vpbx.db import transaction
from vpbx.errors import Invalid, NotAvailable, NotFound
from vpbx.models import AuditEvent, Number, Reservation
from vpbx.numbers.enums import OwnerType, Tier
from vpbx.numbers.schemas import SearchFilters
from vpbx.numbers.service import NumberService, decode_cursor
from vpbx.numbers.timeutil import add_months
from vpbx.tenancy.principal import Principal

HANOI = "+842438256868"


def principal(party: Party) -> Principal:
    return Principal(
        actor="test", partner_id=party.partner_id, tenant_id=party.tenant_id, is_partner=False
    )


def run(
    factory: sessionmaker[Session], settings: Settings, action: str, *args: object, **kwargs: object
) -> object:
    with transaction(factory) as session:
        return getattr(NumberService(session, settings), action)(*args, **kwargs)


def status_of(factory: sessionmaker[Session], e164: str) -> tuple[str, int | None]:
    with factory() as session:
        number = session.scalar(select(Number).where(Number.e164 == e164))
        assert number is not None
        return number.status, number.tenant_id


def search(factory: sessionmaker[Session], settings: Settings, **filters: object) -> list[str]:
    with factory() as session:
        page = NumberService(session, settings).search(SearchFilters(**filters), limit=200)
        return [n.e164 for n in page.items]


def age(factory: sessionmaker[Session], e164: str, **columns: datetime) -> None:
    """Move a number's deadlines into the past, as the clock would."""
    with transaction(factory) as session:
        session.execute(update(Number).where(Number.e164 == e164).values(**columns))
        if "reserved_until" in columns:
            session.execute(
                update(Reservation)
                .where(Reservation.e164 == e164)
                .values(expires_at=columns["reserved_until"])
            )


def test_reserve_buy_release_walks_the_lifecycle(
    factory: sessionmaker[Session], settings: Settings, stock: list[str], alice: Party
) -> None:
    [result] = run(
        factory,
        settings,
        "reserve",
        principal(alice),
        [HANOI],  # type: ignore[misc]
        owner_type=OwnerType.BUSINESS,
    )
    assert result.status == "reserved"
    assert status_of(factory, HANOI) == ("reserved", alice.tenant_id)
    assert HANOI not in search(factory, settings)

    order = run(
        factory, settings, "buy", principal(alice), [HANOI], months=6, owner_type=OwnerType.BUSINESS
    )
    assert status_of(factory, HANOI) == ("active", alice.tenant_id)
    assert order.items[0].number == HANOI  # type: ignore[attr-defined]

    run(factory, settings, "release", principal(alice), HANOI)
    assert status_of(factory, HANOI) == ("aging", None)
    assert HANOI not in search(factory, settings)
    age(factory, HANOI, aging_until=datetime.now(UTC) - timedelta(seconds=1))
    assert HANOI in search(factory, settings)


def test_a_lapsed_hold_frees_the_number_without_any_job(
    factory: sessionmaker[Session],
    settings: Settings,
    stock: list[str],
    alice: Party,
    bob: Party,
) -> None:
    run(factory, settings, "reserve", principal(alice), [HANOI], owner_type=OwnerType.BUSINESS)
    [refused] = run(
        factory,
        settings,
        "reserve",
        principal(bob),
        [HANOI],  # type: ignore[misc]
        owner_type=OwnerType.BUSINESS,
    )
    assert refused.error == "number_not_available"

    age(factory, HANOI, reserved_until=datetime.now(UTC) - timedelta(seconds=1))
    assert HANOI in search(factory, settings)
    run(factory, settings, "buy", principal(bob), [HANOI], months=1, owner_type=OwnerType.PERSONAL)
    assert status_of(factory, HANOI) == ("active", bob.tenant_id)
    with factory() as session:
        alice_view = NumberService(session, settings).list_reservations(
            principal(alice), include_ended=True
        )
    assert [r.state for r in alice_view.items] == ["expired"]


def test_an_order_is_all_or_nothing(
    factory: sessionmaker[Session],
    settings: Settings,
    stock: list[str],
    alice: Party,
    bob: Party,
) -> None:
    run(factory, settings, "reserve", principal(bob), [stock[1]], owner_type=OwnerType.BUSINESS)
    with pytest.raises(NotAvailable) as caught:
        run(
            factory,
            settings,
            "buy",
            principal(alice),
            [stock[0], stock[1]],
            months=1,
            owner_type=OwnerType.BUSINESS,
        )
    assert caught.value.details["numbers"] == [stock[1]]
    assert status_of(factory, stock[0]) == ("available", None)


def test_purchase_months_and_batch_size_are_checked(
    factory: sessionmaker[Session], settings: Settings, stock: list[str], alice: Party
) -> None:
    strict = settings.model_copy(update={"min_purchase_months": 6})
    with pytest.raises(Invalid, match="months"):
        run(
            factory,
            strict,
            "buy",
            principal(alice),
            [HANOI],
            months=5,
            owner_type=OwnerType.BUSINESS,
        )
    with pytest.raises(Invalid, match="at least one"):
        run(factory, settings, "buy", principal(alice), [], months=1, owner_type=OwnerType.BUSINESS)
    assert status_of(factory, HANOI) == ("available", None)


def test_toll_free_numbers_are_sold_to_business_owners_only(
    factory: sessionmaker[Session], settings: Settings, stock: list[str], alice: Party
) -> None:
    toll_free = "+78001234567"
    assert toll_free not in search(factory, settings, owner_type=OwnerType.PERSONAL)
    with pytest.raises(NotAvailable):
        run(
            factory,
            settings,
            "buy",
            principal(alice),
            [toll_free],
            months=1,
            owner_type=OwnerType.PERSONAL,
        )
    run(
        factory,
        settings,
        "buy",
        principal(alice),
        [toll_free],
        months=1,
        owner_type=OwnerType.BUSINESS,
    )


def test_cancelling_a_hold_returns_the_number_and_only_the_holder_can(
    factory: sessionmaker[Session],
    settings: Settings,
    stock: list[str],
    alice: Party,
    bob: Party,
) -> None:
    [held] = run(
        factory,
        settings,
        "reserve",
        principal(alice),
        [HANOI],  # type: ignore[misc]
        owner_type=OwnerType.BUSINESS,
    )
    with pytest.raises(NotFound):
        run(factory, settings, "cancel_reservation", principal(bob), held.reservation_id)
    run(factory, settings, "cancel_reservation", principal(alice), held.reservation_id)
    assert status_of(factory, HANOI) == ("available", None)
    with pytest.raises(NotFound):
        run(factory, settings, "cancel_reservation", principal(alice), held.reservation_id)


def test_reservation_cap_per_tenant(
    factory: sessionmaker[Session], settings: Settings, stock: list[str], alice: Party
) -> None:
    capped = settings.model_copy(update={"max_reservations_per_tenant": 2})
    results = run(
        factory, capped, "reserve", principal(alice), stock[:3], owner_type=OwnerType.BUSINESS
    )
    assert [r.status for r in results] == ["reserved", "reserved", "failed"]  # type: ignore[attr-defined]
    assert results[2].error == "reservation_limit"  # type: ignore[index]


def test_operator_can_disable_and_enable_unsold_numbers(
    factory: sessionmaker[Session], settings: Settings, stock: list[str], alice: Party
) -> None:
    run(factory, settings, "set_operator_status", HANOI, disabled=True)
    assert HANOI not in search(factory, settings)
    with pytest.raises(NotAvailable):
        run(
            factory,
            settings,
            "buy",
            principal(alice),
            [HANOI],
            months=1,
            owner_type=OwnerType.BUSINESS,
        )
    run(factory, settings, "set_operator_status", HANOI, disabled=False)
    assert HANOI in search(factory, settings)


def test_every_change_is_audited_with_before_and_after(
    factory: sessionmaker[Session], settings: Settings, stock: list[str], alice: Party
) -> None:
    run(
        factory, settings, "buy", principal(alice), [HANOI], months=2, owner_type=OwnerType.BUSINESS
    )
    run(factory, settings, "release", principal(alice), HANOI)
    with factory() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.object_id == HANOI).order_by(AuditEvent.id)
        ).all()
    assert [e.action for e in events] == ["number.buy", "number.release"]
    assert events[0].after is not None
    assert events[0].after["months"] == 2
    assert events[1].before == {"status": "active"}
    assert {e.tenant_id for e in events} == {alice.tenant_id}


def test_search_filters_and_masks(
    factory: sessionmaker[Session], settings: Settings, stock: list[str]
) -> None:
    assert search(factory, settings, mask="*6868") == ["+842438256868", "+84987776868"]
    assert search(factory, settings, mask="2477*") == ["+842477712345", "+842477778823"]
    assert search(factory, settings, area_code="24", mask="7777*") == ["+842477778823"]
    assert search(factory, settings, mask="*777*", country="VN") == [
        "+842477712345",
        "+842477778823",
        "+842838777999",
        "+84987776868",
    ]
    assert search(factory, settings, mask="495???????") == [
        "+74951334527",
        "+74951919036",
        "+74956666666",
    ]
    # 3555555 is six equal digits and 1234567 a seven-step run: both exclusive.
    assert search(factory, settings, tiers=[Tier.EXCLUSIVE]) == [
        "+842363555555",
        "+74956666666",
        "+78001234567",
    ]
    assert "+842363555555" in search(factory, settings, min_tier=Tier.PLATINUM)
    assert search(factory, settings, region="moscow", number_type="mobile") == []
    assert search(factory, settings, country="RU", price_max=99, currency="RUB") == [
        "+74951919036",
        "+79309993750",
    ]


def test_search_pages_walk_every_match_once(
    factory: sessionmaker[Session], settings: Settings, stock: list[str]
) -> None:
    seen: list[str] = []
    cursor = None
    with factory() as session:
        service = NumberService(session, settings)
        while True:
            page = service.search(SearchFilters(), cursor=cursor, limit=4)
            seen += [n.e164 for n in page.items]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
            assert decode_cursor(cursor)[0].isdigit()
    assert sorted(seen) == sorted(stock)
    assert len(seen) == len(set(seen))


def test_reservations_record_the_hold(
    factory: sessionmaker[Session], settings: Settings, stock: list[str], alice: Party
) -> None:
    run(
        factory,
        settings,
        "reserve",
        principal(alice),
        [HANOI],
        owner_type=OwnerType.BUSINESS,
        minutes=5,
    )
    with factory() as session:
        reservation = session.scalar(select(Reservation))
    assert reservation is not None
    assert timedelta(minutes=4) < reservation.expires_at - datetime.now(UTC) <= timedelta(minutes=5)


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        ((2026, 1, 31), 1, (2026, 2, 28)),
        ((2028, 1, 31), 1, (2028, 2, 29)),
        ((2026, 11, 22), 6, (2027, 5, 22)),
        ((2026, 12, 15), 12, (2027, 12, 15)),
    ],
)
def test_add_months_clamps_to_month_end(
    start: tuple[int, int, int], months: int, end: tuple[int, int, int]
) -> None:
    assert add_months(datetime(*start, tzinfo=UTC), months) == datetime(*end, tzinfo=UTC)
