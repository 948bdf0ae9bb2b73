"""The HTTP carrier connector, against a real HTTP server the test starts."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Party
from tests.packages.fake_http import Reply, Seen, closed_port_url, fake_server
from tests.packages.helpers import client_with, confirm, ordered, request
from tests.problems import assert_problem
from vpbx.config import Settings
from vpbx.errors import Conflict, Unavailable
from vpbx.packages.connector import CarrierStatus, HttpConnector, Ticket, Verdict

TICKET = Ticket("DG20231113172059456724", "VIETTEL", "MP5X", "+84337880699", telco_trans_id="77")


def test_a_code_request_posts_the_order_and_returns_the_carriers_transaction() -> None:
    with fake_server(lambda _: Reply(200, {"trans_id": "102996904"})) as carrier:
        connector = HttpConnector(carrier.url + "/", token="s3cret", timeout_s=2)
        issued = connector.request_code(TICKET)
    assert issued.telco_trans_id == "102996904"
    assert issued.otp_hash is None
    [seen] = carrier.seen
    assert (seen.method, seen.path) == ("POST", "/otp/request")
    assert seen.headers["authorization"] == "Bearer s3cret"
    assert seen.body == {
        "order_code": TICKET.order_code,
        "carrier": "VIETTEL",
        "product_code": "MP5X",
        "phone": "+84337880699",
        "trans_id": "77",
    }


def test_a_carrier_refusal_is_a_clear_conflict_and_not_retried() -> None:
    reply = Reply(400, {"code": "subscriber_blocked", "message": "Thuê bao bị chặn"})
    with fake_server(lambda _: reply) as carrier:
        with pytest.raises(Conflict) as caught:
            HttpConnector(carrier.url, retries=3).request_code(TICKET)
        assert len(carrier.seen) == 1
    assert caught.value.code == "carrier_refused"
    assert "Thuê bao bị chặn" in caught.value.message


def test_a_failing_carrier_is_unavailable_and_a_post_is_not_repeated() -> None:
    with fake_server(lambda _: Reply(500, {"message": "boom"})) as carrier:
        with pytest.raises(Unavailable) as caught:
            HttpConnector(carrier.url, retries=3).request_code(TICKET)
        assert len(carrier.seen) == 1  # a POST that reached the carrier may have acted
    assert caught.value.code == "carrier_unavailable"


def test_an_unreachable_carrier_is_retried_then_unavailable() -> None:
    connector = HttpConnector(closed_port_url(), retries=2, timeout_s=1)
    started = time.monotonic()
    with pytest.raises(Unavailable) as caught:
        connector.request_code(TICKET)
    assert "unreachable" in caught.value.message
    assert time.monotonic() - started >= 0.2 + 0.4  # two back-offs: three attempts


def test_a_slow_carrier_times_out_without_a_second_post() -> None:
    with fake_server(lambda _: Reply(200, {"trans_id": "1"}, delay_s=1.0)) as carrier:
        with pytest.raises(Unavailable):
            HttpConnector(carrier.url, retries=3, timeout_s=0.3).request_code(TICKET)
        assert [s.path for s in carrier.seen] == ["/otp/request"]


@pytest.mark.parametrize(
    ("reply", "verdict"),
    [
        (Reply(200, {"status": "active"}), Verdict.ACCEPTED),
        (Reply(400, {"code": "wrong_otp"}), Verdict.WRONG),
        (Reply(400, {"code": "otp_expired"}), Verdict.EXPIRED),
        (Reply(409, {"code": "already_registered", "message": "đã đăng ký"}), Verdict.REFUSED),
    ],
)
def test_confirmation_verdicts(reply: Reply, verdict: Verdict) -> None:
    with fake_server(lambda _: reply) as carrier:
        outcome = HttpConnector(carrier.url).confirm(TICKET, "246595")
        assert carrier.seen[0].body["otp"] == "246595"
    assert outcome.verdict is verdict


def test_a_lost_confirmation_answer_is_settled_by_asking_the_status() -> None:
    def carrier_side(seen: Seen) -> Reply:
        if seen.path == "/otp/confirm":
            return Reply(200, {"status": "active"}, delay_s=1.0)  # activates, answers late
        return Reply(200, {"status": "active"})

    with fake_server(carrier_side) as carrier:
        outcome = HttpConnector(carrier.url, timeout_s=0.3).confirm(TICKET, "246595")
        assert carrier.paths() == ["POST /otp/confirm", "GET /transactions/77"]
    assert outcome.verdict is Verdict.ACCEPTED


def test_a_status_read_is_retried_on_server_errors() -> None:
    answers = iter([Reply(503), Reply(502), Reply(200, {"status": "pending"})])
    with fake_server(lambda _: next(answers)) as carrier:
        status = HttpConnector(carrier.url, retries=2).status(TICKET)
        assert carrier.paths() == ["GET /transactions/77"] * 3
    assert status is CarrierStatus.PENDING


def test_orders_through_the_http_connector(
    settings: Settings,
    engine: Engine,
    alice: Party,
    catalogue: list[object],
    factory: sessionmaker[Session],
) -> None:
    """The carrier issues and checks codes; vpbx still counts wrong ones and stops at five."""
    right = "135790"

    def carrier_side(seen: Seen) -> Reply:
        if seen.path == "/otp/request":
            return Reply(200, {"trans_id": "555"})
        if seen.body["otp"] == right:
            return Reply(200, {"status": "active"})
        return Reply(400, {"code": "wrong_otp"})

    with (
        fake_server(carrier_side) as carrier,
        client_with(
            settings,
            engine,
            carrier_connector="http",
            carrier_url=carrier.url,
            otp_resend_cooldown_seconds=0,
        ) as client,
    ):
        order = ordered(client, alice.headers)
        assert order["telco_trans_id"] == "555"
        assert_problem(confirm(client, alice.headers, order["id"], "000000"), 422, "otp_wrong")
        done = confirm(client, alice.headers, order["id"], right)
        assert done.status_code == 200
        assert done.json()["status"] == "active"
        # Confirming again is answered from vpbx's record, without the carrier.
        calls = len(carrier.seen)
        assert confirm(client, alice.headers, order["id"], right).json() == done.json()
        assert len(carrier.seen) == calls

        second = ordered(client, alice.headers, product_code="V200B")
        for _ in range(5):
            confirm(client, alice.headers, second["id"], "000000")
        assert_problem(confirm(client, alice.headers, second["id"], right), 409, "order_failed")
        assert carrier.paths().count("POST /otp/confirm") == 2 + 5


def test_an_unreachable_carrier_refuses_the_order_cleanly(
    settings: Settings, engine: Engine, alice: Party, catalogue: list[object]
) -> None:
    with client_with(
        settings, engine, carrier_connector="http", carrier_url=closed_port_url(), carrier_retries=0
    ) as client:
        assert_problem(request(client, alice.headers), 503, "carrier_unavailable")
        assert client.get("/v1/package-orders", headers=alice.headers).json()["items"] == []
