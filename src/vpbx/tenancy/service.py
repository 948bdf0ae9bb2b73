"""Partners, tenants and API keys: creation, authentication, acting for a tenant."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.orm import Session

from vpbx.audit.service import record
from vpbx.errors import Conflict, Invalid, NotFound, Unauthenticated
from vpbx.kit.rows import AnyRow
from vpbx.models import ApiKey, Partner, Tenant
from vpbx.pbx.repository import PbxRepository
from vpbx.pbx.sip import domain_for
from vpbx.sip.notifier import forget_all_credentials_after_commit, suspend_accounts_after_commit
from vpbx.tenancy.principal import Principal
from vpbx.tenancy.repository import TenancyRepository

KEY_PREFIX = "vpbx_"
# A suspended tenant keeps its data and numbers, but its keys, its SIP accounts and its
# calls stop until it is active again (a partner's key may still act for it).
TENANT_STATUSES = ("active", "suspended")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def hash_key(raw_key: str) -> str:
    """Keys carry 256 random bits, so a fast hash is enough: nothing to brute-force."""
    return hashlib.sha256(raw_key.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedKey:
    """A key just created: the only moment its secret exists outside the caller."""

    key: ApiKey
    secret: str


def _principal_of(key: AnyRow) -> Principal:
    """The caller a live key row stands for: its partner, or its (active) tenant."""
    if key.tenant_id is None:
        return Principal(
            actor=f"key:{key.id}",
            partner_id=key.partner_id,
            tenant_id=None,
            is_partner=True,
            api_key_id=key.id,
        )
    if key.tenant_status != "active":
        raise Unauthenticated("the API key's tenant is not active", code="tenant_inactive")
    return Principal(
        actor=f"key:{key.id}",
        partner_id=key.tenant_partner_id,
        tenant_id=key.tenant_id,
        is_partner=False,
        api_key_id=key.id,
    )


def _is_id(ref: str) -> bool:
    """An id the database can hold: ASCII digits within BIGINT."""
    return ref.isascii() and ref.isdigit() and int(ref) < 2**63


def _has_control_characters(text: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" for ch in text)


def clean_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 200:
        raise Invalid("name must be 1 to 200 characters", field="name")
    if _has_control_characters(name):
        raise Invalid("name must not contain control characters", field="name")
    return name


def clean_email(email: str | None) -> str | None:
    if email is None or not email.strip():
        return None
    email = email.strip().lower()
    if len(email) > 320 or not _EMAIL.match(email) or _has_control_characters(email):
        raise Invalid(f"not an email address: {email!r}", field="email")
    return email


class TenancyService:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.repo = TenancyRepository(session)

    def create_partner(self, name: str, *, email: str | None = None, actor: str = "cli") -> Partner:
        name = clean_name(name)
        if self.repo.partner_by_name(name) is not None:
            raise Conflict(f"a partner named {name!r} exists", code="partner_exists")
        partner = Partner(name=name, email=clean_email(email))
        self.repo.add(partner)
        record(
            self.session,
            actor=actor,
            action="partner.create",
            object_type="partner",
            object_id=partner.id,
            partner_id=partner.id,
            tenant_id=None,
            after={"name": partner.name, "email": partner.email},
        )
        return partner

    def create_tenant(
        self,
        partner_id: int,
        name: str,
        *,
        email: str | None = None,
        actor: str = "cli",
        api_key_id: int | None = None,
        sip_domain_suffix: str = "vpbx.local",
        extension_length: int = 3,
        unique_email: bool = False,
    ) -> Tenant:
        """A new tenant of the partner; with `unique_email`, the email must name no other
        tenant of the partner (faces that find a tenant by its owner's email need it)."""
        if self.repo.partner_by_id(partner_id) is None:
            raise NotFound(f"partner {partner_id} not found", code="partner_not_found")
        name = clean_name(name)
        cleaned = clean_email(email)
        if unique_email and cleaned and self.repo.tenants_with_email(partner_id, cleaned):
            raise Conflict(
                f"a tenant with the email {cleaned} exists",
                code="tenant_email_exists",
                field="email",
            )
        self._refuse_taken_name(partner_id, name)
        tenant = Tenant(
            partner_id=partner_id,
            name=name,
            email=cleaned,
            sip_domain=domain_for(name, sip_domain_suffix),
            extension_length=extension_length,
        )
        self.repo.add(tenant)
        record(
            self.session,
            actor=actor,
            api_key_id=api_key_id,
            action="tenant.create",
            object_type="tenant",
            object_id=tenant.id,
            partner_id=partner_id,
            tenant_id=tenant.id,
            after={"name": tenant.name, "email": tenant.email},
        )
        return tenant

    def tenant_of_partner(self, partner_id: int, tenant_id: int) -> Tenant:
        """One of the partner's tenants; another partner's is "not found"."""
        tenant = self.repo.tenant_of_partner(partner_id, tenant_id)
        if tenant is None:
            raise NotFound(f"tenant {tenant_id} not found", code="tenant_not_found")
        return tenant

    def update_tenant(
        self,
        partner_id: int,
        tenant_id: int,
        *,
        name: str | None = None,
        email: str | None = None,
        status: str | None = None,
        actor: str = "cli",
        api_key_id: int | None = None,
    ) -> Tenant:
        """Rename, change the email ("" clears it) or suspend / reactivate a tenant of
        the partner. Its SIP domain stays: phones keep their settings."""
        tenant = self.tenant_of_partner(partner_id, tenant_id)
        before = {"name": tenant.name, "email": tenant.email, "status": tenant.status}
        if name is not None:
            self._rename(tenant, clean_name(name))
        if email is not None:
            tenant.email = clean_email(email)
        if status is not None and status != tenant.status:
            self._set_status(tenant, status)
        after = {"name": tenant.name, "email": tenant.email, "status": tenant.status}
        if after != before:
            record(
                self.session,
                actor=actor,
                api_key_id=api_key_id,
                action="tenant.update",
                object_type="tenant",
                object_id=tenant.id,
                partner_id=partner_id,
                tenant_id=tenant.id,
                before={k: v for k, v in before.items() if after[k] != v},
                after={k: v for k, v in after.items() if before[k] != v},
            )
        return tenant

    def _rename(self, tenant: Tenant, name: str) -> None:
        self._refuse_taken_name(tenant.partner_id, name, tenant_id=tenant.id, field="name")
        tenant.name = name

    def _refuse_taken_name(
        self, partner_id: int, name: str, *, tenant_id: int | None = None, **details: Any
    ) -> None:
        """Conflict if another of the partner's tenants (not `tenant_id`) has this name."""
        other = self.repo.tenant_by_name(partner_id, name)
        if other is not None and other.id != tenant_id:
            raise Conflict(
                f"this partner already has a tenant named {name!r}",
                code="tenant_exists",
                **details,
            )

    def _set_status(self, tenant: Tenant, status: str) -> None:
        """Suspending drops the tenant's live registrations; either way the SIP server
        forgets the credentials it cached (who may authenticate changed for a domain)."""
        if status not in TENANT_STATUSES:
            raise Invalid(
                f"status must be one of {', '.join(TENANT_STATUSES)}",
                field="status",
                code="validation_failed",
            )
        tenant.status = status
        if status == "active":
            forget_all_credentials_after_commit(self.session)
            return
        numbers = PbxRepository(self.session).extension_numbers(tenant.id)
        aors = [f"{number}@{tenant.sip_domain}" for number in sorted(numbers)]
        suspend_accounts_after_commit(self.session, aors)

    def issue_key(
        self,
        *,
        partner_id: int | None = None,
        tenant_id: int | None = None,
        name: str | None = None,
        actor: str = "cli",
    ) -> IssuedKey:
        """Create a key for exactly one partner or tenant; its secret is returned once."""
        if (partner_id is None) == (tenant_id is None):
            raise Invalid("a key belongs to exactly one partner or one tenant")
        owner_partner = self._key_owner_partner(partner_id, tenant_id)
        secret = KEY_PREFIX + secrets.token_urlsafe(32)
        key = ApiKey(
            key_hash=hash_key(secret),
            prefix=secret[:12],
            name=name,
            partner_id=partner_id,
            tenant_id=tenant_id,
        )
        self.repo.add(key)
        record(
            self.session,
            actor=actor,
            action="api_key.create",
            object_type="api_key",
            object_id=key.id,
            partner_id=owner_partner,
            tenant_id=tenant_id,
            after={"prefix": key.prefix, "name": name},
        )
        return IssuedKey(key=key, secret=secret)

    def _key_owner_partner(self, partner_id: int | None, tenant_id: int | None) -> int:
        if partner_id is not None:
            if self.repo.partner_by_id(partner_id) is None:
                raise NotFound(f"partner {partner_id} not found", code="partner_not_found")
            return partner_id
        assert tenant_id is not None
        tenant = self.repo.tenant_by_id(tenant_id)
        if tenant is None:
            raise NotFound(f"tenant {tenant_id} not found", code="tenant_not_found")
        return tenant.partner_id

    def authenticate(self, raw_key: str) -> Principal:
        """Resolve a bearer key to its partner, or to its tenant."""
        key = self.repo.credential(hash_key(raw_key.strip()))
        if key is None:
            raise Unauthenticated("the API key is not valid", code="invalid_api_key")
        return _principal_of(key)

    def principal_for_key(self, key_id: int, key_hash_prefix: str) -> Principal:
        """The caller behind a live key named by id (a signed access token carries it).

        `key_hash_prefix` must match the key's stored hash: should an id ever be reused,
        a token of the old key does not become one of the new. A revoked key, or one of
        a tenant that is no longer active, is refused: its tokens die with it.
        """
        key = self.repo.credential_by_id(key_id)
        if key is None or not hmac.compare_digest(
            key.key_hash[: len(key_hash_prefix)], key_hash_prefix
        ):
            raise Unauthenticated(
                "the API key behind this token is revoked", code="api_key_revoked"
            )
        return _principal_of(key)

    def act_for(self, principal: Principal, tenant_id: int) -> Principal:
        """A partner key acting for one of its own tenants (Vpbx-Tenant).

        Another partner's tenant, or another tenant for a tenant key, is "not found":
        the answer must not tell whether such a tenant exists.
        """
        if not principal.is_partner:
            if tenant_id != principal.tenant_id:
                raise NotFound(f"tenant {tenant_id} not found", code="tenant_not_found")
            return principal
        if self.repo.tenant_of_partner(principal.partner_id, tenant_id) is None:
            raise NotFound(f"tenant {tenant_id} not found", code="tenant_not_found")
        return replace(principal, tenant_id=tenant_id)

    def tenants_of_partner(
        self, partner_id: int, *, after_id: int | None = None, limit: int = 50
    ) -> Sequence[Tenant]:
        return self.repo.tenants_of_partner(partner_id, after_id=after_id, limit=limit)

    def find_tenants(
        self,
        partner_id: int,
        *,
        name: str | None = None,
        tenant_id: int | None = None,
        after_id: int | None = None,
        descending: bool = False,
        limit: int = 50,
    ) -> Sequence[Tenant]:
        """The partner's tenants, filtered by a name fragment and/or an id (faces with
        their own filters and keyset paging in either direction)."""
        return self.repo.find_tenants(
            partner_id,
            name=name,
            tenant_id=tenant_id,
            after_id=after_id,
            descending=descending,
            limit=limit,
        )

    def tenant_page(
        self, partner_id: int, *, offset: int, limit: int
    ) -> tuple[Sequence[Tenant], int]:
        """One page of the partner's tenants by id, with how many there are in all."""
        rows = self.repo.tenant_page(partner_id, offset=offset, limit=limit)
        return rows, self.repo.count_tenants(partner_id)

    def tenant_by_owner_email(self, partner_id: int, email: str) -> Tenant:
        """The partner's tenant registered with this owner email.

        Another partner's tenant is not found; two of the partner's tenants sharing the
        email make the email ambiguous (a conflict, not a guess).
        """
        cleaned = clean_email(email)
        if cleaned is None:
            raise Invalid("email must not be blank", field="email")
        tenants = self.repo.tenants_with_email(partner_id, cleaned)
        if not tenants:
            raise NotFound(
                f"no tenant with the email {cleaned}",
                code="tenant_not_found",
                field="email",
            )
        if len(tenants) > 1:
            raise Conflict(
                f"several tenants have the email {cleaned}: use the native API with a tenant id",
                code="tenant_email_ambiguous",
                field="email",
            )
        return tenants[0]

    def partners(self) -> Sequence[Partner]:
        return self.repo.partners()

    def find_partner(self, ref: str) -> Partner:
        """A partner by id or by exact name (the CLI accepts either)."""
        partner = self.repo.partner_by_id(int(ref)) if _is_id(ref) else None
        partner = partner or self.repo.partner_by_name(ref)
        if partner is None:
            raise NotFound(f"no partner {ref!r}", code="partner_not_found")
        return partner

    def find_tenant(self, ref: str, *, partner_id: int | None = None) -> Tenant:
        tenant = self.repo.tenant_by_id(int(ref)) if _is_id(ref) else None
        if tenant is None and partner_id is not None:
            tenant = self.repo.tenant_by_name(partner_id, ref)
        if tenant is None or (partner_id is not None and tenant.partner_id != partner_id):
            raise NotFound(f"no tenant {ref!r}", code="tenant_not_found")
        return tenant
