"""/v1/sms-credentials: the username and password the SMS faces take in their bodies."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Party
from tests.messaging.helpers import NUMBER, OTHER_NUMBER
from tests.problems import assert_problem
from vpbx.db import transaction
from vpbx.errors import Unauthenticated
from vpbx.messaging.credentials import SmsCredentialService
from vpbx.models import AuditEvent, SmsCredential


def _create(client: TestClient, party: Party, **body: Any) -> Any:
    return client.post(
        "/v1/sms-credentials", json={"number": NUMBER, **body}, headers=party.headers
    )


def test_the_password_is_shown_once_and_kept_hashed(
    client: TestClient, alice: Party, owned: str, factory: sessionmaker[Session]
) -> None:
    response = _create(client, alice, name="CRM")
    assert response.status_code == 201, response.text
    issued = response.json()
    assert issued["number"] == NUMBER
    assert issued["name"] == "CRM"
    assert len(issued["password"]) >= 40
    listed = client.get("/v1/sms-credentials", headers=alice.headers).json()["items"]
    assert listed == [{k: v for k, v in issued.items() if k != "password"}]
    with factory() as session:
        stored = session.scalars(select(SmsCredential)).one()
        trail = session.scalars(select(AuditEvent.after)).all()
    assert issued["password"] not in stored.password_hash
    assert all(issued["password"] not in str(after) for after in trail)
    with transaction(factory) as session:
        login = SmsCredentialService(session).authenticate(issued["username"], issued["password"])
    assert login.principal.tenant_id == alice.tenant_id


def test_wrong_or_revoked_credentials_do_not_log_in(
    client: TestClient, alice: Party, owned: str, factory: sessionmaker[Session]
) -> None:
    issued = _create(client, alice).json()
    for username, password in [
        (issued["username"], issued["password"] + "x"),
        ("nobody", issued["password"]),
        ("", ""),
    ]:
        with transaction(factory) as session, pytest.raises(Unauthenticated) as caught:
            SmsCredentialService(session).authenticate(username, password)
        assert caught.value.code == "invalid_credentials"
    revoke = client.delete(f"/v1/sms-credentials/{issued['id']}", headers=alice.headers)
    assert revoke.status_code == 204
    assert client.get("/v1/sms-credentials", headers=alice.headers).json()["items"] == []
    with transaction(factory) as session, pytest.raises(Unauthenticated):
        SmsCredentialService(session).authenticate(issued["username"], issued["password"])


def test_credentials_are_the_tenants_own(
    client: TestClient, alice: Party, bob: Party, owned: str
) -> None:
    issued = _create(client, alice).json()
    assert_problem(_create(client, bob), 422, "number_not_found")
    gone = client.delete(f"/v1/sms-credentials/{issued['id']}", headers=bob.headers)
    assert_problem(gone, 404, "credential_not_found")
    assert client.get("/v1/sms-credentials", headers=bob.headers).json()["items"] == []
    assert len(client.get("/v1/sms-credentials", headers=alice.headers).json()["items"]) == 1
    assert_problem(_create(client, alice, number=OTHER_NUMBER), 422, "number_not_found")


def test_bad_input_is_4xx(safe: TestClient, alice: Party, owned: str) -> None:
    for body in ({}, {"number": NUMBER, "password": "mine"}, {"number": NUMBER, "name": "\x00"}):
        assert_problem(safe.post("/v1/sms-credentials", json=body, headers=alice.headers), 422)
    huge = safe.delete("/v1/sms-credentials/99999999999999999999", headers=alice.headers)
    assert_problem(huge, 422)
