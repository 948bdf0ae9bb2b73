"""/v1/trunks: a partner's carrier trunks and the tenants that call out through them."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Party
from tests.problems import assert_handled, assert_problem
from tests.sip.helpers import buy, extension, ok, trunk
from vpbx.sip.notifier import RecordingNotifier


def test_a_partner_manages_its_trunks(
    sip_client: TestClient, alice: Party, notifier: RecordingNotifier
) -> None:
    made = trunk(sip_client, alice, sources=["203.0.113.9/28", "2001:db8::1", "203.0.113.0/28"])
    # Networks are normalised and repeats dropped.
    assert made["sources"] == ["2001:db8::1/128", "203.0.113.0/28"]
    assert (made["port"], made["transport"], made["tenant_ids"]) == (5060, "udp", [])
    assert notifier.reloads == 1  # the SIP server reloads trunk addresses after the commit
    path = f"/v1/trunks/{made['id']}"
    changed = ok(sip_client.patch(path, json={"port": 5080, "transport": "tcp"},
                                  headers=alice.partner_headers))  # fmt: skip
    assert (changed["port"], changed["transport"]) == (5080, "tcp")
    assert notifier.reloads == 1  # sources unchanged: nothing to reload
    ok(sip_client.patch(path, json={"sources": []}, headers=alice.partner_headers))
    assert notifier.reloads == 2
    listed = ok(sip_client.get("/v1/trunks", headers=alice.partner_headers))
    assert [t["id"] for t in listed["items"]] == [made["id"]]
    assert listed["next_cursor"] is None
    audit = ok(sip_client.get("/v1/audit", headers=alice.partner_headers))["items"]
    assert {"trunk.create", "trunk.update"} <= {e["action"] for e in audit}
    assert sip_client.delete(path, headers=alice.partner_headers).status_code == 204
    assert_problem(sip_client.get(path, headers=alice.partner_headers), 404, "trunk_not_found")
    assert notifier.reloads == 3


def test_names_are_unique_per_partner(sip_client: TestClient, alice: Party, bob: Party) -> None:
    trunk(sip_client, alice)
    trunk(sip_client, bob)  # another partner may use the same name
    response = sip_client.post(
        "/v1/trunks",
        json={"name": "carrier", "host": "198.51.100.8"},
        headers=alice.partner_headers,
    )
    assert_problem(response, 409, "trunk_exists")


def test_tenant_keys_cannot_manage_trunks(sip_client: TestClient, alice: Party) -> None:
    body = {"name": "x", "host": "198.51.100.8"}
    response = sip_client.post("/v1/trunks", json=body, headers=alice.headers)
    assert_problem(response, 403, "partner_key_required")
    assert_problem(sip_client.get("/v1/trunks", headers=alice.headers), 403)


def test_another_partners_trunk_is_not_found_and_stays_unchanged(
    sip_client: TestClient, alice: Party, bob: Party
) -> None:
    theirs = trunk(sip_client, bob)
    path = f"/v1/trunks/{theirs['id']}"
    headers = alice.partner_headers
    assert_problem(sip_client.get(path, headers=headers), 404, "trunk_not_found")
    assert_problem(sip_client.patch(path, json={"port": 1}, headers=headers), 404)
    assert_problem(sip_client.delete(path, headers=headers), 404)
    assign = f"{path}/tenants/{alice.tenant_id}"
    assert_problem(sip_client.put(assign, headers=headers), 404, "trunk_not_found")
    assert ok(sip_client.get(path, headers=bob.partner_headers)) == theirs
    assert ok(sip_client.get("/v1/trunks", headers=headers))["items"] == []


def test_a_tenant_calls_out_through_its_assigned_trunk(
    sip_client: TestClient, alice: Party, bob: Party, stock: list[str]
) -> None:
    hotline = "+842438256868"
    buy(sip_client, alice, hotline)
    extension(sip_client, alice, "101", caller_id_hotline=hotline, outbound_hotlines=[hotline])
    resolve = "/v1/routes/resolve?dialled=0912345678&caller=101"
    before = ok(sip_client.get(resolve, headers=alice.headers))
    assert (before["action"], before["status"]) == ("reject", 503)
    first, second = trunk(sip_client, alice), trunk(sip_client, alice, name="backup")
    for made in (first, second):  # assigning another trunk replaces the first
        assigned = ok(sip_client.put(f"/v1/trunks/{made['id']}/tenants/{alice.tenant_id}",
                                     headers=alice.partner_headers))  # fmt: skip
        assert assigned["tenant_ids"] == [alice.tenant_id]
    assert (
        ok(sip_client.get(f"/v1/trunks/{first['id']}", headers=alice.partner_headers))["tenant_ids"]
        == []
    )
    after = ok(sip_client.get(resolve, headers=alice.headers))
    assert after["steps"][0]["legs"][0]["trunk"] == "backup"
    # Another partner's tenant cannot be assigned; unassigning twice is not found.
    other = f"/v1/trunks/{first['id']}/tenants/{bob.tenant_id}"
    assert_problem(sip_client.put(other, headers=alice.partner_headers), 404, "tenant_not_found")
    unassign = f"/v1/trunks/{second['id']}/tenants/{alice.tenant_id}"
    assert sip_client.delete(unassign, headers=alice.partner_headers).status_code == 204
    assert_problem(sip_client.delete(unassign, headers=alice.partner_headers), 404)
    assert ok(sip_client.get(resolve, headers=alice.headers))["status"] == 503


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": "x"},
        {"name": "x", "host": "bad host"},
        {"name": "x", "host": "h.example", "port": 0},
        {"name": "x", "host": "h.example", "port": "five"},
        {"name": "x", "host": "h.example", "transport": "sctp"},
        {"name": "x", "host": "h.example", "sources": ["not-an-ip"]},
        {"name": "x", "host": "h.example", "sources": ["10.0.0.0/33"]},
        {"name": "x", "host": "h.example", "sources": ["1.2.3.4"] * 101},
        {"name": "x\x00", "host": "h.example"},
        {"name": "x", "host": "h.example", "tenant_id": 1},
    ],
)
def test_bad_trunks_are_refused(safe: TestClient, alice: Party, body: dict[str, Any]) -> None:
    response = safe.post("/v1/trunks", json=body, headers=alice.partner_headers)
    assert_problem(response, 422)
    assert ok(safe.get("/v1/trunks", headers=alice.partner_headers))["items"] == []


def test_odd_ids_and_bodies_are_clear_refusals(safe: TestClient, alice: Party) -> None:
    headers = alice.partner_headers
    for path in ("/v1/trunks/0", "/v1/trunks/99999999999999999999", "/v1/trunks/x"):
        assert_problem(safe.get(path, headers=headers), 422)
    assert_problem(safe.get("/v1/trunks/123456", headers=headers), 404)
    assert_problem(safe.put("/v1/trunks/1/tenants/99999999999999999999", headers=headers), 422)
    broken = safe.post(
        "/v1/trunks", content=b"{", headers={**headers, "Content-Type": "application/json"}
    )
    assert_handled(broken)
    assert broken.status_code == 422
    made = trunk(safe, alice)
    for body in ({"port": -1}, {"name": ""}, {"sources": "1.2.3.4"}, {"host": None, "x": 1}):
        assert_problem(safe.patch(f"/v1/trunks/{made['id']}", json=body, headers=headers), 422)
    assert ok(safe.get(f"/v1/trunks/{made['id']}", headers=headers)) == made
