"""One transaction per request, decided before the response leaves.

The route class opens the session, authenticates the caller, applies Idempotency-Key,
runs the endpoint and commits only a successful answer; anything else rolls back, so
a request changes everything it meant to or nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from vpbx.api import idempotency
from vpbx.config import Settings
from vpbx.crypto import secret_box
from vpbx.db import begin_writing
from vpbx.errors import Conflict, DomainError, Invalid, Unauthenticated
from vpbx.tenancy.principal import Principal
from vpbx.tenancy.service import TenancyService

log = logging.getLogger(__name__)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TENANT_HEADER = "vpbx-tenant"


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated(
            "the Authorization header must be 'Bearer <key>'", code="invalid_authorization"
        )
    return token.strip()


def acting_for(request: Request) -> int | None:
    value = request.headers.get(TENANT_HEADER)
    if value is None:
        return None
    value = value.strip()
    if not (value.isascii() and value.isdigit() and 0 < int(value) < 2**63):
        raise Invalid("the Vpbx-Tenant header must be a tenant id", field="Vpbx-Tenant")
    return int(value)


def authenticate(session: Session, request: Request) -> Principal:
    """The caller, or 401; every transactional route needs one."""
    token = bearer_token(request)
    if token is None:
        raise Unauthenticated(
            "send an API key as 'Authorization: Bearer <key>'", code="missing_api_key"
        )
    service = TenancyService(session)
    principal = service.authenticate(token)  # the key first: a bad key is 401, always
    tenant = acting_for(request)
    return principal if tenant is None else service.act_for(principal, tenant)


class TransactionalRoute(APIRoute):
    """The native face's route: Bearer API key (and Vpbx-Tenant) identify the caller.

    Faces with other credentials (a dialect's own header or token) override `identify`;
    one that serves a route without a caller (a token exchange) returns None there.
    """

    def identify(self, session: Session, request: Request) -> Principal | None:
        return authenticate(session, request)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        endpoint = super().get_route_handler()

        async def handler(request: Request) -> Response:
            factory: sessionmaker[Session] = request.app.state.session_factory
            write = request.method not in SAFE_METHODS
            session = factory()
            request.state.session = session
            try:
                # One trip to the thread pool to begin and authenticate, one to finish:
                # on a small machine each hop costs about as much as a simple query.
                request.state.principal = await run_in_threadpool(
                    self._begin_and_identify, session, request, write
                )
                response = await _run(endpoint, request, session, write)
            except IntegrityError as exc:
                # The checks passed, then a concurrent transaction took the name, the
                # row or the reference first: the database said no. Not a crash.
                await run_in_threadpool(_end, session, commit=False)
                # (not the error's text: it carries the statement's parameters)
                log.info("concurrent change refused: %s %s", request.method, request.url.path)
                raise Conflict(
                    "a concurrent request changed the same objects first; retry",
                    code="concurrent_change",
                ) from exc
            except BaseException as exc:
                # A refusal that keeps its changes (a wrong code's counted try) commits them.
                keep = isinstance(exc, DomainError) and exc.keeps_changes
                await run_in_threadpool(_end, session, commit=keep)
                raise
            if session.in_transaction():  # a path that did not finish: never leak it
                await run_in_threadpool(_end, session, commit=False)
            return response

        return handler

    def _begin_and_identify(
        self, session: Session, request: Request, write: bool
    ) -> Principal | None:
        if write:
            begin_writing(session)
        return self.identify(session, request)


async def _run(
    endpoint: Callable[[Request], Awaitable[Response]],
    request: Request,
    session: Session,
    write: bool,
) -> Response:
    key = request.headers.get("idempotency-key")
    principal: Principal | None = request.state.principal
    if not write or key is None or request.method != "POST" or principal is None:
        response = await endpoint(request)
        await _finish(session, response, commit=write)
        return response
    return await _run_idempotent(endpoint, request, session, principal, key)


async def _run_idempotent(
    endpoint: Callable[[Request], Awaitable[Response]],
    request: Request,
    session: Session,
    principal: Principal,
    key: str,
) -> Response:
    settings: Settings = request.app.state.settings
    key = idempotency.check_key(key)
    fingerprint = idempotency.request_fingerprint(
        request.method, request.url.path, request.url.query, await request.body()
    )
    stored = await run_in_threadpool(
        idempotency.lookup,
        session,
        secret_box(settings),
        principal.scope,
        key,
        fingerprint,
        ttl_hours=settings.idempotency_hours,
    )
    if stored is not None:
        await run_in_threadpool(_end, session, commit=False)
        return Response(
            stored.body,
            status_code=stored.status_code,
            media_type="application/json",
            headers={"Idempotent-Replayed": "true"},
        )
    response = await endpoint(request)
    try:
        if response.status_code < 400:
            saved = idempotency.StoredResponse(response.status_code, bytes(response.body))
            await run_in_threadpool(
                idempotency.store,
                session,
                secret_box(settings),
                principal.scope,
                key,
                fingerprint,
                request.method,
                request.url.path,
                saved,
            )
        await _finish(session, response, commit=True)
    except IntegrityError as exc:
        raise idempotency.in_flight() from exc
    return response


async def _finish(session: Session, response: Response, *, commit: bool) -> None:
    await run_in_threadpool(_end, session, commit=commit and response.status_code < 400)


def _end(session: Session, *, commit: bool) -> None:
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()
