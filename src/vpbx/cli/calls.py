"""vpbx calls: a tenant's call history as a table."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from vpbx.calls.schemas import DIRECTIONS, CallFilter, CallRecordOut, Direction
from vpbx.calls.service import CallRecordService
from vpbx.cli.context import out, reports_errors, settings, unit_of_work
from vpbx.errors import Invalid
from vpbx.tenancy.principal import Principal
from vpbx.tenancy.service import TenancyService

app = typer.Typer(help="Call records (CDRs) of a tenant.", no_args_is_help=True)
TenantOption = Annotated[str, typer.Option("--tenant", "-t", help="Tenant id.")]
TIME_HELP = "A date (YYYY-MM-DD, midnight UTC) or an RFC 3339 time with an offset."


def _principal(session: Session, tenant_ref: str) -> Principal:
    tenant = TenancyService(session).find_tenant(tenant_ref)
    return Principal(
        actor="cli", partner_id=tenant.partner_id, tenant_id=tenant.id, is_partner=True
    )


def parse_time(value: str | None, name: str) -> datetime | None:
    """A bound as the administrator types it: a date means its midnight in UTC; a time
    needs its offset, as in the API (a bare local time is ambiguous)."""
    if value is None:
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(f"--{name} {value!r} is not a date or an RFC 3339 time") from None
    if moment.tzinfo is None:
        raise Invalid(f"--{name} needs a time zone offset, e.g. {text}Z or {text}+07:00")
    return moment


def _directions(values: list[str]) -> list[Direction]:
    found: list[Direction] = []
    for value in values:
        direction = next((d for d in DIRECTIONS if d == value.strip().lower()), None)
        if direction is None:
            raise Invalid(f"--direction must be one of {', '.join(DIRECTIONS)}, not {value!r}")
        found.append(direction)
    return found


def _table(rows: list[CallRecordOut]) -> Table:
    table = Table(
        "id", "started (UTC)", "dir", "caller", "callee", "hotline", "ext", "result", "dur", "bill"
    )
    for c in rows:
        table.add_row(
            str(c.id),
            c.started_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
            c.direction,
            escape(c.caller),
            escape(c.callee),
            c.hotline or "",
            c.extension or "",
            c.disposition,
            str(c.duration_s),
            str(c.billsec),
        )
    return table


@app.command("list")
@reports_errors
def list_calls(
    tenant: TenantOption,
    date_from: Annotated[str | None, typer.Option("--from", help=TIME_HELP)] = None,
    date_to: Annotated[str | None, typer.Option("--to", help=TIME_HELP)] = None,
    direction: Annotated[
        list[str] | None, typer.Option(help="in, out or internal; repeat for several.")
    ] = None,
    extension: Annotated[
        list[str] | None, typer.Option(help="Extension number; repeat for several.")
    ] = None,
    hotline: Annotated[
        list[str] | None, typer.Option(help="Tenant number (E.164 or national); repeatable.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="At most this many.")] = 50,
) -> None:
    """List a tenant's calls, newest first (--from inclusive, --to exclusive)."""
    try:
        filters = CallFilter(
            date_from=parse_time(date_from, "from"),
            date_to=parse_time(date_to, "to"),
            directions=_directions(direction or []),
            extensions=[e.strip() for e in extension or []],
            hotlines=hotline or [],
        )
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise Invalid(f"invalid filter: {problems}") from None
    with unit_of_work() as session:
        principal = _principal(session, tenant)
        page = CallRecordService(session, settings()).list_calls(
            principal, filters, cursor=None, limit=limit
        )
    out.print(_table(page.items))
    more = " (more: raise --limit or narrow the dates)" if page.next_cursor else ""
    out.print(f"{len(page.items)} calls{more}")
