"""Dialect-neutral shapes of the tenant's PBX."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from vpbx.numbers.schemas import Schema

NO_NUL = r"^[^\x00]*$"
# Display names go into SIP headers: a CR or LF there would forge headers.
NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"
Role = Literal["admin", "supervisor", "agent"]


class PbxSettings(Schema):
    sip_domain: str
    outbound_proxy: str
    extension_length: int


class PbxSettingsUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sip_domain: str | None = Field(default=None, max_length=253, pattern=NO_NUL)
    outbound_proxy: str | None = Field(default=None, max_length=255, pattern=NO_NUL)
    extension_length: int | None = Field(default=None, ge=3, le=6)


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    full_name: str = Field(min_length=1, max_length=200, pattern=NO_NUL)
    email: str = Field(min_length=3, max_length=320, pattern=NO_NUL)
    phone: str | None = Field(default=None, max_length=32, pattern=NO_NUL)
    role: Role = "agent"
    enabled: bool = True


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    full_name: str | None = Field(default=None, min_length=1, max_length=200, pattern=NO_NUL)
    email: str | None = Field(default=None, min_length=3, max_length=320, pattern=NO_NUL)
    phone: str | None = Field(default=None, max_length=32, pattern=NO_NUL)
    role: Role | None = None
    enabled: bool | None = None


class UserOut(Schema):
    id: int
    full_name: str
    email: str
    phone: str | None
    role: str
    enabled: bool
    created_at: datetime
    updated_at: datetime


class ExtensionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    number: str | None = Field(
        default=None, pattern=r"^[1-9][0-9]{2,5}$", description="Omit to take the next free number."
    )
    password: str | None = Field(
        default=None, max_length=64, description="Omit to have a strong one generated."
    )
    display_name: str = Field(default="", max_length=200, pattern=NO_CONTROL)
    user_id: int | None = Field(default=None, ge=1, le=2**63 - 1)
    enabled: bool = True
    expires_at: datetime | None = None
    caller_id_hotline: str | None = Field(default=None, max_length=32, pattern=NO_NUL)
    outbound_hotlines: list[str] = Field(default_factory=list, max_length=100)


class ExtensionUpdate(BaseModel):
    """Only the fields sent change; `null` clears user, expiry and caller ID."""

    model_config = ConfigDict(extra="forbid")
    display_name: str | None = Field(default=None, max_length=200, pattern=NO_CONTROL)
    user_id: int | None = Field(default=None, ge=1, le=2**63 - 1)
    enabled: bool | None = None
    expires_at: datetime | None = None
    caller_id_hotline: str | None = Field(default=None, max_length=32, pattern=NO_NUL)
    outbound_hotlines: list[str] | None = Field(default=None, max_length=100)


class SipAccount(BaseModel):
    """What a softphone needs to register (the password is shown separately)."""

    username: str
    domain: str
    outbound_proxy: str


class ExtensionOut(Schema):
    id: int
    number: str
    display_name: str
    user_id: int | None
    enabled: bool
    expires_at: datetime | None
    caller_id_hotline: str | None
    outbound_hotlines: list[str]
    sip: SipAccount
    created_at: datetime
    updated_at: datetime


class ExtensionWithPassword(ExtensionOut):
    """Returned once, when the password is set or rotated, and to its owner on request."""

    password: str


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: str | None = Field(
        default=None, max_length=64, description="Omit to have a strong one generated."
    )


Strategy = Literal["simultaneous", "sequential", "random", "round_robin", "longest_idle"]
NoAnswerKind = Literal["hangup", "extension", "group", "number"]


class NoAnswer(BaseModel):
    """Where an unanswered group call goes: hang up, an extension or group by number, or
    an external number (E.164)."""

    model_config = ConfigDict(extra="forbid")
    kind: NoAnswerKind = "hangup"
    value: str | None = Field(default=None, max_length=32, pattern=NO_NUL)


class GroupMemberIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    extension_id: int = Field(ge=1, le=2**63 - 1)
    timeout_s: int = Field(default=20, ge=5, le=300)


class GroupCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200, pattern=NO_CONTROL)
    number: str | None = Field(
        default=None, pattern=r"^[1-9][0-9]{2,5}$", description="Omit to take the next free number."
    )
    strategy: Strategy = "simultaneous"
    timeout_s: int = Field(default=60, ge=5, le=600)
    members: list[GroupMemberIn] = Field(default_factory=list, max_length=100)
    no_answer: NoAnswer = Field(default_factory=NoAnswer)


class GroupUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=200, pattern=NO_NUL)
    strategy: Strategy | None = None
    timeout_s: int | None = Field(default=None, ge=5, le=600)
    members: list[GroupMemberIn] | None = Field(default=None, max_length=100)
    no_answer: NoAnswer | None = None


class GroupMemberOut(BaseModel):
    extension_id: int
    extension_number: str
    timeout_s: int


class GroupOut(BaseModel):
    id: int
    number: str
    name: str
    strategy: Strategy
    timeout_s: int
    members: list[GroupMemberOut]
    no_answer: NoAnswer
    created_at: datetime
    updated_at: datetime
