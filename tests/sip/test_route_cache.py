"""Route decisions come from a cached dial plan, yet follow every change on the next call."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Party
from tests.sip.helpers import buy, domain, extension, ok, route
from vpbx.models import Tenant

HOTLINE = "+842438256868"
DISABLED, UNKNOWN = 480, 404  # SIP statuses of the refusals


def test_each_change_counts_on_the_next_call_although_the_plan_is_cached(
    sip_client: TestClient, alice: Party, stock: list[str]
) -> None:
    h = alice.headers
    first = extension(sip_client, alice, "101")
    second = extension(sip_client, alice, "102")
    where = domain(sip_client, alice)

    def uris(dialled: str, caller: str = "101") -> list[str] | int:
        """Where a call goes now: the URIs rung, or the refusal's SIP status."""
        decided = route(sip_client, domain=where, caller=caller, dialled=dialled)
        if decided["action"] == "reject":
            status: int = decided["status"]
            return status
        return [uri for step in decided["steps"] for uri in step["uris"]]

    assert uris("102") == [f"sip:102@{where}"]
    assert uris("102") == [f"sip:102@{where}"]  # served from the cache
    ok(sip_client.patch(f"/v1/extensions/{second['id']}", json={"enabled": False}, headers=h))
    assert uris("102") == DISABLED
    ok(sip_client.patch(f"/v1/extensions/{second['id']}", json={"enabled": True}, headers=h))
    assert uris("102") == [f"sip:102@{where}"]
    assert uris("103") == UNKNOWN
    extension(sip_client, alice, "103")
    assert uris("103") == [f"sip:103@{where}"]
    buy(sip_client, alice, HOTLINE)
    body = {"type": "sip", "extension_id": first["id"], "cli_mode": "Y"}
    ok(sip_client.put(f"/v1/numbers/{HOTLINE}/forwarding", json=body, headers=h))
    assert uris(HOTLINE, caller="102") == [f"sip:101@{where}"]
    body = {"type": "sip", "extension_id": second["id"], "cli_mode": "Y"}
    ok(sip_client.put(f"/v1/numbers/{HOTLINE}/forwarding", json=body, headers=h))
    assert uris(HOTLINE, caller="103") == [f"sip:102@{where}"]


def test_an_inactive_tenant_gets_no_routes(
    sip_client: TestClient, factory: sessionmaker[Session], alice: Party
) -> None:
    extension(sip_client, alice, "101")
    extension(sip_client, alice, "102")
    where = domain(sip_client, alice)
    assert route(sip_client, domain=where, caller="101", dialled="102")["action"] == "route"
    with factory.begin() as session:
        session.execute(
            update(Tenant).where(Tenant.id == alice.tenant_id).values(status="suspended")
        )
    refused = route(sip_client, domain=where, caller="101", dialled="102")
    assert refused == {"action": "reject", "status": 403, "reason": "the tenant is not active"}
