"""Who is calling: the resolved credential and the tenant it acts for."""

from __future__ import annotations

from dataclasses import dataclass

from vpbx.errors import Forbidden, Invalid


@dataclass(frozen=True)
class Principal:
    """An authenticated caller.

    A partner key has `partner_id` and, when it names one of its tenants, `tenant_id`;
    a tenant key always has both (the tenant's partner and the tenant itself).
    `actor` is what the audit log records ("key:12", "cli").
    """

    actor: str
    partner_id: int
    tenant_id: int | None
    is_partner: bool
    api_key_id: int | None = None

    def require_tenant(self) -> int:
        if self.tenant_id is None:
            raise Invalid(
                "this operation acts for a tenant: send the header Vpbx-Tenant with the "
                "tenant id, or use a tenant key",
                code="tenant_required",
            )
        return self.tenant_id

    def require_partner(self) -> int:
        if not self.is_partner:
            raise Forbidden("this operation needs a partner key", code="partner_key_required")
        return self.partner_id

    @property
    def scope(self) -> str:
        """The namespace of idempotency keys: the tenant acted for, else the partner."""
        if self.tenant_id is not None:
            return f"tenant:{self.tenant_id}"
        return f"partner:{self.partner_id}"
