"""/v1/sip/*: what Kamailio asks per call and posts when a call ends (no Kamailio here)."""

from __future__ import annotations

import base64
import json
import time

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Party
from tests.problems import assert_handled, assert_problem
from tests.sip.helpers import (
    SIP,
    TOKEN,
    blacklist,
    buy,
    domain,
    extension,
    forward_to_extension,
    ok,
    route,
    trunk,
)

HOTLINE, CUSTOMER = "+842438256868", "+84987776868"


def _calls(client: TestClient, party: Party) -> list[dict[str, object]]:
    items: list[dict[str, object]] = ok(client.get("/v1/calls", headers=party.headers))["items"]
    return items


def test_only_the_sip_server_token_opens_the_sip_endpoints(
    sip_client: TestClient, alice: Party
) -> None:
    body = {"call_id": "c-1", "direction": "from_extension", "domain": "x.y", "dialled": "1"}
    for headers in (
        {},
        alice.headers,
        alice.partner_headers,
        {"Authorization": "Bearer wrong-token-0123456789"},
        {"Authorization": "Basic " + base64.b64encode(f"admin:{TOKEN}".encode()).decode()},
        {"Authorization": "Basic !!!"},
    ):
        response = sip_client.post("/v1/sip/route", json=body, headers=headers)
        assert_problem(response, 401, "invalid_sip_token")
    basic = base64.b64encode(f"sip:{TOKEN}".encode()).decode()
    for headers in (SIP, {"Authorization": f"Basic {basic}"}):
        decided = ok(sip_client.post("/v1/sip/route", json=body, headers=headers))
        assert decided == {"action": "reject", "status": 404, "reason": "no such domain or number"}


def test_a_call_between_extensions_rings_the_account_with_the_callers_id(
    sip_client: TestClient, alice: Party
) -> None:
    extension(sip_client, alice, "101", display_name='Lan "the boss"')
    extension(sip_client, alice, "102")
    sip_domain = domain(sip_client, alice)
    decided = route(sip_client, domain=sip_domain, caller="101", dialled="102")
    assert decided["action"] == "route"
    assert decided["steps"] == [
        {
            "uris": [f"sip:102@{sip_domain}"],
            "lookup": 1,
            "timeout": 30,
            "from_user": "101",
            "from_name": "Lan the boss",  # quotes cannot break the SIP header
            "pai": "",
        }
    ]
    context = json.loads(decided["context"])
    assert (context["direction"], context["caller"], context["callee"]) == (
        "internal",
        "101",
        "102",
    )


def test_a_group_is_one_parallel_step_or_one_step_per_member(
    sip_client: TestClient, alice: Party
) -> None:
    ids = {n: extension(sip_client, alice, n)["id"] for n in ("101", "102", "103")}
    members = [{"extension_id": ids[n], "timeout_s": 7} for n in ("102", "103")]
    for number, strategy in (("600", "simultaneous"), ("601", "sequential")):
        body = {"number": number, "name": number, "strategy": strategy, "members": members}
        ok(sip_client.post("/v1/groups", json=body, headers=alice.headers), 201)
    sip_domain = domain(sip_client, alice)
    together = route(sip_client, domain=sip_domain, caller="101", dialled="600")["steps"]
    assert [(s["uris"], s["timeout"]) for s in together] == [
        ([f"sip:102@{sip_domain}", f"sip:103@{sip_domain}"], 60)
    ]
    in_turn = route(sip_client, domain=sip_domain, caller="101", dialled="601")["steps"]
    assert [(s["uris"], s["timeout"]) for s in in_turn] == [
        ([f"sip:102@{sip_domain}"], 7),
        ([f"sip:103@{sip_domain}"], 7),
    ]


def test_outside_numbers_leave_through_the_tenants_trunk(
    sip_client: TestClient, alice: Party, stock: list[str]
) -> None:
    buy(sip_client, alice, HOTLINE)
    extension(sip_client, alice, "101", caller_id_hotline=HOTLINE, outbound_hotlines=[HOTLINE])
    sip_domain = domain(sip_client, alice)
    refused = route(sip_client, domain=sip_domain, caller="101", dialled="0912345678")
    assert (refused["action"], refused["status"]) == ("reject", 503)  # no trunk yet
    made = trunk(sip_client, alice, host="carrier.example", port=5070, transport="tcp")
    assign = f"/v1/trunks/{made['id']}/tenants/{alice.tenant_id}"
    ok(sip_client.put(assign, headers=alice.partner_headers))
    (step,) = route(sip_client, domain=sip_domain, caller="101", dialled="0912345678")["steps"]
    assert step["uris"] == ["sip:+84912345678@carrier.example:5070;transport=tcp"]
    assert (step["lookup"], step["from_user"], step["pai"]) == (
        0,
        HOTLINE,
        f"sip:{HOTLINE}@{sip_domain}",
    )


def test_calls_from_a_trunk_find_the_tenant_by_hotline_and_screen_the_caller(
    sip_client: TestClient, alice: Party, bob: Party, stock: list[str]
) -> None:
    buy(sip_client, alice, HOTLINE)
    ext = extension(sip_client, alice, "101")
    forward_to_extension(sip_client, alice, HOTLINE, ext["id"])
    own, foreign = trunk(sip_client, alice), trunk(sip_client, bob)
    call = {"direction": "from_trunk", "caller": CUSTOMER, "dialled": HOTLINE}
    decided = route(sip_client, trunk=str(own["id"]), **call)
    assert decided["steps"][0]["uris"] == [f"sip:101@{domain(sip_client, alice)}"]
    assert decided["steps"][0]["from_user"] == CUSTOMER
    # Another partner's trunk, or none, cannot reach Alice's number.
    for trunk_id in (str(foreign["id"]), "", "999999"):
        refused = route(sip_client, trunk=trunk_id, **call)
        assert (refused["action"], refused["status"]) == ("reject", 404)
    blacklist(sip_client, alice, HOTLINE, CUSTOMER)
    refused = route(sip_client, trunk=str(own["id"]), **{**call, "call_id": "c-spam"})
    assert (refused["action"], refused["status"]) == ("reject", 403)
    (record,) = _calls(sip_client, alice)  # the refused call is in the history at once
    assert (record["call_id"], record["disposition"], record["sip_status"]) == (
        "c-spam",
        "rejected",
        403,
    )
    assert (record["direction"], record["caller"], record["hotline"]) == ("in", CUSTOMER, HOTLINE)
    assert _calls(sip_client, bob) == []


def test_how_a_call_ended_becomes_its_call_record_once(
    sip_client: TestClient, alice: Party
) -> None:
    for number in ("101", "102"):
        extension(sip_client, alice, number)
    sip_domain = domain(sip_client, alice)
    context = route(sip_client, domain=sip_domain, caller="101", dialled="102")["context"]
    now = time.time()
    event = {
        "call_id": "c-1",
        "context": context,
        "started": f"{now - 30:.6f}",
        "answered": f"{now - 25:.6f}",
        "answered_by": "102",
        "ended": f"{now:.6f}",
        "status": 200,
    }
    for _ in range(2):  # Kamailio may post twice: one record
        assert ok(sip_client.post("/v1/sip/calls", json=event, headers=SIP)) == {"recorded": True}
    (record,) = _calls(sip_client, alice)
    assert (record["disposition"], record["extension"], record["billsec"]) == (
        "answered",
        "102",
        25,
    )
    missed = {**event, "call_id": "c-2", "answered": None, "answered_by": None, "status": 486}
    ok(sip_client.post("/v1/sip/calls", json=missed, headers=SIP))
    statuses = {r["call_id"]: r["disposition"] for r in _calls(sip_client, alice)}
    assert statuses == {"c-1": "answered", "c-2": "busy"}


@pytest.mark.parametrize(
    "change",
    [
        {"context": "{not json"},
        {
            "context": json.dumps(
                {"tenant": 1, "direction": "sideways", "caller": "1", "callee": "2"}
            )
        },
        {"started": "yesterday"},
        {"status": 99},
        {"status": "200"},
        {"call_id": "has space"},
        {"call_id": "x" * 300},
        {"answered_by": "1\x00"},
        {"extra": 1},
    ],
)
def test_bad_call_events_are_refused(
    sip_client: TestClient, alice: Party, change: dict[str, object]
) -> None:
    extension(sip_client, alice, "101")
    context = route(sip_client, domain=domain(sip_client, alice), caller="101", dialled="101")
    event = {"call_id": "c", "context": context.get("context", "{}"), "started": "1"}
    event.update({"ended": "2", "status": 200, **change})
    response = sip_client.post("/v1/sip/calls", json=event, headers=SIP)
    assert_problem(response, 422)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"call_id": "c", "direction": "from_mars", "dialled": "1"},
        {"call_id": "c", "direction": "from_extension", "dialled": ""},
        {"call_id": "c", "direction": "from_extension", "dialled": "1\x00"},
        {"call_id": "c", "direction": "from_trunk", "dialled": "1", "trunk": "x"},
        {"call_id": "c", "direction": "from_trunk", "dialled": "1", "trunk": "9" * 19},
        {"call_id": "c", "direction": "from_extension", "dialled": 1},
        [],
    ],
)
def test_bad_route_requests_are_refused(safe: TestClient, body: object) -> None:
    response = safe.post("/v1/sip/route", json=body, headers=SIP)
    assert_problem(response, 422)
    malformed = safe.post(
        "/v1/sip/route", content=b"{", headers={**SIP, "Content-Type": "application/json"}
    )
    assert_handled(malformed)
    assert malformed.status_code == 422
