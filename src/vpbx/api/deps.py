"""What a native endpoint receives: the request's session, settings and caller.

These only read what TransactionalRoute put on the request, so they are `async`:
FastAPI would otherwise run each in the thread pool, a hop per dependency per request.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from vpbx.config import Settings
from vpbx.errors import Unauthenticated
from vpbx.tenancy.principal import Principal


async def get_session(request: Request) -> Session:
    session: Session = request.state.session
    return session


async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_principal(request: Request) -> Principal:
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is None:
        raise Unauthenticated(
            "send an API key as 'Authorization: Bearer <key>'", code="missing_api_key"
        )
    return principal


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
