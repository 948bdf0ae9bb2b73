"""/v1/sms-templates: a tenant's texts with named parameters, reviewed when required."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Party
from tests.messaging.helpers import send
from tests.packages.helpers import client_with
from tests.problems import assert_handled, assert_problem
from vpbx.config import Settings
from vpbx.db import transaction
from vpbx.errors import Invalid, NotFound
from vpbx.messaging.templates import TemplateService

BODY = {"code": "WELCOME", "name": "Chào mừng", "body": "Chào {name}, mã của bạn là {code}"}


def test_create_read_update_delete(client: TestClient, alice: Party) -> None:
    created = client.post("/v1/sms-templates", json=BODY, headers=alice.headers)
    assert created.status_code == 201, created.text
    template = created.json()
    assert template["params"] == ["name", "code"]
    assert template["status"] == "approved"
    path = f"/v1/sms-templates/{template['id']}"
    assert client.get(path, headers=alice.headers).json() == template
    changed = client.patch(path, json={"body": "Hi {name}"}, headers=alice.headers).json()
    assert changed["params"] == ["name"]
    assert changed["code"] == "WELCOME"
    listed = client.get("/v1/sms-templates", headers=alice.headers).json()["items"]
    assert [t["id"] for t in listed] == [template["id"]]
    assert client.delete(path, headers=alice.headers).status_code == 204
    assert_problem(client.get(path, headers=alice.headers), 404, "template_not_found")


def test_codes_are_unique_per_tenant(client: TestClient, alice: Party, bob: Party) -> None:
    assert client.post("/v1/sms-templates", json=BODY, headers=alice.headers).status_code == 201
    again = client.post("/v1/sms-templates", json=BODY, headers=alice.headers)
    assert_problem(again, 409, "template_exists")
    assert client.post("/v1/sms-templates", json=BODY, headers=bob.headers).status_code == 201


def test_another_tenants_template_is_not_found_and_unchanged(
    client: TestClient, alice: Party, bob: Party
) -> None:
    template = client.post("/v1/sms-templates", json=BODY, headers=alice.headers).json()
    path = f"/v1/sms-templates/{template['id']}"
    assert_problem(client.get(path, headers=bob.headers), 404)
    assert_problem(client.patch(path, json={"name": "x"}, headers=bob.headers), 404)
    assert_problem(client.delete(path, headers=bob.headers), 404)
    assert client.get(path, headers=alice.headers).json() == template


def test_templates_wait_for_approval_when_the_instance_says_so(
    settings: Settings,
    engine: Engine,
    alice: Party,
    packet: dict[str, Any],
    factory: sessionmaker[Session],
) -> None:
    with client_with(settings, engine, sms_templates_need_approval=True) as client:
        template = client.post("/v1/sms-templates", json=BODY, headers=alice.headers).json()
        assert template["status"] == "pending"
        params = {"name": "Lan", "code": "1"}
        refused = send(client, alice, text=None, template="WELCOME", params=params)
        assert_problem(refused, 422, "template_not_approved")
        with transaction(factory) as session:
            TemplateService(session, settings).review(template["id"], "approved")
        sent = send(client, alice, text=None, template="WELCOME", params=params)
        assert sent.status_code == 201, sent.text
        # A new text goes back to review.
        path = f"/v1/sms-templates/{template['id']}"
        edited = client.patch(path, json={"body": "Chào {name}"}, headers=alice.headers).json()
        assert edited["status"] == "pending"


def test_reviews_take_only_approve_or_reject(
    factory: sessionmaker[Session], settings: Settings
) -> None:
    with transaction(factory) as session:
        service = TemplateService(session, settings)
        with pytest.raises(NotFound):
            service.review(12345, "approved")
        with pytest.raises(Invalid):
            service.review(1, "maybe")


@pytest.mark.parametrize(
    "body",
    [
        {**BODY, "code": "bad code"},
        {**BODY, "code": ""},
        {**BODY, "body": ""},
        {**BODY, "body": "   "},
        {**BODY, "body": "a\x00b"},
        {**BODY, "body": "a\x07b"},
        {**BODY, "body": "x" * 2001},
        {**BODY, "body": " ".join(f"{{p{i}}}" for i in range(21))},
        {**BODY, "name": "a\nb"},
        {**BODY, "status": "approved"},
        {"code": "X"},
        [],
    ],
)
def test_bad_templates_are_4xx(safe: TestClient, alice: Party, body: Any) -> None:
    response = safe.post("/v1/sms-templates", json=body, headers=alice.headers)
    assert_problem(response, 422)


def test_bad_paths_are_4xx(safe: TestClient, alice: Party) -> None:
    for path in ("/v1/sms-templates/99999999999999999999", "/v1/sms-templates/abc"):
        response = safe.get(path, headers=alice.headers)
        assert_handled(response)
        assert response.status_code == 422
