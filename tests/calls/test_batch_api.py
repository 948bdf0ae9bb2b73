"""POST /v1/calls/batch: up to 500 calls, stored together or not at all."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.calls.conftest import Pbx
from tests.calls.helpers import at, call, ids, listing, posted, stored_count
from tests.conftest import Party
from tests.pbx.helpers import assert_problem, error_fields


def batch(client: TestClient, party: Party, calls: list[dict[str, Any]]) -> Any:
    return client.post("/v1/calls/batch", json={"calls": calls}, headers=party.headers)


def test_a_batch_is_stored_in_order(
    client: TestClient, alices: Pbx, factory: sessionmaker[Session]
) -> None:
    calls = [
        call(f"c{i}", started_at=at(i), answered_at=at(i + 1), ended_at=at(i + 2)) for i in range(5)
    ]
    response = batch(client, alices.party, calls)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["created"], body["existing"]) == (5, 0)
    assert [item["call_id"] for item in body["items"]] == [f"c{i}" for i in range(5)]
    assert ids(listing(client, alices.party)) == [f"c{i}" for i in reversed(range(5))]
    assert stored_count(factory) == 5


def test_one_bad_call_refuses_the_whole_batch(
    client: TestClient, alices: Pbx, factory: sessionmaker[Session]
) -> None:
    for bad, code, field in [
        ({"extension": "555"}, "extension_not_found", "calls.2.extension"),
        ({"hotline": "+842477778823"}, "hotline_not_owned", "calls.2.hotline"),
        ({"group": "555"}, "group_not_found", "calls.2.group"),
        ({"ended_at": at(-5)}, "call_times_out_of_order", "calls.2.ended_at"),
        ({"caller": "x"}, "invalid", "calls.2.caller"),
        ({"disposition": "busy"}, "answered_at_not_allowed", "calls.2.answered_at"),
        ({"started_at": "2026-01-01T00:00:00"}, "validation_failed", "calls.2.started_at"),
        ({"sip_status": 1000}, "validation_failed", "calls.2.sip_status"),
    ]:
        calls = [call("a"), call("b"), call("c", **bad), call("d")]
        problem = assert_problem(batch(client, alices.party, calls), 422, code)
        assert error_fields(problem) == [field], problem
        if code != "validation_failed":
            assert problem["detail"].startswith("calls[2]: ")
    assert stored_count(factory) == 0


def test_replays_in_a_batch_are_answered_with_the_stored_calls(
    client: TestClient, alices: Pbx, factory: sessionmaker[Session]
) -> None:
    first = posted(client, alices.party, call_id="old")
    response = batch(client, alices.party, [call("old"), call("new")])
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["created"], body["existing"]) == (1, 1)
    assert body["items"][0] == first
    # The whole batch again: nothing new, so 200.
    again = batch(client, alices.party, [call("old"), call("new")])
    assert again.status_code == 200
    assert again.json() == {**body, "created": 0, "existing": 2}
    assert stored_count(factory) == 2


def test_a_conflict_anywhere_refuses_the_batch(
    client: TestClient, alices: Pbx, factory: sessionmaker[Session]
) -> None:
    posted(client, alices.party, call_id="old")
    response = batch(client, alices.party, [call("new"), call("old", caller="0987776868")])
    problem = assert_problem(response, 409, "call_exists")
    assert error_fields(problem) == ["calls.1.call_id"]
    assert stored_count(factory) == 1


def test_a_call_twice_in_one_batch(
    client: TestClient, alices: Pbx, factory: sessionmaker[Session]
) -> None:
    same = batch(client, alices.party, [call("x"), call("y"), call("x")])
    assert same.status_code == 201, same.text
    body = same.json()
    assert (body["created"], body["existing"]) == (2, 1)
    assert body["items"][0] == body["items"][2]
    differing = batch(client, alices.party, [call("p"), call("p", callee="102")])
    assert error_fields(assert_problem(differing, 409, "call_exists")) == ["calls.1.call_id"]
    assert stored_count(factory) == 2


def test_batch_size_limits(client: TestClient, alices: Pbx, factory: sessionmaker[Session]) -> None:
    empty = batch(client, alices.party, [])
    assert error_fields(assert_problem(empty, 422, "validation_failed")) == ["calls"]
    too_many = batch(client, alices.party, [call(f"c{i}") for i in range(501)])
    assert_problem(too_many, 422, "validation_failed")
    assert stored_count(factory) == 0
    full = batch(client, alices.party, [call(f"c{i}", extension="101") for i in range(500)])
    assert full.status_code == 201, full.text
    assert full.json()["created"] == 500
    assert stored_count(factory) == 500


def test_a_batch_may_not_reference_another_tenants_objects(
    client: TestClient, alices: Pbx, bobs: Pbx, factory: sessionmaker[Session]
) -> None:
    client.post("/v1/extensions", json={"number": "205"}, headers=bobs.party.headers)
    for bad, code in [
        ({"extension": "205"}, "extension_not_found"),
        ({"hotline": bobs.hotline}, "hotline_not_owned"),
    ]:
        response = batch(client, alices.party, [call("a"), call("b", **bad)])
        assert_problem(response, 422, code)
    assert stored_count(factory) == 0
