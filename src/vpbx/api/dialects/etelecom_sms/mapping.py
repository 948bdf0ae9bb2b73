"""eTelecom SMS Brandname ⇄ core, pure functions."""

from __future__ import annotations

import json
import re
from datetime import timedelta, timezone
from typing import Any

import phonenumbers
from phonenumbers import carrier
from pydantic import BaseModel, ValidationError

from vpbx.api.dialects.etelecom_sms.wire import ID_PREFIX, MessageStatus
from vpbx.errors import Invalid
from vpbx.messaging.schemas import MessageOut

CHANNELS = {"1": "ZNS", "2": "AutoCall", "3": "SMS"}
SUPPORTED = "3"  # vpbx delivers by SMS only; ZNS and AutoCall fall through to the next
VIETNAM = timezone(timedelta(hours=7))  # no daylight saving
_STATUS = {"delivered": "SUCCESS", "failed": "FAIL", "queued": "PROCESSING", "sent": "PROCESSING"}
_REF = re.compile(r"^[A-Z0-9]{30}$")


def parse(model: type[BaseModel], payload: dict[str, Any]) -> Any:
    """The body as the wire model, or a 422 naming the field at fault."""
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "body"
        raise Invalid(f"{field}: {first['msg']}", code="validation_failed", field=field) from None


def channel(routerule: str | int | list[str | int]) -> str:
    """The channel a route rule lands on: the first that vpbx serves, in the rule's order."""
    items = routerule if isinstance(routerule, list) else str(routerule).split(",")
    codes = [str(item).strip() for item in items if str(item).strip()]
    for code in codes:
        if code not in CHANNELS:
            raise Invalid(
                f"no channel {code}", code="unknown_channel", field="routerule", channel=code
            )
    if SUPPORTED not in codes:
        raise Invalid("no channel of the rule can carry the message", code="no_route")
    return CHANNELS[SUPPORTED]


def message_id(ref: str) -> str:
    return ID_PREFIX + ref


def ref_of(id_omni_mess: str) -> str | None:
    """Our ref from an idOmniMess, or None when it cannot be one of ours."""
    value = id_omni_mess.strip()
    ref = value[len(ID_PREFIX) :] if value.startswith(ID_PREFIX) else ""
    return ref if _REF.match(ref) else None


def status_of(message: MessageOut) -> MessageStatus:
    recipient = phonenumbers.parse(message.to)
    created = message.created_at.astimezone(VIETNAM)
    return MessageStatus(
        phonenumber=message.to.lstrip("+"),
        list_param=json.dumps(message.params or {}, ensure_ascii=False),
        createdatetime=f"{created:%d/%m/%Y %H:%M:%S}",
        status=_STATUS[message.status],
        channel=message.channel,
        templatecode=message.template or "",
        errorCode=(message.error or "") if message.status == "failed" else "",
        mtcount=message.parts,
        telcoid=carrier.name_for_number(recipient, "en").lower(),
    )
