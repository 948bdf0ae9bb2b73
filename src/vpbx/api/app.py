"""The ASGI application: every face mounted over one engine and one set of services."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, text
from starlette.concurrency import run_in_threadpool

from vpbx import __version__, schema
from vpbx.api import problems
from vpbx.api.dialects.dmall import router as dmall
from vpbx.api.dialects.etelecom import router as etelecom
from vpbx.api.dialects.etelecom_sms import router as etelecom_sms
from vpbx.api.dialects.omicall import router as omicall
from vpbx.api.dialects.plusofon import router as plusofon
from vpbx.api.native import (
    calls,
    commerce,
    contacts,
    forwarding,
    messaging,
    numbers,
    packages,
    pbx,
    routes,
    sip,
    tenancy,
)
from vpbx.config import Settings, get_settings
from vpbx.db import create_db_engine, make_session_factory


class NotMigrated(RuntimeError):
    """The database is behind the code: the operator must run `vpbx db upgrade`."""


def ensure_migrated(engine: Engine) -> None:
    current, head = schema.current_revision(engine), schema.head_revision()
    if current != head:
        raise NotMigrated(
            f"the database is at revision {current or 'none (empty)'}, the code needs {head}: "
            "run `vpbx db upgrade` first"
        )


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = engine or create_db_engine(
        settings.database_url,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        pool_size=settings.db_pool_size,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(ensure_migrated, engine)
        yield

    app = FastAPI(
        title="vpbx",
        version=__version__,
        lifespan=lifespan,
        description="Phone-number inventory and virtual PBX. Errors are "
        "application/problem+json with a stable `code`; money is a decimal string; "
        "times are RFC 3339 in UTC.",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    problems.install(app)

    # Health and the SIP server first: routes are matched in order, and these are
    # asked most often (their paths overlap no other face's).
    @app.get("/healthz", tags=["health"])
    def healthz(request: Request) -> JSONResponse:
        try:
            with request.app.state.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception:
            return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok", "version": __version__})

    app.include_router(sip.server)
    native = (numbers, commerce, tenancy, pbx, forwarding, contacts, routes, calls)
    for module in (*native, messaging, packages, omicall, etelecom, plusofon, dmall, etelecom_sms):
        app.include_router(module.router)
    app.include_router(sip.native)

    return app
