"""Native /v1 routes: forwarding (being built)."""

from __future__ import annotations

from fastapi import APIRouter

from vpbx.api.transaction import TransactionalRoute

router = APIRouter(prefix="/v1", tags=["forwarding"], route_class=TransactionalRoute)
