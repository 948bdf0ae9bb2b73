"""vpbx demo: a ready instance on SQLite with stock, a partner, a tenant and keys."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn
from sqlalchemy import func, select

from vpbx import schema
from vpbx.cli import packages as packages_cli
from vpbx.cli import sms as sms_cli
from vpbx.cli.context import engine, factory, out, reports_errors, settings, unit_of_work
from vpbx.models import Number
from vpbx.numbers.generate import generate_stock
from vpbx.numbers.importer import NumberImporter
from vpbx.tenancy.service import TenancyService

DEMO_STOCK = (("VN", 3000, 1), ("RU", 2000, 2))  # country, count, seed
DEMO_PARTNER, DEMO_TENANT = "Demo Partner", "Demo Tenant"


def _load_stock() -> int:
    with unit_of_work() as session:
        present = session.scalar(select(func.count()).select_from(Number)) or 0
    if present:
        return present
    importer = NumberImporter(factory())
    for country, count, seed in DEMO_STOCK:
        importer.import_rows(generate_stock(country, count, seed=seed))
    return sum(count for _, count, _ in DEMO_STOCK)


def _accounts() -> tuple[int, str, str]:
    with unit_of_work() as session:
        service = TenancyService(session)
        partner = service.repo.partner_by_name(DEMO_PARTNER) or service.create_partner(
            DEMO_PARTNER, email="partner@demo.vpbx.local"
        )
        tenant = service.repo.tenant_by_name(partner.id, DEMO_TENANT) or service.create_tenant(
            partner.id, DEMO_TENANT, email="owner@demo.vpbx.local"
        )
        # Keys are shown once and stored hashed, so each demo run issues fresh ones.
        partner_key = service.issue_key(partner_id=partner.id, name="demo").secret
        tenant_key = service.issue_key(tenant_id=tenant.id, name="demo").secret
        return tenant.id, partner_key, tenant_key


@reports_errors
def demo(
    port: Annotated[int | None, typer.Option(help="Default 8080.")] = None,
    serve: Annotated[bool, typer.Option(help="Serve after setting up.")] = True,
) -> None:
    """Set up a demo instance (SQLite by default) and serve it on 127.0.0.1:8080."""
    url = settings().database_url
    schema.upgrade(url)
    stock = _load_stock()
    tenant_id, partner_key, tenant_key = _accounts()
    catalogue = packages_cli.load_rows(DEMO_PARTNER, packages_cli.DEMO_CATALOGUE)
    sms_cli.load_demo_offers()
    port = port or settings().port
    base = f"http://127.0.0.1:{port}"
    out.print(f"[bold]vpbx demo[/bold]  database: {engine().url.render_as_string()}")
    out.print(f"stock: {stock} numbers (VN and RU, every tier and type)")
    out.print(f"tenant id: {tenant_id}")
    out.print(f"partner key: {partner_key}", highlight=False, soft_wrap=True)
    out.print(f"tenant key:  {tenant_key}", highlight=False, soft_wrap=True)
    out.print("try:", style="bold")
    out.print(
        f"curl -s -H 'Authorization: Bearer {tenant_key}' "
        f"'{base}/v1/numbers/available?mask=*68&min_tier=silver&limit=5'",
        highlight=False,
        soft_wrap=True,
    )
    n_packages = catalogue.created + catalogue.updated
    out.print(
        f"carrier packages: {n_packages} (Viettel, MobiFone, VinaPhone); sell one by OTP "
        "(DMall API), then read the subscriber's code in the SMS outbox:"
    )
    out.print(
        f"  curl -s -X POST '{base}/api-customer/public/order/partner/get-otp' "
        f"-H 'api-key: {partner_key}' -H 'Content-Type: application/json' "
        """-d '{"telcoCode": "VIETTEL", "productCode": "MP5X", "phone": "0337880699"}'""",
        highlight=False,
        soft_wrap=True,
    )
    out.print("  vpbx sms outbox --to 0337880699", highlight=False)
    out.print(f"API docs: {base}/docs")
    if serve:
        uvicorn.run("vpbx.api.asgi:app", host="127.0.0.1", port=port, log_level="info")
