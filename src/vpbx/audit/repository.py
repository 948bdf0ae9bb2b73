"""All SQL of the audit log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from vpbx.models import AuditEvent


def list_for_partner(
    session: Session,
    partner_id: int,
    *,
    tenant_id: int | None = None,
    action: str | None = None,
    object_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    after_id: int | None = None,
    limit: int = 50,
) -> Sequence[AuditEvent]:
    """Newest first; `after_id` continues below the last id of the previous page."""
    query = select(AuditEvent).where(AuditEvent.partner_id == partner_id)
    if tenant_id is not None:
        query = query.where(AuditEvent.tenant_id == tenant_id)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    if object_id is not None:
        query = query.where(AuditEvent.object_id == object_id)
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    if until is not None:
        query = query.where(AuditEvent.at < until)
    if after_id is not None:
        query = query.where(AuditEvent.id < after_id)
    return session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit)).all()
