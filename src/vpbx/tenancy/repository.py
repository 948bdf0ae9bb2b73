"""All SQL of tenancy: partners, tenants, API keys."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from vpbx.kit.rows import AnyRow
from vpbx.models import ApiKey, Partner, Tenant

# Every request authenticates: the statement is built once, not per request.
_KEY_WITH_TENANT = (
    select(
        ApiKey.id,
        ApiKey.partner_id,
        ApiKey.tenant_id,
        Tenant.partner_id.label("tenant_partner_id"),
        Tenant.status.label("tenant_status"),
    )
    .outerjoin(Tenant, Tenant.id == ApiKey.tenant_id)
    .where(ApiKey.revoked_at.is_(None))
)
_CREDENTIAL = _KEY_WITH_TENANT.where(ApiKey.key_hash == bindparam("key_hash"))
# The same by key id, with the hash: a signed access token names its key by id.
_CREDENTIAL_BY_ID = _KEY_WITH_TENANT.add_columns(ApiKey.key_hash).where(
    ApiKey.id == bindparam("key_id")
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
        """The partner's tenants whose name contains `name` (any case, taken literally),
        in id order; `descending` walks down from `after_id` instead of up."""
        query = select(Tenant).where(Tenant.partner_id == partner_id)
        if name:
            escaped = name.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(func.lower(Tenant.name).like(f"%{escaped}%", escape="\\"))
        if tenant_id is not None:
            query = query.where(Tenant.id == tenant_id)
        if after_id is not None:
            query = query.where(Tenant.id < after_id if descending else Tenant.id > after_id)
        order = Tenant.id.desc() if descending else Tenant.id
        return self.session.scalars(query.order_by(order).limit(limit)).all()

    def tenants_with_email(self, partner_id: int, email: str) -> Sequence[Tenant]:
        query = select(Tenant).where(Tenant.partner_id == partner_id, Tenant.email == email)
        return self.session.scalars(query.order_by(Tenant.id).limit(2)).all()

    def tenant_page(self, partner_id: int, *, offset: int, limit: int) -> Sequence[Tenant]:
        query = select(Tenant).where(Tenant.partner_id == partner_id).order_by(Tenant.id)
        return self.session.scalars(query.offset(offset).limit(limit)).all()

    def count_tenants(self, partner_id: int) -> int:
        query = select(func.count()).select_from(Tenant).where(Tenant.partner_id == partner_id)
        return self.session.scalar(query) or 0

    def credential_by_id(self, key_id: int) -> AnyRow | None:
        """A live key by id, with its hash (to tell a reused id from the key it was)."""
        return self.session.execute(_CREDENTIAL_BY_ID, {"key_id": key_id}).first()

    def credential(self, key_hash: str) -> AnyRow | None:
        """A live key with its tenant's partner and status, in one round trip."""
        return self.session.execute(_CREDENTIAL, {"key_hash": key_hash}).first()

    def add(self, obj: Partner | Tenant | ApiKey) -> None:
        self.session.add(obj)
        self.session.flush()
