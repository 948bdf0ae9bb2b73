"""Idempotency-Key on POST: the first successful response is replayed for 24 hours.

Scope is the tenant (or partner) acting, the key the client's; a different request
under the same key is refused with 422 (Telnyx's rules). The record is written in the
request's own transaction, so it exists exactly when the change does.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from vpbx.crypto import SecretBox
from vpbx.errors import Conflict, Invalid
from vpbx.models import IdempotencyRecord
from vpbx.numbers.service import now_utc

_KEY = re.compile(r"^[A-Za-z0-9_:.-]{1,255}$")


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: bytes


def request_fingerprint(method: str, path: str, query: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def check_key(key: str) -> str:
    if not _KEY.match(key):
        raise Invalid(
            "Idempotency-Key must be 1 to 255 of A-Z a-z 0-9 _ : . -",
            code="invalid_idempotency_key",
            field="Idempotency-Key",
        )
    return key


def lookup(
    session: Session, box: SecretBox, scope: str, key: str, fingerprint: str, *, ttl_hours: int
) -> StoredResponse | None:
    """The replayable response, None to go ahead, or an error for a reused key."""
    record = session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.scope == scope, IdempotencyRecord.key == key
        )
    )
    if record is None:
        return None
    if record.created_at <= now_utc() - timedelta(hours=ttl_hours):
        session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == record.id))
        return None
    if record.request_hash != fingerprint:
        raise Invalid(
            "this Idempotency-Key was used for a different request", code="idempotency_key_reused"
        )
    body = box.open(record.response_body, context=f"idempotency:{scope}:{key}")
    return StoredResponse(record.status_code, body.encode())


def store(
    session: Session,
    box: SecretBox,
    scope: str,
    key: str,
    fingerprint: str,
    method: str,
    path: str,
    response: StoredResponse,
) -> None:
    session.add(
        IdempotencyRecord(
            scope=scope,
            key=key,
            method=method,
            path=path[:500],
            request_hash=fingerprint,
            status_code=response.status_code,
            # Sealed: a response may carry a secret shown once (a new SIP password).
            response_body=box.seal(response.body.decode(), context=f"idempotency:{scope}:{key}"),
        )
    )
    session.flush()


def in_flight() -> Conflict:
    return Conflict(
        "another request with this Idempotency-Key is being processed; retry it",
        code="idempotency_key_in_flight",
    )
