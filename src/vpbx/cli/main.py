"""The `vpbx` command."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from vpbx import schema
from vpbx.cli import demo as demo_module
from vpbx.cli.calls import app as calls_app
from vpbx.cli.context import engine, fail, out, reports_errors, settings
from vpbx.cli.numbers import app as numbers_app
from vpbx.cli.packages import app as packages_app
from vpbx.cli.pbx import app as extensions_app
from vpbx.cli.sip import app as sip_app
from vpbx.cli.sms import app as sms_app
from vpbx.cli.tenancy import keys, partners, tenants

app = typer.Typer(
    help="vpbx: phone-number inventory and virtual PBX back office.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db, name="db")
app.add_typer(partners, name="partners")
app.add_typer(tenants, name="tenants")
app.add_typer(keys, name="keys")
app.add_typer(numbers_app, name="numbers")
app.add_typer(extensions_app, name="extensions")
app.add_typer(sip_app, name="sip")
app.add_typer(calls_app, name="calls")
app.add_typer(packages_app, name="packages")
app.add_typer(sms_app, name="sms")


@db.command("upgrade")
@reports_errors
def db_upgrade(revision: str = "head") -> None:
    """Migrate the database (VPBX_DATABASE_URL) to the latest schema."""
    schema.upgrade(settings().database_url, revision)
    out.print(f"database at revision {schema.current_revision(engine())}")


@db.command("current")
@reports_errors
def db_current() -> None:
    """Show the database's schema revision and the code's."""
    out.print(
        f"database: {schema.current_revision(engine()) or 'empty'}; code: {schema.head_revision()}"
    )


@db.command("check")
@reports_errors
def db_check() -> None:
    """Fail if the models and the migrated schema differ (alembic check)."""
    try:
        schema.check(settings().database_url)
    except Exception as exc:  # alembic raises its own CommandError subclasses
        raise fail(str(exc)) from None
    out.print("schema matches the models")


@app.command()
@reports_errors
def serve(
    host: Annotated[str | None, typer.Option(help="Default 127.0.0.1 (VPBX_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Default 8080 (VPBX_PORT).")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Serve the HTTP API (native /v1 and OpenAPI at /docs)."""
    from vpbx.api.app import ensure_migrated

    ensure_migrated(engine())
    uvicorn.run(
        "vpbx.api.asgi:app",
        host=host or settings().host,
        port=port or settings().port,
        workers=workers,
        log_level="info",
    )


app.command()(demo_module.demo)


def main() -> None:
    app()
