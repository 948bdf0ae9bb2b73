"""eTelecom SMS Brandname: SendMessage and GetStatusOmni as documented; failures are HTTP
200 with a negative status, bad credentials HTTP 401; never problem+json, never a 500."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Party
from tests.dialects.etelecom_sms.conftest import sms_account
from tests.messaging.helpers import OTHER_NUMBER

SEND = "/api/OmniMessage/SendMessage"
STATUS = "/api/OmniReport/GetStatusOmni"


def send_body(account: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The documented body: 84… phone, route rule, template code and its parameters."""
    return {
        "username": account["username"],
        "password": account["password"],
        "phonenumber": "84337880699",
        "routerule": "3",
        "templatecode": "OTP_LOGIN",
        "list_param": {"name": "Lan", "otp": "123456"},
        **changes,
    }


def assert_error(response: Any, status: str, code: str) -> None:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"status": status, "code": code}


def assert_unauthorized(response: Any) -> None:
    assert response.status_code == 401
    assert response.text == "Unauthorized"


def test_send_then_read_the_status(client: TestClient, account: dict[str, Any]) -> None:
    response = client.post(SEND, json=send_body(account))
    assert response.status_code == 200, response.text
    sent = response.json()
    assert set(sent) == {"status", "code", "idOmniMess"}
    assert (sent["status"], sent["code"]) == ("1", "Success")
    assert re.fullmatch(r"ICOMNI[A-Z0-9]{30}", sent["idOmniMess"])

    got = client.post(
        STATUS,
        json={
            "username": account["username"],
            "password": account["password"],
            "idOmniMess": sent["idOmniMess"],
        },
    )
    assert got.status_code == 200, got.text
    status = got.json()
    assert set(status) >= {
        "phonenumber", "list_param", "createdatetime", "status", "channel", "templatecode",
        "errorCode", "mtcount", "telcoid",
    }  # fmt: skip
    assert status["phonenumber"] == "84337880699"
    assert json.loads(status["list_param"]) == {"name": "Lan", "otp": "123456"}
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d", status["createdatetime"])
    assert status["status"] == "SUCCESS"  # the outbox delivers at once
    assert (status["channel"], status["templatecode"]) == ("SMS", "OTP_LOGIN")
    assert status["errorCode"] == ""
    assert (status["mtcount"], status["telcoid"]) == (1, "viettel")


def test_the_message_spends_the_credentials_number_and_is_in_the_native_history(
    client: TestClient, alice: Party, account: dict[str, Any]
) -> None:
    client.post(SEND, json=send_body(account))
    packet = client.get(f"/v1/sms-packets/{account['packet']['id']}", headers=alice.headers)
    assert packet.json()["remaining"] == 9
    [message] = client.get("/v1/messages", headers=alice.headers).json()["items"]
    assert message["from"] == account["number"]
    assert message["text"] == "Ma dang nhap cua Lan la 123456"


@pytest.mark.parametrize("rule", ["3", 3, "1,3", [1, 3], ["2", "3"], " 2 , 3 "])
def test_route_rules_fall_through_to_sms(
    client: TestClient, account: dict[str, Any], rule: Any
) -> None:
    response = client.post(SEND, json=send_body(account, routerule=rule))
    assert response.json()["status"] == "1", response.text


def test_numbers_in_list_param_are_taken_as_text(
    client: TestClient, account: dict[str, Any]
) -> None:
    response = client.post(SEND, json=send_body(account, list_param={"name": "Lan", "otp": 123456}))
    assert response.json()["status"] == "1", response.text


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        ({"phonenumber": "123"}, "-1", "PhoneNumber Wrong Format"),
        ({"phonenumber": "842438256868"}, "-1", "PhoneNumber Wrong Format"),
        ({"phonenumber": 84337880699}, "-1", "PhoneNumber Wrong Format"),
        ({"phonenumber": None}, "-1", "PhoneNumber Wrong Format"),
        ({"list_param": {"name": "Lan"}}, "-2", "Wrong Format Parameter: otp"),
        ({"list_param": {"name": "Lan", "otp": "1", "x": "2"}}, "-2", "Wrong Format Parameter: x"),
        ({"list_param": {"name": "L\nan", "otp": "1"}}, "-2", "Wrong Format Parameter: name"),
        ({"list_param": "name=Lan"}, "-2", "Wrong Format Parameter: list_param"),
        ({"list_param": {"name": ["Lan"], "otp": "1"}}, "-2", "Wrong Format Parameter: list_param"),
        ({"templatecode": "NOPE"}, "-6", "Can't find template with templatecode: NOPE"),
        ({"templatecode": None}, "-2", "Wrong Format Parameter: templatecode"),
        ({"routerule": "1"}, "-8", "Can't find any routing for this request"),
        ({"routerule": "1,2"}, "-8", "Can't find any routing for this request"),
        ({"routerule": "3,7"}, "-9", "Can't find any information about channel: 7"),
        ({"routerule": {"a": 1}}, "-2", "Wrong Format Parameter: routerule"),
    ],
)
def test_documented_errors_come_on_http_200(
    safe: TestClient, account: dict[str, Any], changes: dict[str, Any], status: str, code: str
) -> None:
    assert_error(safe.post(SEND, json=send_body(account, **changes)), status, code)


def test_running_out_of_messages_is_minus_three(
    client: TestClient, account: dict[str, Any]
) -> None:
    for _ in range(10):
        assert client.post(SEND, json=send_body(account)).json()["status"] == "1"
    assert_error(client.post(SEND, json=send_body(account)), "-3", "You have run out of messages")


@pytest.mark.parametrize(
    "changes",
    [
        {"password": "wrong"},
        {"username": "nobody"},
        {"username": None},
        {"password": 12345},
        {"username": "", "password": ""},
        {"username": "x" * 10_000},
        {"username": "sms\x00abcdefghi"},
        {"password": "\x00"},
        {"username": ["sms"]},
    ],
)
def test_bad_credentials_are_401_whatever_the_rest_says(
    safe: TestClient, account: dict[str, Any], changes: dict[str, Any]
) -> None:
    assert_unauthorized(safe.post(SEND, json=send_body(account, **changes, phonenumber="x")))
    assert_unauthorized(safe.post(STATUS, json={**changes, "idOmniMess": "ICOMNI"}))


def test_missing_credentials_are_401(safe: TestClient, account: dict[str, Any]) -> None:
    body = send_body(account)
    del body["username"], body["password"]
    assert_unauthorized(safe.post(SEND, json=body))


def test_revoked_credentials_are_401(
    client: TestClient, alice: Party, account: dict[str, Any]
) -> None:
    client.delete(f"/v1/sms-credentials/{account['id']}", headers=alice.headers)
    assert_unauthorized(client.post(SEND, json=send_body(account)))


@pytest.mark.parametrize("content", [b"{", b"[]", b'"text"', b""])
def test_malformed_bodies_are_minus_two(safe: TestClient, content: bytes) -> None:
    for path in (SEND, STATUS):
        response = safe.post(path, content=content, headers={"Content-Type": "application/json"})
        assert_error(response, "-2", "Wrong Format Parameter: body")


def test_another_tenants_message_cannot_be_read(
    client: TestClient, alice: Party, bob: Party, account: dict[str, Any]
) -> None:
    sent = client.post(SEND, json=send_body(account)).json()["idOmniMess"]
    bobs = sms_account(client, bob, number=OTHER_NUMBER)
    for id_omni_mess in (sent, "ICOMNI" + "A" * 30, "ICOMNI", sent[6:], "x" * 64):
        response = client.post(
            STATUS,
            json={
                "username": bobs["username"],
                "password": bobs["password"],
                "idOmniMess": id_omni_mess,
            },
        )
        assert_error(response, "-4", "Can't find message with this idOmniMess")


def test_status_request_validation(safe: TestClient, account: dict[str, Any]) -> None:
    creds = {"username": account["username"], "password": account["password"]}
    assert_error(safe.post(STATUS, json=creds), "-2", "Wrong Format Parameter: idOmniMess")
    bad = safe.post(STATUS, json={**creds, "idOmniMess": 123})
    assert_error(bad, "-2", "Wrong Format Parameter: idOmniMess")
    nul = safe.post(STATUS, json={**creds, "idOmniMess": "ICOMNI\x00"})
    assert_error(nul, "-2", "Wrong Format Parameter: idOmniMess")


def test_a_number_no_longer_owned_has_no_route(
    client: TestClient, alice: Party, account: dict[str, Any]
) -> None:
    released = client.delete(f"/v1/numbers/{account['number']}", headers=alice.headers)
    assert released.status_code in (200, 204), released.text
    assert_error(
        client.post(SEND, json=send_body(account)), "-8", "Can't find any routing for this request"
    )
