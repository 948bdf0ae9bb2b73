"""vpbx extensions: create, list as a table, bulk-create from a CSV."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from sqlalchemy.orm import Session

from vpbx.cli.context import err, out, reports_errors, settings, unit_of_work
from vpbx.errors import DomainError
from vpbx.pbx.extensions import ExtensionService
from vpbx.pbx.repository import PbxRepository
from vpbx.pbx.schemas import ExtensionCreate, ExtensionWithPassword
from vpbx.sip.registrations import RegistrationService, summary
from vpbx.tenancy.principal import Principal
from vpbx.tenancy.service import TenancyService

app = typer.Typer(help="Extensions (SIP accounts) of a tenant's PBX.", no_args_is_help=True)
CSV_COLUMNS = (
    "number",
    "display_name",
    "user_email",
    "password",
    "caller_id_hotline",
    "outbound_hotlines",
    "enabled",
)
TenantOption = Annotated[str, typer.Option("--tenant", "-t", help="Tenant id.")]


def _principal(session: Session, tenant_ref: str) -> Principal:
    tenant = TenancyService(session).find_tenant(tenant_ref)
    return Principal(
        actor="cli", partner_id=tenant.partner_id, tenant_id=tenant.id, is_partner=True
    )


def _table(rows: list[ExtensionWithPassword], *, title: str) -> Table:
    table = Table("id", "number", "name", title=title)
    # Shown once: a password is folded onto more lines, never cut short.
    table.add_column("password", overflow="fold")
    table.add_column("caller ID")
    table.add_column("SIP domain", overflow="fold")
    for e in rows:
        table.add_row(
            str(e.id),
            e.number,
            escape(e.display_name),
            escape(e.password),
            e.caller_id_hotline or "",
            e.sip.domain,
        )
    return table


@app.command("create")
@reports_errors
def create(
    tenant: TenantOption,
    number: Annotated[str | None, typer.Option(help="Default: the next free number.")] = None,
    display_name: Annotated[str, typer.Option(help="Shown to the people it calls.")] = "",
    caller_id_hotline: Annotated[str | None, typer.Option(help="A number the tenant owns.")] = None,
) -> None:
    """Create an extension; its password is printed once."""
    with unit_of_work() as session:
        created = ExtensionService(session, settings()).create(
            _principal(session, tenant),
            ExtensionCreate(
                number=number,
                display_name=display_name,
                caller_id_hotline=caller_id_hotline,
                outbound_hotlines=[caller_id_hotline] if caller_id_hotline else [],
            ),
        )
    out.print(_table([created], title="created (the password is not shown again)"))


@app.command("list")
@reports_errors
def list_extensions(
    tenant: TenantOption,
    keyword: Annotated[str | None, typer.Option(help="Number, name or user email.")] = None,
) -> None:
    """List a tenant's extensions."""
    table = Table("id", "number", "name", "user", "enabled", "expires", "caller ID", "hotlines")
    table.add_column("registered")
    with unit_of_work() as session:
        principal = _principal(session, tenant)
        service = ExtensionService(session, settings())
        rows = service.list(principal, keyword=keyword, limit=100_000)
        # Bindings live in the SIP server: "-" when vpbx has none or it does not answer.
        registered = RegistrationService(session, settings()).live(
            principal, [(e.id, e.number) for e in rows]
        )
        for e in rows:
            table.add_row(
                str(e.id),
                e.number,
                escape(e.display_name),
                str(e.user_id or ""),
                "yes" if e.enabled else "no",
                e.expires_at.isoformat() if e.expires_at else "",
                e.caller_id_hotline or "",
                ", ".join(e.outbound_hotlines),
                "-" if registered is None else summary(registered.get(e.id, [])),
            )
    out.print(table)


@dataclass
class RowError:
    line: int
    number: str
    reason: str


@app.command("import")
@reports_errors
def import_extensions(
    tenant: TenantOption,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    dry_run: Annotated[bool, typer.Option(help="Check every row; change nothing.")] = False,
) -> None:
    """Create extensions from a CSV: all rows land together, or none if any is wrong."""
    with file.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        rows = [(reader.line_num, row) for row in reader]
    created, errors = _create_all(tenant, rows, dry_run)
    if errors:
        table = Table("line", "number", "reason", title="rejected rows (nothing was created)")
        for e in errors:
            table.add_row(str(e.line), escape(e.number), escape(e.reason))
        out.print(table)
        raise typer.Exit(1)
    if dry_run:
        out.print(f"{len(created)} extensions would be created")
    else:
        out.print(_table(created, title="created (the passwords are not shown again)"))


def _create_all(
    tenant: str, rows: list[tuple[int, dict[str, str | None]]], dry_run: bool
) -> tuple[list[ExtensionWithPassword], list[RowError]]:
    created: list[ExtensionWithPassword] = []
    errors: list[RowError] = []
    with unit_of_work() as session:
        principal = _principal(session, tenant)
        service = ExtensionService(session, settings())
        progress = Progress(
            TextColumn("[bold]extensions"), BarColumn(), MofNCompleteColumn(), console=err
        )
        with progress:
            task = progress.add_task("rows", total=len(rows))
            for line, row in rows:
                try:
                    with session.begin_nested():  # a bad row leaves no trace of itself
                        created.append(service.create(principal, _parse(session, principal, row)))
                except (DomainError, ValueError) as exc:
                    reason = exc.message if isinstance(exc, DomainError) else str(exc)
                    errors.append(RowError(line, row.get("number") or "", reason))
                progress.advance(task)
        if errors or dry_run:
            session.rollback()
    return created, errors


def _parse(session: Session, principal: Principal, row: dict[str, str | None]) -> ExtensionCreate:
    def get(name: str) -> str:
        return (row.get(name) or "").strip()

    user_id = None
    if get("user_email"):
        user = PbxRepository(session).user_by_email(
            principal.require_tenant(), get("user_email").lower()
        )
        if user is None:
            raise ValueError(f"no user with email {get('user_email')}")
        user_id = user.id
    enabled = get("enabled").lower() not in ("false", "0", "no", "n")
    hotlines = [h.strip() for h in get("outbound_hotlines").split(";") if h.strip()]
    return ExtensionCreate(
        number=get("number") or None,
        display_name=get("display_name"),
        password=get("password") or None,
        user_id=user_id,
        enabled=enabled,
        caller_id_hotline=get("caller_id_hotline") or None,
        outbound_hotlines=hotlines,
    )


__all__ = ["CSV_COLUMNS", "app"]
