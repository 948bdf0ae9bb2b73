"""Access tokens: an API key exchanged for a signed bearer token that lives 24 hours.

Faces whose providers authenticate with a short-lived token rather than the key itself
(OMICall's `GET /api/auth?apiKey=`) issue and check these. API nodes are stateless, so
the token is a signed value, not a row: JWT-shaped (`header.claims.signature`, base64url,
HMAC-SHA256) with the key's id, a piece of the key's hash, and the expiry. The signing
key is derived from the instance key (every node that shares VPBX_SECRET_KEY accepts
every node's tokens). Each request still looks the key up, so a revoked key — or a
tenant no longer active — kills its tokens at once. Tokens are never stored or logged.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from vpbx.config import Settings
from vpbx.crypto import derive_key
from vpbx.errors import Unauthenticated
from vpbx.tenancy.principal import Principal
from vpbx.tenancy.service import TenancyService, hash_key

TOKEN_LIFETIME = timedelta(hours=24)
SIGNING_PURPOSE = "vpbx access token signing v1"
MAX_TOKEN_LENGTH = 1024  # ours are ~250 characters; anything far longer is not one
_HEADER = {"alg": "HS256", "typ": "JWT"}
# 64 bits of the key's SHA-256: enough to tell a reused key id from the key it was.
_HASH_PREFIX_CHARS = 16


@dataclass(frozen=True)
class AccessToken:
    """A token just issued, with the caller it stands for."""

    token: str
    expires_at: datetime
    principal: Principal


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    if not text.isascii():
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def sign(claims: dict[str, Any], key: bytes) -> str:
    """A compact JWT (HS256) of the claims."""
    head = _b64(json.dumps(_HEADER, separators=(",", ":")).encode())
    body = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
    mac = hmac.new(key, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{_b64(mac)}"


def _malformed() -> Unauthenticated:
    return Unauthenticated("the access token is not one this server issued", code="token_invalid")


def verify(token: str, key: bytes, *, now: datetime) -> dict[str, Any]:
    """The claims of a token this server signed and that has not expired, or raise."""
    parts = token.split(".")
    if len(token) > MAX_TOKEN_LENGTH or len(parts) != 3:
        raise _malformed()
    try:
        mac = _unb64(parts[2])
        expected = hmac.new(key, f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(mac, expected):
            raise _malformed()
        header = json.loads(_unb64(parts[0]))
        claims = json.loads(_unb64(parts[1]))
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise _malformed() from exc
    # The signature is ours, so these hold; checked anyway, as a key leak's last fence.
    if header != _HEADER or not _well_formed(claims):
        raise _malformed()
    if claims["exp"] <= _epoch(now):
        raise Unauthenticated("the access token has expired: get a new one", code="token_expired")
    return dict(claims)


def _well_formed(claims: Any) -> bool:
    def is_int(value: Any) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    return (
        isinstance(claims, dict)
        and is_int(claims.get("kid"))
        and is_int(claims.get("exp"))
        and isinstance(claims.get("khp"), str)
        and len(claims["khp"]) == _HASH_PREFIX_CHARS
    )


class TokenService:
    def __init__(self, session: Session, settings: Settings) -> None:
        self.tenancy = TenancyService(session)
        self.key = derive_key(settings, SIGNING_PURPOSE)

    def issue(self, raw_api_key: str, *, now: datetime | None = None) -> AccessToken:
        """Exchange a live API key for a token; a bad key is refused like everywhere."""
        principal = self.tenancy.authenticate(raw_api_key)
        assert principal.api_key_id is not None, "a key's principal names its key"
        now = now or datetime.now(UTC)
        expires_at = now + TOKEN_LIFETIME
        claims = {
            "sub": principal.actor,
            "kid": principal.api_key_id,
            "khp": hash_key(raw_api_key.strip())[:_HASH_PREFIX_CHARS],
            "scope": "partner" if principal.is_partner else "tenant",
            "iat": _epoch(now),
            "exp": _epoch(expires_at),
        }
        return AccessToken(sign(claims, self.key), expires_at, principal)

    def authenticate(self, token: str, *, now: datetime | None = None) -> Principal:
        """The caller behind a valid, unexpired token whose key is still live."""
        claims = verify(token.strip(), self.key, now=now or datetime.now(UTC))
        return self.tenancy.principal_for_key(claims["kid"], claims["khp"])
