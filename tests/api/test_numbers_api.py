"""GET /v1/numbers/available (search), GET/DELETE /v1/numbers[/{e164}] (owned numbers)."""

from __future__ import annotations

import base64
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
from vpbx.models import Number

SEARCH = "/v1/numbers/available"
HANOI = {"+842438256868", "+842438250000", "+842477778823", "+842477712345"}
MOSCOW = {"+74951334527", "+74951919036", "+74956666666"}
VN_MOBILE = {"+84912345678", "+84987776868"}
SUPERSCRIPT = "+²²²²²²²²²"  # str.isdigit() is True for '²', int('²') raises


def search_page(client: TestClient, party: Party, **params: Any) -> dict[str, Any]:
    response = client.get(SEARCH, params=params, headers=party.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def found(client: TestClient, party: Party, **params: Any) -> list[str]:
    return [item["e164"] for item in search_page(client, party, limit=200, **params)["items"]]


def reserve(client: TestClient, party: Party, *numbers: str) -> None:
    response = client.post(
        "/v1/reservations", json={"numbers": list(numbers)}, headers=party.headers
    )
    assert response.status_code == 201, response.text


def buy(client: TestClient, party: Party, *numbers: str) -> None:
    body = {"numbers": list(numbers), "months": 1}
    response = client.post("/v1/orders", json=body, headers=party.headers)
    assert response.status_code == 201, response.text


def owned(client: TestClient, party: Party, **params: Any) -> list[str]:
    response = client.get("/v1/numbers", params=params, headers=party.headers)
    assert response.status_code == 200, response.text
    return [item["e164"] for item in response.json()["items"]]


def set_number(factory: sessionmaker[Session], e164: str, **values: Any) -> None:
    """Move a number's clock-driven fields (holds and quarantines lapse without a job)."""
    with transaction(factory) as session:
        session.execute(update(Number).where(Number.e164 == e164).values(**values))


@pytest.fixture
def safe(client: TestClient) -> TestClient:
    return TestClient(client.app, raise_server_exceptions=False)


def cursor_of(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


# --- search: masks ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"mask": "2477*"}, {"+842477778823", "+842477712345"}),
        ({"mask": "*6868"}, {"+842438256868", "+84987776868"}),
        ({"mask": "*777*"}, {"+842477778823", "+842477712345", "+842838777999", "+84987776868"}),
        ({"mask": "2477?7??23"}, {"+842477778823"}),
        ({"mask": "2477778823"}, {"+842477778823"}),
        ({"mask": "*999"}, {"+842838777999"}),
        ({"mask": "9*"}, VN_MOBILE | {"+79309993750"}),
        ({"mask": "?????????"}, VN_MOBILE),
        ({"mask": "24**68?8"}, {"+842438256868"}),
        ({"area_code": "24", "mask": "7777*"}, {"+842477778823"}),
        ({"area_code": "24", "mask": "*6868"}, {"+842438256868"}),
        ({"area_code": "24", "mask": "2477*"}, set()),
        ({"area_code": "28", "mask": "*9"}, {"+842838777999"}),
        ({"area_code": "495", "mask": "???????"}, MOSCOW),
        ({"area_code": "24", "mask": "*"}, HANOI),
        ({"area_code": "24"}, HANOI),
    ],
)
def test_mask_search_finds_exactly_the_matching_numbers(
    client: TestClient, alice: Party, stock: list[str], params: dict[str, str], expected: set[str]
) -> None:
    result = found(client, alice, **params)
    assert set(result) == expected
    assert len(result) == len(expected)


@pytest.mark.parametrize("mask", ["24a7*", "+8424*", "24 77", "%24", "24_7", "1" * 16, "  "])
def test_a_bad_mask_is_refused_with_code_invalid(
    client: TestClient, alice: Party, stock: list[str], mask: str
) -> None:
    response = client.get(SEARCH, params={"mask": mask}, headers=alice.headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "invalid"
    assert response.json()["field"] == "mask"


def test_the_fifteen_digit_mask_limit_counts_digits_not_stars(
    client: TestClient, alice: Party, stock: list[str]
) -> None:
    assert found(client, alice, mask="*" + "1" * 15 + "*") == []


# --- search: filters ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"country": "ru"}, MOSCOW | {"+79309993750", "+78001234567"}),
        ({"number_type": "mobile"}, VN_MOBILE | {"+79309993750"}),
        ({"number_type": "toll_free"}, {"+78001234567"}),
        ({"sms": "true", "country": "VN"}, VN_MOBILE),
        ({"tier": ["gold", "platinum"]}, {"+842438250000", "+842477712345", "+84912345678"}),
        (
            {"min_tier": "platinum"},
            {"+84912345678", "+842363555555", "+74956666666", "+78001234567"},
        ),
        ({"tier": "simple"}, {"+74951334527", "+74951919036"}),
        (
            {"currency": "rub", "price_min": "150", "price_max": "990"},
            {"+74951334527", "+74956666666"},
        ),
        ({"currency": "VND", "price_max": "22000"}, HANOI | {"+842836251234"}),
        ({"price_min": "100000"}, {"+842363555555"}),
        ({"region": "hanoi city"}, HANOI),
        ({"region": "  MOSCOW "}, MOSCOW),
        ({"region": "hanoi"}, set()),
    ],
)
def test_filters_narrow_the_search(
    client: TestClient, alice: Party, stock: list[str], params: dict[str, Any], expected: set[str]
) -> None:
    result = found(client, alice, **params)
    assert set(result) == expected
    assert len(result) == len(expected)


def test_toll_free_numbers_are_offered_to_business_only(
    client: TestClient, alice: Party, stock: list[str]
) -> None:
    assert "+78001234567" in found(client, alice, owner_type="business")
    personal = found(client, alice, owner_type="personal")
    assert "+78001234567" not in personal
    assert len(personal) == len(stock) - 1


def test_search_shows_public_fields_with_money_as_strings(
    client: TestClient, alice: Party, stock: list[str]
) -> None:
    (item,) = search_page(client, alice, mask="2477778823")["items"]
    assert item["e164"] == "+842477778823"
    assert (item["country"], item["national_number"]) == ("VN", "2477778823")
    assert (item["area_code"], item["subscriber"]) == ("24", "77778823")
    assert item["region"] == "Hanoi City"
    assert item["number_type"] == "fixed"
    assert item["prices"] == [
        {"currency": "VND", "connection": "200000", "monthly": "22000"},
        {"currency": "USD", "connection": "8.9", "monthly": "0.977"},
    ]
    assert "status" not in item
    assert "paid_until" not in item
    (toll_free,) = search_page(client, alice, number_type="toll_free")["items"]
    assert toll_free["owner_types"] == ["business"]


# --- search: order and pagination ---------------------------------------------------


def test_results_are_ordered_by_national_number(
    client: TestClient, alice: Party, stock: list[str]
) -> None:
    items = search_page(client, alice, limit=200)["items"]
    nsns = [item["national_number"] for item in items]
    assert nsns == sorted(nsns)
    assert len(items) == len(stock)


def test_walking_pages_of_three_gives_every_number_once(
    client: TestClient, alice: Party, stock: list[str]
) -> None:
    everything = found(client, alice)
    walked: list[str] = []
    cursor: str | None = None
    for _ in range(20):
        params: dict[str, Any] = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        page = search_page(client, alice, **params)
        assert len(page["items"]) <= 3
        walked += [item["e164"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert walked == everything
    assert len(set(walked)) == len(stock)


def test_pagination_keeps_the_filters(client: TestClient, alice: Party, stock: list[str]) -> None:
    first = search_page(client, alice, country="VN", limit=2)
    second = search_page(client, alice, country="VN", limit=200, cursor=first["next_cursor"])
    numbers = [i["e164"] for i in first["items"] + second["items"]]
    assert numbers == found(client, alice, country="VN")
    assert second["next_cursor"] is None


def test_a_full_last_page_has_no_next_cursor(
    client: TestClient, alice: Party, stock: list[str]
) -> None:
    assert search_page(client, alice, limit=len(stock))["next_cursor"] is None
    assert search_page(client, alice, limit=len(stock) - 1)["next_cursor"] is not None


# --- search hides what is not for sale ----------------------------------------------


def test_held_and_owned_numbers_are_not_listed(
    client: TestClient, alice: Party, bob: Party, stock: list[str]
) -> None:
    reserve(client, alice, "+842477778823")
    buy(client, alice, "+842477712345")
    for party in (alice, bob):
        assert found(client, party, mask="2477*") == []
    assert len(found(client, bob)) == len(stock) - 2


def test_a_lapsed_hold_is_for_sale_again(
    client: TestClient, alice: Party, bob: Party, stock: list[str], factory: sessionmaker[Session]
) -> None:
    reserve(client, alice, "+842477778823")
    set_number(factory, "+842477778823", reserved_until=datetime.now(UTC) - timedelta(seconds=1))
    assert found(client, bob, mask="2477778823") == ["+842477778823"]
    assert owned(client, alice) == []
    reserve(client, bob, "+842477778823")
    assert owned(client, bob) == ["+842477778823"]


# --- owned numbers ------------------------------------------------------------------


def test_owned_lists_active_numbers_and_own_live_holds(
    client: TestClient, alice: Party, bob: Party, stock: list[str]
) -> None:
    buy(client, alice, "+842477778823")
    reserve(client, alice, "+84912345678")
    reserve(client, bob, "+842438256868")
    assert owned(client, alice) == ["+842477778823", "+84912345678"]
    assert owned(client, alice, status="active") == ["+842477778823"]
    assert owned(client, alice, status="reserved") == ["+84912345678"]
    assert owned(client, bob) == ["+842438256868"]


def test_owned_list_pages_with_a_cursor(client: TestClient, alice: Party, stock: list[str]) -> None:
    buy(client, alice, *stock[:5])
    first = client.get("/v1/numbers", params={"limit": 2}, headers=alice.headers).json()
    rest = client.get(
        "/v1/numbers", params={"limit": 10, "cursor": first["next_cursor"]}, headers=alice.headers
    ).json()
    numbers = [i["e164"] for i in first["items"] + rest["items"]]
    assert sorted(numbers) == sorted(stock[:5])
    assert len(numbers) == 5
    assert rest["next_cursor"] is None


def test_an_owned_number_is_shown_in_full(
    client: TestClient, alice: Party, stock: list[str]
) -> None:
    buy(client, alice, "+842477778823")
    response = client.get("/v1/numbers/+842477778823", headers=alice.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "active"
    assert body["owner_type"] == "business"
    assert body["paid_until"].endswith("Z")
    assert body["prices"][0] == {"currency": "VND", "connection": "200000", "monthly": "22000"}


def test_own_hold_is_shown_with_status_reserved(
    client: TestClient, alice: Party, stock: list[str]
) -> None:
    reserve(client, alice, "+842477778823")
    body = client.get("/v1/numbers/+842477778823", headers=alice.headers).json()
    assert body["status"] == "reserved"
    assert body["reserved_until"].endswith("Z")


@pytest.mark.parametrize("text", ["+842477778823", "842477778823", "+84 24 7777 8823"])
def test_a_number_in_stock_is_shown_in_its_public_view(
    client: TestClient, alice: Party, stock: list[str], text: str
) -> None:
    response = client.get(f"/v1/numbers/{text}", headers=alice.headers)
    assert response.status_code == 200, response.text
    assert response.json()["e164"] == "+842477778823"
    assert "status" not in response.json()


def test_someone_elses_number_is_not_found(
    client: TestClient, alice: Party, bob: Party, stock: list[str]
) -> None:
    buy(client, alice, "+842477778823")
    reserve(client, alice, "+84912345678")
    for number in ("+842477778823", "+84912345678", "+842439999999"):
        response = client.get(f"/v1/numbers/{number}", headers=bob.headers)
        assert response.status_code == 404, response.text
        assert response.json()["code"] == "number_not_found"


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_a_number_of_superscript_digits_is_refused(
    safe: TestClient, alice: Party, stock: list[str], method: str
) -> None:
    response = safe.request(method, f"/v1/numbers/{SUPERSCRIPT}", headers=alice.headers)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "invalid"


# --- release ------------------------------------------------------------------------


def test_releasing_puts_the_number_in_quarantine(
    client: TestClient, alice: Party, bob: Party, stock: list[str]
) -> None:
    buy(client, alice, "+842477778823", "+842477712345")
    response = client.delete("/v1/numbers/842477778823", headers=alice.headers)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "aging"
    assert response.json()["e164"] == "+842477778823"
    assert owned(client, alice) == ["+842477712345"]
    assert found(client, bob, mask="2477*") == []
    assert client.get("/v1/numbers/+842477778823", headers=alice.headers).status_code == 404
    again = client.delete("/v1/numbers/+842477778823", headers=alice.headers)
    assert again.status_code == 404


def test_a_released_number_sells_again_after_quarantine(
    client: TestClient, alice: Party, bob: Party, stock: list[str], factory: sessionmaker[Session]
) -> None:
    buy(client, alice, "+842477778823")
    assert client.delete("/v1/numbers/+842477778823", headers=alice.headers).status_code == 200
    set_number(factory, "+842477778823", aging_until=datetime.now(UTC) - timedelta(seconds=1))
    assert found(client, bob, mask="2477778823") == ["+842477778823"]
    buy(client, bob, "+842477778823")
    assert owned(client, bob) == ["+842477778823"]


def test_releasing_someone_elses_number_changes_nothing(
    client: TestClient, alice: Party, bob: Party, stock: list[str]
) -> None:
    buy(client, alice, "+842477778823")
    response = client.delete("/v1/numbers/+842477778823", headers=bob.headers)
    assert response.status_code == 404, response.text
    assert response.json()["code"] == "number_not_found"
    assert owned(client, alice) == ["+842477778823"]
    view = client.get("/v1/numbers/+842477778823", headers=alice.headers).json()
    assert view["status"] == "active"


def test_a_hold_cannot_be_released_as_a_number(
    client: TestClient, alice: Party, stock: list[str]
) -> None:
    reserve(client, alice, "+842477778823")
    assert client.delete("/v1/numbers/+842477778823", headers=alice.headers).status_code == 404
    assert owned(client, alice, status="reserved") == ["+842477778823"]


# --- known bugs ---------------------------------------------------------------------


@pytest.mark.parametrize("path", [SEARCH, "/v1/numbers"])
@pytest.mark.parametrize("row_id", [2**63, 10**25])
def test_a_cursor_with_an_out_of_range_id_is_refused(
    safe: TestClient, alice: Party, stock: list[str], path: str, row_id: int
) -> None:
    cursor = cursor_of(f"2438250000:{row_id}")
    response = safe.get(path, params={"cursor": cursor}, headers=alice.headers)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "cursor"


def test_a_cursor_with_unicode_digits_is_refused(
    client: TestClient, alice: Party, stock: list[str]
) -> None:
    response = client.get(SEARCH, params={"cursor": cursor_of("²:1")}, headers=alice.headers)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "cursor"


@pytest.mark.parametrize(
    "params", [{"price_max": "1e999999"}, {"price_min": "1e-999999"}, {"region": "a\x00b"}]
)
def test_extreme_search_values_never_crash(
    safe: TestClient, alice: Party, stock: list[str], params: dict[str, str]
) -> None:
    response = safe.get(SEARCH, params=params, headers=alice.headers)
    assert response.status_code < 500, response.text


@pytest.mark.parametrize("path", [SEARCH, "/v1/numbers", "/v1/reservations"])
def test_a_small_page_size_max_still_serves_default_requests(
    settings: Settings, engine: Engine, alice: Party, stock: list[str], path: str
) -> None:
    small = settings.model_copy(update={"page_size_max": 10})
    with TestClient(create_app(small, engine)) as client:
        response = client.get(path, headers=alice.headers)
    assert response.status_code == 200, response.text
    assert len(response.json()["items"]) <= 10
