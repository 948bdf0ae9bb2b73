"""GET and PATCH /v1/pbx: SIP domain, outbound proxy, extension length."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Party
from tests.pbx.helpers import (
    assert_problem,
    error_fields,
    ha1,
    ha1b,
    new_extension,
    stored_extension,
)
from vpbx.config import Settings


def pbx(client: TestClient, party: Party) -> dict[str, Any]:
    response = client.get("/v1/pbx", headers=party.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def patch(client: TestClient, party: Party, body: Any) -> Any:
    return client.patch("/v1/pbx", json=body, headers=party.headers)


def test_defaults(client: TestClient, alice: Party, settings: Settings) -> None:
    body = pbx(client, alice)
    assert set(body) == {"sip_domain", "outbound_proxy", "extension_length"}
    assert re.fullmatch(r"alice-tenant-[0-9a-f]{6}\.vpbx\.local", body["sip_domain"]), body
    assert body["outbound_proxy"] == settings.outbound_proxy
    assert body["extension_length"] == 3


def test_needs_a_key(client: TestClient) -> None:
    assert_problem(client.get("/v1/pbx"), 401, "missing_api_key")
    assert_problem(client.patch("/v1/pbx", json={}), 401, "missing_api_key")


def test_empty_patch_changes_nothing(client: TestClient, alice: Party) -> None:
    before = pbx(client, alice)
    response = patch(client, alice, {})
    assert response.status_code == 200, response.text
    assert response.json() == before == pbx(client, alice)


# --- sip_domain -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "stored"),
    [("acme.vpbx.local", "acme.vpbx.local"), ("  Acme.VPBX.Local. ", "acme.vpbx.local")],
)
def test_rename_domain_is_normalised(
    client: TestClient, alice: Party, given: str, stored: str
) -> None:
    response = patch(client, alice, {"sip_domain": given})
    assert response.status_code == 200, response.text
    assert response.json()["sip_domain"] == stored
    assert pbx(client, alice)["sip_domain"] == stored
    ext = new_extension(client, alice)
    assert ext["sip"]["domain"] == stored


@pytest.mark.parametrize(
    "given",
    [
        "",
        "localhost",
        "acme..vpbx.local",
        "-acme.vpbx.local",
        "acme_1.vpbx.local",
        "ác.vpbx.local",
        "acme vpbx.local",
        "sip:acme.vpbx.local",
        "a" * 64 + ".local",
        "a" * 250 + ".local",  # beyond 253 characters
        "acme.local\x00",
    ],
)
def test_invalid_domain_is_refused(client: TestClient, alice: Party, given: str) -> None:
    before = pbx(client, alice)
    body = assert_problem(patch(client, alice, {"sip_domain": given}), 422)
    assert "sip_domain" in error_fields(body)
    assert pbx(client, alice) == before


def test_domain_with_newline_is_refused(client: TestClient, alice: Party) -> None:
    before = pbx(client, alice)
    assert_problem(patch(client, alice, {"sip_domain": "acme\n.example"}), 422)
    assert pbx(client, alice) == before


def test_domain_of_another_tenant_is_taken(client: TestClient, alice: Party, bob: Party) -> None:
    assert patch(client, bob, {"sip_domain": "shared.vpbx.local"}).status_code == 200
    before = pbx(client, alice)
    for given in ["shared.vpbx.local", "SHARED.vpbx.local."]:
        body = assert_problem(patch(client, alice, {"sip_domain": given}), 409, "domain_taken")
        assert "sip_domain" in error_fields(body)
    assert pbx(client, alice) == before
    assert pbx(client, bob)["sip_domain"] == "shared.vpbx.local"


def test_keeping_own_domain_is_not_a_conflict(client: TestClient, alice: Party) -> None:
    current = pbx(client, alice)["sip_domain"]
    response = patch(client, alice, {"sip_domain": current.upper()})
    assert response.status_code == 200, response.text
    assert response.json()["sip_domain"] == current


def test_null_domain_is_ignored(client: TestClient, alice: Party) -> None:
    before = pbx(client, alice)
    response = patch(client, alice, {"sip_domain": None})
    assert response.status_code == 200, response.text
    assert response.json() == before


def test_rename_recomputes_every_extension_hash(
    client: TestClient, alice: Party, bob: Party, factory: sessionmaker[Session]
) -> None:
    created = [
        new_extension(client, alice),
        new_extension(client, alice, password="Chosen-Pass-42"),
        new_extension(client, alice, number="555", enabled=False),
    ]
    theirs = new_extension(client, bob)
    theirs_row = stored_extension(factory, theirs["id"])
    old = pbx(client, alice)["sip_domain"]
    for ext in created:
        row = stored_extension(factory, ext["id"])
        assert row.ha1 == ha1(ext["number"], old, ext["password"])

    assert patch(client, alice, {"sip_domain": "Renamed.Example"}).status_code == 200
    for ext in created:
        row = stored_extension(factory, ext["id"])
        assert row.ha1 == ha1(ext["number"], "renamed.example", ext["password"])
        assert row.ha1b == ha1b(ext["number"], "renamed.example", ext["password"])
        assert row.ha1 != ha1(ext["number"], old, ext["password"])
        secret = client.get(f"/v1/extensions/{ext['id']}/secret", headers=alice.headers)
        assert secret.json()["password"] == ext["password"]
        assert secret.json()["sip"]["domain"] == "renamed.example"
    # Another tenant's extensions are untouched.
    after = stored_extension(factory, theirs["id"])
    assert (after.ha1, after.ha1b) == (theirs_row.ha1, theirs_row.ha1b)


def test_rename_is_audited(client: TestClient, alice: Party) -> None:
    old = pbx(client, alice)["sip_domain"]
    assert patch(client, alice, {"sip_domain": "audited.example"}).status_code == 200
    events = client.get(
        "/v1/audit", params={"action": "pbx.update"}, headers=alice.partner_headers
    ).json()["items"]
    assert len(events) == 1
    assert events[0]["before"]["sip_domain"] == old
    assert events[0]["after"]["sip_domain"] == "audited.example"


# --- outbound_proxy ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("wss://sip.acme.example:8443", "wss://sip.acme.example:8443"),
        ("ws://10.0.0.1:8080/ws", "ws://10.0.0.1:8080/ws"),
        ("sip:proxy.acme.example;transport=tcp", "sip:proxy.acme.example;transport=tcp"),
        ("  sips:proxy.acme.example  ", "sips:proxy.acme.example"),
    ],
)
def test_outbound_proxy_is_set(client: TestClient, alice: Party, given: str, stored: str) -> None:
    response = patch(client, alice, {"outbound_proxy": given})
    assert response.status_code == 200, response.text
    assert response.json()["outbound_proxy"] == stored
    assert pbx(client, alice)["outbound_proxy"] == stored
    assert new_extension(client, alice)["sip"]["outbound_proxy"] == stored


@pytest.mark.parametrize(
    "given",
    [
        "http://proxy.example",
        "https://proxy.example",
        "proxy.acme.example",
        "tcp://proxy.example",
        "wss://proxy example",
        "wss://proxy\texample",
        "xwss://proxy.example",
    ],
)
def test_outbound_proxy_scheme_is_checked(client: TestClient, alice: Party, given: str) -> None:
    before = pbx(client, alice)
    body = assert_problem(patch(client, alice, {"outbound_proxy": given}), 422)
    assert "outbound_proxy" in error_fields(body)
    assert pbx(client, alice) == before


@pytest.mark.parametrize("given", ["wss://", "ws://", "sip:", "sips:", "wss:// x", "sip:-x"])
def test_outbound_proxy_needs_a_host(client: TestClient, alice: Party, given: str) -> None:
    assert_problem(patch(client, alice, {"outbound_proxy": given}), 422)


@pytest.mark.parametrize("given", ["sip:proxy\x01.example", "wss://proxy.example\x1b[0m"])
def test_outbound_proxy_control_characters_are_refused(
    client: TestClient, alice: Party, given: str
) -> None:
    assert_problem(patch(client, alice, {"outbound_proxy": given}), 422)


@pytest.mark.parametrize("given", ["wss://[2001:db8::1]:8443", "sip:[2001:db8::1];transport=tcp"])
def test_outbound_proxy_ipv6_literal(client: TestClient, alice: Party, given: str) -> None:
    response = patch(client, alice, {"outbound_proxy": given})
    assert response.status_code == 200, response.text
    assert response.json()["outbound_proxy"] == given


@pytest.mark.parametrize("reset", ["", "   ", None])
def test_outbound_proxy_reset_to_default(
    client: TestClient, alice: Party, settings: Settings, reset: str | None
) -> None:
    assert patch(client, alice, {"outbound_proxy": "sips:proxy.example"}).status_code == 200
    response = patch(client, alice, {"outbound_proxy": reset})
    assert response.status_code == 200, response.text
    assert response.json()["outbound_proxy"] == settings.outbound_proxy
    assert pbx(client, alice)["outbound_proxy"] == settings.outbound_proxy


# --- extension_length -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("length", "first"), [(3, "101"), (4, "1001"), (5, "10001"), (6, "100001")]
)
def test_extension_length_sets_new_numbers(
    client: TestClient, alice: Party, length: int, first: str
) -> None:
    response = patch(client, alice, {"extension_length": length})
    assert response.status_code == 200, response.text
    assert response.json()["extension_length"] == length
    assert new_extension(client, alice)["number"] == first
    assert new_extension(client, alice, number="9" * length)["number"] == "9" * length
    wrong = "9" * (length - 1 if length > 3 else 4)
    body = assert_problem(
        client.post("/v1/extensions", json={"number": wrong}, headers=alice.headers), 422
    )
    assert "number" in error_fields(body)


@pytest.mark.parametrize("length", [7, 2, 0, -1, 100, 3.5, "four", [], {}])
def test_extension_length_out_of_range(client: TestClient, alice: Party, length: Any) -> None:
    body = assert_problem(
        patch(client, alice, {"extension_length": length}), 422, "validation_failed"
    )
    assert "extension_length" in error_fields(body)
    assert pbx(client, alice)["extension_length"] == 3


def test_existing_extensions_keep_their_numbers(client: TestClient, alice: Party) -> None:
    ext = new_extension(client, alice)
    assert patch(client, alice, {"extension_length": 4}).status_code == 200
    got = client.get(f"/v1/extensions/{ext['id']}", headers=alice.headers).json()
    assert got["number"] == "101"
    assert new_extension(client, alice)["number"] == "1001"


def test_settings_are_per_tenant(client: TestClient, alice: Party, bob: Party) -> None:
    before = pbx(client, bob)
    body = {
        "sip_domain": "alice.example",
        "outbound_proxy": "sips:a.example",
        "extension_length": 5,
    }
    assert patch(client, alice, body).status_code == 200
    assert pbx(client, bob) == before
    assert pbx(client, alice) == body
