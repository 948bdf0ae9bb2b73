"""The inputs of route resolution: a tenant's dial plan and one call request.

Every type is a frozen, keyword-only dataclass of simple fields (str, int, bool, tuples,
aware datetimes, str-valued enums) so that loaders can build them from database rows and
the rules can treat them as values. Enum fields also accept their plain string values
("sequential", "sip", "Y"...) and are converted on construction; construction rejects
naive datetimes and non-positive ring timeouts with ValueError, so a bad row fails where
it is loaded rather than in the middle of a call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

__all__ = [
    "CallQueue",
    "CallRequest",
    "CliMode",
    "DialPlan",
    "Direction",
    "Extension",
    "Forwarding",
    "ForwardingType",
    "GroupMember",
    "Hotline",
    "RingGroup",
    "Scenario",
    "Strategy",
    "Target",
    "TargetKind",
]


class Strategy(StrEnum):
    """How a ring group (or call queue) distributes a call over its members."""

    SIMULTANEOUS = "simultaneous"
    SEQUENTIAL = "sequential"
    RANDOM = "random"
    ROUND_ROBIN = "round_robin"
    LONGEST_IDLE = "longest_idle"


class TargetKind(StrEnum):
    """What a ring group's no-answer target points at."""

    EXTENSION = "extension"
    GROUP = "group"
    NUMBER = "number"
    SIP_URI = "sip_uri"
    SCENARIO = "scenario"
    CALL_QUEUE = "call_queue"
    HANGUP = "hangup"


class ForwardingType(StrEnum):
    """Where a hotline sends inbound calls; mirrors Plusofon's follow types."""

    SIP = "sip"
    NUMBER = "number"
    GROUP = "group"
    SCENARIO = "scenario"
    CALL_QUEUE = "call_queue"
    SIP_URI = "sip_uri"
    BITRIX = "bitrix"
    AMO = "amo"
    EMPTY = "empty"


class CliMode(StrEnum):
    """Caller ID on a forwarded call: Plusofon's "Y" / "N" flag."""

    SHOW_CALLER = "Y"  # the original caller's number and name
    SHOW_HOTLINE = "N"  # the hotline (forwarding) number


class Direction(StrEnum):
    """Where the SIP server saw the call come from."""

    FROM_EXTENSION = "from_extension"
    FROM_TRUNK = "from_trunk"


def _require_aware(value: datetime | None, what: str) -> None:
    if value is not None and value.utcoffset() is None:
        raise ValueError(f"{what} must be a timezone-aware datetime, got {value!r}")


def _require_positive(value: int, what: str) -> None:
    if value <= 0:
        raise ValueError(f"{what} must be a positive number of seconds, got {value!r}")


def _coerce(obj: Any, name: str, enum: type[StrEnum]) -> None:
    """Turn a plain string field into its enum (frozen dataclass: via object.__setattr__)."""
    value = getattr(obj, name)
    if not isinstance(value, enum):
        object.__setattr__(obj, name, enum(value))


@dataclass(frozen=True, slots=True, kw_only=True)
class Extension:
    """A phone of the tenant's PBX.

    `caller_id_hotline` is the tenant number presented on its outbound calls;
    `outbound_hotlines`, when non-empty, lists the tenant numbers it may call out on
    (its caller_id_hotline must then be one of them). `sip_uri` is how to reach it; when
    empty the rules use ``sip:<number>@<plan.sip_domain>``.
    """

    number: str
    display_name: str = ""
    sip_uri: str = ""
    enabled: bool = True
    expires_at: datetime | None = None
    caller_id_hotline: str | None = None
    outbound_hotlines: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _require_aware(self.expires_at, f"extension {self.number} expires_at")


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    """A destination named by kind and value (extension number, group number, E.164,
    SIP URI, scenario id, queue id; the value is ignored for HANGUP)."""

    kind: TargetKind
    value: str = ""

    def __post_init__(self) -> None:
        _coerce(self, "kind", TargetKind)


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupMember:
    """One extension of a ring group and how long it rings in sequential strategies."""

    extension: str
    timeout_s: int

    def __post_init__(self) -> None:
        _require_positive(self.timeout_s, f"member {self.extension} timeout_s")


@dataclass(frozen=True, slots=True, kw_only=True)
class RingGroup:
    """A number that rings several extensions.

    `rotation` (round_robin) is the index in `members` to start at, kept by the caller
    of the rules; it wraps around modulo the member count. `last_call_ended_at`
    (longest_idle) pairs extension numbers with the end of their last call, None or
    absent meaning never called. `seed` makes the random strategy deterministic.
    `group_timeout_s` is how long the simultaneous strategy rings everyone; sequential
    strategies use each member's own timeout. `no_answer` is where the call goes when
    nobody answers (None = hang up).
    """

    number: str
    name: str
    strategy: Strategy
    members: tuple[GroupMember, ...]
    group_timeout_s: int
    no_answer: Target | None = None
    rotation: int = 0
    last_call_ended_at: tuple[tuple[str, datetime | None], ...] = ()
    seed: int = 0

    def __post_init__(self) -> None:
        _coerce(self, "strategy", Strategy)
        _require_positive(self.group_timeout_s, f"group {self.number} group_timeout_s")
        for extension, ended in self.last_call_ended_at:
            _require_aware(ended, f"group {self.number} last call of {extension}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Forwarding:
    """Where a hotline's inbound calls go.

    `value` by type: sip → extension number, number → E.164 (or national form),
    group → group number, scenario → scenario id, call_queue → queue id,
    sip_uri → URI, bitrix/amo → the CRM host, empty → ignored.
    """

    type: ForwardingType
    value: str = ""
    cli_mode: CliMode = CliMode.SHOW_CALLER

    def __post_init__(self) -> None:
        _coerce(self, "type", ForwardingType)
        _coerce(self, "cli_mode", CliMode)


@dataclass(frozen=True, slots=True, kw_only=True)
class Hotline:
    """A tenant's public number.

    List entries are E.164 numbers or prefixes ending in "*" ("+8419*"). A non-empty
    whitelist lets only listed callers through; the blacklist is checked first.
    """

    e164: str
    forwarding: Forwarding | None = None
    blacklist: tuple[str, ...] = ()
    whitelist: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    """An IVR/call-flow scenario; the rules only hand the call to it."""

    id: str
    name: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class CallQueue:
    """A call queue: the rules hand the call over with the queue's reachable members."""

    id: str
    name: str = ""
    members: tuple[str, ...] = ()
    strategy: Strategy = Strategy.LONGEST_IDLE
    max_wait_s: int = 300

    def __post_init__(self) -> None:
        _coerce(self, "strategy", Strategy)
        _require_positive(self.max_wait_s, f"queue {self.id} max_wait_s")


@dataclass(frozen=True, slots=True, kw_only=True)
class DialPlan:
    """Everything of one tenant that routing needs.

    `trunk` names the carrier trunk used for outside numbers (None: the tenant cannot
    reach outside numbers). `default_country` (ISO 3166 alpha-2) reads national dialling
    such as "0912345678". `ring_timeout_s` is how long a single extension rings when no
    group timeout applies (a direct call, a no-answer extension, a hotline forwarded to
    an extension).
    """

    tenant_id: str
    sip_domain: str
    default_country: str
    extensions: tuple[Extension, ...] = ()
    groups: tuple[RingGroup, ...] = ()
    hotlines: tuple[Hotline, ...] = ()
    scenarios: tuple[Scenario, ...] = ()
    queues: tuple[CallQueue, ...] = ()
    trunk: str | None = None
    ring_timeout_s: int = 30

    def __post_init__(self) -> None:
        _require_positive(self.ring_timeout_s, "ring_timeout_s")


@dataclass(frozen=True, slots=True, kw_only=True)
class CallRequest:
    """One new call as the SIP server sees it.

    `dialled` is the request-URI user part as dialled. `caller` is the extension number
    for calls from an extension, else the calling number as received from the trunk
    ("anonymous" and similar when withheld). `now` must be timezone-aware.
    """

    dialled: str
    caller: str
    direction_hint: Direction
    now: datetime
    caller_name: str | None = None

    def __post_init__(self) -> None:
        _coerce(self, "direction_hint", Direction)
        _require_aware(self.now, "now")
