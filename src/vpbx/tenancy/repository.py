"""All SQL of tenancy: partners, tenants, API keys."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from vpbx.kit.rows import AnyRow
from vpbx.models import ApiKey, Partner, Tenant

# Every request authenticates: the statement is built once, not per request.
_CREDENTIAL = (
    select(
        ApiKey.id,
        ApiKey.partner_id,
        ApiKey.tenant_id,
        Tenant.partner_id.label("tenant_partner_id"),
        Tenant.status.label("tenant_status"),
    )
    .outerjoin(Tenant, Tenant.id == ApiKey.tenant_id)
    .where(ApiKey.key_hash == bindparam("key_hash"), ApiKey.revoked_at.is_(None))
)


class TenancyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def partner_by_id(self, partner_id: int) -> Partner | None:
        return self.session.get(Partner, partner_id)

    def partner_by_name(self, name: str) -> Partner | None:
        return self.session.scalar(select(Partner).where(Partner.name == name))

    def partners(self) -> Sequence[Partner]:
        return self.session.scalars(select(Partner).order_by(Partner.id)).all()

    def tenant_of_partner(self, partner_id: int, tenant_id: int) -> Tenant | None:
        """The tenancy scope: a tenant is visible only to its own partner."""
        return self.session.scalar(
            select(Tenant).where(Tenant.id == tenant_id, Tenant.partner_id == partner_id)
        )

    def tenant_by_id(self, tenant_id: int) -> Tenant | None:
        return self.session.get(Tenant, tenant_id)

    def tenant_by_name(self, partner_id: int, name: str) -> Tenant | None:
        return self.session.scalar(
            select(Tenant).where(Tenant.partner_id == partner_id, Tenant.name == name)
        )

    def tenants_of_partner(
        self, partner_id: int, *, after_id: int | None = None, limit: int = 50
    ) -> Sequence[Tenant]:
        query = select(Tenant).where(Tenant.partner_id == partner_id)
        if after_id is not None:
            query = query.where(Tenant.id > after_id)
        return self.session.scalars(query.order_by(Tenant.id).limit(limit)).all()

    def credential(self, key_hash: str) -> AnyRow | None:
        """A live key with its tenant's partner and status, in one round trip."""
        return self.session.execute(_CREDENTIAL, {"key_hash": key_hash}).first()

    def add(self, obj: Partner | Tenant | ApiKey) -> None:
        self.session.add(obj)
        self.session.flush()
