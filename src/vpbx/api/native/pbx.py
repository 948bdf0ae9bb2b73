"""/v1/pbx, /v1/users, /v1/extensions and /v1/groups: the tenant's PBX."""

from __future__ import annotations

from typing import Annotated, TypeVar

from fastapi import APIRouter, Query, Response

from vpbx.api.deps import PrincipalDep, SessionDep, SettingsDep
from vpbx.api.native.params import NO_NUL, IdCursor, IdFilter, IdPath, Limit, page_limit
from vpbx.api.transaction import TransactionalRoute
from vpbx.numbers.schemas import Page
from vpbx.pbx.extensions import ExtensionService
from vpbx.pbx.groups import GroupService
from vpbx.pbx.schemas import (
    ExtensionCreate,
    ExtensionOut,
    ExtensionUpdate,
    ExtensionWithPassword,
    GroupCreate,
    GroupOut,
    GroupUpdate,
    PasswordChange,
    PbxSettings,
    PbxSettingsUpdate,
    UserCreate,
    UserOut,
    UserUpdate,
)
from vpbx.pbx.users import UserService

T = TypeVar("T", UserOut, ExtensionOut, GroupOut)
router = APIRouter(prefix="/v1", tags=["pbx"], route_class=TransactionalRoute)
Keyword = Annotated[str | None, Query(max_length=100, pattern=NO_NUL)]


def _page(items: list[T], limit: int) -> Page[T]:
    more = len(items) > limit
    return Page(items=items[:limit], next_cursor=str(items[limit - 1].id) if more else None)


@router.get("/pbx", response_model=PbxSettings)
def get_pbx(session: SessionDep, settings: SettingsDep, principal: PrincipalDep) -> PbxSettings:
    return ExtensionService(session, settings).pbx_settings(principal)


@router.patch("/pbx", response_model=PbxSettings)
def update_pbx(
    body: PbxSettingsUpdate, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> PbxSettings:
    return ExtensionService(session, settings).update_pbx_settings(principal, body)


@router.get("/users", response_model=Page[UserOut])
def list_users(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    keyword: Keyword = None,
    cursor: IdCursor = None,
    limit: Limit = None,
) -> Page[UserOut]:
    size = page_limit(limit, settings.page_size_max)
    rows = UserService(session).list(principal, keyword=keyword, after_id=cursor, limit=size + 1)
    return _page(rows, size)


@router.post("/users", status_code=201, response_model=UserOut)
def create_user(body: UserCreate, session: SessionDep, principal: PrincipalDep) -> UserOut:
    return UserOut.model_validate(UserService(session).create(principal, body))


@router.get("/users/{user_id}", response_model=UserOut)
def get_user(user_id: IdPath, session: SessionDep, principal: PrincipalDep) -> UserOut:
    return UserOut.model_validate(UserService(session).get(principal, user_id))


@router.patch("/users/{user_id}", response_model=UserOut)
def update_user(
    user_id: IdPath, body: UserUpdate, session: SessionDep, principal: PrincipalDep
) -> UserOut:
    return UserOut.model_validate(UserService(session).update(principal, user_id, body))


@router.delete("/users/{user_id}", status_code=204)
def delete_user(user_id: IdPath, session: SessionDep, principal: PrincipalDep) -> Response:
    UserService(session).delete(principal, user_id)
    return Response(status_code=204)


@router.get("/extensions", response_model=Page[ExtensionOut])
def list_extensions(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    keyword: Keyword = None,
    enabled: bool | None = None,
    user_id: IdFilter = None,
    cursor: IdCursor = None,
    limit: Limit = None,
) -> Page[ExtensionOut]:
    size = page_limit(limit, settings.page_size_max)
    rows = ExtensionService(session, settings).list(
        principal,
        keyword=keyword,
        enabled=enabled,
        user_id=user_id,
        after_id=cursor,
        limit=size + 1,
    )
    return _page(rows, size)


@router.post("/extensions", status_code=201, response_model=ExtensionWithPassword)
def create_extension(
    body: ExtensionCreate, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> ExtensionWithPassword:
    return ExtensionService(session, settings).create(principal, body)


@router.get("/extensions/{extension_id}", response_model=ExtensionOut)
def get_extension(
    extension_id: IdPath, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> ExtensionOut:
    service = ExtensionService(session, settings)
    return service.view(principal, [service.get(principal, extension_id)])[0]


@router.patch("/extensions/{extension_id}", response_model=ExtensionOut)
def update_extension(
    extension_id: IdPath,
    body: ExtensionUpdate,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> ExtensionOut:
    return ExtensionService(session, settings).update(principal, extension_id, body)


@router.delete("/extensions/{extension_id}", status_code=204)
def delete_extension(
    extension_id: IdPath, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> Response:
    ExtensionService(session, settings).delete(principal, extension_id)
    return Response(status_code=204)


@router.post("/extensions/{extension_id}/password", response_model=ExtensionWithPassword)
def rotate_password(
    extension_id: IdPath,
    body: PasswordChange,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> ExtensionWithPassword:
    """Set a new password (or generate one); the SIP server sees it on the next REGISTER."""
    return ExtensionService(session, settings).rotate_password(
        principal, extension_id, body.password
    )


@router.get("/extensions/{extension_id}/secret", response_model=ExtensionWithPassword)
def reveal_password(
    extension_id: IdPath, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> ExtensionWithPassword:
    """The SIP password, for the owning tenant only (softphone provisioning)."""
    return ExtensionService(session, settings).reveal(principal, extension_id)


@router.get("/groups", response_model=Page[GroupOut])
def list_groups(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    cursor: IdCursor = None,
    limit: Limit = None,
) -> Page[GroupOut]:
    size = page_limit(limit, settings.page_size_max)
    rows = GroupService(session).list_groups(principal, after_id=cursor, limit=size + 1)
    return _page(rows, size)


@router.post("/groups", status_code=201, response_model=GroupOut)
def create_group(body: GroupCreate, session: SessionDep, principal: PrincipalDep) -> GroupOut:
    return GroupService(session).create(principal, body)


@router.get("/groups/{group_id}", response_model=GroupOut)
def get_group(group_id: IdPath, session: SessionDep, principal: PrincipalDep) -> GroupOut:
    service = GroupService(session)
    return service.view([service.get(principal, group_id)])[0]


@router.patch("/groups/{group_id}", response_model=GroupOut)
def update_group(
    group_id: IdPath, body: GroupUpdate, session: SessionDep, principal: PrincipalDep
) -> GroupOut:
    return GroupService(session).update(principal, group_id, body)


@router.delete("/groups/{group_id}", status_code=204)
def delete_group(group_id: IdPath, session: SessionDep, principal: PrincipalDep) -> Response:
    GroupService(session).delete(principal, group_id)
    return Response(status_code=204)
