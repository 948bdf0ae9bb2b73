"""OMICall's partner API (`/api/partner/...`): a partner token ("bussiness")."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from vpbx.api.deps import PrincipalDep, SessionDep, SettingsDep
from vpbx.api.dialects.omicall import mapping, wire
from vpbx.api.dialects.omicall.base import OmiRoute, PageNumber, PageSize
from vpbx.api.dialects.omicall.errors import ok
from vpbx.api.dialects.omicall.tenant import tenant_detail
from vpbx.errors import NotFound
from vpbx.numbers.enums import OwnerType
from vpbx.numbers.schemas import SearchFilters
from vpbx.numbers.service import NumberService
from vpbx.pbx.schemas import NO_NUL, UserCreate
from vpbx.pbx.users import UserService
from vpbx.tenancy.service import TenancyService

router = APIRouter(prefix="/api/partner", route_class=OmiRoute)


@router.get("/public_number/list")
def list_public_numbers(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    page: PageNumber = 1,
    size: PageSize = 50,
) -> JSONResponse:
    """The operator's stock on sale ("kho đầu số"), by national number."""
    principal.require_partner()
    offset = mapping.page_offset(page, size, settings.page_size_max)
    numbers, total = NumberService(session, settings).search_page(
        SearchFilters(), offset=offset, limit=size
    )
    items = [mapping.public_number(n) for n in numbers]
    return ok(mapping.page_of(items, page=page, size=size, total=total))


@router.post("/public_number/buy")
def buy_public_number(
    body: wire.BuyNumber, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> JSONResponse:
    """Buy a number for the partner's tenant whose owner email is `email`, for
    `number_count` months (at least 6 on this face, as documented)."""
    partner_id = principal.require_partner()
    tenancy = TenancyService(session)
    tenant = tenancy.tenant_by_owner_email(partner_id, body.email)
    acting = tenancy.act_for(principal, tenant.id)
    order = NumberService(session, settings).buy(
        acting,
        [mapping.number_in(body.number, settings.default_country)],
        months=body.number_count,
        owner_type=OwnerType.BUSINESS,
        note=body.note,
    )
    item = order.items[0]
    return ok(
        wire.BoughtNumber(
            number=mapping.wire_number(item.number),
            email=tenant.email or body.email,
            tenant_id=mapping.object_id(tenant.id),
            number_count=order.months,
            note=order.note,
            status="active",
            effective_date=mapping.epoch_ms(order.created_at),
            expire_date=mapping.epoch_ms(item.paid_until),
        )
    )


@router.get("/me")
def partner_me(session: SessionDep, settings: SettingsDep, principal: PrincipalDep) -> JSONResponse:
    partner = TenancyService(session).find_partner(str(principal.require_partner()))
    return ok(mapping.partner_me(partner, settings.default_country))


@router.post("/tenant/add")
def add_tenant(
    body: wire.TenantAdd, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> JSONResponse:
    """A new tenant named `fullName`, and its owner (`ownerName`, `email`, `phone`) as
    its first user, an admin. The password is checked by OMICall's rule and dropped:
    vpbx tenants sign in with API keys, not passwords. Active at once (`isAutoActive`
    is accepted; vpbx has no pending state)."""
    partner_id = principal.require_partner()
    tenancy = TenancyService(session)
    tenant = tenancy.create_tenant(
        partner_id,
        body.fullName,
        email=body.email,
        actor=principal.actor,
        api_key_id=principal.api_key_id,
        sip_domain_suffix=settings.sip_domain_suffix,
        extension_length=settings.default_extension_length,
        unique_email=True,
    )
    owner = UserCreate(
        full_name=(body.ownerName or "").strip() or body.fullName,
        email=body.email,
        phone=mapping.number_in(body.phone, settings.default_country) if body.phone else None,
        role="admin",
    )
    UserService(session).create(tenancy.act_for(principal, tenant.id), owner)
    return ok(wire.TenantCreated(id=mapping.object_id(tenant.id)))


@router.post("/tenant/list")
def list_tenants(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    page: PageNumber = 1,
    size: PageSize = 50,
) -> JSONResponse:
    partner_id = principal.require_partner()
    offset = mapping.page_offset(page, size, settings.page_size_max)
    tenants, total = TenancyService(session).tenant_page(partner_id, offset=offset, limit=size)
    items = [mapping.tenant_item(t) for t in tenants]
    return ok(mapping.page_of(items, page=page, size=size, total=total))


@router.get("/tenant/info")
def tenant_info(
    id: Annotated[str, Query(min_length=1, max_length=40, pattern=NO_NUL)],
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> JSONResponse:
    """One of the partner's tenants in full (the shape of /api/tenant/detail);
    another partner's tenant is not found."""
    principal.require_partner()
    tenant_id = mapping.parse_object_id(id)
    try:
        if tenant_id is None:  # well-formed, but no tenant can have it
            raise NotFound("no such tenant", code="tenant_not_found")
        acting = TenancyService(session).act_for(principal, tenant_id)
    except NotFound:  # in the client's words: the id as it sent it
        raise NotFound(f"tenant {id} not found", code="tenant_not_found") from None
    return ok(tenant_detail(session, settings, acting))
