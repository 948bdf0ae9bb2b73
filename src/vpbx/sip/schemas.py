"""Shapes of the SIP server's side: carrier trunks (partner API), what Kamailio asks
and posts (/v1/sip), and an extension's registrations."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from vpbx.numbers.schemas import Schema

NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"
# A SIP Call-ID is printable ASCII without spaces (RFC 3261 `word`).
CALL_ID = r"^[!-~]+$"
# A host name or an IP address literal (IPv6 in brackets is not needed: host part only).
HOST = r"^[A-Za-z0-9.:-]+$"
# "sec.usec" as Kamailio's $TV(Sn) prints it.
EPOCH = r"^[0-9]{1,12}(\.[0-9]{1,6})?$"
Transport = Literal["udp", "tcp"]
MAX_SOURCES = 100


class TrunkCreate(BaseModel):
    """A carrier trunk: where outside calls go, and the addresses calls come in from
    (IPv4/IPv6 addresses or networks in CIDR form, e.g. "203.0.113.0/28")."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100, pattern=NO_CONTROL)
    host: str = Field(min_length=1, max_length=253, pattern=HOST)
    port: int = Field(default=5060, ge=1, le=65535)
    transport: Transport = "udp"
    sources: list[str] = Field(default_factory=list, max_length=MAX_SOURCES)


class TrunkUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=100, pattern=NO_CONTROL)
    host: str | None = Field(default=None, min_length=1, max_length=253, pattern=HOST)
    port: int | None = Field(default=None, ge=1, le=65535)
    transport: Transport | None = None
    sources: list[str] | None = Field(default=None, max_length=MAX_SOURCES)


class TrunkOut(Schema):
    id: int
    name: str
    host: str
    port: int
    transport: Transport
    sources: list[str]
    tenant_ids: list[int]
    created_at: datetime
    updated_at: datetime


class RouteRequest(BaseModel):
    """A new call as Kamailio sees it. `domain` is the caller's SIP domain (from an
    extension); `trunk` the id of the trunk whose address sent it (from a trunk)."""

    model_config = ConfigDict(extra="forbid")
    call_id: str = Field(min_length=1, max_length=255, pattern=CALL_ID)
    direction: Literal["from_extension", "from_trunk"]
    domain: str = Field(default="", max_length=253, pattern=NO_CONTROL)
    caller: str = Field(default="", max_length=64, pattern=NO_CONTROL)
    caller_name: str | None = Field(default=None, max_length=200, pattern=NO_CONTROL)
    dialled: str = Field(min_length=1, max_length=64, pattern=NO_CONTROL)
    trunk: str = Field(default="", max_length=18, pattern=r"^[0-9]*$")


class CallEvent(BaseModel):
    """How a routed call ended, as Kamailio posts it: the context its route decision
    carried, the times (epoch seconds), the final SIP status and who answered."""

    model_config = ConfigDict(extra="forbid")
    call_id: str = Field(min_length=1, max_length=255, pattern=CALL_ID)
    context: str = Field(min_length=2, max_length=4000)
    started: str = Field(pattern=EPOCH)
    answered: str | None = Field(default=None, pattern=EPOCH)
    answered_by: str | None = Field(default=None, max_length=64, pattern=NO_CONTROL)
    ended: str = Field(pattern=EPOCH)
    status: int = Field(ge=100, le=699)


MAX_OUTCOMES = 1000  # per POST: Kamailio's timer sends at most 100 at a time


class RefusedOutcome(BaseModel):
    index: int
    code: str
    message: str


class CallsRecorded(BaseModel):
    """What became of a batch of call outcomes: `recorded` new records, `existing` ones
    already stored (a repeated post), `orphaned` outcomes whose tenant was deleted while
    the call ran, and each `rejected` one with its index and reason."""

    recorded: int = 0
    existing: int = 0
    orphaned: int = 0
    rejected: list[RefusedOutcome] = Field(default_factory=list)

    def refuse(self, index: int, error: Exception) -> None:
        if isinstance(error, ValidationError):
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "outcome"
            self.rejected.append(
                RefusedOutcome(
                    index=index, code="validation_failed", message=f"{where}: {first['msg']}"
                )
            )
        else:
            code = getattr(error, "code", "invalid")
            self.rejected.append(RefusedOutcome(index=index, code=code, message=str(error)))


class RegistrationOut(Schema):
    """A live binding: the phone's contact, where it registered from, until when."""

    contact: str
    received: str | None
    expires_at: datetime | None
    user_agent: str
    transport: str


class Registrations(BaseModel):
    """`sip_server`: "kamailio" when asked, "not_configured" when vpbx runs without one
    (VPBX_SIP_CONTROL_SOCKET unset; `items` is then empty)."""

    extension_id: int
    aor: str
    sip_server: Literal["kamailio", "not_configured"]
    items: list[RegistrationOut]
