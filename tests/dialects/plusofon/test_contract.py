"""Contract: every example of seed 004 replays with Plusofon's envelope, and every
documented response field is there with its documented type."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Party
from tests.dialects.plusofon.examples import EXAMPLES, Example
from tests.dialects.plusofon.helpers import (
    PAGINATOR,
    assert_failure,
    assert_fields,
    buy,
    headers,
    number_ids,
    send,
)
from tests.messaging.helpers import add_offers

NUMBER_ITEM = {
    "id": int,
    "number": str,
    "phone_type": str,
    "owner_type": str,
    "period_price": (int, float),
    "buy_price": (int, float),
    "black_list": (int, type(None)),
    "aon_for_sips": list,
    "following": (dict, type(None)),
    "integration_following": (dict, type(None)),
}
SEARCH_ITEM = {
    "number_type": int,
    "number": str,
    "buy_price": str,
    "period_price": str,
    "owner_type": str,
    "phone_type": str,
}
RESERVE_ITEM = {
    "id": int,
    "number": str,
    "reserved_untill": str,
    "phone_type": str,
    "owner_type": str,
    "buy_price": (int, float),
    "period_price": (int, float),
}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: f"{e.method} {e.path}")
def test_every_example_replays(safe: TestClient, alice: Party, example: Example) -> None:
    response = send(safe, alice, example.method, example.path, example.body)
    assert response.status_code == example.status, response.text
    body = response.json()
    if example.status >= 400:
        failure = assert_failure(response, example.status)
        assert set(example.fields) <= set(failure.get("errors", {})), failure
    elif "current_page" in body:
        assert_fields(body, PAGINATOR)
        assert body["success"] is True


@pytest.mark.parametrize(
    "example", [e for e in EXAMPLES if e.method == "GET" and e.body], ids=lambda e: e.path
)
def test_curl_examples_send_json_in_the_query(
    safe: TestClient, alice: Party, example: Example
) -> None:
    """`curl -G -d '{json}'` puts the JSON itself in the query string."""
    assert example.body is not None
    raw = json.dumps(example.body, separators=(",", ":"))
    for query in (raw, quote(raw)):
        response = safe.get(f"/api/v1/{example.path}?{query}", headers=headers(alice))
        failure = assert_failure(response, example.status)
        assert set(example.fields) <= set(failure["errors"])


def test_number_list_documents_every_field(
    client: TestClient, alice: Party, stock: list[str]
) -> None:
    buy(client, alice, "79309993750")
    buy(client, alice, "74951334527", owner_type="personal")
    response = send(client, alice, "GET", "number")
    assert response.status_code == 200, response.text
    body = response.json()
    assert_fields(body, PAGINATOR)
    assert body["total"] == 2
    assert body["per_page"] == 15
    assert body["from"] == 1
    assert body["path"] == "http://testserver/api/v1/number"
    assert body["first_page_url"] == "http://testserver/api/v1/number?page=1"
    items = {item["number"]: item for item in body["data"]}
    for item in items.values():
        assert_fields(item, NUMBER_ITEM)
    mobile, city = items["79309993750"], items["74951334527"]
    assert (mobile["phone_type"], mobile["owner_type"]) == ("def", "business")
    assert (city["phone_type"], city["owner_type"]) == ("abc", "personal")
    assert (city["buy_price"], city["period_price"]) == (99, 150)  # the stock's RUB prices
    assert city["following"] is None
    assert city["black_list"] is None

    only_def = send(client, alice, "GET", "number", {"phone_type": "def"}).json()
    assert [item["number"] for item in only_def["data"]] == ["79309993750"]
    by_query = client.get("/api/v1/number?phone_type=abc", headers=headers(alice)).json()
    assert [item["number"] for item in by_query["data"]] == ["74951334527"]
    curl = client.get('/api/v1/number?{"phone_type":"def"}', headers=headers(alice)).json()
    assert [item["number"] for item in curl["data"]] == ["79309993750"]


def test_follow_types_and_cli_types(client: TestClient, alice: Party) -> None:
    types = send(client, alice, "GET", "number/follow-types").json()["follow_types"]
    by_type = {t["type"]: t for t in types}
    for item in types:
        assert_fields(item, {"type": str, "title": str, "owner_types": list})
    # The seed's own rows, with its titles.
    assert by_type["sip"]["title"] == "Sip аккаунт"
    assert set(by_type["sip"]["owner_types"]) == {"personal", "business"}
    assert by_type["group"]["owner_types"] == ["business"]
    assert by_type["scenario"]["title"] == "Сценарий"
    clis = send(client, alice, "GET", "number/cli-types").json()
    assert clis == {
        "cli_types": [
            {"type": "Y", "title": "Номер и имя звонящего"},
            {"type": "N", "title": "Переадресующий номер"},
        ]
    }


def test_search_documents_every_field_and_filters(
    client: TestClient, alice: Party, stock: list[str]
) -> None:
    body = send(client, alice, "GET", "number/search", {"phone_type": "abc"}).json()
    assert_fields(body, PAGINATOR)
    assert body["per_page"] == 20
    numbers = {item["number"]: item for item in body["data"]}
    assert set(numbers) == {"4951334527", "4951919036", "4956666666"}  # RU city numbers
    for item in body["data"]:
        assert_fields(item, SEARCH_ITEM)
    assert numbers["4951334527"]["buy_price"] == "99.00"
    assert numbers["4951334527"]["period_price"] == "150.00"

    def found(**params: Any) -> set[str]:
        response = send(client, alice, "GET", "number/search", params)
        assert response.status_code == 200, response.text
        return {item["number"] for item in response.json()["data"]}

    assert found(phone_type="def") == {"9309993750"}
    assert found(phone_type="800") == {"8001234567"}
    assert found(city_code=495, phone_number="1334???") == {"4951334527"}
    assert found(phone_number="*6666") == {"4956666666"}
    assert found(region=1, phone_number="19*") == {"4951919036"}
    assert found(region=2) == set()
    plain = found(number_type="0")
    assert "4956666666" not in plain
    assert "4951334527" in plain
    assert found(number_type=0) == plain  # a JSON number is the same code


def test_code_regions(client: TestClient, alice: Party) -> None:
    body = send(client, alice, "GET", "number/code-regions").json()
    assert body["success"] is True
    for item in body["code_regions"]:
        assert_fields(item, {"id": int, "title": str, "code": list})
    assert {"id": 65, "title": "Улан-Удэ (301)", "code": ["301"]} in body["code_regions"]
    mobile = send(client, alice, "GET", "number/code-regions", {"type": "def"}).json()
    assert mobile == {"code_regions": [], "success": True}


def test_reserve_list_cancel_and_buy(client: TestClient, alice: Party, stock: list[str]) -> None:
    before = datetime.now(UTC)
    response = send(
        client,
        alice,
        "POST",
        "number/reserve",
        {"number": 4951919036, "owner_type": "personal", "short": 1},
    )
    assert response.json() == {"success": True}
    send(
        client, alice, "POST", "number/reserve", {"number": "4951334527", "owner_type": "business"}
    )
    body = send(client, alice, "GET", "number/reserve").json()
    assert_fields(body, PAGINATOR)
    assert body["total"] == 2
    items = {item["number"]: item for item in body["data"]}
    for item in items.values():
        assert_fields(item, RESERVE_ITEM)
    short = items["74951919036"]
    assert short["owner_type"] == "personal"
    until = datetime.strptime(short["reserved_untill"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    assert before + timedelta(minutes=59) <= until <= before + timedelta(minutes=61)

    cancelled = send(client, alice, "DELETE", f"number/reserve/{items['74951334527']['id']}")
    assert cancelled.json() == {"success": True}
    again = send(client, alice, "DELETE", f"number/reserve/{items['74951334527']['id']}")
    assert_failure(again, 404)

    buy(client, alice, "4951919036", owner_type="personal")
    assert send(client, alice, "GET", "number/reserve").json()["total"] == 0
    assert set(number_ids(client, alice)) == {"74951919036"}


def test_buy_taken_number_is_400_and_buys_nothing(
    client: TestClient, alice: Party, bob: Party, stock: list[str]
) -> None:
    buy(client, bob, "74951334527")
    response = send(
        client,
        alice,
        "POST",
        "number/buy",
        {"numbers": [4951919036, 4951334527], "owner_type": "business"},
    )
    assert_failure(response, 400)
    assert number_ids(client, alice) == {}


def test_follow_sets_and_shows_forwarding(
    client: TestClient, alice: Party, stock: list[str]
) -> None:
    buy(client, alice, "79309993750", "74951334527")
    ids = number_ids(client, alice)
    extension = client.post(
        "/v1/extensions", json={"display_name": "test"}, headers=alice.headers
    ).json()
    follow = {
        "type": "sip",
        "numbers": list(ids.values()),
        "sip_id": extension["id"],
        "cli_type": "Y",
    }
    response = send(client, alice, "POST", "number/follow", follow)
    assert response.json() == {"success": True}, response.text
    items = send(client, alice, "GET", "number").json()["data"]
    for item in items:
        assert item["following"] == {
            "name": f"Sip аккаунт {extension['number']}",
            "cli_type": "Номер и имя звонящего",
        }
        assert item["integration_following"] is None

    amo = {
        "type": "amo",
        "numbers": [ids["79309993750"]],
        "host": "test.amocrm.ru",
        "type_default": "number",
        "destination_number": "79161234567",
        "cli_type": "N",
        "cli_type_default": "Y",
        # The document's example sends every field; those of other types are not read.
        "group_id": 16,
    }
    response = send(client, alice, "POST", "number/follow", amo)
    assert response.json() == {"success": True}, response.text
    item = {i["number"]: i for i in send(client, alice, "GET", "number").json()["data"]}[
        "79309993750"
    ]
    assert item["integration_following"] == {
        "host": "test.amocrm.ru",
        "type": "amo",
        "cli_type": "Переадресующий номер",
    }
    assert item["following"] == {"name": "Номер 79161234567", "cli_type": "Номер и имя звонящего"}
    native = client.get("/v1/numbers/+79309993750/forwarding", headers=alice.headers).json()
    assert native["type"] == "amo"
    assert native["destination_number"] == "+79161234567"

    empty = send(
        client, alice, "POST", "number/follow", {"type": "empty", "numbers": [ids["79309993750"]]}
    )
    assert empty.json() == {"success": True}
    item = {i["number"]: i for i in send(client, alice, "GET", "number").json()["data"]}[
        "79309993750"
    ]
    assert item["following"] is None
    assert item["integration_following"] is None


def test_follow_missing_target_is_422_in_wire_names(
    client: TestClient, alice: Party, stock: list[str]
) -> None:
    buy(client, alice, "79309993750")
    ids = number_ids(client, alice)
    response = send(
        client,
        alice,
        "POST",
        "number/follow",
        {"type": "sip", "numbers": list(ids.values()), "cli_type": "Y"},
    )
    assert "sip_id" in assert_failure(response, 422)["errors"]
    response = send(
        client,
        alice,
        "POST",
        "number/follow",
        {"type": "sip", "numbers": list(ids.values()), "sip_id": 99},
    )
    assert set(assert_failure(response, 422)["errors"]) & {"sip_id", "cli_type"}


def test_contact_list_assign_and_remove(client: TestClient, alice: Party, stock: list[str]) -> None:
    buy(client, alice, "79309993750")
    ids = number_ids(client, alice)
    created = client.post(
        "/v1/contact-lists", json={"name": "spam", "type": "black"}, headers=alice.headers
    ).json()
    body = {"contact_list_id": created["id"], "numbers": list(ids.values())}
    assert send(client, alice, "PATCH", "number/contact-list", body).json() == {"success": True}
    item = send(client, alice, "GET", "number").json()["data"][0]
    assert item["black_list"] == created["id"]
    lists = send(client, alice, "GET", "contact-lists").json()
    assert lists["data"] == [{"id": created["id"], "name": "spam", "type": "black"}]

    # Documented: without contact_list_id the black list is removed.
    removed = send(client, alice, "PATCH", "number/contact-list", {"numbers": list(ids.values())})
    assert removed.json() == {"success": True}
    assert send(client, alice, "GET", "number").json()["data"][0]["black_list"] is None


def test_delete_number(client: TestClient, alice: Party, stock: list[str]) -> None:
    buy(client, alice, "79309993750")
    (number_id,) = number_ids(client, alice).values()
    response = send(client, alice, "DELETE", f"number/{number_id}", {"pin": "1234"})
    assert response.json() == {"success": True}
    assert number_ids(client, alice) == {}
    assert_failure(send(client, alice, "DELETE", f"number/{number_id}"), 404)


def test_sms_numbers_show_their_packet(
    client: TestClient, alice: Party, stock: list[str], factory: sessionmaker[Session]
) -> None:
    add_offers(factory)
    buy(client, alice, "79309993750")
    packet = client.post(
        "/v1/sms-packets", json={"number": "+79309993750", "offer": "SMS500"}, headers=alice.headers
    )
    assert packet.status_code == 201, packet.text
    body = send(client, alice, "GET", "number/sms").json()
    assert_fields(body, PAGINATOR)
    (item,) = body["data"]
    assert_fields(
        item, {"id": int, "number": str, "phone_type": str, "owner_type": str, "sms_packet": dict}
    )
    assert item["number"] == "79309993750"
    assert item["phone_type"] == "def"
    assert item["sms_packet"] == {
        "packet": packet.json()["uid"],
        "packet_name": "Пакет СМС 500",
        "sms_amount": 500,
        "price": "300.00",
        "sms_remaining": 500,
    }
    sent = send(
        client,
        alice,
        "POST",
        "sms",
        {"number_id": item["id"], "to": "79161234567", "text": "Привет"},
    )
    assert sent.status_code == 200, sent.text
    assert sent.json()["success"] is True
    after = send(client, alice, "GET", "number/sms").json()["data"][0]["sms_packet"]
    assert after["sms_remaining"] == 499


def test_sip_and_groups_lists(client: TestClient, alice: Party) -> None:
    extension = client.post(
        "/v1/extensions", json={"display_name": "Reception"}, headers=alice.headers
    ).json()
    group = client.post(
        "/v1/groups",
        json={"name": "Sales", "strategy": "random", "timeout_s": 30},
        headers=alice.headers,
    )
    assert group.status_code == 201, group.text
    sip = send(client, alice, "GET", "sip").json()
    assert_fields(sip, PAGINATOR)
    (account,) = sip["data"]
    assert_fields(account, {"id": int, "name": str, "number": str, "finally_created": bool})
    assert (account["id"], account["name"]) == (extension["id"], "Reception")
    groups = send(client, alice, "GET", "groups").json()
    (row,) = groups["data"]
    assert row == {
        "id": group.json()["id"],
        "name": "Sales",
        "timeout": 30,
        "number": group.json()["number"],
        "sequence_rule": "Random",
    }


def test_pages_are_laravel_pages(client: TestClient, alice: Party) -> None:
    for n in range(16):
        response = client.post(
            "/v1/contact-lists", json={"name": f"list {n}", "type": "black"}, headers=alice.headers
        )
        assert response.status_code == 201, response.text
    first = send(client, alice, "GET", "contact-lists").json()
    assert (first["total"], first["last_page"], first["to"]) == (16, 2, 15)
    assert first["next_page_url"] == "http://testserver/api/v1/contact-lists?page=2"
    second = client.get("/api/v1/contact-lists?page=2", headers=headers(alice)).json()
    assert (second["current_page"], second["from"], second["to"]) == (2, 16, 16)
    assert second["prev_page_url"] == "http://testserver/api/v1/contact-lists?page=1"
    assert second["next_page_url"] is None
    beyond = send(client, alice, "GET", "contact-lists", {"page": 9}).json()
    assert beyond["data"] == []
    assert beyond["from"] is None
    junk = client.get("/api/v1/contact-lists?page=abc", headers=headers(alice)).json()
    assert junk["current_page"] == 1  # Laravel reads a page that is not one as page 1
