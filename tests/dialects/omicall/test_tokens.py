"""The core's access tokens (vpbx.tenancy.tokens): signing, verifying, expiry, and the
key behind a token checked on every use."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.conftest import Party
from vpbx.config import Settings
from vpbx.crypto import derive_key
from vpbx.errors import Unauthenticated
from vpbx.tenancy.tokens import TOKEN_LIFETIME, TokenService, sign, verify

KEY = b"k" * 32
NOW = datetime(2026, 1, 1, tzinfo=UTC)
CLAIMS: dict[str, Any] = {"kid": 7, "khp": "0123456789abcdef", "exp": int(NOW.timestamp()) + 60}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _signed(header: dict[str, Any], claims: Any, key: bytes = KEY) -> str:
    head = _b64(json.dumps(header).encode())
    body = _b64(json.dumps(claims).encode())
    mac = hmac.new(key, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{_b64(mac)}"


def test_round_trip() -> None:
    assert verify(sign(CLAIMS, KEY), KEY, now=NOW) == CLAIMS


def test_another_key_does_not_verify() -> None:
    with pytest.raises(Unauthenticated) as caught:
        verify(sign(CLAIMS, KEY), b"x" * 32, now=NOW)
    assert caught.value.code == "token_invalid"


def test_expiry_is_exclusive() -> None:
    token = sign(CLAIMS, KEY)
    verify(token, KEY, now=NOW + timedelta(seconds=59))
    for later in (60, 61, 10**6):
        with pytest.raises(Unauthenticated) as caught:
            verify(token, KEY, now=NOW + timedelta(seconds=later))
        assert caught.value.code == "token_expired"


@pytest.mark.parametrize("part", [0, 1, 2])
def test_any_changed_part_fails(part: int) -> None:
    pieces = sign(CLAIMS, KEY).split(".")
    pieces[part] = pieces[part][:-2] + ("AA" if not pieces[part].endswith("AA") else "BB")
    with pytest.raises(Unauthenticated):
        verify(".".join(pieces), KEY, now=NOW)


@pytest.mark.parametrize(
    ("header", "claims"),
    [
        ({"alg": "none", "typ": "JWT"}, CLAIMS),  # a signed token must still say HS256
        ({"alg": "HS256", "typ": "JWT"}, [1, 2]),
        ({"alg": "HS256", "typ": "JWT"}, {**CLAIMS, "kid": "7"}),
        ({"alg": "HS256", "typ": "JWT"}, {**CLAIMS, "kid": True}),
        ({"alg": "HS256", "typ": "JWT"}, {**CLAIMS, "exp": 1.5}),
        ({"alg": "HS256", "typ": "JWT"}, {**CLAIMS, "khp": "short"}),
        ({"alg": "HS256", "typ": "JWT"}, {"exp": CLAIMS["exp"]}),
    ],
)
def test_signed_but_ill_formed_is_refused(header: dict[str, Any], claims: Any) -> None:
    with pytest.raises(Unauthenticated) as caught:
        verify(_signed(header, claims), KEY, now=NOW)
    assert caught.value.code == "token_invalid"


@pytest.mark.parametrize(
    "token", ["", ".", "..", "a.b", "a.b.c.d", "x" * 2000, "é.é.é", "%%.%%.%%"]
)
def test_garbage_is_refused(token: str) -> None:
    with pytest.raises(Unauthenticated):
        verify(token, KEY, now=NOW)


def test_signing_key_is_derived_per_purpose(settings: Settings) -> None:
    token_key = derive_key(settings, "vpbx access token signing v1")
    assert len(token_key) == 32
    assert token_key == derive_key(settings, "vpbx access token signing v1")
    assert token_key != derive_key(settings, "another purpose")


def test_issue_and_authenticate(session: Session, settings: Settings, alice: Party) -> None:
    service = TokenService(session, settings)
    issued = service.issue(alice.tenant_key, now=NOW)
    assert issued.expires_at - NOW == TOKEN_LIFETIME
    assert not issued.principal.is_partner
    principal = service.authenticate(issued.token, now=NOW + timedelta(hours=23))
    assert principal == issued.principal
    assert principal.tenant_id == alice.tenant_id


def test_a_token_names_its_key_not_just_an_id(
    session: Session, settings: Settings, alice: Party
) -> None:
    """Should a key id ever be reused, the old key's tokens do not pass for the new key."""
    service = TokenService(session, settings)
    claims = verify(service.issue(alice.partner_key, now=NOW).token, service.key, now=NOW)
    forged = sign({**claims, "khp": "f" * 16}, service.key)  # signed right, other key
    with pytest.raises(Unauthenticated) as caught:
        service.authenticate(forged, now=NOW)
    assert caught.value.code == "api_key_revoked"


def test_bad_key_gets_no_token(session: Session, settings: Settings, alice: Party) -> None:
    with pytest.raises(Unauthenticated) as caught:
        TokenService(session, settings).issue(alice.partner_key + "x")
    assert caught.value.code == "invalid_api_key"
