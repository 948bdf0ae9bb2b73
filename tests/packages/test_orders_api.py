"""/v1/package-orders: a code to the subscriber's phone, confirmed to activate the package."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Party
from tests.packages.helpers import (
    MOBIFONE_PHONE,
    VIETTEL_PHONE,
    client_with,
    confirm,
    last_code,
    ordered,
    other_code,
    outbox_texts,
    request,
)
from tests.problems import assert_handled, assert_problem
from vpbx.config import Settings
from vpbx.models import AuditEvent, PackageOrder, SmsMessage

E164 = "+84337880699"
pytestmark = pytest.mark.usefixtures("catalogue")


def _iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_the_whole_flow_activates_the_package_for_its_validity(
    client: TestClient, alice: Party, factory: sessionmaker[Session]
) -> None:
    order = ordered(client, alice.headers, utm_source="zalo", utm_campaign="tet")
    assert re.fullmatch(r"DG\d{20}", order["order_code"])
    assert re.fullmatch(r"\d{9}", order["telco_trans_id"])
    assert order["status"] == "pending"
    assert order["phone"] == E164
    assert order["attempts_left"] == 5
    assert order["type"] == "COMBO"
    assert order["utm"] == {"source": "zalo", "medium": "", "content": "", "campaign": "tet"}
    assert _iso(order["otp_expires_at"]) - _iso(order["created_at"]) == timedelta(minutes=5)
    code = last_code(factory, E164)
    assert "MP5X" in outbox_texts(factory, E164)[0]

    response = confirm(client, alice.headers, order["id"], code)
    assert response.status_code == 200, response.text
    active = response.json()
    assert active["status"] == "active"
    assert _iso(active["active_until"]) - _iso(active["confirmed_at"]) == timedelta(days=5)
    assert client.get(f"/v1/package-orders/{order['id']}", headers=alice.headers).json() == active


def test_confirming_again_answers_the_same_and_activates_nothing_twice(
    client: TestClient, alice: Party, factory: sessionmaker[Session]
) -> None:
    order = ordered(client, alice.headers)
    code = last_code(factory, E164)
    first = confirm(client, alice.headers, order["id"], code).json()
    second = confirm(client, alice.headers, order["id"], code)
    assert second.status_code == 200
    assert second.json() == first
    wrong = confirm(client, alice.headers, order["id"], other_code(code))
    assert_problem(wrong, 422, "otp_wrong")
    assert client.get(f"/v1/package-orders/{order['id']}", headers=alice.headers).json() == first
    with factory() as session:
        confirms = session.scalar(
            select(func.count()).where(AuditEvent.action == "package_order.confirm")
        )
    assert confirms == 1


def test_the_sixth_try_fails_even_with_the_right_code(
    client: TestClient, alice: Party, factory: sessionmaker[Session]
) -> None:
    order = ordered(client, alice.headers)
    code = last_code(factory, E164)
    for left in (4, 3, 2, 1):
        body = assert_problem(confirm(client, alice.headers, order["id"], other_code(code)), 422)
        assert body["code"] == "otp_wrong"
        assert body["tries_left"] == left
        shown = client.get(f"/v1/package-orders/{order['id']}", headers=alice.headers).json()
        assert shown["attempts_left"] == left  # the wrong try was kept despite the refusal
    fifth = confirm(client, alice.headers, order["id"], other_code(code))
    assert_problem(fifth, 409, "otp_attempts_exhausted")
    sixth = confirm(client, alice.headers, order["id"], code)
    assert_problem(sixth, 409, "order_failed")
    failed = client.get(f"/v1/package-orders/{order['id']}", headers=alice.headers).json()
    assert failed["status"] == "failed"
    assert failed["failure"] == "too_many_attempts"
    assert failed["active_until"] is None


def test_an_expired_code_fails(
    client: TestClient, alice: Party, factory: sessionmaker[Session]
) -> None:
    order = ordered(client, alice.headers)
    code = last_code(factory, E164)
    with factory() as session, session.begin():
        session.execute(
            update(PackageOrder)
            .where(PackageOrder.id == order["id"])
            .values(otp_expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert_problem(confirm(client, alice.headers, order["id"], code), 409, "otp_expired")
    shown = client.get(f"/v1/package-orders/{order['id']}", headers=alice.headers).json()
    assert shown["status"] == "expired"
    assert shown["active_until"] is None


def test_the_code_is_stored_only_as_a_keyed_hash(
    client: TestClient, alice: Party, factory: sessionmaker[Session]
) -> None:
    order = ordered(client, alice.headers)
    code = last_code(factory, E164)
    with factory() as session:
        stored = session.get(PackageOrder, order["id"])
        messages = session.scalars(select(SmsMessage.text)).all()
    assert stored is not None
    assert stored.otp_hash
    assert code not in stored.otp_hash
    assert len(stored.otp_hash) == 64
    assert messages
    assert all(code not in text and "******" in text for text in messages)


def test_a_mobifone_number_cannot_order_a_viettel_package(client: TestClient, alice: Party) -> None:
    response = request(client, alice.headers, phone=MOBIFONE_PHONE)
    body = assert_problem(response, 422, "carrier_mismatch")
    assert "MobiFone" in body["detail"]
    assert "Viettel" in body["detail"]
    assert client.get("/v1/package-orders", headers=alice.headers).json()["items"] == []


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"phone": "02438256868"}, "invalid_phone"),
        ({"phone": "not a phone"}, "invalid_phone"),
        ({"product_code": "NOPE"}, "package_not_found"),
        ({"carrier": "BEELINE"}, "carrier_not_supported"),
    ],
)
def test_refused_requests_name_the_reason(
    client: TestClient, alice: Party, kwargs: dict[str, str], code: str
) -> None:
    assert_problem(request(client, alice.headers, **kwargs), 422, code)


def test_an_inactive_package_is_not_sold(
    client: TestClient, alice: Party, catalogue: list[dict[str, Any]]
) -> None:
    mp5x = next(p for p in catalogue if p["product_code"] == "MP5X")
    client.patch(
        f"/v1/packages/{mp5x['id']}", json={"active": False}, headers=alice.partner_headers
    )
    assert_problem(request(client, alice.headers), 422, "package_not_found")


def test_a_resend_waits_for_the_cool_down_and_replaces_the_code(
    client: TestClient,
    alice: Party,
    factory: sessionmaker[Session],
    settings: Settings,
    engine: Engine,
) -> None:
    order = ordered(client, alice.headers)
    old = last_code(factory, E164)
    early = client.post(f"/v1/package-orders/{order['id']}/resend", headers=alice.headers)
    body = assert_problem(early, 429, "otp_cooldown")
    assert 0 < body["retry_after"] <= 60
    with client_with(settings, engine, otp_resend_cooldown_seconds=0) as fast:
        resent = fast.post(f"/v1/package-orders/{order['id']}/resend", headers=alice.headers)
        assert resent.status_code == 200, resent.text
        new = last_code(factory, E164)
        assert len(outbox_texts(factory, E164)) == 2
        if new != old:  # one time in a million the same digits come again
            assert_problem(confirm(fast, alice.headers, order["id"], old), 422, "otp_wrong")
        assert confirm(fast, alice.headers, order["id"], new).status_code == 200


def test_a_new_request_for_the_same_phone_and_package_cancels_the_pending_one(
    settings: Settings, engine: Engine, alice: Party, factory: sessionmaker[Session]
) -> None:
    with client_with(settings, engine, otp_resend_cooldown_seconds=0) as client:
        first = ordered(client, alice.headers)
        first_code = last_code(factory, E164)
        second = ordered(client, alice.headers)
        shown = client.get(f"/v1/package-orders/{first['id']}", headers=alice.headers).json()
        assert shown["status"] == "cancelled"
        assert shown["failure"] == "superseded"
        assert_problem(
            confirm(client, alice.headers, first["id"], first_code), 409, "order_cancelled"
        )
        code = last_code(factory, E164)
        assert confirm(client, alice.headers, second["id"], code).status_code == 200
        again = request(client, alice.headers)
        assert_problem(again, 409, "package_already_active")


def test_per_phone_and_per_key_limits(
    settings: Settings, engine: Engine, alice: Party, bob: Party, client: TestClient
) -> None:
    client.post(
        "/v1/packages",
        json={
            "carrier": "VIETTEL",
            "product_code": "MP5X",
            "type": "COMBO",
            "price": "1",
            "validity_days": 1,
        },
        headers=bob.partner_headers,
    )
    with client_with(
        settings,
        engine,
        otp_resend_cooldown_seconds=0,
        otp_phone_limit_per_hour=2,
        otp_key_limit_per_minute=3,
    ) as limited:
        ordered(limited, alice.headers)
        ordered(limited, alice.headers, product_code="V200B")
        # The phone had its two codes this hour, whoever asks.
        body = assert_problem(request(limited, bob.headers), 429, "otp_phone_limit")
        assert 3500 < body["retry_after"] <= 3600
        ordered(
            limited, alice.headers, phone=MOBIFONE_PHONE, carrier="MOBIFONE", product_code="6C120"
        )
        # Alice's tenant key had three codes sent this minute.
        over = request(
            limited, alice.headers, phone="0912345678", carrier="VINAPHONE", product_code="D60G"
        )
        assert_problem(over, 429, "otp_key_limit")
        # Her partner's key has its own budget.
        ok = request(
            limited,
            alice.partner_headers,
            phone="0912345678",
            carrier="VINAPHONE",
            product_code="D60G",
        )
        assert ok.status_code == 201, ok.text


def test_sellers_see_their_own_orders_only(
    client: TestClient, alice: Party, bob: Party, factory: sessionmaker[Session]
) -> None:
    mine = ordered(client, alice.headers)
    partners = ordered(
        client,
        alice.partner_headers,
        phone=MOBIFONE_PHONE,
        carrier="MOBIFONE",
        product_code="6C120",
    )
    assert mine["tenant_id"] == alice.tenant_id
    assert partners["tenant_id"] is None
    tenant_view = client.get("/v1/package-orders", headers=alice.headers).json()["items"]
    assert [o["id"] for o in tenant_view] == [mine["id"]]
    partner_view = client.get("/v1/package-orders", headers=alice.partner_headers).json()["items"]
    assert [o["id"] for o in partner_view] == [partners["id"], mine["id"]]  # newest first
    assert client.get("/v1/package-orders", headers=bob.partner_headers).json()["items"] == []
    code = last_code(factory, E164)
    for path in (f"/v1/package-orders/{mine['id']}", f"/v1/package-orders/{partners['id']}"):
        assert_problem(client.get(path, headers=bob.headers), 404, "order_not_found")
    assert_problem(client.get(f"/v1/package-orders/{partners['id']}", headers=alice.headers), 404)
    stolen = confirm(client, bob.partner_headers, mine["id"], code)
    assert_problem(stolen, 404, "order_not_found")
    resent = client.post(f"/v1/package-orders/{mine['id']}/resend", headers=bob.headers)
    assert_problem(resent, 404, "order_not_found")
    after = client.get(f"/v1/package-orders/{mine['id']}", headers=alice.headers).json()
    assert after["status"] == "pending"
    assert after["attempts_left"] == 5


def test_list_filters_and_pages(
    client: TestClient, alice: Party, factory: sessionmaker[Session]
) -> None:
    first = ordered(client, alice.headers)
    ordered(client, alice.headers, phone=MOBIFONE_PHONE, carrier="MOBIFONE", product_code="6C120")
    confirm(client, alice.headers, first["id"], last_code(factory, E164))
    active = client.get("/v1/package-orders?status=active", headers=alice.headers).json()["items"]
    assert [o["id"] for o in active] == [first["id"]]
    by_phone = client.get(f"/v1/package-orders?phone={VIETTEL_PHONE}", headers=alice.headers).json()
    assert [o["id"] for o in by_phone["items"]] == [first["id"]]
    page = client.get("/v1/package-orders?limit=1", headers=alice.headers).json()
    assert len(page["items"]) == 1
    assert page["next_cursor"]
    rest = client.get(
        f"/v1/package-orders?limit=1&cursor={page['next_cursor']}", headers=alice.headers
    )
    assert [o["id"] for o in rest.json()["items"]] == [first["id"]]


@pytest.mark.parametrize(
    "body",
    [
        {"otp": "12345"},
        {"otp": "1234567"},
        {"otp": 123456},
        {"otp": "12345\x00"},
        {"otp": "١٢٣٤٥٦"},
        {},
        {"otp": "123456", "order_code": "x"},
        [],
    ],
)
def test_malformed_codes_are_refused_without_counting_a_try(
    safe: TestClient, alice: Party, body: Any
) -> None:
    order = ordered(safe, alice.headers)
    response = safe.post(
        f"/v1/package-orders/{order['id']}/confirm", json=body, headers=alice.headers
    )
    assert_problem(response, 422, "validation_failed")
    shown = safe.get(f"/v1/package-orders/{order['id']}", headers=alice.headers).json()
    assert shown["attempts_left"] == 5


@pytest.mark.parametrize(
    "body",
    [
        {"phone": 337880699, "carrier": "VIETTEL", "product_code": "MP5X"},
        {"phone": VIETTEL_PHONE, "carrier": "VIETTEL"},
        {"phone": VIETTEL_PHONE, "carrier": "VIETTEL", "product_code": ["MP5X"]},
        {"phone": VIETTEL_PHONE, "carrier": "VIET\x00TEL", "product_code": "MP5X"},
        {
            "phone": VIETTEL_PHONE,
            "carrier": "VIETTEL",
            "product_code": "MP5X",
            "utm_source": "a\x00",
        },
        {
            "phone": VIETTEL_PHONE,
            "carrier": "VIETTEL",
            "product_code": "MP5X",
            "utm_source": "x" * 256,
        },
        {"phone": VIETTEL_PHONE, "carrier": "VIETTEL", "product_code": "MP5X", "tenant_id": 2},
        None,
    ],
)
def test_bad_requests_are_4xx(safe: TestClient, alice: Party, body: Any) -> None:
    response = safe.post("/v1/package-orders", json=body, headers=alice.headers)
    assert_problem(response, 422)


def test_bad_paths_and_filters_are_4xx(safe: TestClient, alice: Party) -> None:
    for path in (
        "/v1/package-orders/99999999999999999999",
        "/v1/package-orders/-1",
        "/v1/package-orders?status=done",
        "/v1/package-orders?phone=%00",
        "/v1/package-orders?cursor=0",
        "/v1/package-orders?limit=100000",
    ):
        response = safe.get(path, headers=alice.headers)
        assert_handled(response)
        assert response.status_code == 422, (path, response.text)
    raw = safe.post(
        "/v1/package-orders",
        content=b'{"phone":',
        headers={**alice.headers, "Content-Type": "application/json"},
    )
    assert_problem(raw, 422, "validation_failed")
    assert_problem(safe.get("/v1/package-orders/9223372036854775807", headers=alice.headers), 404)
    assert_problem(safe.get("/v1/package-orders", headers={}), 401, "missing_api_key")
