"""POST/GET/DELETE /v1/reservations and POST/GET /v1/orders."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Party
from vpbx.api.app import create_app
from vpbx.config import Settings
from vpbx.db import transaction
from vpbx.models import Number, Reservation


def post(client: TestClient, path: str, party: Party, body: dict[str, Any]) -> Any:
    return client.post(path, json=body, headers=party.headers)


def reserve(client: TestClient, party: Party, *numbers: str, **extra: Any) -> Any:
    return post(client, "/v1/reservations", party, {"numbers": list(numbers), **extra})


def order(client: TestClient, party: Party, *numbers: str, months: int = 1, **extra: Any) -> Any:
    return post(client, "/v1/orders", party, {"numbers": list(numbers), "months": months, **extra})


def reservations(client: TestClient, party: Party, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/v1/reservations", params=params, headers=party.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def available(client: TestClient, party: Party, mask: str) -> list[str]:
    response = client.get("/v1/numbers/available", params={"mask": mask}, headers=party.headers)
    assert response.status_code == 200, response.text
    return [item["e164"] for item in response.json()["items"]]


def parse_time(text: str) -> datetime:
    assert text.endswith("Z"), text
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def assert_handled(response: Any) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")


def taken(response: Any) -> dict[str, Any]:
    return assert_problem(response, 409, "number_not_available")


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    assert body["status"] == status
    return body


@pytest.fixture
def safe(client: TestClient) -> TestClient:
    return TestClient(client.app, raise_server_exceptions=False)


@pytest.fixture
def tuned(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    """An app with small limits: 2 live holds per tenant, purchases of 3 to 24 months."""
    tight = settings.model_copy(
        update={
            "max_reservations_per_tenant": 2,
            "min_purchase_months": 3,
            "max_purchase_months": 24,
            "aging_days": 0,
        }
    )
    with TestClient(create_app(tight, engine)) as test_client:
        yield test_client


# --- reservations -------------------------------------------------------------------


def test_reserving_holds_each_number_until_an_rfc3339_time(
    client: TestClient, alice: Party, stock: list[str]
) -> None:
    before = datetime.now(UTC)
    response = reserve(client, alice, "+842477778823", "842438256868", minutes=15)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["reserved"], body["failed"]) == (2, 0)
    assert [r["number"] for r in body["data"]] == ["+842477778823", "+842438256868"]
    for result in body["data"]:
        assert result["status"] == "reserved"
        assert isinstance(result["reservation_id"], int)
        expires = parse_time(result["expires_at"])
        assert (
            before + timedelta(minutes=15) <= expires <= datetime.now(UTC) + timedelta(minutes=15)
        )


def test_the_default_hold_is_the_instance_setting(
    client: TestClient, alice: Party, stock: list[str], settings: Settings
) -> None:
    (result,) = reserve(client, alice, "+842477778823").json()["data"]
    left = parse_time(result["expires_at"]) - datetime.now(UTC)
    assert timedelta(minutes=settings.reservation_minutes - 1) < left
    assert left <= timedelta(minutes=settings.reservation_minutes)


def test_partial_success_is_201_with_per_number_results(
    client: TestClient, alice: Party, bob: Party, stock: list[str]
) -> None:
    assert reserve(client, bob, "+842438256868").status_code == 201
    response = reserve(client, alice, "+842477778823", "+842438256868", "not a number")
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["reserved"], body["failed"]) == (1, 2)
    ok, taken, bad = body["data"]
    assert ok["status"] == "reserved"
    assert (taken["status"], taken["error"]) == ("failed", "number_not_available")
    assert taken["reservation_id"] is None
    assert (bad["status"], bad["error"]) == ("failed", "invalid_number")


def test_when_every_number_fails_the_answer_is_409_with_the_results(
    client: TestClient, alice: Party, bob: Party, stock: list[str]
) -> None:
    assert reserve(client, alice, "+842477778823").status_code == 201
    response = reserve(client, bob, "+842477778823", "+842439999999")
    body = taken(response)
    assert [r["number"] for r in body["results"]] == ["+842477778823", "+842439999999"]
    assert {r["status"] for r in body["results"]} == {"failed"}
    assert reservations(client, bob, include_ended="true") == []


def test_toll_free_cannot_be_held_for_personal_use(
    client: TestClient, alice: Party, stock: list[str]
) -> None:
    taken(reserve(client, alice, "+78001234567", owner_type="personal"))
    assert reserve(client, alice, "+78001234567", owner_type="business").status_code == 201


def test_a_cancelled_hold_frees_the_number_for_others(
    client: TestClient, alice: Party, bob: Party, stock: list[str]
) -> None:
    (held,) = reserve(client, alice, "+842477778823").json()["data"]
    taken(reserve(client, bob, "+842477778823"))
    response = client.delete(f"/v1/reservations/{held['reservation_id']}", headers=alice.headers)
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "cancelled"
    assert response.json()["ended_at"].endswith("Z")
    assert reserve(client, bob, "+842477778823").status_code == 201
    again = client.delete(f"/v1/reservations/{held['reservation_id']}", headers=alice.headers)
    assert_problem(again, 404, "reservation_not_found")


def test_listing_shows_live_holds_and_ended_ones_on_request(
    client: TestClient, alice: Party, stock: list[str]
) -> None:
    data = reserve(client, alice, "+842477778823", "+842438256868").json()["data"]
    first, second = (r["reservation_id"] for r in data)
    client.delete(f"/v1/reservations/{first}", headers=alice.headers)
    live = reservations(client, alice)
    assert [(r["id"], r["number"], r["state"]) for r in live] == [
        (second, "+842438256868", "active")
    ]
    everything = {r["id"]: r["state"] for r in reservations(client, alice, include_ended="true")}
    assert everything == {first: "cancelled", second: "active"}
    one = client.get(f"/v1/reservations/{first}", headers=alice.headers).json()
    assert (one["number"], one["state"], one["owner_type"]) == (
        "+842477778823",
        "cancelled",
        "business",
    )


def test_reservation_list_pages_newest_first(
    client: TestClient, alice: Party, stock: list[str]
) -> None:
    ids = [r["reservation_id"] for r in reserve(client, alice, *stock[:5]).json()["data"]]
    seen: list[int] = []
    cursor = None
    for _ in range(10):
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = client.get("/v1/reservations", params=params, headers=alice.headers).json()
        seen += [r["id"] for r in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(ids, reverse=True)


def test_another_tenants_reservation_is_invisible_and_untouchable(
    client: TestClient, alice: Party, bob: Party, stock: list[str]
) -> None:
    (held,) = reserve(client, alice, "+842477778823").json()["data"]
    path = f"/v1/reservations/{held['reservation_id']}"
    assert_problem(client.get(path, headers=bob.headers), 404, "reservation_not_found")
    assert_problem(client.delete(path, headers=bob.headers), 404, "reservation_not_found")
    assert client.get(path, headers=alice.headers).json()["state"] == "active"
    assert reservations(client, bob, include_ended="true") == []
    taken(reserve(client, bob, "+842477778823"))


def test_the_hold_limit_per_tenant_is_enforced(
    tuned: TestClient, alice: Party, bob: Party, stock: list[str]
) -> None:
    body = reserve(tuned, alice, *stock[:3]).json()
    assert (body["reserved"], body["failed"]) == (2, 1)
    assert body["data"][2]["error"] == "reservation_limit"
    assert reserve(tuned, bob, stock[2]).status_code == 201


# --- orders -------------------------------------------------------------------------


def test_an_order_sells_numbers_with_prices_and_totals_per_currency(
    client: TestClient, alice: Party, stock: list[str]
) -> None:
    before = datetime.now(UTC)
    response = order(
        client, alice, "+842477778823", "+84912345678", "+74951334527", months=3, note="first line"
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["months"], body["owner_type"], body["note"]) == (3, "business", "first line")
    items = {i["number"]: i for i in body["items"]}
    assert set(items) == {"+842477778823", "+84912345678", "+74951334527"}
    vnd = items["+842477778823"]
    assert (vnd["currency"], vnd["connection_price"], vnd["monthly_price"]) == (
        "VND",
        "200000",
        "22000",
    )
    assert items["+74951334527"]["monthly_price"] == "150"
    paid_until = parse_time(items["+84912345678"]["paid_until"])
    assert before + timedelta(days=89) < paid_until < before + timedelta(days=93)
    assert body["totals"] == [
        {"currency": "RUB", "connection": "99", "monthly": "150"},
        {"currency": "VND", "connection": "500000", "monthly": "72000"},
    ]
    again = client.get(f"/v1/orders/{body['id']}", headers=alice.headers)
    assert again.status_code == 200
    assert again.json() == body


def test_an_order_is_all_or_nothing(
    client: TestClient, alice: Party, bob: Party, stock: list[str]
) -> None:
    assert reserve(client, bob, "+842438256868").status_code == 201
    response = order(client, alice, "+842477778823", "+842438256868")
    body = taken(response)
    assert body["numbers"] == ["+842438256868"]
    assert available(client, alice, "2477778823") == ["+842477778823"]
    owned = client.get("/v1/numbers", headers=alice.headers).json()["items"]
    assert owned == []


def test_an_order_of_an_owned_number_is_refused(
    client: TestClient, alice: Party, bob: Party, stock: list[str]
) -> None:
    assert order(client, alice, "+842477778823").status_code == 201
    taken(order(client, bob, "+842477778823"))
    taken(order(client, alice, "+842477778823"))


def test_buying_your_own_hold_ends_it_as_purchased(
    client: TestClient, alice: Party, stock: list[str]
) -> None:
    (held,) = reserve(client, alice, "+842477778823").json()["data"]
    assert order(client, alice, "+842477778823").status_code == 201
    assert reservations(client, alice) == []
    (ended,) = reservations(client, alice, include_ended="true")
    assert (ended["id"], ended["state"]) == (held["reservation_id"], "purchased")
    view = client.get("/v1/numbers/+842477778823", headers=alice.headers).json()
    assert view["status"] == "active"


def test_the_same_number_twice_in_an_order_is_bought_once(
    client: TestClient, alice: Party, stock: list[str]
) -> None:
    body = order(client, alice, "+842477778823", "842477778823").json()
    assert [i["number"] for i in body["items"]] == ["+842477778823"]


def test_toll_free_cannot_be_bought_for_personal_use(
    client: TestClient, alice: Party, stock: list[str]
) -> None:
    taken(order(client, alice, "+78001234567", owner_type="personal"))
    assert order(client, alice, "+78001234567").json()["owner_type"] == "business"


@pytest.mark.parametrize("months", [2, 25, 1200])
def test_months_outside_the_instance_limits_are_refused(
    tuned: TestClient, alice: Party, stock: list[str], months: int
) -> None:
    body = assert_problem(order(tuned, alice, "+842477778823", months=months), 422, "invalid")
    assert body["field"] == "months"
    assert available(tuned, alice, "2477778823") == ["+842477778823"]


@pytest.mark.parametrize("months", [3, 24])
def test_months_at_the_instance_limits_are_accepted(
    tuned: TestClient, alice: Party, stock: list[str], months: int
) -> None:
    assert order(tuned, alice, "+842477778823", months=months).status_code == 201


def test_an_invalid_number_fails_the_whole_order(
    client: TestClient, alice: Party, stock: list[str]
) -> None:
    assert_problem(order(client, alice, "+842477778823", "+84 12"), 422, "invalid")
    assert available(client, alice, "2477778823") == ["+842477778823"]


def test_another_tenants_order_is_not_found(
    client: TestClient, alice: Party, bob: Party, stock: list[str]
) -> None:
    order_id = order(client, alice, "+842477778823").json()["id"]
    assert_problem(
        client.get(f"/v1/orders/{order_id}", headers=bob.headers), 404, "order_not_found"
    )
    assert_problem(client.get("/v1/orders/999999", headers=alice.headers), 404, "order_not_found")


def test_a_released_number_goes_straight_back_to_stock_without_quarantine(
    tuned: TestClient, alice: Party, bob: Party, stock: list[str]
) -> None:
    assert order(tuned, alice, "+842477778823", months=3).status_code == 201
    response = tuned.delete("/v1/numbers/+842477778823", headers=alice.headers)
    assert response.json()["status"] == "available"
    assert available(tuned, bob, "2477778823") == ["+842477778823"]


def test_renewing_your_own_hold_extends_it(
    client: TestClient, alice: Party, stock: list[str]
) -> None:
    (first,) = reserve(client, alice, "+842477778823", minutes=5).json()["data"]
    (second,) = reserve(client, alice, "+842477778823", minutes=60).json()["data"]
    assert parse_time(second["expires_at"]) > parse_time(first["expires_at"])
    live = reservations(client, alice)
    assert [(r["id"], r["state"]) for r in live] == [(second["reservation_id"], "active")]


def test_a_lapsed_hold_reads_as_expired_and_cannot_be_cancelled(
    client: TestClient, alice: Party, stock: list[str], factory: sessionmaker[Session]
) -> None:
    (held,) = reserve(client, alice, "+842477778823").json()["data"]
    past = datetime.now(UTC) - timedelta(seconds=1)
    with transaction(factory) as session:
        session.execute(update(Reservation).values(expires_at=past))
        session.execute(
            update(Number).where(Number.e164 == "+842477778823").values(reserved_until=past)
        )
    path = f"/v1/reservations/{held['reservation_id']}"
    assert client.get(path, headers=alice.headers).json()["state"] == "expired"
    assert reservations(client, alice) == []
    assert_problem(client.delete(path, headers=alice.headers), 404, "reservation_not_found")
    assert available(client, alice, "2477778823") == ["+842477778823"]


def test_superscript_digits_fail_like_any_invalid_number(
    safe: TestClient, alice: Party, stock: list[str]
) -> None:
    held = reserve(safe, alice, "+842477778823", "+²²²²²²²²²")
    assert held.status_code == 201, held.text
    assert held.json()["data"][1]["error"] == "invalid_number"
    assert_problem(order(safe, alice, "+84912345678", "+²²²²²²²²²"), 422, "invalid")


# --- known bugs ---------------------------------------------------------------------


def test_the_all_failed_code_does_not_depend_on_number_order(
    client: TestClient, alice: Party, bob: Party, stock: list[str]
) -> None:
    assert reserve(client, alice, "+842477778823").status_code == 201
    taken(reserve(client, bob, "not a number", "+842477778823"))


def test_renewing_a_hold_at_the_limit_is_allowed(
    tuned: TestClient, alice: Party, stock: list[str]
) -> None:
    assert reserve(tuned, alice, *stock[:2]).json()["reserved"] == 2
    assert reserve(tuned, alice, stock[0], minutes=90).status_code == 201


def test_every_reported_hold_is_live(client: TestClient, alice: Party, stock: list[str]) -> None:
    body = reserve(client, alice, "+842477778823", "842477778823").json()
    for result in body["data"]:
        if result["status"] == "reserved":
            one = client.get(f"/v1/reservations/{result['reservation_id']}", headers=alice.headers)
            assert one.json()["state"] == "active"
    assert body["reserved"] == len(reservations(client, alice))


def test_a_nul_in_the_note_never_crashes(safe: TestClient, alice: Party, stock: list[str]) -> None:
    assert_handled(order(safe, alice, "+842477778823", note="a\x00b"))
