"""The OMICall route classes and the parameters every OMICall endpoint shares."""

from __future__ import annotations

import logging
import re
from typing import Annotated, Any

from fastapi import Query, Request, Response
from sqlalchemy.orm import Session

from vpbx.api.dialects.kit import DialectRoute, Failure
from vpbx.api.dialects.omicall import errors
from vpbx.api.transaction import bearer_token
from vpbx.config import Settings
from vpbx.errors import Unauthenticated
from vpbx.tenancy.principal import Principal
from vpbx.tenancy.tokens import TokenService


class OmiRoute(DialectRoute):
    """An OMICall endpoint: the caller is the access token from `GET /api/auth`."""

    def identify(self, session: Session, request: Request) -> Principal | None:
        token = bearer_token(request)
        if token is None:
            raise Unauthenticated(
                "send the access token from /api/auth as 'Authorization: Bearer <token>'",
                code="missing_access_token",
            )
        settings: Settings = request.app.state.settings
        return TokenService(session, settings).authenticate(token)

    def render_error(self, request: Request, failure: Failure) -> Response:
        return errors.render(failure)


class OpenRoute(OmiRoute):
    """An OMICall path without a caller: the token exchange, and unknown paths."""

    def identify(self, session: Session, request: Request) -> Principal | None:
        return None


# Pages count from 1; the size is checked against the instance's page_size_max by
# mapping.page_offset, so the bound here only keeps absurd values out of arithmetic.
PageNumber = Annotated[int, Query(ge=1, le=1_000_000_000, description="Page, from 1.")]
PageSize = Annotated[
    int, Query(ge=1, le=1_000_000, description="Page size (default 50, at most 200).")
]


_SECRET_PARAM = re.compile(r"(?i)([?&]apikey=)[^&\s]*")


class RedactApiKey(logging.Filter):
    """OMICall puts the API key in the URL (`/api/auth?apiKey=`): the server's access
    log would write it down. This masks it in the request line (uvicorn's access
    record carries the path and query as its third argument)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) >= 3:
            args: list[Any] = list(record.args)
            if isinstance(args[2], str):
                args[2] = _SECRET_PARAM.sub(r"\1***", args[2])
                record.args = tuple(args)
        return True


def redact_access_log() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactApiKey) for f in access.filters):
        access.addFilter(RedactApiKey())
