"""OMICall's tenant account (`GET /api/tenant/detail`), shared with the partner's
`/api/partner/tenant/info`."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from vpbx.api.deps import PrincipalDep, SessionDep, SettingsDep
from vpbx.api.dialects.omicall import mapping, wire
from vpbx.api.dialects.omicall.base import OmiRoute
from vpbx.api.dialects.omicall.errors import ok
from vpbx.config import Settings
from vpbx.numbers.schemas import OwnedNumber
from vpbx.numbers.service import NumberService
from vpbx.pbx.extensions import ExtensionService
from vpbx.pbx.users import UserService
from vpbx.tenancy.principal import Principal
from vpbx.tenancy.service import TenancyService

router = APIRouter(prefix="/api/tenant", route_class=OmiRoute)


def owned_numbers(numbers: NumberService, principal: Principal, page: int) -> list[OwnedNumber]:
    """Every number the tenant owns, read page by page."""
    owned: list[OwnedNumber] = []
    cursor: str | None = None
    while True:
        batch = numbers.list_owned(principal, status="active", cursor=cursor, limit=page)
        owned += batch.items
        if batch.next_cursor is None:
            return owned
        cursor = batch.next_cursor


def extension_count(extensions: ExtensionService, principal: Principal) -> int:
    return extensions.directory(principal, keyword=None, offset=0, limit=1)[1]


def tenant_detail(session: Session, settings: Settings, principal: Principal) -> wire.TenantDetail:
    """The tenant `principal` acts for, with its owner's phone and its numbers."""
    tenant_id = principal.require_tenant()
    tenant = TenancyService(session).find_tenant(str(tenant_id))
    owner = UserService(session).by_email(principal, tenant.email) if tenant.email else None
    numbers = owned_numbers(NumberService(session, settings), principal, settings.page_size_max)
    staff = extension_count(ExtensionService(session, settings), principal)
    return mapping.tenant_detail(tenant, owner, numbers, staff, settings.default_country)


@router.get("/detail")
def detail(session: SessionDep, settings: SettingsDep, principal: PrincipalDep) -> JSONResponse:
    return ok(tenant_detail(session, settings, principal))
