"""The tenant's methods (the shop key; a partner key with `Vpbx-Tenant` acts for a tenant).

Each parses, calls a service, serialises. The shop and its eTelecom tenant are one vpbx
tenant: vpbx creates the PBX with the tenant, so CreateTenant answers with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from vpbx.api.dialects.etelecom import mapping, paging, wire
from vpbx.api.dialects.etelecom.context import Context, core, fields_named, one_id
from vpbx.errors import Invalid, NotFound
from vpbx.numbers.enums import NumberStatus
from vpbx.numbers.lines import LineService
from vpbx.numbers.schemas import Line
from vpbx.pbx.extensions import ExtensionService
from vpbx.pbx.schemas import (
    ExtensionCreate,
    ExtensionUpdate,
    ExtensionWithPassword,
    UserCreate,
    UserOut,
)
from vpbx.pbx.users import UserService
from vpbx.tenancy.service import TenancyService

_EXTENSION_FIELDS = {
    "number": "extension_number",
    "caller_id_hotline": "hotline_id",
    "outbound_hotlines": "hotline_id",
}


def _tenant(ctx: Context) -> wire.Tenant:
    principal = ctx.principal
    tenant_id = principal.require_tenant()
    row = TenancyService(ctx.session).find_tenant(str(tenant_id), partner_id=principal.partner_id)
    owning = LineService(ctx.session, ctx.settings).tenants_owning([tenant_id])
    return mapping.tenant(row, owns_numbers=tenant_id in owning)


def create_tenant(ctx: Context, body: wire.Empty) -> wire.Tenant:
    return _tenant(ctx)


def get_tenant(ctx: Context, body: wire.GetTenantRequest) -> wire.Tenant:
    if body.id is not None and body.id != ctx.principal.tenant_id:
        raise NotFound(f"tenant {body.id} not found", code="tenant_not_found")
    return _tenant(ctx)


def get_driver_config(ctx: Context, body: wire.Empty) -> wire.DriverConfig:
    pbx = ExtensionService(ctx.session, ctx.settings).pbx_settings(ctx.principal)
    return mapping.driver_config(ctx.principal.require_tenant(), pbx)


def get_hotlines(ctx: Context, body: wire.GetHotlinesRequest) -> wire.HotlineList:
    walk = paging.plan(body.paging, sorts=paging.BY_ID, max_limit=ctx.settings.page_size_max)
    lines = LineService(ctx.session, ctx.settings).lines(
        ctx.principal, after_id=walk.after_id, descending=walk.descending, limit=walk.fetch
    )
    items, out = paging.page(walk, lines, lambda line: line.id, body.paging)
    return wire.HotlineList(hotlines=[mapping.hotline(line) for line in items], paging=out)


# --- users --------------------------------------------------------------------------


def create_user(ctx: Context, body: wire.CreateUserRequest) -> wire.User:
    phone = body.phone.strip()
    data = core(
        UserCreate,
        full_name=body.full_name,
        email=body.email,
        phone=mapping.to_e164(phone, ctx.settings.default_country, "phone") if phone else None,
        role=body.role,
    )
    created = UserService(ctx.session).create(ctx.principal, data)
    return mapping.user(UserOut.model_validate(created))


def get_users(ctx: Context, body: wire.GetUsersRequest) -> wire.UserList:
    walk = paging.plan(body.paging, sorts=paging.BY_CREATION, max_limit=ctx.settings.page_size_max)
    rows = UserService(ctx.session).list(
        ctx.principal,
        keyword=body.filter.keyword.strip() or None,
        after_id=walk.after_id,
        limit=walk.fetch,
        descending=walk.descending,
    )
    items, out = paging.page(walk, rows, lambda u: u.id, body.paging)
    return wire.UserList(users=[mapping.user(u) for u in items], paging=out)


# --- extensions ---------------------------------------------------------------------


def _active_line(ctx: Context, hotline_id: int) -> Line:
    """The tenant's hotline named in a body, which must be activated (owned) to call on."""
    line = LineService(ctx.session, ctx.settings).line(
        ctx.principal, hotline_id, field="hotline_id"
    )
    if line.status != NumberStatus.ACTIVE:
        raise Invalid(
            f"hotline {hotline_id} is held but not activated: the partner activates it "
            "(PartnerActivateTenant) before extensions can use it",
            code="hotline_not_active",
            field="hotline_id",
        )
    return line


def _extensions(ctx: Context, rows: Sequence[ExtensionWithPassword]) -> list[wire.Extension]:
    caller_ids = {e.caller_id_hotline for e in rows if e.caller_id_hotline}
    lines = LineService(ctx.session, ctx.settings).by_e164(ctx.principal, caller_ids)
    ids = {e164: line.id for e164, line in lines.items()}
    tenant_id, now = ctx.principal.require_tenant(), datetime.now(UTC)
    return [mapping.extension(e, tenant_id=tenant_id, hotline_ids=ids, now=now) for e in rows]


def create_extension(ctx: Context, body: wire.CreateExtensionRequest) -> wire.Extension:
    line = _active_line(ctx, body.hotline_id)
    data = core(
        ExtensionCreate,
        number=str(body.extension_number),
        user_id=body.user_id,
        caller_id_hotline=line.e164,
    )
    with fields_named(_EXTENSION_FIELDS):
        created = ExtensionService(ctx.session, ctx.settings).create(ctx.principal, data)
    return _extensions(ctx, [created])[0]


def get_extension(ctx: Context, body: wire.GetExtensionRequest) -> wire.Extension:
    extension_id = one_id(body.extension_id, body.id, "extension_id")
    found = ExtensionService(ctx.session, ctx.settings).reveal(ctx.principal, extension_id)
    return _extensions(ctx, [found])[0]


def get_extensions(ctx: Context, body: wire.GetExtensionsRequest) -> wire.ExtensionList:
    walk = paging.plan(body.paging, sorts=paging.BY_CREATION, max_limit=ctx.settings.page_size_max)
    rows = ExtensionService(ctx.session, ctx.settings).page_with_passwords(
        ctx.principal, after_id=walk.after_id, limit=walk.fetch, descending=walk.descending
    )
    items, out = paging.page(walk, rows, lambda e: e.id, body.paging)
    return wire.ExtensionList(extensions=_extensions(ctx, items), paging=out)


def assign_user_to_extension(ctx: Context, body: wire.AssignUserToExtensionRequest) -> wire.Updated:
    service = ExtensionService(ctx.session, ctx.settings)
    if service.get(ctx.principal, body.extension_id).user_id == body.user_id:
        return wire.Updated(updated=0)
    service.update(ctx.principal, body.extension_id, core(ExtensionUpdate, user_id=body.user_id))
    return wire.Updated(updated=1)


def update_extension_hotline(
    ctx: Context, body: wire.UpdateExtensionHotlineRequest
) -> wire.Updated:
    service = ExtensionService(ctx.session, ctx.settings)
    current = service.view(ctx.principal, [service.get(ctx.principal, body.extension_id)])[0]
    line = _active_line(ctx, body.hotline_id)
    if current.caller_id_hotline == line.e164:
        return wire.Updated(updated=0)
    # eTelecom gives an extension one hotline; in vpbx it is the caller ID, which must be
    # among the extension's outbound lines when it has a list of them.
    outbound = current.outbound_hotlines
    if outbound and line.e164 not in outbound:
        outbound = [*outbound, line.e164]
    changes = core(ExtensionUpdate, caller_id_hotline=line.e164, outbound_hotlines=outbound)
    with fields_named(_EXTENSION_FIELDS):
        service.update(ctx.principal, body.extension_id, changes)
    return wire.Updated(updated=1)


def remove_user_of_extension(ctx: Context, body: wire.RemoveUserOfExtensionRequest) -> wire.Updated:
    service = ExtensionService(ctx.session, ctx.settings)
    holder = service.get(ctx.principal, body.extension_id).user_id
    if holder is None or (body.user_id is not None and body.user_id != holder):
        return wire.Updated(updated=0)  # that user does not hold this extension
    service.update(ctx.principal, body.extension_id, core(ExtensionUpdate, user_id=None))
    return wire.Updated(updated=1)
