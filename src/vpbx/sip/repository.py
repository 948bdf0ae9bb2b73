"""All SQL of the SIP server's side: carrier trunks, and finding a call's tenant.

Trunks belong to a partner: every trunk read is scoped by partner (another partner's
trunk is None). A tenant is found by its SIP domain (calls from extensions) or by a
hotline it owns (calls from a trunk).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from vpbx.models import Number, SipSchemaVersion, SipTrunk, SipTrunkSource, SipTrunkTenant, Tenant
from vpbx.numbers.enums import NumberStatus
from vpbx.pbx.plan_owner import PlanOwner

# The schema versions Kamailio 5.6 checks for the views it reads (what its own
# `subscriber` and `address` tables would be); the migration writes them.
KAMAILIO_VERSIONS = {"sip_subscribers": 7, "sip_trunk_addresses": 6}


class SipRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # --- trunks -------------------------------------------------------------------

    def trunk(self, partner_id: int, trunk_id: int) -> SipTrunk | None:
        return self.session.scalar(
            select(SipTrunk).where(SipTrunk.id == trunk_id, SipTrunk.partner_id == partner_id)
        )

    def trunk_by_id(self, trunk_id: int) -> SipTrunk | None:
        """Any partner's trunk: only for the SIP server, which serves them all."""
        return self.session.get(SipTrunk, trunk_id)

    def trunk_named(self, partner_id: int, name: str) -> SipTrunk | None:
        return self.session.scalar(
            select(SipTrunk).where(SipTrunk.partner_id == partner_id, SipTrunk.name == name)
        )

    def trunks(self, partner_id: int, *, after_id: int | None, limit: int) -> Sequence[SipTrunk]:
        query = select(SipTrunk).where(SipTrunk.partner_id == partner_id)
        if after_id is not None:
            query = query.where(SipTrunk.id > after_id)
        return self.session.scalars(query.order_by(SipTrunk.id).limit(limit)).all()

    def add(self, obj: SipTrunk | SipTrunkTenant) -> None:
        self.session.add(obj)
        self.session.flush()

    def remove(self, obj: SipTrunk | SipTrunkTenant) -> None:
        self.session.delete(obj)
        self.session.flush()

    def sources(self, trunk_ids: Sequence[int]) -> dict[int, list[str]]:
        """Trunk id → its sources as "address/mask", in a stable order."""
        rows = self.session.execute(
            select(SipTrunkSource.trunk_id, SipTrunkSource.address, SipTrunkSource.mask)
            .where(SipTrunkSource.trunk_id.in_(trunk_ids))
            .order_by(SipTrunkSource.trunk_id, SipTrunkSource.address, SipTrunkSource.mask)
        ).all()
        found: dict[int, list[str]] = {}
        for trunk_id, address, mask in rows:
            found.setdefault(trunk_id, []).append(f"{address}/{mask}")
        return found

    def set_sources(self, trunk_id: int, networks: Sequence[tuple[str, int]]) -> None:
        self.session.execute(delete(SipTrunkSource).where(SipTrunkSource.trunk_id == trunk_id))
        self.session.add_all(
            SipTrunkSource(trunk_id=trunk_id, address=address, mask=mask)
            for address, mask in networks
        )
        self.session.flush()

    def tenant_ids(self, trunk_ids: Sequence[int]) -> dict[int, list[int]]:
        """Trunk id → the tenants assigned to it."""
        rows = self.session.execute(
            select(SipTrunkTenant.trunk_id, SipTrunkTenant.tenant_id)
            .where(SipTrunkTenant.trunk_id.in_(trunk_ids))
            .order_by(SipTrunkTenant.tenant_id)
        ).all()
        found: dict[int, list[int]] = {}
        for trunk_id, tenant_id in rows:
            found.setdefault(trunk_id, []).append(tenant_id)
        return found

    def assignment(self, tenant_id: int) -> SipTrunkTenant | None:
        return self.session.get(SipTrunkTenant, tenant_id)

    def partner_tenant(self, partner_id: int, tenant_id: int) -> Tenant | None:
        return self.session.scalar(
            select(Tenant).where(Tenant.id == tenant_id, Tenant.partner_id == partner_id)
        )

    def tenant_trunk(self, tenant_id: int) -> SipTrunk | None:
        """The trunk the tenant's outside calls leave through, if it has one."""
        return self.session.scalar(
            select(SipTrunk)
            .join(SipTrunkTenant, SipTrunkTenant.trunk_id == SipTrunk.id)
            .where(SipTrunkTenant.tenant_id == tenant_id)
        )

    # --- a call's tenant ----------------------------------------------------------

    def tenant_by_domain(self, domain: str) -> PlanOwner | None:
        row = self.session.execute(
            select(*PlanOwner.COLUMNS).where(Tenant.sip_domain == domain)
        ).first()
        return None if row is None else PlanOwner.of(row)

    def tenant_by_hotline(self, e164: str) -> PlanOwner | None:
        """The tenant that owns this number now (active), if any."""
        row = self.session.execute(
            select(*PlanOwner.COLUMNS)
            .join(Number, Number.tenant_id == Tenant.id)
            .where(Number.e164 == e164, Number.status == NumberStatus.ACTIVE)
        ).first()
        return None if row is None else PlanOwner.of(row)

    def tenant(self, tenant_id: int) -> Tenant | None:
        return self.session.get(Tenant, tenant_id)

    # --- Kamailio's schema versions ---------------------------------------------------

    def ensure_versions(self) -> list[str]:
        """Put back any version row Kamailio needs that is missing or wrong (a restore
        or a TRUNCATE can lose them); the names of those it fixed."""
        rows = {row.table_name: row for row in self.session.scalars(select(SipSchemaVersion)).all()}
        fixed = []
        for name, version in KAMAILIO_VERSIONS.items():
            row = rows.get(name)
            if row is None:
                self.session.add(SipSchemaVersion(table_name=name, table_version=version))
            elif row.table_version != version:
                row.table_version = version
            else:
                continue
            fixed.append(name)
        self.session.flush()
        return fixed
