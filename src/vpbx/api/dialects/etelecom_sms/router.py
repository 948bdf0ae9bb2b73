"""eTelecom SMS Brandname's paths: send a template message, read its status.

A tenant gets the `username` and `password` these take from the native API
(`POST /v1/sms-credentials`, shown once); each credential sends from one of the tenant's
SMS-capable numbers and spends that number's packet. Credentials are checked before
anything else in the body, so bad ones are 401 whatever the rest says.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from vpbx.api.deps import SessionDep, SettingsDep
from vpbx.api.dialects.etelecom_sms import errors, mapping, wire
from vpbx.api.dialects.kit import DialectRoute, Failure
from vpbx.errors import NotFound
from vpbx.messaging.credentials import SmsCredentialService, SmsLogin
from vpbx.messaging.service import MessagingService, view
from vpbx.tenancy.principal import Principal


class EtelecomSmsRoute(DialectRoute):
    def identify(self, session: Session, request: Request) -> Principal | None:
        return None  # the credentials are in the body: see _login

    def render_error(self, request: Request, failure: Failure) -> Response:
        return errors.render(failure)


router = APIRouter(prefix="/api", tags=["etelecom_sms"], route_class=EtelecomSmsRoute)
Payload = Annotated[dict[str, Any], Body()]


def _login(session: Session, payload: dict[str, Any]) -> SmsLogin:
    credentials = wire.Credentials.model_validate(payload)
    return SmsCredentialService(session).authenticate(credentials.username, credentials.password)


@router.post("/OmniMessage/SendMessage")
def send_message(payload: Payload, session: SessionDep, settings: SettingsDep) -> JSONResponse:
    """Send a template message to `phonenumber` from the credential's number."""
    login = _login(session, payload)
    body: wire.SendMessageRequest = mapping.parse(wire.SendMessageRequest, payload)
    mapping.channel(body.routerule)
    message = MessagingService(session, settings).send_from(
        login.principal,
        login.number_id,
        body.phonenumber,
        template=body.templatecode,
        params=body.list_param,
    )
    return wire.answer(wire.SendResult(idOmniMess=mapping.message_id(message.ref)))


@router.post("/OmniReport/GetStatusOmni")
def get_status(payload: Payload, session: SessionDep, settings: SettingsDep) -> JSONResponse:
    """The delivery status of a message the caller's tenant sent."""
    login = _login(session, payload)
    body: wire.StatusRequest = mapping.parse(wire.StatusRequest, payload)
    ref = mapping.ref_of(body.idOmniMess)
    if ref is None:
        raise NotFound("no such message", code="message_not_found")
    message = MessagingService(session, settings).by_ref(login.principal, ref)
    return wire.answer(mapping.status_of(view(message)))
