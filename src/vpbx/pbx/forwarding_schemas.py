"""Dialect-neutral shapes of forwarding, scenarios and call queues.

Bodies forbid unknown fields; which target field goes with which forwarding type is a
rule of the service (a dialect builds these objects too, and its errors must come out
as domain errors in its own envelope, not as Pydantic ones).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from vpbx.pbx.schemas import NO_CONTROL, NO_NUL, Strategy

MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# Greetings are read out by a text-to-speech engine: line breaks and tabs are fine,
# other control characters are not.
GREETING_TEXT = r"^[^\x00-\x08\x0b-\x1f\x7f]*$"

ForwardingTypeName = Literal[
    "sip", "number", "group", "scenario", "call_queue", "sip_uri", "bitrix", "amo", "empty"
]
DefaultTypeName = Literal["sip", "number", "group", "scenario", "call_queue", "sip_uri", "empty"]
CliModeName = Literal["Y", "N"]
TargetKindName = Literal[
    "extension", "group", "number", "sip_uri", "scenario", "call_queue", "hangup"
]


class ForwardingSpec(BaseModel):
    """Where calls to a number go: `type` and exactly the fields of that type.

    sip → extension_id; number → destination_number (E.164); group → group_id;
    scenario → scenario_id; call_queue → call_queue_id; sip_uri → destination_uri;
    bitrix / amo → host, plus type_default with its own target field and
    cli_mode_default (where calls ring while the CRM decides); empty → nothing.
    cli_mode is required for every type but empty.
    """

    model_config = ConfigDict(extra="forbid")
    type: ForwardingTypeName
    extension_id: Id | None = None
    destination_number: str | None = Field(default=None, max_length=32, pattern=NO_NUL)
    group_id: Id | None = None
    scenario_id: Id | None = None
    call_queue_id: Id | None = None
    destination_uri: str | None = Field(default=None, max_length=255, pattern=NO_NUL)
    host: str | None = Field(default=None, max_length=300, pattern=NO_NUL)
    type_default: DefaultTypeName | None = None
    cli_mode: CliModeName | None = None
    cli_mode_default: CliModeName | None = None


class ForwardingOut(BaseModel):
    """A number's forwarding with each target by id and in readable form.

    For bitrix / amo the target fields other than `host` describe the type_default.
    `updated_at` is null for a number whose forwarding was never set.
    """

    number: str
    owner_type: str
    type: ForwardingTypeName
    extension_id: int | None = None
    extension_number: str | None = None
    destination_number: str | None = None
    group_id: int | None = None
    group_number: str | None = None
    group_name: str | None = None
    scenario_id: int | None = None
    scenario_name: str | None = None
    call_queue_id: int | None = None
    call_queue_name: str | None = None
    destination_uri: str | None = None
    host: str | None = None
    type_default: DefaultTypeName | None = None
    cli_mode: CliModeName | None = None
    cli_mode_default: CliModeName | None = None
    updated_at: datetime | None = None


class ForwardingTypeOut(BaseModel):
    type: ForwardingTypeName
    title: str
    owner_types: list[str]


class CliModeOut(BaseModel):
    mode: CliModeName
    title: str


# --- scenarios ---------------------------------------------------------------------------


class TargetIn(BaseModel):
    """A menu target: extension / group by dial-plan number, number in E.164, a sip: URI,
    scenario / call_queue by id, or hangup (no value)."""

    model_config = ConfigDict(extra="forbid")
    kind: TargetKindName
    value: (
        Annotated[str, Field(max_length=255, pattern=NO_CONTROL)]
        | Annotated[int, Field(ge=1, le=MAX_ID)]
        | None
    ) = None


class TargetOut(BaseModel):
    kind: TargetKindName
    value: str | None = None


class OptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    digit: str = Field(pattern=r"^[0-9*#]$")
    target: TargetIn


class OptionOut(BaseModel):
    digit: str
    target: TargetOut


class ScenarioCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200, pattern=NO_CONTROL)
    greeting: str = Field(default="", max_length=4000, pattern=GREETING_TEXT)
    input_timeout_s: int = Field(default=10, ge=1, le=120)
    options: list[OptionIn] = Field(default_factory=list, max_length=12)
    no_input: TargetIn = Field(default_factory=lambda: TargetIn(kind="hangup"))


class ScenarioUpdate(BaseModel):
    """Only the fields sent change; `options` replaces the whole menu."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=200, pattern=NO_CONTROL)
    greeting: str | None = Field(default=None, max_length=4000, pattern=GREETING_TEXT)
    input_timeout_s: int | None = Field(default=None, ge=1, le=120)
    options: list[OptionIn] | None = Field(default=None, max_length=12)
    no_input: TargetIn | None = None


class ScenarioOut(BaseModel):
    id: int
    name: str
    greeting: str
    input_timeout_s: int
    options: list[OptionOut]
    no_input: TargetOut
    created_at: datetime
    updated_at: datetime


# --- call queues -------------------------------------------------------------------------


class QueueCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200, pattern=NO_CONTROL)
    strategy: Strategy = "longest_idle"
    max_wait_s: int = Field(default=300, ge=5, le=3600)
    members: list[Id] = Field(
        default_factory=list, max_length=200, description="Extension ids, in order."
    )


class QueueUpdate(BaseModel):
    """Only the fields sent change; `members` replaces the whole list."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=200, pattern=NO_CONTROL)
    strategy: Strategy | None = None
    max_wait_s: int | None = Field(default=None, ge=5, le=3600)
    members: list[Id] | None = Field(default=None, max_length=200)


class QueueMemberOut(BaseModel):
    extension_id: int
    extension_number: str


class QueueOut(BaseModel):
    id: int
    name: str
    strategy: Strategy
    max_wait_s: int
    members: list[QueueMemberOut]
    created_at: datetime
    updated_at: datetime
