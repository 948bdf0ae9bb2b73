"""vpbx packages: the partners' carrier-package catalogues and the orders made from them."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from vpbx.cli.context import factory, fail, out, reports_errors, settings, unit_of_work
from vpbx.db import begin_session
from vpbx.packages.catalogue import CSV_COLUMNS, CatalogueService
from vpbx.packages.schemas import LoadReport
from vpbx.packages.service import PackageOrderService
from vpbx.tenancy.service import TenancyService

app = typer.Typer(help="Carrier packages sold by one-time code.", no_args_is_help=True)
ORDER_STATES = ("pending", "active", "failed", "cancelled")

# A small catalogue of well-known Vietnamese bundles for the demo. Prices and validity
# are illustrative, not the carriers' current terms.
DEMO_CATALOGUE: tuple[dict[str, str], ...] = (
    {"carrier": "VIETTEL", "product_code": "MP5X", "type": "COMBO", "price": "5000",
     "validity_days": "5", "description": "Gọi và nhắn tin nội mạng 5 ngày"},
    {"carrier": "VIETTEL", "product_code": "V90B", "type": "COMBO", "price": "90000",
     "validity_days": "30", "description": "1GB/ngày, gọi nội mạng miễn phí dưới 10 phút"},
    {"carrier": "VIETTEL", "product_code": "V200B", "type": "COMBO", "price": "200000",
     "validity_days": "30", "description": "8GB/ngày, gọi nội mạng và 100 phút ngoại mạng"},
    {"carrier": "VIETTEL", "product_code": "ST90", "type": "DATA", "price": "90000",
     "validity_days": "30", "description": "1GB/ngày tốc độ cao"},
    {"carrier": "MOBIFONE", "product_code": "6C120", "type": "COMBO", "price": "720000",
     "validity_days": "180", "description": "6 chu kỳ C120: 4GB/ngày, gọi miễn phí"},
    {"carrier": "MOBIFONE", "product_code": "C90N", "type": "COMBO", "price": "90000",
     "validity_days": "30", "description": "4GB/ngày, gọi nội mạng dưới 20 phút"},
    {"carrier": "MOBIFONE", "product_code": "TK135", "type": "SMS", "price": "135000",
     "validity_days": "30", "description": "Gói nhắn tin và gọi nội mạng"},
    {"carrier": "VINAPHONE", "product_code": "D60G", "type": "DATA", "price": "120000",
     "validity_days": "30", "description": "2GB/ngày tốc độ cao"},
    {"carrier": "VINAPHONE", "product_code": "VD89P", "type": "COMBO", "price": "89000",
     "validity_days": "30", "description": "2GB/ngày, gọi nội mạng miễn phí"},
    {"carrier": "VINAPHONE", "product_code": "TALK30", "type": "CALL", "price": "30000",
     "validity_days": "30", "description": "Gọi nội mạng dưới 10 phút"},
)  # fmt: skip


def load_rows(
    partner_ref: str, rows: Iterable[Mapping[str, str | None]], *, dry_run: bool = False
) -> LoadReport:
    """Load rows into the partner's catalogue in one transaction (rolled back if dry)."""
    session = begin_session(factory(), write=True)
    try:
        partner = TenancyService(session).find_partner(partner_ref)
        report = CatalogueService(session).load(partner.id, rows)
        if dry_run:
            session.rollback()
        else:
            session.commit()
        return report
    finally:
        session.close()


@app.command("load")
@reports_errors
def load(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    partner: Annotated[str, typer.Option("--partner", "-p", help="Partner id or name.")],
    dry_run: Annotated[bool, typer.Option(help="Validate only; change nothing.")] = False,
) -> None:
    """Create or update a partner's packages from a CSV file.

    Columns: carrier, product_code, type (CALL, SMS, DATA, COMBO), price, validity_days,
    and optionally currency (VND), description, active (true).
    """
    with file.open(newline="", encoding="utf-8-sig") as stream:
        report = load_rows(partner, csv.DictReader(stream), dry_run=dry_run)
    verb = "would create" if dry_run else "created"
    out.print(f"{verb} {report.created}, updated {report.updated}, rejected {len(report.rejected)}")
    for line, reason in report.rejected:
        out.print(f"  line {line}: {escape(reason)}", highlight=False)
    if report.rejected:
        raise typer.Exit(1)


@app.command("list")
@reports_errors
def list_packages(
    partner: Annotated[str, typer.Option("--partner", "-p", help="Partner id or name.")],
) -> None:
    """A partner's catalogue."""
    table = Table(*CSV_COLUMNS, title="packages")
    with unit_of_work() as session:
        found = TenancyService(session).find_partner(partner)
        for p in CatalogueService(session).of_partner(found.id):
            table.add_row(
                p.carrier,
                p.product_code,
                p.type,
                str(p.price.normalize()),
                p.currency,
                str(p.validity_days),
                escape(p.description),
                "yes" if p.active else "no",
            )
    out.print(table)


@app.command("orders")
@reports_errors
def orders(
    partner: Annotated[
        str | None, typer.Option("--partner", "-p", help="Partner id or name.")
    ] = None,
    status: Annotated[str | None, typer.Option(help="pending, active, failed, cancelled.")] = None,
    phone: Annotated[str | None, typer.Option(help="Subscriber's phone.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50,
) -> None:
    """Package orders, newest first (status as the clock sees it: expired, ended)."""
    if status is not None and status not in ORDER_STATES:
        raise fail(f"--status must be one of {', '.join(ORDER_STATES)}")
    table = Table(
        "order code", "partner", "tenant", "phone", "package", "status", "created", "active until"
    )
    with unit_of_work() as session:
        partner_id = TenancyService(session).find_partner(partner).id if partner else None
        service = PackageOrderService(session, settings())
        rows = service.operator_orders(
            partner_id=partner_id, status=status, phone=phone, limit=limit
        )
        for order in rows:
            shown = service.view(order)
            table.add_row(
                order.order_code,
                str(order.partner_id),
                str(order.tenant_id or ""),
                order.phone,
                f"{order.carrier} {order.product_code}",
                shown.status,
                f"{order.created_at:%Y-%m-%d %H:%M:%S}",
                f"{order.active_until:%Y-%m-%d %H:%M}" if order.active_until else "",
            )
    out.print(table)
