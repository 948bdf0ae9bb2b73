"""The Partner* methods (partner API key). Each parses, calls a service, serialises.

How a partner holds a number before a tenant has it: vpbx sells numbers to tenants only,
so PartnerAddHotline holds the number *for the tenant named by owner_id* (a
reservation, status Z, which lapses after VPBX_RESERVATION_MINUTES like any hold;
calling it again renews it), and PartnerActivateTenant / PartnerAddHotlineToTenant buy
it for that tenant (status P, VPBX_MIN_PURCHASE_MONTHS paid). Removing a hotline ends
the hold, or releases an owned number into vpbx's quarantine.
"""

from __future__ import annotations

from vpbx.api.dialects.etelecom import mapping, paging, wire
from vpbx.api.dialects.etelecom.context import Context, fields_named, one_id
from vpbx.errors import Invalid
from vpbx.numbers.lines import LineService
from vpbx.tenancy.principal import Principal
from vpbx.tenancy.service import TenancyService


def _acting_for(ctx: Context, tenant_id: int, owner_id: int | None = None) -> Principal:
    """The partner acting for one of its tenants; any other tenant is not found.

    The shop and its tenant are one vpbx tenant, so an owner_id, when sent, must be the
    tenant's own id (as GetPartnerTenantList reports it).
    """
    if owner_id is not None and owner_id != tenant_id:
        raise Invalid(
            f"owner_id {owner_id} is not the owner of tenant {tenant_id} (in vpbx a tenant's "
            "owner_id is its own id)",
            field="owner_id",
        )
    return TenancyService(ctx.session).act_for(ctx.principal, tenant_id)


def get_partner_tenant_list(
    ctx: Context, body: wire.GetPartnerTenantListRequest
) -> wire.TenantList:
    walk = paging.plan(body.paging, sorts=paging.BY_CREATION, max_limit=ctx.settings.page_size_max)
    rows = TenancyService(ctx.session).find_tenants(
        ctx.principal.require_partner(),
        name=body.filter.name.strip() or None,
        tenant_id=body.filter.owner_id,
        after_id=walk.after_id,
        descending=walk.descending,
        limit=walk.fetch,
    )
    items, out = paging.page(walk, rows, lambda t: t.id, body.paging)
    owning = LineService(ctx.session, ctx.settings).tenants_owning([t.id for t in items])
    tenants = [mapping.tenant(t, owns_numbers=t.id in owning) for t in items]
    return wire.TenantList(tenants=tenants, paging=out)


def get_partner_hotline_list(
    ctx: Context, body: wire.GetPartnerHotlineListRequest
) -> wire.HotlineList:
    walk = paging.plan(body.paging, sorts=paging.BY_ID, max_limit=ctx.settings.page_size_max)
    lines = LineService(ctx.session, ctx.settings).lines(
        ctx.principal,
        whole_partner=True,
        after_id=walk.after_id,
        descending=walk.descending,
        limit=walk.fetch,
    )
    items, out = paging.page(walk, lines, lambda line: line.id, body.paging)
    return wire.HotlineList(hotlines=[mapping.hotline(line) for line in items], paging=out)


def partner_add_hotline(ctx: Context, body: wire.PartnerAddHotlineRequest) -> wire.Hotline:
    # name, description, is_free_charge and network are accepted and checked but not
    # kept: vpbx stores no label on a number and knows its carrier from the stock.
    if body.owner_id is None:
        raise Invalid(
            "owner_id is required: vpbx holds a number for a tenant (its id, as "
            "GetPartnerTenantList reports it)",
            field="owner_id",
        )
    acting = _acting_for(ctx, body.owner_id)
    e164 = mapping.to_e164(body.hotline, ctx.settings.default_country, "hotline")
    with fields_named({"number": "hotline"}):
        line = LineService(ctx.session, ctx.settings).hold(acting, e164, field="hotline")
    return mapping.hotline(line)


def partner_activate_tenant(ctx: Context, body: wire.PartnerActivateTenantRequest) -> wire.Updated:
    # connection_id names eTelecom's SIP connection; vpbx has one (its SIP server).
    acting = _acting_for(ctx, body.tenant_id, body.owner_id)
    changed = LineService(ctx.session, ctx.settings).activate(
        acting, body.hotline_id, note="eTelecom PartnerActivateTenant"
    )
    return wire.Updated(updated=int(changed))


def partner_add_hotline_to_tenant(
    ctx: Context, body: wire.PartnerHotlineTenantRequest
) -> wire.Updated:
    acting = _acting_for(ctx, body.tenant_id)
    changed = LineService(ctx.session, ctx.settings).activate(
        acting, body.hotline_id, note="eTelecom PartnerAddHotlineToTenant"
    )
    return wire.Updated(updated=int(changed))


def partner_remove_hotline_from_tenant(
    ctx: Context, body: wire.PartnerHotlineTenantRequest
) -> wire.Updated:
    acting = _acting_for(ctx, body.tenant_id)
    LineService(ctx.session, ctx.settings).give_back(acting, body.hotline_id)
    return wire.Updated(updated=1)


def partner_remove_hotline(ctx: Context, body: wire.PartnerRemoveHotlineRequest) -> wire.Updated:
    hotline_id = one_id(body.hotline_id, body.id, "hotline_id")
    lines = LineService(ctx.session, ctx.settings)
    line = lines.line(ctx.principal, hotline_id, whole_partner=True)
    lines.give_back(_acting_for(ctx, line.tenant_id), hotline_id)
    return wire.Updated(updated=1)
