"""Plusofon's REST API (`/api/v1/…`, seed 004): its number methods and the PBX lists
of its public notes. Every answer, failures included, is Plusofon's envelope; a path
under `/api/v1/` Plusofon does not have is its 404 (a known path with another method,
its 405)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from vpbx.api.dialects.plusofon import numbers, pbx
from vpbx.api.dialects.plusofon.base import PlusofonOpenRoute

router = APIRouter(tags=["plusofon"])
router.include_router(numbers.router)
router.include_router(pbx.router)

_fallback = APIRouter(route_class=PlusofonOpenRoute)
_KNOWN = [*numbers.router.routes, *pbx.router.routes]


@_fallback.api_route(
    "/api/v1/{path:path}",
    methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
    include_in_schema=False,
)
def unknown(path: str, request: Request) -> Response:
    scope = {"type": "http", "path": request.url.path, "method": request.method}
    partial = any(route.matches(scope)[0] == Match.PARTIAL for route in _KNOWN)
    raise StarletteHTTPException(405 if partial else 404)


router.include_router(_fallback)
