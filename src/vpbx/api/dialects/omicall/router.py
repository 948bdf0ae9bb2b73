"""The OMICall dialect's paths: a client written against OMICall's API works against
vpbx by changing its base URL and API key.

`GET /api/auth?apiKey=` exchanges a vpbx API key for a 24-hour access token; every
other path takes that token as `Authorization: Bearer`. Answers are OMICall's
envelope (errors.py), failures included: an unknown path or method under OMICall's
namespaces answers in it too, through the catch-all routes registered last. Only
OMICall's own prefixes are claimed: the rest of /api/ belongs to other dialects
(eTelecom SMS's /api/Omni*, Plusofon's /api/v1/).
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from vpbx.api.deps import SessionDep, SettingsDep
from vpbx.api.dialects.omicall import call_center, calls, partner, tenant, wire
from vpbx.api.dialects.omicall.base import OpenRoute, redact_access_log
from vpbx.api.dialects.omicall.errors import ok
from vpbx.pbx.schemas import NO_NUL
from vpbx.tenancy.tokens import TokenService

router = APIRouter(tags=["omicall"])
redact_access_log()
_auth = APIRouter(route_class=OpenRoute)
_fallback = APIRouter(route_class=OpenRoute)

# OMICall's path families; unknown paths below them answer in OMICall's envelope.
NAMESPACES = (
    "/api/auth",
    "/api/partner/{rest:path}",
    "/api/tenant/{rest:path}",
    "/api/call_center/{rest:path}",
    "/api/call_transaction/{rest:path}",
    "/api/v2/callTransaction/{rest:path}",
    "/api/agent/{rest:path}",
    "/api/click2call",
)
_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


@_auth.get("/api/auth")
def auth(
    apiKey: Annotated[str, Query(min_length=1, max_length=200, pattern=NO_NUL)],
    session: SessionDep,
    settings: SettingsDep,
) -> JSONResponse:
    """A vpbx API key for an access token valid 24 h: "bussiness" (sic, OMICall's
    spelling) for a partner key, "normal" for a tenant key."""
    issued = TokenService(session, settings).issue(apiKey)
    return ok(
        wire.AuthPayload(
            access_token=issued.token,
            access_type="bussiness" if issued.principal.is_partner else "normal",
        )
    )


_KNOWN: list[re.Pattern[str]] = []


async def _unknown(request: Request) -> JSONResponse:
    """No OMICall endpoint here: a path that exists with another method is 405."""
    path = request.url.path
    if any(pattern.match(path) for pattern in _KNOWN):
        raise HTTPException(405, f"{request.method} is not allowed on {path}")
    raise HTTPException(404, f"no OMICall API at {request.method} {path}")


for _namespace in NAMESPACES:
    _fallback.add_api_route(_namespace, _unknown, methods=_METHODS, include_in_schema=False)

for _sub in (_auth, partner.router, tenant.router, call_center.router, calls.router):
    router.include_router(_sub)
    _KNOWN += [route.path_regex for route in _sub.routes if hasattr(route, "path_regex")]
router.include_router(_fallback)  # last: only what nothing else matched reaches it
