"""OMICall's call-centre API (seed 001): extensions, their hotlines, internal groups.

A tenant token ("normal"): a partner token is refused with `tenant_invalid`, as
OMICall has no way for a partner token to name one of its tenants here.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from vpbx.api.deps import PrincipalDep, SessionDep, SettingsDep
from vpbx.api.dialects.omicall import mapping, wire
from vpbx.api.dialects.omicall.base import OmiRoute, PageNumber, PageSize
from vpbx.api.dialects.omicall.errors import ok
from vpbx.pbx.extensions import ExtensionService
from vpbx.pbx.groups import GroupService
from vpbx.pbx.schemas import NO_NUL, ExtensionUpdate, GroupOut
from vpbx.pbx.users import UserService
from vpbx.tenancy.principal import Principal
from vpbx.tenancy.service import TenancyService

router = APIRouter(prefix="/api/call_center", route_class=OmiRoute)
Keyword = Annotated[str | None, Query(max_length=100, pattern=NO_NUL)]
SipUser = Annotated[str, Query(min_length=1, max_length=6, pattern=r"^[0-9]+$")]
# The whole dial plan of a tenant is read in pages of this many.
_BATCH = 500


@router.get("/internal_phone/list")
def list_internal_phones(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    keyword: Keyword = None,
    page: PageNumber = 1,
    size: PageSize = 50,
) -> JSONResponse:
    """The tenant's extensions with what a softphone needs (domain, proxy, user,
    password); `keyword` matches the extension number, the name and the email."""
    principal.require_tenant()
    offset = mapping.page_offset(page, size, settings.page_size_max)
    extensions, total = ExtensionService(session, settings).directory(
        principal, keyword=(keyword or "").strip() or None, offset=offset, limit=size
    )
    users = UserService(session).by_ids(
        principal, [e.user_id for e in extensions if e.user_id is not None]
    )
    items = [mapping.internal_phone(e, users.get(e.user_id or 0)) for e in extensions]
    return ok(mapping.page_of(items, page=page, size=size, total=total))


@router.put("/internal_phone/status")
def set_internal_phone_status(
    enabled: Annotated[bool, Query()],
    sip_user: SipUser,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> JSONResponse:
    """Enable or disable an extension (`enabled=true|false`)."""
    service = ExtensionService(session, settings)
    extension = service.get_by_number(principal, sip_user)
    updated = service.update(principal, extension.id, ExtensionUpdate(enabled=enabled))
    return ok(wire.PhoneStatus(sip_user=updated.number, enabled=updated.enabled))


@router.get("/hotline/list")
def list_hotlines(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    extension: Annotated[str | None, Query(max_length=6, pattern=r"^[0-9]*$")] = None,
) -> JSONResponse:
    """The tenant numbers an extension may call out on (all the tenant's numbers
    without `extension`)."""
    numbers = ExtensionService(session, settings).callable_hotlines(principal, extension or None)
    return ok([mapping.wire_number(n) for n in numbers])


@router.get("/internal_group/get_all")
def list_internal_groups(
    session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> JSONResponse:
    tenant = TenancyService(session).find_tenant(str(principal.require_tenant()))
    groups = _all_groups(GroupService(session), principal)
    agents = _extension_users(ExtensionService(session, settings), principal)
    numbers = {g.number: g.id for g in groups}
    return ok([mapping.internal_group(g, tenant, agents, numbers) for g in groups])


def _all_groups(service: GroupService, principal: Principal) -> list[GroupOut]:
    groups: list[GroupOut] = []
    while True:
        after = groups[-1].id if groups else None
        batch = service.list_groups(principal, after_id=after, limit=_BATCH)
        groups += batch
        if len(batch) < _BATCH:
            return groups


def _extension_users(service: ExtensionService, principal: Principal) -> dict[int, int | None]:
    """Extension id → its user's id, for the whole tenant (group members are extensions;
    OMICall shows their people as agent_id)."""
    found: dict[int, int | None] = {}
    after: int | None = None
    while True:
        batch = service.list(principal, after_id=after, limit=_BATCH)
        found.update({e.id: e.user_id for e in batch})
        if len(batch) < _BATCH:
            return found
        after = batch[-1].id
