"""The tenant row a route decision starts from, read per call."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from vpbx.models import Tenant


@dataclass(frozen=True, slots=True)
class PlanOwner:
    """The tenant columns a route decision reads: one light row per call."""

    id: int
    partner_id: int
    status: str
    sip_domain: str
    plan_version: int
    created_at: datetime

    COLUMNS: ClassVar[tuple[Any, ...]] = (
        Tenant.id,
        Tenant.partner_id,
        Tenant.status,
        Tenant.sip_domain,
        Tenant.plan_version,
        Tenant.created_at,
    )

    @classmethod
    def of(cls, row: Sequence[Any]) -> PlanOwner:
        return cls(*row)

    @property
    def version(self) -> tuple[object, ...]:
        """What a cached plan must have been built for: the trigger-kept counter, and
        the tenant row's own fields the plan reads (the creation time tells a tenant
        from a later one that reuses its id, e.g. in a recreated database)."""
        return (self.plan_version, self.sip_domain, self.created_at)
