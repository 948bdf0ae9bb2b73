"""Calls from the trunk (R2): hotline lookup, caller lists, every forwarding type (R3)
and the caller ID each cli_mode presents (R5)."""

from __future__ import annotations

import pytest

from tests.routing.factory import (
    DOMAIN,
    HOTLINE,
    MOBILE,
    OUTSIDE,
    SALES,
    TRUNK,
    forwarded,
    inbound,
    make_group,
    make_plan,
    reject_of,
    route_of,
    targets,
    timeouts,
    to_target,
    with_hotline,
)
from vpbx.routing import (
    After,
    CallerId,
    CallQueue,
    Forwarding,
    ForwardingType,
    Hotline,
    LegKind,
    Strategy,
)

# --- the dialled hotline ----------------------------------------------------------------------


@pytest.mark.parametrize("dialled", [HOTLINE, "842471234567", "02471234567", "+84 24 7123 4567"])
def test_dialled_hotline_is_found_in_any_form(dialled: str) -> None:
    assert targets(route_of(make_plan(), inbound(dialled))) == [["102"]]


def test_hotline_stored_without_plus_is_found() -> None:
    forwarding = Forwarding(type=ForwardingType.SIP, value="102")
    plan = with_hotline(Hotline(e164="842471234567", forwarding=forwarding))
    assert targets(route_of(plan, inbound(HOTLINE))) == [["102"]]


@pytest.mark.parametrize("dialled", [MOBILE, "102", "600", "garbage", ""])
def test_unknown_dialled_number_is_not_found(dialled: str) -> None:
    rejected = reject_of(make_plan(), inbound(dialled))
    assert (rejected.status, rejected.reason) == (404, "no such number")


# --- caller lists -----------------------------------------------------------------------------


@pytest.mark.parametrize("entry", [OUTSIDE, "0987654321", "+8498*", "+84987*"])
def test_blacklisted_caller_is_forbidden(entry: str) -> None:
    plan = with_hotline(forwarded(ForwardingType.SIP, "102", blacklist=("+1555", entry)))
    rejected = reject_of(plan, inbound())
    assert (rejected.status, rejected.reason) == (403, "caller blacklisted")


def test_blacklist_matches_caller_sent_in_national_form() -> None:
    plan = with_hotline(forwarded(ForwardingType.SIP, "102", blacklist=(OUTSIDE,)))
    assert reject_of(plan, inbound(caller="0987654321")).status == 403


def test_caller_not_on_blacklist_passes() -> None:
    plan = with_hotline(forwarded(ForwardingType.SIP, "102", blacklist=("+8491*", "+84987654320")))
    assert targets(route_of(plan, inbound())) == [["102"]]


@pytest.mark.parametrize("entry", [OUTSIDE, "+8498*"])
def test_whitelisted_caller_passes(entry: str) -> None:
    plan = with_hotline(forwarded(ForwardingType.SIP, "102", whitelist=(entry,)))
    assert targets(route_of(plan, inbound())) == [["102"]]


def test_caller_not_on_whitelist_is_forbidden() -> None:
    plan = with_hotline(forwarded(ForwardingType.SIP, "102", whitelist=("+8491*",)))
    rejected = reject_of(plan, inbound())
    assert (rejected.status, rejected.reason) == (403, "caller not whitelisted")


def test_blacklist_wins_over_whitelist() -> None:
    plan = with_hotline(
        forwarded(ForwardingType.SIP, "102", blacklist=(OUTSIDE,), whitelist=("+84*",))
    )
    assert reject_of(plan, inbound()).reason == "caller blacklisted"


def test_anonymous_caller_passes_a_blacklist_even_a_catch_all() -> None:
    plan = with_hotline(forwarded(ForwardingType.SIP, "102", blacklist=("*", OUTSIDE)))
    assert targets(route_of(plan, inbound(caller="anonymous"))) == [["102"]]


@pytest.mark.parametrize("caller", ["anonymous", "Anonymous", ""])
def test_anonymous_caller_fails_a_whitelist(caller: str) -> None:
    plan = with_hotline(forwarded(ForwardingType.SIP, "102", whitelist=("*",)))
    assert reject_of(plan, inbound(caller=caller)).reason == "caller not whitelisted"


# --- forwarding types ---------------------------------------------------------------------------


def test_hotline_without_forwarding_is_not_in_service() -> None:
    rejected = reject_of(with_hotline(Hotline(e164=HOTLINE)), inbound())
    assert (rejected.status, rejected.reason) == (480, "number not in service")


def test_empty_forwarding_is_not_in_service() -> None:
    rejected = reject_of(with_hotline(forwarded(ForwardingType.EMPTY, "102")), inbound())
    assert (rejected.status, rejected.reason) == (480, "number not in service")


def test_sip_forwarding_rings_the_extension() -> None:
    route = route_of(make_plan(), inbound())
    (step,) = route.steps
    assert (step.legs[0].address, step.timeout_s, step.parallel) == (f"sip:102@{DOMAIN}", 30, False)
    assert route.after is After.HANGUP


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("103", "extension 103 disabled"),
        ("104", "extension 104 expired"),
        ("999", "extension 999 unknown"),
    ],
)
def test_sip_forwarding_to_unreachable_extension_is_unavailable(value: str, reason: str) -> None:
    rejected = reject_of(with_hotline(forwarded(ForwardingType.SIP, value)), inbound())
    assert (rejected.status, rejected.reason) == (480, reason)


def test_group_forwarding_uses_the_group_plan() -> None:
    route = route_of(make_plan(), inbound(SALES))  # SALES → 600: 101, 102, 106
    assert targets(route) == [["101"], ["102"], ["106"]]
    assert timeouts(route) == [10, 20, 30]


def test_group_forwarding_to_simultaneous_group() -> None:
    plan = make_plan(groups=(make_group(strategy=Strategy.SIMULTANEOUS),))
    route = route_of(plan, inbound(SALES))
    assert targets(route) == [["101", "102", "106"]]
    assert route.steps[0].parallel is True


def test_group_forwarding_to_unknown_group_is_unavailable() -> None:
    rejected = reject_of(with_hotline(forwarded(ForwardingType.GROUP, "699")), inbound())
    assert (rejected.status, rejected.reason) == (480, "group 699 unknown")


def test_group_forwarding_to_group_without_members_is_unavailable() -> None:
    plan = make_plan(groups=(make_group(member_list=(("103", 5),)),))
    rejected = reject_of(plan, inbound(SALES))
    assert (rejected.status, rejected.reason) == (480, "group 600 has no reachable member")


def test_group_forwarding_loop_is_detected() -> None:
    group = make_group(no_answer=to_target("group", "600"))
    assert reject_of(make_plan(groups=(group,)), inbound(SALES)).status == 482


def test_group_no_answer_number_on_inbound_call_uses_the_route_caller_id() -> None:
    group = make_group(member_list=(("102", 5),), no_answer=to_target("number", "0912345678"))
    route = route_of(make_plan(groups=(group,)), inbound(SALES))
    assert targets(route) == [["102"], [MOBILE]]
    assert route.steps[1].legs[0].caller_id is None
    assert route.caller_id.pai == SALES


@pytest.mark.parametrize("value", [MOBILE, "0912345678", "84912345678"])
def test_number_forwarding_goes_out_on_the_trunk(value: str) -> None:
    route = route_of(with_hotline(forwarded(ForwardingType.NUMBER, value)), inbound())
    (step,) = route.steps
    (leg,) = step.legs
    assert (leg.kind, leg.target, leg.address, leg.trunk) == (LegKind.NUMBER, MOBILE, MOBILE, TRUNK)
    assert step.timeout_s == 0


def test_number_forwarding_without_trunk_is_service_unavailable() -> None:
    plan = with_hotline(forwarded(ForwardingType.NUMBER, MOBILE), trunk=None)
    rejected = reject_of(plan, inbound())
    assert (rejected.status, rejected.reason) == (503, "no outbound trunk")


def test_number_forwarding_to_invalid_number_is_unavailable() -> None:
    rejected = reject_of(with_hotline(forwarded(ForwardingType.NUMBER, "0241234")), inbound())
    assert (rejected.status, rejected.reason) == (480, "forwarding target not a valid number")


@pytest.mark.parametrize("uri", ["sip:alice@branch.example", "sips:bob@example.org", "SIP:x@y"])
def test_sip_uri_forwarding_rings_the_uri(uri: str) -> None:
    route = route_of(with_hotline(forwarded(ForwardingType.SIP_URI, uri)), inbound())
    leg = route.steps[0].legs[0]
    assert (leg.kind, leg.target, leg.address) == (LegKind.SIP_URI, uri, uri)


@pytest.mark.parametrize("uri", ["", "alice@example", "sip:", "tel:+84912345678"])
def test_sip_uri_forwarding_to_a_non_uri_is_unavailable(uri: str) -> None:
    rejected = reject_of(with_hotline(forwarded(ForwardingType.SIP_URI, uri)), inbound())
    assert (rejected.status, rejected.reason) == (480, "forwarding target not a SIP URI")


def test_scenario_forwarding_hands_off() -> None:
    route = route_of(with_hotline(forwarded(ForwardingType.SCENARIO, "7")), inbound())
    (step,) = route.steps
    (leg,) = step.legs
    assert (leg.kind, leg.target, leg.name, leg.address) == (LegKind.SCENARIO, "7", "Main IVR", "")
    assert step.timeout_s == 0
    assert route.after is After.HANDOFF


def test_scenario_forwarding_to_unknown_scenario_is_unavailable() -> None:
    rejected = reject_of(with_hotline(forwarded(ForwardingType.SCENARIO, "8")), inbound())
    assert (rejected.status, rejected.reason) == (480, "scenario 8 unknown")


def test_queue_forwarding_hands_off_with_reachable_members() -> None:
    route = route_of(with_hotline(forwarded(ForwardingType.CALL_QUEUE, "3")), inbound())
    (step,) = route.steps
    (leg,) = step.legs
    assert (leg.kind, leg.target, leg.name, leg.strategy) == (
        LegKind.CALL_QUEUE,
        "3",
        "Support",
        Strategy.LONGEST_IDLE,
    )
    assert [(m.kind, m.target, m.address) for m in leg.members] == [
        (LegKind.EXTENSION, "102", f"sip:102@{DOMAIN}"),
        (LegKind.EXTENSION, "106", f"sip:106@{DOMAIN}"),  # disabled 103 skipped
    ]
    assert step.timeout_s == 120
    assert route.after is After.HANDOFF


def test_queue_forwarding_to_unknown_queue_is_unavailable() -> None:
    rejected = reject_of(with_hotline(forwarded(ForwardingType.CALL_QUEUE, "4")), inbound())
    assert (rejected.status, rejected.reason) == (480, "queue 4 unknown")


def test_queue_without_reachable_members_is_unavailable() -> None:
    plan = with_hotline(
        forwarded(ForwardingType.CALL_QUEUE, "3"),
        queues=(CallQueue(id="3", members=("103", "104", "999")),),
    )
    rejected = reject_of(plan, inbound())
    assert (rejected.status, rejected.reason) == (480, "queue 3 has no reachable member")


@pytest.mark.parametrize("crm", [ForwardingType.BITRIX, ForwardingType.AMO])
def test_crm_forwarding_hands_off_to_the_integration(crm: ForwardingType) -> None:
    route = route_of(with_hotline(forwarded(crm, "acme.bitrix24.ru")), inbound())
    (step,) = route.steps
    (leg,) = step.legs
    assert (leg.kind, leg.target, leg.name) == (LegKind.CRM, "acme.bitrix24.ru", crm.value)
    assert step.timeout_s == 0
    assert route.after is After.HANDOFF


def test_crm_forwarding_without_host_is_unavailable() -> None:
    rejected = reject_of(with_hotline(forwarded(ForwardingType.AMO, "  ")), inbound())
    assert (rejected.status, rejected.reason) == (480, "CRM host missing")


# --- caller ID per cli_mode (R5) -----------------------------------------------------------------

ROUTABLE: list[tuple[ForwardingType, str]] = [
    (ForwardingType.SIP, "102"),
    (ForwardingType.GROUP, "600"),
    (ForwardingType.NUMBER, MOBILE),
    (ForwardingType.SIP_URI, "sip:alice@branch.example"),
    (ForwardingType.SCENARIO, "7"),
    (ForwardingType.CALL_QUEUE, "3"),
    (ForwardingType.BITRIX, "acme.bitrix24.ru"),
    (ForwardingType.AMO, "acme.amocrm.ru"),
]


@pytest.mark.parametrize(("kind", "value"), ROUTABLE)
def test_cli_mode_y_shows_the_caller(kind: ForwardingType, value: str) -> None:
    route = route_of(with_hotline(forwarded(kind, value, cli_mode="Y")), inbound())
    assert route.caller_id == CallerId(number=OUTSIDE, name="Alice", pai=HOTLINE)


@pytest.mark.parametrize(("kind", "value"), ROUTABLE)
def test_cli_mode_n_shows_the_hotline(kind: ForwardingType, value: str) -> None:
    route = route_of(with_hotline(forwarded(kind, value, cli_mode="N")), inbound())
    assert route.caller_id == CallerId(number=HOTLINE, name=None, pai=HOTLINE)


def test_cli_mode_y_normalises_a_national_caller() -> None:
    route = route_of(make_plan(), inbound(caller="0987654321"))
    assert route.caller_id.number == OUTSIDE


def test_cli_mode_y_keeps_an_unparsable_caller_as_received() -> None:
    route = route_of(make_plan(), inbound(caller="12345"))
    assert route.caller_id.number == "12345"


def test_cli_mode_y_with_anonymous_caller() -> None:
    route = route_of(make_plan(), inbound(caller="Anonymous", name=None))
    assert route.caller_id == CallerId(number="anonymous", name=None, pai=HOTLINE)


def test_cli_mode_y_without_caller_name() -> None:
    route = route_of(make_plan(), inbound(name=""))
    assert route.caller_id.name is None


def test_pai_is_the_dialled_hotline() -> None:
    assert route_of(make_plan(), inbound(SALES)).caller_id.pai == SALES
