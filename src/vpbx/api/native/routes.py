"""/v1/routes/resolve: the decision a SIP server asks for on each new call."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from vpbx.api.deps import PrincipalDep, SessionDep, SettingsDep
from vpbx.api.native.params import NO_NUL
from vpbx.api.transaction import TransactionalRoute
from vpbx.numbers.service import now_utc
from vpbx.pbx.dialplan import DialPlanService
from vpbx.routing.model import Direction

router = APIRouter(prefix="/v1/routes", tags=["routing"], route_class=TransactionalRoute)
Party = Annotated[str, Query(min_length=1, max_length=64, pattern=NO_NUL)]


@router.get("/resolve")
def resolve_route(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    dialled: Party,
    caller: Party,
    direction: Direction = Direction.FROM_EXTENSION,
    caller_name: Annotated[str | None, Query(max_length=200, pattern=NO_NUL)] = None,
) -> dict[str, Any]:
    """Reject with a SIP status, or an ordered plan of legs and the caller ID to show.

    `dialled` is an extension, a group, one of the tenant's numbers or an outside number;
    `caller` is the calling extension (direction=from_extension) or the number the carrier
    presented (direction=from_trunk).
    """
    decision = DialPlanService(session, settings).resolve(
        principal,
        dialled=dialled,
        caller=caller,
        caller_name=caller_name,
        direction=direction,
        now=now_utc(),
    )
    return decision.to_dict()
