"""/v1/numbers/{e164}/forwarding, /v1/forwarding-types, /v1/cli-modes, /v1/scenarios and
/v1/call-queues: where the tenant's numbers send their calls."""

from __future__ import annotations

from typing import Annotated, TypeVar

from fastapi import APIRouter, Path, Response

from vpbx.api.deps import PrincipalDep, SessionDep, SettingsDep
from vpbx.api.native.params import NO_NUL, IdCursor, IdPath, Limit, page_limit
from vpbx.api.transaction import TransactionalRoute
from vpbx.numbers.schemas import Page
from vpbx.pbx.forwarding import ForwardingService
from vpbx.pbx.forwarding_schemas import (
    CliModeOut,
    ForwardingOut,
    ForwardingSpec,
    ForwardingTypeOut,
    QueueCreate,
    QueueOut,
    QueueUpdate,
    ScenarioCreate,
    ScenarioOut,
    ScenarioUpdate,
)
from vpbx.pbx.queues import CallQueueService
from vpbx.pbx.scenarios import ScenarioService

T = TypeVar("T", ScenarioOut, QueueOut)
router = APIRouter(prefix="/v1", tags=["forwarding"], route_class=TransactionalRoute)
NumberPath = Annotated[
    str,
    Path(
        max_length=32,
        pattern=NO_NUL,
        description="One of the tenant's active numbers, E.164 with or without the +.",
    ),
]


def _page(items: list[T], limit: int) -> Page[T]:
    more = len(items) > limit
    return Page(items=items[:limit], next_cursor=str(items[limit - 1].id) if more else None)


# --- forwarding -------------------------------------------------------------------------


@router.get("/forwarding-types", response_model=Page[ForwardingTypeOut])
def forwarding_types(_principal: PrincipalDep) -> Page[ForwardingTypeOut]:
    """Every forwarding type with the owner types (business, personal) it is allowed for."""
    return Page(items=ForwardingService.types())


@router.get("/cli-modes", response_model=Page[CliModeOut])
def cli_modes(_principal: PrincipalDep) -> Page[CliModeOut]:
    """Caller-ID modes of a forwarded call: Y the caller, N the forwarding number."""
    return Page(items=ForwardingService.cli_modes())


@router.get("/numbers/{number}/forwarding", response_model=ForwardingOut)
def get_forwarding(
    number: NumberPath, session: SessionDep, principal: PrincipalDep
) -> ForwardingOut:
    return ForwardingService(session).get(principal, number)


@router.put("/numbers/{number}/forwarding", response_model=ForwardingOut)
def set_forwarding(
    number: NumberPath, body: ForwardingSpec, session: SessionDep, principal: PrincipalDep
) -> ForwardingOut:
    """Replace the forwarding: `type` and exactly the fields of that type."""
    return ForwardingService(session).set(principal, number, body)


@router.delete("/numbers/{number}/forwarding", response_model=ForwardingOut)
def clear_forwarding(
    number: NumberPath, session: SessionDep, principal: PrincipalDep
) -> ForwardingOut:
    """Clear the forwarding (type becomes "empty": calls hear "not in service")."""
    return ForwardingService(session).clear(principal, number)


# --- scenarios --------------------------------------------------------------------------


@router.get("/scenarios", response_model=Page[ScenarioOut])
def list_scenarios(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    cursor: IdCursor = None,
    limit: Limit = None,
) -> Page[ScenarioOut]:
    size = page_limit(limit, settings.page_size_max)
    rows = ScenarioService(session).list_scenarios(principal, after_id=cursor, limit=size + 1)
    return _page(rows, size)


@router.post("/scenarios", status_code=201, response_model=ScenarioOut)
def create_scenario(
    body: ScenarioCreate, session: SessionDep, principal: PrincipalDep
) -> ScenarioOut:
    return ScenarioService(session).create(principal, body)


@router.get("/scenarios/{scenario_id}", response_model=ScenarioOut)
def get_scenario(scenario_id: IdPath, session: SessionDep, principal: PrincipalDep) -> ScenarioOut:
    service = ScenarioService(session)
    return service.view([service.get(principal, scenario_id)])[0]


@router.patch("/scenarios/{scenario_id}", response_model=ScenarioOut)
def update_scenario(
    scenario_id: IdPath, body: ScenarioUpdate, session: SessionDep, principal: PrincipalDep
) -> ScenarioOut:
    return ScenarioService(session).update(principal, scenario_id, body)


@router.delete("/scenarios/{scenario_id}", status_code=204)
def delete_scenario(scenario_id: IdPath, session: SessionDep, principal: PrincipalDep) -> Response:
    ScenarioService(session).delete(principal, scenario_id)
    return Response(status_code=204)


# --- call queues ------------------------------------------------------------------------


@router.get("/call-queues", response_model=Page[QueueOut])
def list_queues(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    cursor: IdCursor = None,
    limit: Limit = None,
) -> Page[QueueOut]:
    size = page_limit(limit, settings.page_size_max)
    rows = CallQueueService(session).list_queues(principal, after_id=cursor, limit=size + 1)
    return _page(rows, size)


@router.post("/call-queues", status_code=201, response_model=QueueOut)
def create_queue(body: QueueCreate, session: SessionDep, principal: PrincipalDep) -> QueueOut:
    return CallQueueService(session).create(principal, body)


@router.get("/call-queues/{queue_id}", response_model=QueueOut)
def get_queue(queue_id: IdPath, session: SessionDep, principal: PrincipalDep) -> QueueOut:
    service = CallQueueService(session)
    return service.view([service.get(principal, queue_id)])[0]


@router.patch("/call-queues/{queue_id}", response_model=QueueOut)
def update_queue(
    queue_id: IdPath, body: QueueUpdate, session: SessionDep, principal: PrincipalDep
) -> QueueOut:
    return CallQueueService(session).update(principal, queue_id, body)


@router.delete("/call-queues/{queue_id}", status_code=204)
def delete_queue(queue_id: IdPath, session: SessionDep, principal: PrincipalDep) -> Response:
    CallQueueService(session).delete(principal, queue_id)
    return Response(status_code=204)
