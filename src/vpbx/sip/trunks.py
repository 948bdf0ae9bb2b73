"""Carrier trunks: owned by a partner, assigned to its tenants. Never commits.

A partner (the operator's reseller) holds the carrier interconnects, so trunks are
partner objects; each tenant of the partner uses at most one of them for its outside
calls. A trunk's source addresses are what the SIP server trusts to send calls in
without an account; changing them reloads the SIP server's cache after the commit.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from vpbx.audit.service import record_change
from vpbx.errors import Conflict, Invalid, NotFound
from vpbx.models import SipTrunk, SipTrunkTenant
from vpbx.sip.notifier import reload_trunks_after_commit
from vpbx.sip.repository import SipRepository
from vpbx.sip.schemas import TrunkCreate, TrunkOut, TrunkUpdate
from vpbx.tenancy.principal import Principal


def parse_sources(values: Sequence[str]) -> list[tuple[str, int]]:
    """Addresses or CIDR networks, normalised (host bits cleared), without repeats."""
    networks: list[tuple[str, int]] = []
    for value in values:
        try:
            network = ipaddress.ip_network(value.strip(), strict=False)
        except ValueError:
            raise Invalid(f"{value!r} is not an IP address or network", field="sources") from None
        item = (str(network.network_address), network.prefixlen)
        if item not in networks:
            networks.append(item)
    return networks


class TrunkService:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.repo = SipRepository(session)

    def get(self, principal: Principal, trunk_id: int) -> SipTrunk:
        trunk = self.repo.trunk(principal.require_partner(), trunk_id)
        if trunk is None:
            raise NotFound(f"trunk {trunk_id} not found", code="trunk_not_found")
        return trunk

    def view(self, trunks: Sequence[SipTrunk]) -> list[TrunkOut]:
        ids = [t.id for t in trunks]
        sources, tenants = self.repo.sources(ids), self.repo.tenant_ids(ids)
        return [
            TrunkOut(
                id=t.id,
                name=t.name,
                host=t.host,
                port=t.port,
                transport=t.transport,
                sources=sources.get(t.id, []),
                tenant_ids=tenants.get(t.id, []),
                created_at=t.created_at,
                updated_at=t.updated_at,
            )
            for t in trunks
        ]

    def list(self, principal: Principal, *, after_id: int | None, limit: int) -> list[TrunkOut]:
        rows = self.repo.trunks(principal.require_partner(), after_id=after_id, limit=limit)
        return self.view(rows)

    def create(self, principal: Principal, data: TrunkCreate) -> TrunkOut:
        partner_id = principal.require_partner()
        self._name_free(partner_id, data.name, None)
        trunk = SipTrunk(
            partner_id=partner_id,
            name=data.name.strip(),
            host=data.host.lower(),
            port=data.port,
            transport=data.transport,
        )
        self.repo.add(trunk)
        self.repo.set_sources(trunk.id, parse_sources(data.sources))
        reload_trunks_after_commit(self.session)
        out = self.view([trunk])[0]
        self._audit(principal, "trunk.create", trunk.id, None, out)
        return out

    def update(self, principal: Principal, trunk_id: int, data: TrunkUpdate) -> TrunkOut:
        trunk = self.get(principal, trunk_id)
        before = self.view([trunk])[0]
        changes = data.model_dump(exclude_unset=True, exclude_none=True)
        if "name" in changes:
            self._name_free(trunk.partner_id, changes["name"], trunk.id)
            trunk.name = changes["name"].strip()
        if "host" in changes:
            trunk.host = changes["host"].lower()
        if "port" in changes:
            trunk.port = changes["port"]
        if "transport" in changes:
            trunk.transport = changes["transport"]
        if "sources" in changes:
            self.repo.set_sources(trunk.id, parse_sources(changes["sources"]))
            reload_trunks_after_commit(self.session)
        self.session.flush()
        after = self.view([trunk])[0]
        self._audit(principal, "trunk.update", trunk.id, before, after)
        return after

    def delete(self, principal: Principal, trunk_id: int) -> None:
        trunk = self.get(principal, trunk_id)
        before = self.view([trunk])[0]
        self.repo.remove(trunk)
        reload_trunks_after_commit(self.session)
        self._audit(principal, "trunk.delete", trunk_id, before, None)

    def assign(self, principal: Principal, trunk_id: int, tenant_id: int) -> TrunkOut:
        """The tenant's outside calls leave through this trunk (replacing another)."""
        trunk = self.get(principal, trunk_id)
        self._partner_tenant(principal, tenant_id)
        current = self.repo.assignment(tenant_id)
        if current is None:
            self.repo.add(SipTrunkTenant(tenant_id=tenant_id, trunk_id=trunk.id))
        else:
            current.trunk_id = trunk.id
            self.session.flush()
        record_change(
            self.session,
            principal,
            "trunk.assign",
            "tenant",
            tenant_id,
            None if current is None else {"trunk_id": current.trunk_id},
            {"trunk_id": trunk.id},
        )
        return self.view([trunk])[0]

    def unassign(self, principal: Principal, trunk_id: int, tenant_id: int) -> None:
        trunk = self.get(principal, trunk_id)
        self._partner_tenant(principal, tenant_id)
        current = self.repo.assignment(tenant_id)
        if current is None or current.trunk_id != trunk.id:
            raise NotFound(
                f"tenant {tenant_id} does not use trunk {trunk_id}", code="assignment_not_found"
            )
        self.repo.remove(current)
        record_change(
            self.session,
            principal,
            "trunk.unassign",
            "tenant",
            tenant_id,
            {"trunk_id": trunk.id},
            None,
        )

    def _partner_tenant(self, principal: Principal, tenant_id: int) -> None:
        if self.repo.partner_tenant(principal.require_partner(), tenant_id) is None:
            raise NotFound(f"tenant {tenant_id} not found", code="tenant_not_found")

    def _name_free(self, partner_id: int, name: str, trunk_id: int | None) -> None:
        other = self.repo.trunk_named(partner_id, name.strip())
        if other is not None and other.id != trunk_id:
            raise Conflict(f"a trunk named {name!r} exists", code="trunk_exists", field="name")

    def _audit(
        self,
        principal: Principal,
        action: str,
        trunk_id: int,
        before: TrunkOut | None,
        after: TrunkOut | None,
    ) -> None:
        def fields(out: TrunkOut | None) -> dict[str, Any] | None:
            if out is None:
                return None
            return out.model_dump(mode="json", exclude={"created_at", "updated_at"})

        record_change(
            self.session, principal, action, "trunk", trunk_id, fields(before), fields(after)
        )
