"""OMICall auth: API key → 24-hour access token; partner vs tenant tokens; a token
missing, malformed, forged, expired, or of a revoked key is refused in the envelope."""

from __future__ import annotations

import base64
import json
import logging
import os
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.dialects.omicall.conftest import Omi, access_token
from tests.dialects.omicall.helpers import fail, ok
from vpbx.api.app import create_app
from vpbx.api.dialects.omicall.base import RedactApiKey
from vpbx.config import Settings
from vpbx.db import transaction
from vpbx.models import ApiKey, Tenant
from vpbx.tenancy.tokens import TokenService

PARTNER_PATHS = [
    ("GET", "/api/partner/public_number/list"),
    ("POST", "/api/partner/public_number/buy"),
    ("GET", "/api/partner/me"),
    ("POST", "/api/partner/tenant/add"),
    ("POST", "/api/partner/tenant/list"),
    ("GET", "/api/partner/tenant/info?id=1"),
]
TENANT_PATHS = [
    ("GET", "/api/tenant/detail"),
    ("GET", "/api/call_center/internal_phone/list"),
    ("PUT", "/api/call_center/internal_phone/status?enabled=true&sip_user=101"),
    ("GET", "/api/call_center/hotline/list"),
    ("GET", "/api/call_center/internal_group/get_all"),
    ("GET", "/api/call_transaction/list"),
    ("POST", "/api/v2/callTransaction/search"),
]
ALL_PATHS = PARTNER_PATHS + TENANT_PATHS


def _call(client: TestClient, method: str, path: str, headers: dict[str, str]) -> object:
    body = {} if method in ("POST", "PUT") else None
    return client.request(method, path, headers=headers, json=body)


def test_partner_key_gives_bussiness_tenant_key_normal(client: TestClient, omi_alice: Omi) -> None:
    party = omi_alice.party
    partner = ok(client.get("/api/auth", params={"apiKey": party.partner_key}))
    tenant = ok(client.get("/api/auth", params={"apiKey": party.tenant_key}))
    assert partner["access_type"] == "bussiness"
    assert tenant["access_type"] == "normal"
    assert partner["access_token"] != tenant["access_token"]


@pytest.mark.parametrize("key", ["nope", "vpbx_" + "A" * 43, " "])
def test_bad_api_key_is_refused(client: TestClient, key: str) -> None:
    fail(client.get("/api/auth", params={"apiKey": key}), "api_key_invalid")


def test_missing_api_key(client: TestClient) -> None:
    fail(client.get("/api/auth"), "data_is_required")


@pytest.mark.parametrize(("method", "path"), ALL_PATHS)
def test_no_token(client: TestClient, method: str, path: str) -> None:
    fail(_call(client, method, path, {}), "access_token_is_required")


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Basic dXNlcjpwYXNz",
        "Bearer not-a-token",
        "Bearer a.b.c",
        "Bearer " + "x" * 5000,
        "Bearer ..",
        "Bearer ñ.ñ.ñ",
    ],
)
def test_malformed_token(client: TestClient, omi_alice: Omi, header: str) -> None:
    response = client.get("/api/partner/me", headers={"Authorization": header.encode()})
    fail(response, "access_token_invalid")


def test_api_key_itself_is_not_a_token(client: TestClient, omi_alice: Omi) -> None:
    headers = {"Authorization": f"Bearer {omi_alice.party.partner_key}"}
    fail(client.get("/api/partner/me", headers=headers), "access_token_invalid")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _claims(token: str) -> dict[str, object]:
    body = token.split(".")[1]
    claims: dict[str, object] = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    return claims


def test_forged_claims_are_refused(client: TestClient, omi_alice: Omi, omi_bob: Omi) -> None:
    """Alice's tenant token with Bob's key id, or a later expiry, keeps Alice's signature:
    it no longer verifies."""
    head, _, sig = omi_alice.tenant_token.split(".")
    bob_key = _claims(omi_bob.tenant_token)
    for change in ({"kid": bob_key["kid"], "khp": bob_key["khp"]}, {"exp": 4102444800}):
        claims = {**_claims(omi_alice.tenant_token), **change}
        forged = f"{head}.{_b64(json.dumps(claims).encode())}.{sig}"
        response = client.get("/api/tenant/detail", headers={"Authorization": f"Bearer {forged}"})
        fail(response, "access_token_invalid")
    # The untouched token still works.
    ok(client.get("/api/tenant/detail", headers=omi_alice.tenant))


def test_unsigned_token_is_refused(client: TestClient, omi_alice: Omi) -> None:
    claims = _claims(omi_alice.partner_token)
    none_alg = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    for token in (
        f"{none_alg}.{_b64(json.dumps(claims).encode())}.",
        f"{none_alg}.{_b64(json.dumps(claims).encode())}",
    ):
        response = client.get("/api/partner/me", headers={"Authorization": f"Bearer {token}"})
        fail(response, "access_token_invalid")


def test_token_of_another_instance_key_is_refused(
    client: TestClient, omi_alice: Omi, factory: sessionmaker[Session], settings: Settings
) -> None:
    other = settings.model_copy(
        update={"secret_key": base64.urlsafe_b64encode(os.urandom(32)).decode()}
    )
    with factory() as session:
        token = TokenService(session, other).issue(omi_alice.party.partner_key).token
    response = client.get("/api/partner/me", headers={"Authorization": f"Bearer {token}"})
    fail(response, "access_token_invalid")


def test_token_works_on_every_node_sharing_the_key(
    omi_alice: Omi, settings: Settings, engine: Engine
) -> None:
    """Stateless: another app process with the same VPBX_SECRET_KEY accepts it."""
    with TestClient(create_app(settings, engine)) as other_node:
        ok(other_node.get("/api/partner/me", headers=omi_alice.partner))


def test_expired_token(
    client: TestClient, omi_alice: Omi, factory: sessionmaker[Session], settings: Settings
) -> None:
    issued_at = datetime.now(UTC) - timedelta(hours=24, seconds=1)
    with factory() as session:
        issued = TokenService(session, settings).issue(omi_alice.party.tenant_key, now=issued_at)
    assert issued.expires_at == issued_at + timedelta(hours=24)
    headers = {"Authorization": f"Bearer {issued.token}"}
    fail(client.get("/api/tenant/detail", headers=headers), "access_token_expired")
    # One that has a minute left is fine.
    with factory() as session:
        fresh = TokenService(session, settings).issue(
            omi_alice.party.tenant_key, now=issued_at + timedelta(minutes=1, seconds=1)
        )
    ok(client.get("/api/tenant/detail", headers={"Authorization": f"Bearer {fresh.token}"}))


def test_revoking_the_key_kills_its_tokens(
    client: TestClient, omi_alice: Omi, factory: sessionmaker[Session]
) -> None:
    ok(client.get("/api/partner/me", headers=omi_alice.partner))
    with transaction(factory) as session:
        session.execute(
            update(ApiKey)
            .where(ApiKey.partner_id == omi_alice.party.partner_id)
            .values(revoked_at=datetime.now(UTC))
        )
    fail(client.get("/api/partner/me", headers=omi_alice.partner), "access_token_invalid")
    # Nor can the revoked key get a new token; the tenant's own key is untouched.
    fail(client.get("/api/auth", params={"apiKey": omi_alice.party.partner_key}), "api_key_invalid")
    ok(client.get("/api/tenant/detail", headers=omi_alice.tenant))


def test_tokens_of_an_inactive_tenant_are_refused(
    client: TestClient, omi_alice: Omi, factory: sessionmaker[Session]
) -> None:
    with transaction(factory) as session:
        session.execute(
            update(Tenant).where(Tenant.id == omi_alice.party.tenant_id).values(status="suspended")
        )
    fail(client.get("/api/tenant/detail", headers=omi_alice.tenant), "tenant_invalid")


@pytest.mark.parametrize(("method", "path"), PARTNER_PATHS)
def test_tenant_token_on_partner_endpoints(
    client: TestClient, omi_alice: Omi, method: str, path: str
) -> None:
    payload = fail(_call(client, method, path, omi_alice.tenant))
    # Bodies are checked before the handler runs; either way nothing is done.
    assert payload["error"] in ("partner_invalid", "data_is_required")
    if method == "GET":
        assert payload["error"] == "partner_invalid"
        assert "partner access token" in payload["message"]


@pytest.mark.parametrize(("method", "path"), TENANT_PATHS)
def test_partner_token_on_tenant_endpoints(
    client: TestClient, omi_alice: Omi, method: str, path: str
) -> None:
    payload = fail(_call(client, method, path, omi_alice.partner), "tenant_invalid")
    assert "tenant access token" in payload["message"]


def test_partner_token_with_a_valid_body_is_still_a_partner(
    client: TestClient, omi_alice: Omi
) -> None:
    body = {"email": "x@y.vn", "password": "Str0ng!pass", "fullName": "Shop"}
    fail(
        client.post("/api/partner/tenant/add", json=body, headers=omi_alice.tenant),
        "partner_invalid",
    )


def test_tokens_are_not_logged(
    client: TestClient, omi_alice: Omi, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("DEBUG"):
        token = access_token(client, omi_alice.party.partner_key)
        client.get("/api/partner/me", headers={"Authorization": f"Bearer {token}"})
        client.get("/api/partner/me", headers={"Authorization": f"Bearer {token}x"})
    # The test client's own log (httpx) shows the URLs it sent; the server logs nothing.
    server = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("httpx"))
    assert token not in server
    assert omi_alice.party.partner_key not in server


def test_access_log_masks_the_api_key() -> None:
    """uvicorn's access record: (client, method, path with query, http version, status)."""
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/api/auth?apiKey=vpbx_secret&x=1", "1.1", 200),
        None,
    )
    assert RedactApiKey().filter(record)
    assert "vpbx_secret" not in record.getMessage()
    assert "/api/auth?apiKey=***&x=1" in record.getMessage()
    assert any(isinstance(f, RedactApiKey) for f in logging.getLogger("uvicorn.access").filters)
