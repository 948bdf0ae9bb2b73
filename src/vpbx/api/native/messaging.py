"""Native /v1 routes: messaging (being built)."""

from __future__ import annotations

from fastapi import APIRouter

from vpbx.api.transaction import TransactionalRoute

router = APIRouter(prefix="/v1", tags=["messaging"], route_class=TransactionalRoute)
