"""/v1/sip/calls/batch: Kamailio's timer posts the outcomes that queued up, many at once."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from tests.conftest import Party
from tests.problems import assert_problem
from tests.sip.helpers import SIP, domain, extension, ok, route


def _event(context: str, call_id: str, *, status: int = 200) -> dict[str, object]:
    now = time.time()
    answered = status == 200
    return {
        "call_id": call_id,
        "context": context,
        "started": f"{now - 30:.6f}",
        "answered": f"{now - 20:.6f}" if answered else None,
        "answered_by": "102" if answered else None,
        "ended": f"{now:.6f}",
        "status": status,
    }


def _contexts(client: TestClient, party: Party) -> str:
    for number in ("101", "102"):
        extension(client, party, number)
    decided = route(client, domain=domain(client, party), caller="101", dialled="102")
    context: str = decided["context"]
    return context


def _call_ids(client: TestClient, party: Party) -> dict[str, str]:
    items = ok(client.get("/v1/calls", headers=party.headers))["items"]
    return {item["call_id"]: item["disposition"] for item in items}


def test_a_batch_stores_every_good_outcome_and_names_the_bad_ones(
    sip_client: TestClient, alice: Party, bob: Party
) -> None:
    alice_context, bob_context = _contexts(sip_client, alice), _contexts(sip_client, bob)
    batch = [
        _event(alice_context, "a-1"),
        {"call_id": "broken", "context": alice_context},  # no times, no status
        _event(bob_context, "b-1", status=486),
        _event("{not json", "junk"),
        _event(alice_context, "a-2", status=487),
        "not an object",
    ]
    result = ok(sip_client.post("/v1/sip/calls/batch", json=batch, headers=SIP))
    assert (result["recorded"], result["existing"], result["orphaned"]) == (3, 0, 0)
    refused = {item["index"]: item["code"] for item in result["rejected"]}
    assert refused == {1: "validation_failed", 3: "invalid", 5: "validation_failed"}
    # Each tenant sees its own calls only.
    assert _call_ids(sip_client, alice) == {"a-1": "answered", "a-2": "no_answer"}
    assert _call_ids(sip_client, bob) == {"b-1": "busy"}


def test_a_repeated_batch_records_each_call_once(sip_client: TestClient, alice: Party) -> None:
    context = _contexts(sip_client, alice)
    batch = [_event(context, f"c-{n}") for n in range(5)]
    first = ok(sip_client.post("/v1/sip/calls/batch", json=batch, headers=SIP))
    again = ok(sip_client.post("/v1/sip/calls/batch", json=batch, headers=SIP))
    assert (first["recorded"], first["existing"]) == (5, 0)
    assert (again["recorded"], again["existing"]) == (0, 5)
    assert len(_call_ids(sip_client, alice)) == 5


def test_a_conflicting_outcome_is_left_out_alone(sip_client: TestClient, alice: Party) -> None:
    """A call id already stored with other details is refused; its batch mates are kept."""
    context = _contexts(sip_client, alice)
    ok(sip_client.post("/v1/sip/calls/batch", json=[_event(context, "c-1")], headers=SIP))
    clash = _event(context, "c-1", status=486)
    result = ok(
        sip_client.post("/v1/sip/calls/batch", json=[_event(context, "c-2"), clash], headers=SIP)
    )
    assert result["recorded"] == 1
    assert [(r["index"], r["code"]) for r in result["rejected"]] == [(1, "call_exists")]
    assert _call_ids(sip_client, alice) == {"c-1": "answered", "c-2": "answered"}


def test_the_batch_endpoint_is_the_sip_servers_and_takes_an_array(
    sip_client: TestClient, alice: Party
) -> None:
    assert_problem(sip_client.post("/v1/sip/calls/batch", json=[], headers=alice.headers), 401)
    assert_problem(sip_client.post("/v1/sip/calls/batch", json={"a": 1}, headers=SIP), 422)
    too_many = [{}] * 1001
    assert_problem(sip_client.post("/v1/sip/calls/batch", json=too_many, headers=SIP), 422)
    empty = ok(sip_client.post("/v1/sip/calls/batch", json=[], headers=SIP))
    assert empty == {"recorded": 0, "existing": 0, "orphaned": 0, "rejected": []}
