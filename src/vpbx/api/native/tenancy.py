"""/v1/tenants and /v1/audit: what a partner manages."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from vpbx.api.deps import PrincipalDep, SessionDep, SettingsDep
from vpbx.api.native.params import (
    NO_NUL,
    IdCursor,
    IdFilter,
    IdPath,
    Limit,
    page_limit,
    utc_bound,
)
from vpbx.api.transaction import TransactionalRoute
from vpbx.audit.repository import list_for_partner
from vpbx.numbers.schemas import Page, Schema
from vpbx.tenancy.service import TenancyService

router = APIRouter(prefix="/v1", tags=["tenants and audit"], route_class=TransactionalRoute)


class TenantCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200, pattern=NO_NUL)
    email: str | None = Field(default=None, max_length=320, pattern=NO_NUL)


class TenantUpdate(BaseModel):
    """What a partner may change of a tenant; absent fields stay, `email: null` clears."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=200, pattern=NO_NUL)
    email: str | None = Field(default=None, max_length=320, pattern=NO_NUL)
    status: Literal["active", "suspended"] | None = None


class TenantOut(Schema):
    id: int
    name: str
    email: str | None
    status: str
    sip_domain: str
    created_at: datetime


class AuditEventOut(Schema):
    id: int
    at: datetime
    actor: str
    tenant_id: int | None
    action: str
    object_type: str
    object_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@router.get("/tenants", response_model=Page[TenantOut])
def list_tenants(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    cursor: IdCursor = None,
    limit: Limit = None,
) -> Page[TenantOut]:
    partner_id = principal.require_partner()
    limit = page_limit(limit, settings.page_size_max)
    rows = TenancyService(session).tenants_of_partner(partner_id, after_id=cursor, limit=limit + 1)
    items = [TenantOut.model_validate(t) for t in rows[:limit]]
    return Page(items=items, next_cursor=str(rows[limit - 1].id) if len(rows) > limit else None)


@router.post("/tenants", status_code=201, response_model=TenantOut)
def create_tenant(
    body: TenantCreate, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> TenantOut:
    partner_id = principal.require_partner()
    tenant = TenancyService(session).create_tenant(
        partner_id,
        body.name,
        email=body.email,
        actor=principal.actor,
        api_key_id=principal.api_key_id,
        sip_domain_suffix=settings.sip_domain_suffix,
        extension_length=settings.default_extension_length,
    )
    return TenantOut.model_validate(tenant)


@router.get("/tenants/{tenant_id}", response_model=TenantOut)
def get_tenant(tenant_id: IdPath, session: SessionDep, principal: PrincipalDep) -> TenantOut:
    partner_id = principal.require_partner()
    tenant = TenancyService(session).tenant_of_partner(partner_id, tenant_id)
    return TenantOut.model_validate(tenant)


@router.patch("/tenants/{tenant_id}", response_model=TenantOut)
def update_tenant(
    tenant_id: IdPath, body: TenantUpdate, session: SessionDep, principal: PrincipalDep
) -> TenantOut:
    """Rename a tenant, change its email, or suspend it (`"status": "suspended"`: its
    keys, SIP accounts and calls stop, its live registrations are dropped; its data and
    numbers stay) and reactivate it."""
    partner_id = principal.require_partner()
    clear_email = "email" in body.model_fields_set and body.email is None
    tenant = TenancyService(session).update_tenant(
        partner_id,
        tenant_id,
        name=body.name,
        email="" if clear_email else body.email,
        status=body.status,
        actor=principal.actor,
        api_key_id=principal.api_key_id,
    )
    return TenantOut.model_validate(tenant)


@router.get("/audit", response_model=Page[AuditEventOut])
def list_audit(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    tenant_id: IdFilter = None,
    action: Annotated[str | None, Query(max_length=64, pattern=NO_NUL)] = None,
    object_id: Annotated[str | None, Query(max_length=64, pattern=NO_NUL)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    cursor: IdCursor = None,
    limit: Limit = None,
) -> Page[AuditEventOut]:
    partner_id = principal.require_partner()
    limit = page_limit(limit, settings.page_size_max)
    rows = list_for_partner(
        session,
        partner_id,
        tenant_id=tenant_id,
        action=action,
        object_id=object_id,
        since=utc_bound(since, "since"),
        until=utc_bound(until, "until"),
        after_id=cursor,
        limit=limit + 1,
    )
    items = [AuditEventOut.model_validate(e) for e in rows[:limit]]
    return Page(items=items, next_cursor=str(rows[limit - 1].id) if len(rows) > limit else None)
