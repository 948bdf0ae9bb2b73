"""/v1 SMS: packet offers, packets, the tenant's SMS numbers, templates, messages, the
credentials of the SMS faces, and the HTTP gateway's delivery-report callback."""

from __future__ import annotations

from typing import Annotated, TypeVar

from fastapi import APIRouter, Path, Query, Request, Response
from sqlalchemy.orm import Session

from vpbx.api.deps import PrincipalDep, SessionDep, SettingsDep
from vpbx.api.native.params import NO_NUL, IdCursor, IdPath, Limit, page_limit
from vpbx.api.transaction import TransactionalRoute
from vpbx.messaging import templates
from vpbx.messaging.credentials import SmsCredentialService
from vpbx.messaging.packets import PacketService
from vpbx.messaging.schemas import (
    CredentialCreate,
    CredentialIssued,
    CredentialOut,
    DeliveryReport,
    MessageOut,
    MessageSend,
    MessageStatus,
    PacketBuy,
    PacketOfferOut,
    PacketOut,
    SmsNumberOut,
    TemplateCreate,
    TemplateOut,
    TemplateUpdate,
)
from vpbx.messaging.service import MessagingService, view
from vpbx.messaging.templates import TemplateService
from vpbx.numbers.schemas import Page
from vpbx.tenancy.principal import Principal

T = TypeVar("T", PacketOut, SmsNumberOut, TemplateOut, MessageOut, CredentialOut)
router = APIRouter(prefix="/v1", tags=["sms"], route_class=TransactionalRoute)
NumberFilter = Annotated[str | None, Query(max_length=32, pattern=NO_NUL)]


def _page(items: list[T], limit: int) -> Page[T]:
    more = len(items) > limit
    return Page(items=items[:limit], next_cursor=str(items[limit - 1].id) if more else None)


@router.get("/sms-packet-offers", response_model=list[PacketOfferOut])
def list_offers(session: SessionDep, principal: PrincipalDep) -> list[PacketOfferOut]:
    """The SMS packets on sale (the operator sets them with `vpbx sms offers`)."""
    return PacketService(session).offers()


@router.post("/sms-packets", status_code=201, response_model=PacketOut)
def buy_packet(body: PacketBuy, session: SessionDep, principal: PrincipalDep) -> PacketOut:
    """Buy a packet for one of your SMS-capable numbers: its messages spend the quota."""
    return PacketService(session).buy(principal, body)


@router.get("/sms-packets", response_model=Page[PacketOut])
def list_packets(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    number: NumberFilter = None,
    cursor: IdCursor = None,
    limit: Limit = None,
) -> Page[PacketOut]:
    size = page_limit(limit, settings.page_size_max)
    rows = PacketService(session).list_packets(
        principal, number=number, after_id=cursor, limit=size + 1
    )
    return _page(rows, size)


@router.get("/sms-packets/{packet_id}", response_model=PacketOut)
def get_packet(packet_id: IdPath, session: SessionDep, principal: PrincipalDep) -> PacketOut:
    return PacketService(session).get(principal, packet_id)


@router.get("/sms-numbers", response_model=Page[SmsNumberOut])
def list_sms_numbers(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    cursor: IdCursor = None,
    limit: Limit = None,
) -> Page[SmsNumberOut]:
    """Your SMS-capable numbers, each with the packet its messages spend now."""
    size = page_limit(limit, settings.page_size_max)
    rows = PacketService(session).sms_numbers(principal, after_id=cursor, limit=size + 1)
    return _page(rows, size)


@router.post("/sms-templates", status_code=201, response_model=TemplateOut)
def create_template(
    body: TemplateCreate, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> TemplateOut:
    """A text with `{name}` parameters, sent by its `code`."""
    return templates.view(TemplateService(session, settings).create(principal, body))


@router.get("/sms-templates", response_model=Page[TemplateOut])
def list_templates(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    cursor: IdCursor = None,
    limit: Limit = None,
) -> Page[TemplateOut]:
    size = page_limit(limit, settings.page_size_max)
    rows = TemplateService(session, settings).list_templates(
        principal, after_id=cursor, limit=size + 1
    )
    return _page([templates.view(t) for t in rows], size)


@router.get("/sms-templates/{template_id}", response_model=TemplateOut)
def get_template(
    template_id: IdPath, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> TemplateOut:
    return templates.view(TemplateService(session, settings).get(principal, template_id))


@router.patch("/sms-templates/{template_id}", response_model=TemplateOut)
def update_template(
    template_id: IdPath,
    body: TemplateUpdate,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> TemplateOut:
    service = TemplateService(session, settings)
    return templates.view(service.update(principal, template_id, body))


@router.delete("/sms-templates/{template_id}", status_code=204)
def delete_template(
    template_id: IdPath, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> Response:
    TemplateService(session, settings).delete(principal, template_id)
    return Response(status_code=204)


@router.post("/messages", status_code=201, response_model=MessageOut)
def send_message(
    body: MessageSend, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> MessageOut:
    """Send from one of your numbers: a `text`, or a `template` code with `params`. A
    message the gateway refused is answered with status `failed` and its quota refunded."""
    return view(MessagingService(session, settings).send(principal, body))


@router.get("/messages", response_model=Page[MessageOut])
def list_messages(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    number: NumberFilter = None,
    status: MessageStatus | None = None,
    cursor: IdCursor = None,
    limit: Limit = None,
) -> Page[MessageOut]:
    """Newest first; `cursor` continues below the last id shown."""
    size = page_limit(limit, settings.page_size_max)
    rows = MessagingService(session, settings).list_messages(
        principal, number=number, status=status, before_id=cursor, limit=size + 1
    )
    return _page([view(m) for m in rows], size)


@router.get("/messages/{message_id}", response_model=MessageOut)
def get_message(
    message_id: IdPath, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> MessageOut:
    return view(MessagingService(session, settings).get(principal, message_id))


@router.post("/sms-credentials", status_code=201, response_model=CredentialIssued)
def create_credential(
    body: CredentialCreate, session: SessionDep, principal: PrincipalDep
) -> CredentialIssued:
    """A username and password for the SMS faces (eTelecom SMS Brandname), sending from
    the number given. The password is shown this once."""
    return SmsCredentialService(session).create(principal, body)


@router.get("/sms-credentials", response_model=Page[CredentialOut])
def list_credentials(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    cursor: IdCursor = None,
    limit: Limit = None,
) -> Page[CredentialOut]:
    size = page_limit(limit, settings.page_size_max)
    rows = SmsCredentialService(session).list_credentials(
        principal, after_id=cursor, limit=size + 1
    )
    return _page(rows, size)


@router.delete("/sms-credentials/{credential_id}", status_code=204)
def revoke_credential(
    credential_id: IdPath, session: SessionDep, principal: PrincipalDep
) -> Response:
    SmsCredentialService(session).revoke(principal, credential_id)
    return Response(status_code=204)


class GatewayCallbackRoute(TransactionalRoute):
    """The gateway has no API key: each report proves itself with its message's token."""

    def identify(self, session: Session, request: Request) -> Principal | None:
        return None


# Included into `router`, which adds the /v1 prefix.
callbacks = APIRouter(tags=["sms"], route_class=GatewayCallbackRoute)
MessageRef = Annotated[str, Path(min_length=1, max_length=32, pattern=r"^[A-Z0-9]+$")]
ReportToken = Annotated[str, Query(min_length=1, max_length=80, pattern=r"^[0-9a-f]+$")]


@callbacks.post("/sms/delivery-reports/{ref}", response_model=MessageOut)
def delivery_report(
    ref: MessageRef,
    body: DeliveryReport,
    session: SessionDep,
    settings: SettingsDep,
    token: ReportToken,
) -> MessageOut:
    """Where the HTTP gateway reports a message `delivered` or `failed` (the URL, token
    included, comes with each message it is given)."""
    return view(MessagingService(session, settings).report(ref, token, body))


router.include_router(callbacks)
