"""Native /v1 routes: contacts (being built)."""

from __future__ import annotations

from fastapi import APIRouter

from vpbx.api.transaction import TransactionalRoute

router = APIRouter(prefix="/v1", tags=["contacts"], route_class=TransactionalRoute)
