"""vpbx partners / tenants / keys."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from vpbx.cli.context import fail, out, reports_errors, settings, unit_of_work
from vpbx.tenancy.service import TenancyService

partners = typer.Typer(help="Partners: resellers that own tenants.", no_args_is_help=True)
tenants = typer.Typer(help="Tenants: a partner's business customers.", no_args_is_help=True)
keys = typer.Typer(help="API keys (shown once, stored hashed).", no_args_is_help=True)


@partners.command("create")
@reports_errors
def partners_create(
    name: str, email: Annotated[str | None, typer.Option(help="Contact email.")] = None
) -> None:
    """Create a partner and print its id."""
    with unit_of_work() as session:
        partner = TenancyService(session).create_partner(name, email=email)
        partner_id = partner.id
    out.print(partner_id)


@partners.command("list")
@reports_errors
def partners_list() -> None:
    """List partners."""
    table = Table("id", "name", "email", "created")
    with unit_of_work() as session:
        for p in TenancyService(session).partners():
            table.add_row(str(p.id), p.name, p.email or "", p.created_at.isoformat())
    out.print(table)


@tenants.command("create")
@reports_errors
def tenants_create(
    name: str,
    partner: Annotated[str, typer.Option("--partner", "-p", help="Partner id or name.")],
    email: Annotated[str | None, typer.Option(help="Owner's email (OMICall buys by it).")] = None,
) -> None:
    """Create a tenant of a partner and print its id."""
    with unit_of_work() as session:
        service = TenancyService(session)
        tenant = service.create_tenant(
            service.find_partner(partner).id,
            name,
            email=email,
            sip_domain_suffix=settings().sip_domain_suffix,
            extension_length=settings().default_extension_length,
        )
        tenant_id = tenant.id
    out.print(tenant_id)


@tenants.command("list")
@reports_errors
def tenants_list(
    partner: Annotated[str, typer.Option("--partner", "-p", help="Partner id or name.")],
) -> None:
    """List a partner's tenants."""
    table = Table("id", "name", "email", "status")
    with unit_of_work() as session:
        service = TenancyService(session)
        partner_id = service.find_partner(partner).id
        for t in service.tenants_of_partner(partner_id, limit=10_000):
            table.add_row(str(t.id), t.name, t.email or "", t.status)
    out.print(table)


PartnerRef = Annotated[str, typer.Option("--partner", "-p", help="Partner id or name.")]
TenantRef = Annotated[str, typer.Argument(help="Tenant id or name.")]


@tenants.command("suspend")
@reports_errors
def tenants_suspend(tenant: TenantRef, partner: PartnerRef) -> None:
    """Suspend a tenant: its keys, SIP accounts and calls stop and its phones are
    unregistered; its data and numbers stay."""
    _set_status(tenant, partner, "suspended")


@tenants.command("activate")
@reports_errors
def tenants_activate(tenant: TenantRef, partner: PartnerRef) -> None:
    """Make a suspended tenant active again."""
    _set_status(tenant, partner, "active")


def _set_status(ref: str, partner: str, status: str) -> None:
    with unit_of_work() as session:
        service = TenancyService(session)
        partner_id = service.find_partner(partner).id
        tenant = service.find_tenant(ref, partner_id=partner_id)
        service.update_tenant(partner_id, tenant.id, status=status)
        line = f"tenant {tenant.id} ({tenant.name}) is {status}"
    out.print(line)


@keys.command("create")
@reports_errors
def keys_create(
    partner: Annotated[str | None, typer.Option(help="Partner id or name.")] = None,
    tenant: Annotated[str | None, typer.Option(help="Tenant id.")] = None,
    name: Annotated[str | None, typer.Option(help="A label for the key.")] = None,
) -> None:
    """Create an API key; the key alone goes to stdout (capture it: it is shown once)."""
    if (partner is None) == (tenant is None):
        raise fail("give exactly one of --partner or --tenant", code=2)
    with unit_of_work() as session:
        service = TenancyService(session)
        if partner is not None:
            issued = service.issue_key(partner_id=service.find_partner(partner).id, name=name)
        else:
            assert tenant is not None
            issued = service.issue_key(tenant_id=service.find_tenant(tenant).id, name=name)
        secret = issued.secret
    print(secret)
