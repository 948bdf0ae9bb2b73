"""Username and password of the SMS faces that carry credentials in the body (eTelecom SMS
Brandname). A tenant creates them through the native API for one of its numbers; the
password is shown once and kept as its SHA-256. Never commits."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from vpbx.audit.service import record_change
from vpbx.errors import NotFound, Unauthenticated
from vpbx.messaging.packets import sms_number
from vpbx.messaging.repository import MessagingRepository
from vpbx.messaging.schemas import CredentialCreate, CredentialIssued, CredentialOut
from vpbx.models import SmsCredential
from vpbx.models.base import utcnow
from vpbx.tenancy.principal import Principal

_USER_ALPHABET = string.ascii_lowercase + string.digits
_USERNAME = re.compile(r"sms[a-z0-9]{10}")
# Compared against when the username is unknown, so both refusals take the same time.
_NO_SUCH_HASH = hashlib.sha256(b"no such credential").hexdigest()


def _hash(password: str) -> str:
    # Passwords are generated with 256 random bits: a fast hash leaves nothing to guess.
    return hashlib.sha256(password.encode()).hexdigest()


@dataclass(frozen=True)
class SmsLogin:
    """Who logged in with a credential, and the number its messages go out from."""

    principal: Principal
    number_id: int


class SmsCredentialService:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.repo = MessagingRepository(session)

    def create(self, principal: Principal, data: CredentialCreate) -> CredentialIssued:
        tenant_id = principal.require_tenant()
        number = sms_number(self.repo, tenant_id, data.number, field="number")
        username = self._new_username()
        password = secrets.token_urlsafe(32)
        credential = SmsCredential(
            tenant_id=tenant_id,
            number_id=number.id,
            username=username,
            password_hash=_hash(password),
            name=data.name.strip(),
        )
        self.repo.add(credential)
        out = self.view([credential])[0]
        record_change(
            self.session,
            principal,
            "sms_credential.create",
            "sms_credential",
            credential.id,
            after={"username": username, "number": out.number, "name": out.name},
        )
        return CredentialIssued(**out.model_dump(), password=password)

    def list_credentials(
        self, principal: Principal, *, after_id: int | None, limit: int
    ) -> list[CredentialOut]:
        rows = self.repo.credentials(principal.require_tenant(), after_id=after_id, limit=limit)
        return self.view(rows)

    def revoke(self, principal: Principal, credential_id: int) -> None:
        credential = self.repo.credential(principal.require_tenant(), credential_id)
        if credential is None:
            raise NotFound(f"credential {credential_id} not found", code="credential_not_found")
        credential.revoked_at = utcnow()
        self.session.flush()
        record_change(
            self.session,
            principal,
            "sms_credential.revoke",
            "sms_credential",
            credential.id,
            before={"username": credential.username},
        )

    def authenticate(self, username: str, password: str) -> SmsLogin:
        # Only a name vpbx could have issued reaches the database (no NUL, no 10 kB).
        known = _USERNAME.fullmatch(username) is not None
        row = self.repo.credential_login(username) if known else None
        stored = row.password_hash if row is not None else _NO_SUCH_HASH
        matches = hmac.compare_digest(stored, _hash(password))
        if row is None or not matches or row.tenant_status != "active":
            raise Unauthenticated("Unauthorized", code="invalid_credentials")
        principal = Principal(
            actor=f"sms-credential:{row.id}",
            partner_id=row.partner_id,
            tenant_id=row.tenant_id,
            is_partner=False,
        )
        return SmsLogin(principal, row.number_id)

    def view(self, credentials: Sequence[SmsCredential]) -> list[CredentialOut]:
        numbers = self.repo.e164_of([c.number_id for c in credentials])
        return [
            CredentialOut(
                id=c.id,
                username=c.username,
                number=numbers.get(c.number_id, ""),
                name=c.name,
                created_at=c.created_at,
            )
            for c in credentials
        ]

    def _new_username(self) -> str:
        while True:  # 10 characters of 36: a clash is once in 3.6e15; ask again if so
            username = "sms" + "".join(secrets.choice(_USER_ALPHABET) for _ in range(10))
            if not self.repo.username_taken(username):
                return username
