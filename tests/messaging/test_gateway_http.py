"""The HTTP SMS gateway against a real HTTP server, and its delivery reports."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.conftest import Party
from tests.messaging.helpers import NUMBER, send
from tests.packages.fake_http import Reply, closed_port_url, fake_server
from tests.packages.helpers import client_with
from tests.problems import assert_problem
from vpbx.config import Settings
from vpbx.messaging.gateway import HttpGateway, OutgoingSms

SMS = OutgoingSms("ABC123", "+84987776868", "+84337880699", "Xin chào", 1)


def _gateway(url: str, **kwargs: Any) -> HttpGateway:
    return HttpGateway(url + "/send", callback_url=lambda ref: f"http://vpbx/cb/{ref}", **kwargs)


def test_a_message_is_posted_with_its_callback_and_idempotency_key() -> None:
    with fake_server(lambda _: Reply(202, {"id": "gw-1"})) as gateway:
        submission = _gateway(gateway.url, token="t0k").submit(SMS)
        [seen] = gateway.seen
    assert (submission.status, submission.gateway_ref) == ("sent", "gw-1")
    assert seen.path == "/send"
    assert seen.headers["idempotency-key"] == "ABC123"
    assert seen.headers["authorization"] == "Bearer t0k"
    assert seen.body == {
        "id": "ABC123",
        "from": "+84987776868",
        "to": "+84337880699",
        "text": "Xin chào",
        "parts": 1,
        "callback_url": "http://vpbx/cb/ABC123",
    }


def test_a_refusal_fails_the_message_with_the_gateways_reason() -> None:
    with fake_server(lambda _: Reply(400, {"message": "blocked sender"})) as gateway:
        submission = _gateway(gateway.url, retries=3).submit(SMS)
        assert len(gateway.seen) == 1
    assert submission.status == "failed"
    assert submission.error is not None
    assert "blocked sender" in submission.error


def test_an_overloaded_gateway_is_asked_again() -> None:
    replies = iter([Reply(503), Reply(200, {"id": "gw-2"})])
    with fake_server(lambda _: next(replies)) as gateway:
        submission = _gateway(gateway.url, retries=2).submit(SMS)
        assert len(gateway.seen) == 2
        assert {s.headers["idempotency-key"] for s in gateway.seen} == {"ABC123"}
    assert submission.gateway_ref == "gw-2"


def test_a_slow_gateway_is_not_asked_twice() -> None:
    with fake_server(lambda _: Reply(200, {"id": "late"}, delay_s=1.0)) as gateway:
        submission = _gateway(gateway.url, retries=3, timeout_s=0.3).submit(SMS)
        assert len(gateway.seen) == 1
    assert submission.status == "failed"


def test_an_unreachable_gateway_fails_the_message() -> None:
    submission = _gateway(closed_port_url(), retries=1, timeout_s=1).submit(SMS)
    assert submission.status == "failed"
    assert submission.error is not None
    assert "unreachable" in submission.error


def test_sending_through_the_gateway_then_its_delivery_report(
    settings: Settings, engine: Engine, alice: Party, packet: dict[str, Any]
) -> None:
    with (
        fake_server(lambda _: Reply(200, {"id": "gw-9"})) as gateway,
        client_with(settings, engine, sms_gateway="http", sms_gateway_url=gateway.url) as client,
    ):
        message = send(client, alice).json()
        assert message["status"] == "sent"
        assert message["delivered_at"] is None
        callback = urlsplit(gateway.seen[0].body["callback_url"])
        assert callback.path == f"/v1/sms/delivery-reports/{message['ref']}"
        report = f"{callback.path}?{callback.query}"
        delivered = client.post(report, json={"status": "delivered"})
        assert delivered.status_code == 200, delivered.text
        assert delivered.json()["status"] == "delivered"
        # A retried or late report changes nothing.
        late = client.post(report, json={"status": "failed", "error": "expired"})
        assert late.json()["status"] == "delivered"
        shown = client.get(f"/v1/messages/{message['id']}", headers=alice.headers).json()
        assert shown["status"] == "delivered"
        assert shown["delivered_at"] is not None


def test_a_failed_delivery_is_reported_and_keeps_the_charge(
    settings: Settings, engine: Engine, alice: Party, packet: dict[str, Any]
) -> None:
    with (
        fake_server(lambda _: Reply(200, {"id": "gw-9"})) as gateway,
        client_with(settings, engine, sms_gateway="http", sms_gateway_url=gateway.url) as client,
    ):
        send(client, alice).json()
        callback = urlsplit(gateway.seen[0].body["callback_url"])
        failed = client.post(
            f"{callback.path}?{callback.query}", json={"status": "failed", "error": "absent"}
        )
        assert (failed.json()["status"], failed.json()["error"]) == ("failed", "absent")
        remaining = client.get(f"/v1/sms-packets/{packet['id']}", headers=alice.headers)
        assert remaining.json()["remaining"] == 9  # it reached the network: it counts


def test_a_message_that_never_left_gets_its_quota_back(
    settings: Settings, engine: Engine, alice: Party, packet: dict[str, Any]
) -> None:
    with client_with(
        settings,
        engine,
        sms_gateway="http",
        sms_gateway_url=closed_port_url(),
        sms_gateway_retries=0,
    ) as client:
        response = send(client, alice)
        assert response.status_code == 201
        message = response.json()
        assert message["status"] == "failed"
        assert "unreachable" in message["error"]
        assert message["failed_at"] is not None
        remaining = client.get(f"/v1/sms-packets/{packet['id']}", headers=alice.headers)
        assert remaining.json()["remaining"] == 10


def test_reports_must_carry_the_messages_token(
    safe: TestClient, alice: Party, packet: dict[str, Any]
) -> None:
    message = send(safe, alice).json()
    path = f"/v1/sms/delivery-reports/{message['ref']}"
    assert_problem(safe.post(f"{path}?token=00ff", json={"status": "failed"}), 401)
    assert_problem(safe.post(path, json={"status": "failed"}), 422)
    other = safe.post("/v1/sms/delivery-reports/NOSUCHREF?token=00", json={"status": "delivered"})
    assert_problem(other, 401)
    bad = safe.post(f"{path}?token=zz", json={"status": "delivered"})
    assert_problem(bad, 422)
    assert_problem(safe.post(f"{path}?token=00", json={"status": "lost"}), 422)
    assert safe.get(f"/v1/messages/{message['id']}", headers=alice.headers).json() == message
    assert message["from"] == NUMBER
