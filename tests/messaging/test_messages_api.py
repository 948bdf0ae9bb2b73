"""/v1/messages: sending from an owned number spends its packet; status and history."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Party
from tests.messaging.helpers import NUMBER, OTHER_NUMBER, buy_packet, own, send
from tests.problems import assert_handled, assert_problem
from vpbx.models import AuditEvent, SmsOutboxEntry


def _remaining(client: TestClient, party: Party, packet: dict[str, Any]) -> int:
    response = client.get(f"/v1/sms-packets/{packet['id']}", headers=party.headers)
    remaining: int = response.json()["remaining"]
    return remaining


def test_a_text_goes_out_and_spends_one_message(
    client: TestClient, alice: Party, packet: dict[str, Any], factory: sessionmaker[Session]
) -> None:
    response = send(client, alice, text="Xin chào")
    assert response.status_code == 201, response.text
    message = response.json()
    assert message["from"] == NUMBER
    assert message["to"] == "+84337880699"
    assert message["status"] == "delivered"
    assert message["parts"] == 1
    assert message["packet_id"] == packet["id"]
    assert message["channel"] == "SMS"
    for stamp in ("created_at", "sent_at", "delivered_at"):
        assert message[stamp].endswith("Z")
    assert message["failed_at"] is None
    assert _remaining(client, alice, packet) == 9
    with factory() as session:
        [kept] = session.scalars(select(SmsOutboxEntry)).all()
        audited = session.scalars(select(AuditEvent.action)).all()
    assert (kept.sender, kept.recipient, kept.text) == (NUMBER, "+84337880699", "Xin chào")
    assert "sms.send" in audited
    assert client.get(f"/v1/messages/{message['id']}", headers=alice.headers).json() == message


def test_a_long_text_spends_one_message_per_part(
    client: TestClient, alice: Party, packet: dict[str, Any]
) -> None:
    message = send(client, alice, text="Cảm ơn bạn! " * 10).json()  # 120 UCS-2 characters
    assert message["parts"] == 2
    assert _remaining(client, alice, packet) == 8


def test_an_empty_packet_is_a_clear_error(
    client: TestClient, alice: Party, packet: dict[str, Any]
) -> None:
    for _ in range(10):
        assert send(client, alice).status_code == 201
    body = assert_problem(send(client, alice), 409, "sms_quota_exhausted")
    assert "fewer than 1" in body["detail"]
    assert _remaining(client, alice, packet) == 0
    listed = client.get("/v1/messages?limit=50", headers=alice.headers).json()["items"]
    assert len(listed) == 10  # the refused one left no record


def test_no_packet_at_all_says_so(client: TestClient, alice: Party, owned: str) -> None:
    assert_problem(send(client, alice), 409, "no_sms_packet")


def test_a_template_with_parameters(
    client: TestClient, alice: Party, packet: dict[str, Any]
) -> None:
    created = client.post(
        "/v1/sms-templates",
        json={"code": "OTP", "name": "Mã xác thực", "body": "Ma xac thuc cua {name}: {otp}"},
        headers=alice.headers,
    )
    assert created.status_code == 201, created.text
    assert created.json()["params"] == ["name", "otp"]
    message = send(client, alice, text=None, template="OTP", params={"name": "Lan", "otp": "4321"})
    assert message.status_code == 201, message.text
    body = message.json()
    assert body["text"] == "Ma xac thuc cua Lan: 4321"
    assert (body["template"], body["params"]) == ("OTP", {"name": "Lan", "otp": "4321"})
    missing = send(client, alice, text=None, template="OTP", params={"name": "Lan"})
    assert assert_problem(missing, 422, "template_param_missing")["field"] == "otp"
    unknown = send(client, alice, text=None, template="NOPE")
    assert_problem(unknown, 422, "template_not_found")
    assert _remaining(client, alice, packet) == 9


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"to": "02438256868"}, "invalid_recipient"),  # a fixed line takes no SMS
        ({"to": "hello"}, "invalid_recipient"),
        ({"from": "+84912345678"}, "number_not_found"),
        ({"text": "   "}, "empty_text"),
        ({"text": "a\x1bb"}, "invalid_text"),
        ({"text": "a" * 1531}, "text_too_long"),
        ({"text": "hi", "template": "OTP"}, "validation_failed"),
        ({"text": None}, "validation_failed"),
        ({"text": "hi", "params": {"a": "b"}}, "validation_failed"),
        ({"text": "a\x00"}, "validation_failed"),
        ({"to": 84337880699}, "validation_failed"),
        ({"sender": NUMBER}, "validation_failed"),
    ],
)
def test_refused_sends_change_nothing(
    safe: TestClient, alice: Party, packet: dict[str, Any], fields: dict[str, Any], code: str
) -> None:
    response = send(safe, alice, **fields)
    assert_problem(response, 422, code)
    assert _remaining(safe, alice, packet) == 10
    assert safe.get("/v1/messages", headers=alice.headers).json()["items"] == []


def test_messages_are_the_tenants_own(
    client: TestClient, alice: Party, bob: Party, packet: dict[str, Any]
) -> None:
    message = send(client, alice).json()
    assert_problem(client.get(f"/v1/messages/{message['id']}", headers=bob.headers), 404)
    assert client.get("/v1/messages", headers=bob.headers).json()["items"] == []
    assert_problem(
        client.get(f"/v1/messages/{message['id']}", headers=alice.partner_headers),
        422,
        "tenant_required",
    )
    acting = client.get(f"/v1/messages/{message['id']}", headers=alice.acting())
    assert acting.json() == message


def test_history_is_newest_first_with_filters(
    client: TestClient, alice: Party, packet: dict[str, Any]
) -> None:
    ids = [send(client, alice, text=f"tin {i}").json()["id"] for i in range(3)]
    page = client.get("/v1/messages?limit=2", headers=alice.headers).json()
    assert [m["id"] for m in page["items"]] == ids[:0:-1]
    rest = client.get(f"/v1/messages?limit=2&cursor={page['next_cursor']}", headers=alice.headers)
    assert [m["id"] for m in rest.json()["items"]] == [ids[0]]
    assert rest.json()["next_cursor"] is None
    delivered = client.get(f"/v1/messages?status=delivered&number={NUMBER}", headers=alice.headers)
    assert len(delivered.json()["items"]) == 3
    assert client.get("/v1/messages?status=failed", headers=alice.headers).json()["items"] == []


def test_bad_paths_and_filters_are_4xx(safe: TestClient, alice: Party, owned: str) -> None:
    for path in (
        "/v1/messages/99999999999999999999",
        "/v1/messages?status=lost",
        "/v1/messages?number=%00",
        "/v1/messages?number=12",
        "/v1/messages?cursor=-5",
    ):
        response = safe.get(path, headers=alice.headers)
        assert_handled(response)
        assert response.status_code == 422, (path, response.text)
    raw = safe.post(
        "/v1/messages", content=b"{", headers={**alice.headers, "Content-Type": "application/json"}
    )
    assert_problem(raw, 422, "validation_failed")
    assert_problem(safe.get("/v1/messages/9223372036854775807", headers=alice.headers), 404)


def test_packets_of_one_number_do_not_pay_for_another(
    client: TestClient, alice: Party, packet: dict[str, Any]
) -> None:
    own(client, alice, OTHER_NUMBER)
    assert_problem(send(client, alice, **{"from": OTHER_NUMBER}), 409, "no_sms_packet")
    buy_packet(client, alice, number=OTHER_NUMBER)
    assert send(client, alice, **{"from": OTHER_NUMBER}).status_code == 201
    assert _remaining(client, alice, packet) == 10
