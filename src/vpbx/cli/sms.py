"""vpbx sms: the outbox, the SMS packets on sale, template reviews."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from vpbx.cli.context import fail, out, reports_errors, settings, unit_of_work
from vpbx.messaging.packets import PacketService
from vpbx.messaging.service import MessagingService
from vpbx.messaging.templates import TemplateService
from vpbx.models.base import utcnow

app = typer.Typer(help="SMS: the outbox, packet offers, templates.", no_args_is_help=True)
offers = typer.Typer(help="The SMS packets tenants can buy.", no_args_is_help=True)
templates = typer.Typer(help="Review tenants' templates.", no_args_is_help=True)
app.add_typer(offers, name="offers")
app.add_typer(templates, name="templates")

TemplateId = Annotated[int, typer.Argument(min=1, max=2**63 - 1)]
DEMO_OFFERS = (
    ("SMS100", "SMS 100", 100, "80000", "VND"),
    ("SMS500", "SMS 500", 500, "350000", "VND"),
    ("SMS1000", "SMS 1000", 1000, "650000", "VND"),
)


@app.command("outbox")
@reports_errors
def outbox(
    to: Annotated[str | None, typer.Option(help="Only messages to this number.")] = None,
    minutes: Annotated[int | None, typer.Option(min=1, help="Only the last N minutes.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 20,
) -> None:
    """Messages the outbox gateway kept (VPBX_SMS_GATEWAY=outbox), newest first: one-time
    codes sent to subscribers are read here."""
    since = utcnow() - timedelta(minutes=minutes) if minutes else None
    table = Table("time (UTC)", "from", "to", "text", title="SMS outbox")
    with unit_of_work() as session:
        rows = MessagingService(session, settings()).outbox(to=to, since=since, limit=limit)
        for entry in rows:
            table.add_row(
                f"{entry.created_at:%Y-%m-%d %H:%M:%S}",
                escape(entry.sender),
                entry.recipient,
                escape(entry.text),
            )
    out.print(table)


@offers.command("list")
@reports_errors
def offers_list() -> None:
    """The packets on sale."""
    table = Table("code", "name", "quota", "price", "currency")
    with unit_of_work() as session:
        for offer in PacketService(session).offers():
            table.add_row(
                offer.code, escape(offer.name), str(offer.quota), str(offer.price), offer.currency
            )
    out.print(table)


@offers.command("set")
@reports_errors
def offers_set(
    code: str,
    quota: Annotated[int, typer.Option(min=1, help="Messages in the packet.")],
    price: Annotated[str, typer.Option(help="Decimal price.")],
    currency: Annotated[str, typer.Option(help="ISO 4217 code.")] = "VND",
    name: Annotated[str, typer.Option(help="Shown to tenants; default the code.")] = "",
    active: Annotated[bool, typer.Option(help="On sale.")] = True,
) -> None:
    """Create or change an offer (packets already bought keep their terms)."""
    try:
        amount = Decimal(price)
    except InvalidOperation:
        raise fail(f"not a price: {price!r}") from None
    with unit_of_work() as session:
        offer = PacketService(session).save_offer(
            code, name, quota, amount, currency, active=active
        )
        saved = offer.code
    out.print(saved)


def _review(template_id: int, status: str) -> None:
    with unit_of_work() as session:
        template = TemplateService(session, settings()).review(template_id, status)
        out.print(f"template {template.id} ({escape(template.code)}) is {template.status}")


@templates.command("approve")
@reports_errors
def templates_approve(template_id: TemplateId) -> None:
    """Let a tenant send with the template (VPBX_SMS_TEMPLATES_NEED_APPROVAL=true)."""
    _review(template_id, "approved")


@templates.command("reject")
@reports_errors
def templates_reject(template_id: TemplateId) -> None:
    _review(template_id, "rejected")


def load_demo_offers() -> int:
    """The demo's offers, unless offers exist already."""
    with unit_of_work() as session:
        service = PacketService(session)
        if service.offers():
            return 0
        for code, name, quota, price, currency in DEMO_OFFERS:
            service.save_offer(code, name, quota, Decimal(price), currency)
    return len(DEMO_OFFERS)
