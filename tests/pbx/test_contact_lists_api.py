"""Contact lists over HTTP: lists, their entries, and the numbers they screen."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Party
from tests.pbx.helpers import assert_problem, buy, error_fields
from vpbx.models import AuditEvent, ContactListEntry

HOTLINE, SECOND = "+842438256868", "+842438250000"


def new_list(client: TestClient, party: Party, name: str = "Spam", kind: str = "black") -> Any:
    response = client.post(
        "/v1/contact-lists", json={"name": name, "type": kind}, headers=party.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


def add(client: TestClient, party: Party, list_id: int, *values: str) -> Any:
    body = {"entries": [{"value": v} for v in values]}
    return client.post(f"/v1/contact-lists/{list_id}/entries", json=body, headers=party.headers)


def values(client: TestClient, party: Party, list_id: int, **params: Any) -> list[str]:
    response = client.get(
        f"/v1/contact-lists/{list_id}/entries", params=params, headers=party.headers
    )
    assert response.status_code == 200, response.text
    return [e["value"] for e in response.json()["items"]]


def screen(client: TestClient, party: Party, number: str, black: Any, white: Any) -> Any:
    return client.put(
        f"/v1/numbers/{number}/contact-lists",
        json={"black_list_id": black, "white_list_id": white},
        headers=party.headers,
    )


@pytest.fixture
def owned(client: TestClient, alice: Party, stock: list[str]) -> list[str]:
    buy(client, alice, HOTLINE, SECOND)
    return [HOTLINE, SECOND]


def test_a_blacklist_from_creation_to_deletion(
    client: TestClient, alice: Party, owned: list[str]
) -> None:
    h = alice.headers
    created = new_list(client, alice, " Nuisance callers ")
    assert created["name"] == "Nuisance callers"
    assert (created["type"], created["entry_count"], created["numbers"]) == ("black", 0, [])
    list_id = created["id"]

    added = client.post(
        f"/v1/contact-lists/{list_id}/entries",
        json={
            "entries": [
                {"value": "0912345678", "note": " debt collector "},
                {"value": "+7 495 133-45-27"},
                {"value": "024*", "note": "all of Hanoi"},
            ]
        },
        headers=h,
    )
    assert added.status_code == 201, added.text
    items = added.json()["items"]
    assert [(e["value"], e["kind"], e["note"]) for e in items] == [
        ("+84912345678", "number", "debt collector"),
        ("+74951334527", "number", ""),
        ("+8424*", "prefix", "all of Hanoi"),
    ]

    assert screen(client, alice, HOTLINE, list_id, None).json() == {
        "number": HOTLINE,
        "black": {"id": list_id, "name": "Nuisance callers"},
        "white": None,
    }
    shown = client.get(f"/v1/contact-lists/{list_id}", headers=h).json()
    assert (shown["entry_count"], shown["numbers"]) == (3, [HOTLINE])

    refused = client.delete(f"/v1/contact-lists/{list_id}", headers=h)
    body = assert_problem(refused, 409, "in_use")
    assert body["numbers"] == [HOTLINE]
    assert HOTLINE in body["detail"]
    assert values(client, alice, list_id) == ["+84912345678", "+74951334527", "+8424*"]

    assert screen(client, alice, HOTLINE, None, None).json()["black"] is None
    assert client.delete(f"/v1/contact-lists/{list_id}", headers=h).status_code == 204
    assert_problem(
        client.get(f"/v1/contact-lists/{list_id}", headers=h), 404, "contact_list_not_found"
    )
    assert client.get("/v1/contact-lists", headers=h).json()["items"] == []


def test_entries_are_added_all_or_nothing(
    client: TestClient, alice: Party, factory: sessionmaker[Session]
) -> None:
    list_id = new_list(client, alice)["id"]
    assert add(client, alice, list_id, "+84912345678").status_code == 201

    # One value already listed (in another form) refuses the whole batch, naming it.
    clash = add(client, alice, list_id, "+84987776868", "0912 345 678")
    body = assert_problem(clash, 409, "entry_exists")
    assert body["values"] == ["+84912345678"]
    assert "+84912345678" in body["detail"]

    # The same value twice in one request is a bad request, whatever the spelling.
    twice = add(client, alice, list_id, "+84987776868", "0987776868")
    body = assert_problem(twice, 422, "duplicate_entry")
    assert error_fields(body) == ["entries.1.value"]

    # One bad value anywhere refuses the batch, pointing at it.
    bad = add(client, alice, list_id, "+84987776868", "+84*1", "024*")
    body = assert_problem(bad, 422, "invalid_entry")
    assert error_fields(body) == ["entries.1.value"]

    assert values(client, alice, list_id) == ["+84912345678"]
    with factory() as session:
        assert len(session.scalars(select(ContactListEntry)).all()) == 1


def test_a_batch_holds_at_most_a_thousand_entries(client: TestClient, alice: Party) -> None:
    list_id = new_list(client, alice)["id"]
    too_many = [f"+849123{i:05d}" for i in range(1001)]
    assert_problem(add(client, alice, list_id, *too_many), 422, "validation_failed")
    assert add(client, alice, list_id, *too_many[:1000]).status_code == 201
    assert (
        client.get(f"/v1/contact-lists/{list_id}", headers=alice.headers).json()["entry_count"]
        == 1000
    )
    assert_problem(
        client.post(
            f"/v1/contact-lists/{list_id}/entries", json={"entries": []}, headers=alice.headers
        ),
        422,
        "validation_failed",
    )


def test_entries_page_and_search_by_digits(client: TestClient, alice: Party) -> None:
    list_id = new_list(client, alice)["id"]
    add(client, alice, list_id, "+84912345678", "+84987776868", "+74951334527", "+8424*", "+849*")
    h = alice.headers
    first = client.get(f"/v1/contact-lists/{list_id}/entries", params={"limit": 2}, headers=h)
    page = first.json()
    assert [e["value"] for e in page["items"]] == ["+84912345678", "+84987776868"]
    rest = values(client, alice, list_id, cursor=page["next_cursor"], limit=3)
    assert rest == ["+74951334527", "+8424*", "+849*"]
    last = client.get(
        f"/v1/contact-lists/{list_id}/entries",
        params={"cursor": page["next_cursor"], "limit": 3},
        headers=h,
    )
    assert last.json()["next_cursor"] is None

    assert values(client, alice, list_id, keyword="7776") == ["+84987776868"]
    # Written nationally, a keyword also finds the numbers it begins.
    assert values(client, alice, list_id, keyword="0912") == ["+84912345678"]
    assert values(client, alice, list_id, keyword="+849") == [
        "+84912345678",
        "+84987776868",
        "+849*",
    ]
    assert values(client, alice, list_id, keyword="495 133") == ["+74951334527"]
    assert values(client, alice, list_id, keyword="000") == []
    bad = client.get(f"/v1/contact-lists/{list_id}/entries", params={"keyword": "abc"}, headers=h)
    assert error_fields(assert_problem(bad, 422)) == ["keyword"]


def test_entries_are_removed_by_id_or_by_value(client: TestClient, alice: Party) -> None:
    h = alice.headers
    list_id = new_list(client, alice)["id"]
    items = add(client, alice, list_id, "+84912345678", "+8424*", "+74951334527").json()["items"]
    base = f"/v1/contact-lists/{list_id}/entries"

    assert client.delete(f"{base}/{items[0]['id']}", headers=h).status_code == 204
    assert_problem(client.delete(f"{base}/{items[0]['id']}", headers=h), 404, "entry_not_found")
    # By value, in any form it could be added in; "+" escaped or not.
    assert client.delete(base, params={"value": "024*"}, headers=h).status_code == 204
    assert client.delete(f"{base}?value=+7 495 1334527", headers=h).status_code == 204
    assert values(client, alice, list_id) == []
    gone = client.delete(base, params={"value": "+84912345678"}, headers=h)
    assert_problem(gone, 404, "entry_not_found")
    bad = client.delete(base, params={"value": "nonsense"}, headers=h)
    assert error_fields(assert_problem(bad, 422, "invalid_entry")) == ["value"]
    assert_problem(client.delete(base, headers=h), 422, "validation_failed")

    # An entry of another list of the same tenant is not found through this one.
    other = new_list(client, alice, "Other")["id"]
    theirs = add(client, alice, other, "+84912345678").json()["items"][0]["id"]
    assert_problem(client.delete(f"{base}/{theirs}", headers=h), 404, "entry_not_found")
    assert values(client, alice, other) == ["+84912345678"]


def test_renaming_and_the_fixed_type(client: TestClient, alice: Party) -> None:
    h = alice.headers
    spam = new_list(client, alice, "Spam")
    new_list(client, alice, "VIP", "white")
    url = f"/v1/contact-lists/{spam['id']}"

    renamed = client.patch(url, json={"name": "Robocalls"}, headers=h)
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "Robocalls"
    same_type = client.patch(url, json={"type": "black", "name": "Robocalls"}, headers=h)
    assert same_type.status_code == 200
    changed = client.patch(url, json={"type": "white"}, headers=h)
    body = assert_problem(changed, 422, "contact_list_type_fixed")
    assert "fixed" in body["detail"]
    assert error_fields(body) == ["type"]
    clash = client.patch(url, json={"name": "VIP"}, headers=h)
    assert error_fields(assert_problem(clash, 409, "contact_list_exists")) == ["name"]
    dup = client.post("/v1/contact-lists", json={"name": "VIP", "type": "black"}, headers=h)
    assert_problem(dup, 409, "contact_list_exists")
    blank = client.patch(url, json={"name": "   "}, headers=h)
    assert error_fields(assert_problem(blank, 422)) == ["name"]
    assert client.get(url, headers=h).json()["name"] == "Robocalls"
    assert client.get(url, headers=h).json()["type"] == "black"


def test_lists_page_and_filter_by_type(client: TestClient, alice: Party) -> None:
    h = alice.headers
    made = [new_list(client, alice, f"L{i}", "black" if i % 2 else "white") for i in range(5)]
    page = client.get("/v1/contact-lists", params={"limit": 2}, headers=h).json()
    assert [x["id"] for x in page["items"]] == [made[0]["id"], made[1]["id"]]
    rest = client.get("/v1/contact-lists", params={"cursor": page["next_cursor"]}, headers=h)
    assert [x["name"] for x in rest.json()["items"]] == ["L2", "L3", "L4"]
    assert rest.json()["next_cursor"] is None
    whites = client.get("/v1/contact-lists", params={"type": "white"}, headers=h).json()
    assert [x["name"] for x in whites["items"]] == ["L0", "L2", "L4"]
    grey = client.get("/v1/contact-lists", params={"type": "grey"}, headers=h)
    assert error_fields(assert_problem(grey, 422, "validation_failed")) == ["type"]


def test_every_change_is_audited(
    client: TestClient, alice: Party, owned: list[str], factory: sessionmaker[Session]
) -> None:
    h = alice.headers
    list_id = new_list(client, alice)["id"]
    entry = add(client, alice, list_id, "+84912345678").json()["items"][0]
    client.patch(f"/v1/contact-lists/{list_id}", json={"name": "Renamed"}, headers=h)
    screen(client, alice, HOTLINE, list_id, None)
    screen(client, alice, HOTLINE, list_id, None)  # no change: no event
    screen(client, alice, HOTLINE, None, None)
    client.delete(f"/v1/contact-lists/{list_id}/entries/{entry['id']}", headers=h)
    client.delete(f"/v1/contact-lists/{list_id}", headers=h)
    with factory() as session:
        events = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action.like("%contact_list%"))
            .order_by(AuditEvent.id)
        ).all()
    assert [(e.action, e.object_id) for e in events] == [
        ("contact_list.create", str(list_id)),
        ("contact_list.entries_add", str(list_id)),
        ("contact_list.update", str(list_id)),
        ("number.contact_lists", HOTLINE),
        ("number.contact_lists", HOTLINE),
        ("contact_list.entry_delete", str(list_id)),
        ("contact_list.delete", str(list_id)),
    ]
    assert all(e.tenant_id == alice.tenant_id for e in events)
    assert events[1].after == {"entries": [{"value": "+84912345678", "note": ""}]}
    assert (events[2].before or {})["name"] == "Spam"
    assert (events[2].after or {})["name"] == "Renamed"
    assert (events[3].before, events[3].after) == (
        {"black": None, "white": None},
        {"black": list_id, "white": None},
    )
    assert events[5].before == {"value": "+84912345678", "note": ""}


def test_idempotent_entry_posts_are_replayed_not_repeated(client: TestClient, alice: Party) -> None:
    list_id = new_list(client, alice)["id"]
    headers = {**alice.headers, "Idempotency-Key": "entries-1"}
    body = {"entries": [{"value": "+84912345678"}]}
    url = f"/v1/contact-lists/{list_id}/entries"
    first = client.post(url, json=body, headers=headers)
    again = client.post(url, json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == first.json()
    assert values(client, alice, list_id) == ["+84912345678"]


def test_a_partner_acts_through_the_tenant_header(client: TestClient, alice: Party) -> None:
    made = client.post(
        "/v1/contact-lists", json={"name": "P", "type": "white"}, headers=alice.acting()
    )
    assert made.status_code == 201, made.text
    seen = client.get(f"/v1/contact-lists/{made.json()['id']}", headers=alice.headers)
    assert seen.json() == made.json()
    without = client.get("/v1/contact-lists", headers=alice.partner_headers)
    assert_problem(without, 422, "tenant_required")
    assert_problem(client.get("/v1/contact-lists"), 401)
