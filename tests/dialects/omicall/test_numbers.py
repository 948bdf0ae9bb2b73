"""Buying through OMICall is buying in vpbx: the same number, owner, term and audit
trail the native API shows, and the stock OMICall lists is the native stock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.dialects.omicall.conftest import Omi
from tests.dialects.omicall.helpers import fail, ok
from vpbx.models import AuditEvent

BUY = "/api/partner/public_number/buy"


@pytest.mark.parametrize("written", ["842438256868", "+842438256868", "02438256868"])
def test_bought_number_shows_in_v1(
    client: TestClient, omi_alice: Omi, stock: list[str], written: str
) -> None:
    body = {"number_count": 12, "note": "Hotline", "number": written, "email": omi_alice.email}
    payload = ok(client.post(BUY, json=body, headers=omi_alice.partner))
    assert payload["number"] == "842438256868"
    assert payload["tenant_id"] == f"{omi_alice.party.tenant_id:024x}"
    native = client.get("/v1/numbers/+842438256868", headers=omi_alice.party.headers).json()
    assert native["status"] == "active"
    paid_until = datetime.fromisoformat(native["paid_until"])
    assert abs(paid_until.timestamp() * 1000 - payload["expire_date"]) < 1000
    active_since = datetime.fromisoformat(native["active_since"])
    assert (paid_until.year - active_since.year) * 12 + paid_until.month - active_since.month == 12
    # Gone from both stock lists; in the tenant's OMICall account.
    stock_list = ok(client.get("/api/partner/public_number/list", headers=omi_alice.partner))
    assert "842438256868" not in [n["number"] for n in stock_list["items"]]
    available = client.get(
        "/v1/numbers/available", params={"limit": 200}, headers=omi_alice.party.headers
    ).json()["items"]
    assert "+842438256868" not in [n["e164"] for n in available]
    detail = ok(client.get("/api/tenant/detail", headers=omi_alice.tenant))
    assert detail["public_numbers"] == [
        {
            "number": "842438256868",
            "provider": native["carrier"],
            "expire_date": payload["expire_date"],
            "status": "active",
        }
    ]


def test_the_purchase_is_audited_as_the_partner_for_the_tenant(
    client: TestClient, omi_alice: Omi, stock: list[str], factory: sessionmaker[Session]
) -> None:
    body = {"number_count": 6, "note": "", "number": "842438256868", "email": omi_alice.email}
    ok(client.post(BUY, json=body, headers=omi_alice.partner))
    with factory() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "number.buy")).one()
    assert event.object_id == "+842438256868"
    assert event.tenant_id == omi_alice.party.tenant_id
    assert event.partner_id == omi_alice.party.partner_id
    assert event.actor.startswith("key:")
    assert event.after is not None
    assert event.after["months"] == 6


def test_buy_is_idempotent_with_a_key(client: TestClient, omi_alice: Omi, stock: list[str]) -> None:
    body = {"number_count": 6, "note": "", "number": "842438256868", "email": omi_alice.email}
    headers = {**omi_alice.partner, "Idempotency-Key": "order-42"}
    first = client.post(BUY, json=body, headers=headers)
    again = client.post(BUY, json=body, headers=headers)
    assert ok(first) == ok(again)
    assert again.headers.get("Idempotent-Replayed") == "true"
    # Without the key, the second attempt is refused: it is sold.
    fail(client.post(BUY, json=body, headers=omi_alice.partner), "number_not_available")


def test_a_number_bought_natively_is_in_the_omicall_account(
    client: TestClient, omi_alice: Omi, stock: list[str]
) -> None:
    order = client.post(
        "/v1/orders",
        json={"numbers": ["+84912345678"], "months": 3},
        headers=omi_alice.party.headers,
    )
    assert order.status_code == 201, order.text
    detail = ok(client.get("/api/tenant/detail", headers=omi_alice.tenant))
    assert [n["number"] for n in detail["public_numbers"]] == ["84912345678"]
    expire = detail["public_numbers"][0]["expire_date"]
    paid_until = datetime.fromisoformat(order.json()["items"][0]["paid_until"])
    assert abs(expire - paid_until.astimezone(UTC).timestamp() * 1000) < 1  # ms precision
    assert ok(client.get("/api/call_center/hotline/list", headers=omi_alice.tenant)) == [
        "84912345678"
    ]
