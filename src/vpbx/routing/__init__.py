"""Route resolution for the SIP server: pure functions from a dial plan and a call to a
decision (reject, or an ordered plan of targets to ring with the caller ID to present).

Modules: `model` (input types), `decision` (output types), `rules` (`resolve` and the
rules with their SIP status table), `targets` (group plans, no-answer chains, steps),
`groups` (strategy ordering), `phone` (E.164 normalisation and caller lists), `context`
(lookup tables and rejections shared by the rules).
"""

from vpbx.routing.decision import After, CallerId, Decision, Leg, LegKind, Reject, Route, Step
from vpbx.routing.model import (
    CallQueue,
    CallRequest,
    CliMode,
    DialPlan,
    Direction,
    Extension,
    Forwarding,
    ForwardingType,
    GroupMember,
    Hotline,
    RingGroup,
    Scenario,
    Strategy,
    Target,
    TargetKind,
)
from vpbx.routing.rules import EXTENSION_MAX_DIGITS, MAX_NO_ANSWER_HOPS, resolve

__all__ = [
    "EXTENSION_MAX_DIGITS",
    "MAX_NO_ANSWER_HOPS",
    "After",
    "CallQueue",
    "CallRequest",
    "CallerId",
    "CliMode",
    "Decision",
    "DialPlan",
    "Direction",
    "Extension",
    "Forwarding",
    "ForwardingType",
    "GroupMember",
    "Hotline",
    "Leg",
    "LegKind",
    "Reject",
    "RingGroup",
    "Route",
    "Scenario",
    "Step",
    "Strategy",
    "Target",
    "TargetKind",
    "resolve",
]
