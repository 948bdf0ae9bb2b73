"""What every dialect needs and no dialect owns: a route that speaks the dialect's envelope.

A dialect subclasses `DialectRoute`, says how its callers identify themselves
(`identify`) and how its errors look (`render_error`); everything else — one
transaction per request, Idempotency-Key, rollback on failure — is the native
TransactionalRoute's. Failures of every kind (a domain rule, a body that does not
parse or validate, an unknown method, a crash) leave in the dialect's own envelope,
never as the native problem+json, and never with a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from vpbx.api.problems import status_of, validation_errors
from vpbx.api.transaction import TransactionalRoute
from vpbx.errors import DomainError

log = logging.getLogger("vpbx.api.dialects")


@dataclass(frozen=True, slots=True)
class Failure:
    """A failure in neutral terms, for a dialect to put in its envelope.

    `code` is the native stable code (e.g. `number_not_found`, `validation_failed`);
    `errors` lists per-field messages ({field, message}) when the input was at fault;
    `details` are the domain error's own facts (e.g. `retry_after`), for messages that
    a dialect words itself.
    """

    status: int
    code: str
    message: str
    errors: list[dict[str, str]] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


def failure_of(exc: Exception) -> Failure | None:
    """The neutral failure for an exception a request can raise; None if unexpected."""
    if isinstance(exc, DomainError):
        fields = [{"field": str(exc.details.get("field")), "message": exc.message}]
        return Failure(
            status_of(exc),
            exc.code,
            exc.message,
            fields if exc.details.get("field") else [],
            dict(exc.details),
        )
    if isinstance(exc, RequestValidationError):
        errors = validation_errors(exc)
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        return Failure(422, "validation_failed", f"invalid request: {summary}", errors)
    if isinstance(exc, StarletteHTTPException):
        if exc.status_code == 400:  # a body FastAPI could not decode
            return Failure(422, "validation_failed", f"invalid request: {exc.detail}")
        return Failure(exc.status_code, "http_error", str(exc.detail))
    return None


class DialectRoute(TransactionalRoute):
    """Override `identify` (from TransactionalRoute) and `render_error`."""

    def render_error(self, request: Request, failure: Failure) -> Response:
        raise NotImplementedError

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except Exception as exc:  # every failure leaves in the dialect's envelope
                failure = failure_of(exc)
                if failure is None:
                    log.exception("unhandled error on %s %s", request.method, request.url.path)
                    failure = Failure(500, "internal_error", "the server failed the request")
                return self.render_error(request, failure)

        return guarded
