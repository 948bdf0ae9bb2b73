"""The eTelecom VPBX dialect: Twirp-style `POST <prefix>.Etelecom/<Method>` with JSON.

A client's BASE_URL is this instance's URL plus VPBX_ETELECOM_PREFIX (default
`/etelecom/api`), so `curl "$BASE_URL.Etelecom/GetPartnerHotlineList"` works unchanged.
Routing follows Twirp: another verb, another Content-Type than JSON, another prefix or an
unknown method is `bad_route` (404) before any key is checked; then the Bearer key: the
partner key for Partner* methods, the tenant's (shop) key for the others — or the
partner key naming the tenant in `Vpbx-Tenant`, as on the native API.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from vpbx.api.dialects.etelecom import calls, errors, partner, shop, wire
from vpbx.api.dialects.etelecom.context import Context, Method, decode
from vpbx.api.dialects.kit import DialectRoute, Failure
from vpbx.api.transaction import authenticate
from vpbx.config import Settings
from vpbx.errors import Forbidden
from vpbx.tenancy.principal import Principal

SERVICE = "Etelecom"
PATH = "/{prefix:path}." + SERVICE + "/{method:path}"
# Seed 002's generated HTTP example spells the service "ETelecom" (its curl examples
# "Etelecom"): both reach the same methods.
SPELLED_AS_IN_THE_HTTP_EXAMPLE = "/{prefix:path}.ETelecom/{method:path}"

METHODS: dict[str, Method] = {
    m.name: m
    for m in (
        Method(
            "GetPartnerTenantList",
            "partner",
            wire.GetPartnerTenantListRequest,
            partner.get_partner_tenant_list,
        ),
        Method(
            "PartnerAddHotline",
            "partner",
            wire.PartnerAddHotlineRequest,
            partner.partner_add_hotline,
        ),
        Method(
            "GetPartnerHotlineList",
            "partner",
            wire.GetPartnerHotlineListRequest,
            partner.get_partner_hotline_list,
        ),
        Method(
            "PartnerActivateTenant",
            "partner",
            wire.PartnerActivateTenantRequest,
            partner.partner_activate_tenant,
        ),
        Method(
            "PartnerAddHotlineToTenant",
            "partner",
            wire.PartnerHotlineTenantRequest,
            partner.partner_add_hotline_to_tenant,
            inferred=True,
        ),
        Method(
            "PartnerRemoveHotlineFromTenant",
            "partner",
            wire.PartnerHotlineTenantRequest,
            partner.partner_remove_hotline_from_tenant,
            inferred=True,
        ),
        Method(
            "PartnerRemoveHotline",
            "partner",
            wire.PartnerRemoveHotlineRequest,
            partner.partner_remove_hotline,
            inferred=True,
        ),
        Method("CreateTenant", "shop", wire.Empty, shop.create_tenant),
        Method("GetTenant", "shop", wire.GetTenantRequest, shop.get_tenant, inferred=True),
        Method("GetDriverConfig", "shop", wire.Empty, shop.get_driver_config, inferred=True),
        Method("GetHotlines", "shop", wire.GetHotlinesRequest, shop.get_hotlines, inferred=True),
        Method("CreateUser", "shop", wire.CreateUserRequest, shop.create_user, inferred=True),
        Method("GetUsers", "shop", wire.GetUsersRequest, shop.get_users, inferred=True),
        Method("CreateExtension", "shop", wire.CreateExtensionRequest, shop.create_extension),
        Method("GetExtension", "shop", wire.GetExtensionRequest, shop.get_extension, inferred=True),
        Method("GetExtensions", "shop", wire.GetExtensionsRequest, shop.get_extensions),
        Method(
            "AssignUserToExtension",
            "shop",
            wire.AssignUserToExtensionRequest,
            shop.assign_user_to_extension,
        ),
        Method(
            "UpdateExtensionHotline",
            "shop",
            wire.UpdateExtensionHotlineRequest,
            shop.update_extension_hotline,
            inferred=True,
        ),
        Method(
            "RemoveUserOfExtension",
            "shop",
            wire.RemoveUserOfExtensionRequest,
            shop.remove_user_of_extension,
        ),
        Method("ListCallLogs", "shop", wire.ListCallLogsRequest, calls.list_call_logs),
    )
}


def _route(request: Request) -> Method:
    """The method a request names, or bad_route (Twirp checks the route before the key)."""
    settings: Settings = request.app.state.settings
    params = request.path_params
    path = request.url.path
    if "/" + params.get("prefix", "") != settings.etelecom_prefix:
        raise errors.BadRoute(f"no handler for path {path!r}")
    if request.method != "POST":
        raise errors.BadRoute(f'unsupported method "{request.method}" (only POST is allowed)')
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type != "application/json":
        raise errors.BadRoute(
            f'unexpected Content-Type: "{request.headers.get("content-type", "")}"'
        )
    method = METHODS.get(params.get("method", ""))
    if method is None:
        raise errors.BadRoute(f"no handler for path {path!r}")
    return method


class EtelecomRoute(DialectRoute):
    def identify(self, session: Session, request: Request) -> Principal:
        method = _route(request)
        principal = authenticate(session, request)
        if method.scope == "partner":
            principal.require_partner()
        elif principal.tenant_id is None:
            raise Forbidden(
                f"{method.name} acts for a tenant: use the tenant's (shop) key, or the "
                "partner key with the header Vpbx-Tenant: <tenant id>",
                code="shop_key_required",
            )
        request.state.etelecom_method = method
        return principal

    def render_error(self, request: Request, failure: Failure) -> Response:
        return errors.render(failure)


router = APIRouter(tags=["etelecom"], route_class=EtelecomRoute)


def _call(request: Request, raw: bytes) -> Response:
    method: Method = request.state.etelecom_method
    message = decode(raw, method.request)
    context = Context(
        session=request.state.session,
        settings=request.app.state.settings,
        principal=request.state.principal,
    )
    answer = method.handler(context, message)
    return JSONResponse(answer.model_dump(mode="json"))


@router.post(
    PATH,
    summary="Call an eTelecom VPBX method",
    description="Twirp style: `POST {VPBX_ETELECOM_PREFIX}.Etelecom/<Method>` with a JSON "
    "body; errors are `{code, msg}` with Twirp's statuses. The README lists the methods.",
)
async def call(
    request: Request,
    prefix: Annotated[
        str, Path(description="The instance's eTelecom prefix, e.g. `etelecom/api`.")
    ],
    method: Annotated[str, Path(description="The method, e.g. `GetPartnerHotlineList`.")],
) -> Response:
    # `prefix` and `method` are declared for the OpenAPI document; the route class has
    # already checked both and found the method (request.state.etelecom_method).
    raw = await request.body()
    return await run_in_threadpool(_call, request, raw)


# Any other verb on a method's path is Twirp's bad_route, in the dialect's envelope.
router.add_api_route(
    PATH,
    call,
    methods=["GET", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"],
    include_in_schema=False,
)
router.add_api_route(
    SPELLED_AS_IN_THE_HTTP_EXAMPLE,
    call,
    methods=["POST", "GET", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"],
    include_in_schema=False,
)
