"""The audit log: every change records who, for which tenant, what, and before/after."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from vpbx.models import AuditEvent
from vpbx.tenancy.principal import Principal


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    object_type: str,
    object_id: str | int,
    partner_id: int | None,
    tenant_id: int | None,
    api_key_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Add an audit event to the current transaction (it lands or vanishes with the change)."""
    session.add(
        AuditEvent(
            actor=actor,
            api_key_id=api_key_id,
            partner_id=partner_id,
            tenant_id=tenant_id,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            before=before,
            after=after,
        )
    )


def record_change(
    session: Session,
    principal: Principal,
    action: str,
    object_type: str,
    object_id: str | int,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Record a change made by an API caller, for the tenant it acts for."""
    record(
        session,
        actor=principal.actor,
        api_key_id=principal.api_key_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        partner_id=principal.partner_id,
        tenant_id=principal.tenant_id,
        before=before,
        after=after,
    )
