"""Calls from extensions (R1): to extensions, ring groups and their no-answer chains,
outside numbers through the trunk, and hairpins to the tenant's own hotlines."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.routing.factory import (
    DOMAIN,
    HOTLINE,
    MOBILE,
    NOW,
    SALES,
    TRUNK,
    forwarded,
    internal,
    make_ext,
    make_group,
    make_plan,
    reject_of,
    route_of,
    targets,
    timeouts,
    to_target,
    with_groups,
)
from vpbx.routing import (
    MAX_NO_ANSWER_HOPS,
    After,
    CallerId,
    ForwardingType,
    LegKind,
    RingGroup,
    Route,
    Strategy,
    resolve,
)
from vpbx.routing.groups import ordered_members

# --- the caller -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("caller", "reason"),
    [
        ("999", "caller extension unknown"),
        ("103", "caller extension disabled"),
        ("104", "caller extension expired"),
    ],
)
def test_caller_must_be_a_working_extension(caller: str, reason: str) -> None:
    rejected = reject_of(make_plan(), internal("102", caller=caller))
    assert (rejected.status, rejected.reason) == (403, reason)


def test_caller_expiring_exactly_now_is_expired() -> None:
    rejected = reject_of(make_plan(), internal("102", caller="108", now=NOW + timedelta(hours=1)))
    assert rejected.reason == "caller extension expired"


def test_caller_expiring_later_may_call() -> None:
    assert targets(route_of(make_plan(), internal("102", caller="108"))) == [["102"]]


# --- R1a: extension to extension ----------------------------------------------------------------


def test_call_to_an_extension_rings_it_once() -> None:
    route = route_of(make_plan(), internal("102"))
    assert len(route.steps) == 1
    step = route.steps[0]
    assert step.parallel is False
    assert step.timeout_s == 30
    (leg,) = step.legs
    assert (leg.kind, leg.target, leg.address, leg.name) == (
        LegKind.EXTENSION,
        "102",
        f"sip:102@{DOMAIN}",
        "User 102",
    )
    assert route.after is After.HANGUP


def test_internal_call_presents_the_extension() -> None:
    route = route_of(make_plan(), internal("102"))
    assert route.caller_id == CallerId(number="101", name="User 101", pai=None)


def test_internal_caller_without_display_name_has_no_name() -> None:
    route = route_of(make_plan(), internal("102", caller="107"))
    assert route.caller_id == CallerId(number="107", name=None, pai=None)


def test_ring_timeout_comes_from_the_plan() -> None:
    assert timeouts(route_of(make_plan(ring_timeout_s=45), internal("102"))) == [45]


def test_extension_without_sip_uri_is_reached_in_the_tenant_domain() -> None:
    route = route_of(make_plan(), internal("107"))
    assert route.steps[0].legs[0].address == f"sip:107@{DOMAIN}"


def test_extension_sip_uri_is_used_as_given() -> None:
    plan = make_plan(extensions=(*make_plan().extensions, make_ext("109", sip_uri="sip:x@pbx")))
    assert route_of(plan, internal("109")).steps[0].legs[0].address == "sip:x@pbx"


def test_dialled_is_stripped() -> None:
    assert targets(route_of(make_plan(), internal(" 102 "))) == [["102"]]


def test_calling_yourself_is_busy() -> None:
    rejected = reject_of(make_plan(), internal("101"))
    assert (rejected.status, rejected.reason) == (486, "cannot call own extension")


@pytest.mark.parametrize(
    ("dialled", "reason"), [("103", "extension 103 disabled"), ("104", "extension 104 expired")]
)
def test_unreachable_extension_is_unavailable(dialled: str, reason: str) -> None:
    rejected = reject_of(make_plan(), internal(dialled))
    assert (rejected.status, rejected.reason) == (480, reason)


def test_extension_wins_over_a_group_with_the_same_number() -> None:
    plan = with_groups(make_group(number="102"))
    assert targets(route_of(plan, internal("102"))) == [["102"]]


def test_first_of_duplicate_extensions_wins() -> None:
    plan = make_plan(extensions=(*make_plan().extensions, make_ext("102", sip_uri="sip:dup@x")))
    assert route_of(plan, internal("102")).steps[0].legs[0].address == f"sip:102@{DOMAIN}"


# --- R1b / R4: ring groups ------------------------------------------------------------------


def test_simultaneous_group_rings_everyone_in_one_step() -> None:
    plan = with_groups(
        make_group(strategy=Strategy.SIMULTANEOUS, member_list=(("102", 5), ("106", 7)))
    )
    route = route_of(plan, internal("600"))
    assert targets(route) == [["102", "106"]]
    assert route.steps[0].parallel is True
    assert timeouts(route) == [25]  # group_timeout_s, not the members' timeouts


def test_sequential_group_rings_members_in_order_with_their_timeouts() -> None:
    plan = with_groups(make_group(member_list=(("102", 5), ("106", 7), ("108", 9))))
    route = route_of(plan, internal("600"))
    assert targets(route) == [["102"], ["106"], ["108"]]
    assert timeouts(route) == [5, 7, 9]
    assert all(step.parallel is False for step in route.steps)
    assert route.caller_id == CallerId(number="101", name="User 101", pai=None)


def test_random_group_follows_the_seeded_order() -> None:
    group = make_group(
        strategy=Strategy.RANDOM,
        member_list=(("102", 5), ("106", 6), ("107", 7), ("108", 8)),
        seed=3,
    )
    route = route_of(with_groups(group), internal("600"))
    expected = [m.extension for m in ordered_members(group)]
    assert [t[0] for t in targets(route)] == expected
    own = {"102": 5, "106": 6, "107": 7, "108": 8}
    assert timeouts(route) == [own[e] for e in expected]  # each member keeps its timeout
    assert route_of(with_groups(group), internal("600")) == route


def test_round_robin_group_starts_at_rotation_and_wraps() -> None:
    group = make_group(
        strategy=Strategy.ROUND_ROBIN,
        member_list=(("102", 5), ("106", 6), ("107", 7)),
        rotation=4,
    )
    assert targets(route_of(with_groups(group), internal("600"))) == [["106"], ["107"], ["102"]]


def test_round_robin_rotation_counts_skipped_members() -> None:
    group = make_group(
        strategy=Strategy.ROUND_ROBIN,
        member_list=(("102", 5), ("103", 5), ("106", 6), ("107", 7)),
        rotation=1,  # starts at disabled 103, so 106 rings first
    )
    assert targets(route_of(with_groups(group), internal("600"))) == [["106"], ["107"], ["102"]]


def test_longest_idle_group_rings_the_idlest_first() -> None:
    group = make_group(
        strategy=Strategy.LONGEST_IDLE,
        member_list=(("102", 5), ("106", 6), ("107", 7)),
        last_call_ended_at=(("102", NOW - timedelta(minutes=1)), ("106", NOW - timedelta(hours=1))),
    )
    assert targets(route_of(with_groups(group), internal("600"))) == [["107"], ["106"], ["102"]]


@pytest.mark.parametrize("strategy", list(Strategy))
def test_disabled_expired_and_unknown_members_are_skipped(strategy: Strategy) -> None:
    group = make_group(
        strategy=strategy,
        member_list=(("103", 5), ("102", 5), ("104", 5), ("999", 5)),
    )
    assert targets(route_of(with_groups(group), internal("600"))) == [["102"]]


def test_the_caller_is_not_rung_by_its_own_group() -> None:
    route = route_of(make_plan(), internal("600"))  # 600 = 101, 102, 106
    assert targets(route) == [["102"], ["106"]]


def test_a_repeated_member_rings_once() -> None:
    group = make_group(member_list=(("102", 5), ("106", 6), ("102", 7)))
    route = route_of(with_groups(group), internal("600"))
    assert targets(route) == [["102"], ["106"]]
    assert timeouts(route) == [5, 6]


def test_group_without_reachable_member_or_fallback_is_unavailable() -> None:
    plan = with_groups(make_group(member_list=(("103", 5), ("104", 5))))
    rejected = reject_of(plan, internal("600"))
    assert (rejected.status, rejected.reason) == (480, "group 600 has no reachable member")


def test_empty_group_is_unavailable() -> None:
    rejected = reject_of(with_groups(make_group(member_list=())), internal("600"))
    assert rejected.status == 480


def test_group_without_reachable_member_goes_straight_to_no_answer() -> None:
    group = make_group(member_list=(("103", 5),), no_answer=to_target("extension", "106"))
    route = route_of(with_groups(group), internal("600"))
    assert targets(route) == [["106"]]
    assert timeouts(route) == [30]


# --- no-answer chains -------------------------------------------------------------------------


def test_no_answer_extension_follows_the_members() -> None:
    group = make_group(member_list=(("102", 5),), no_answer=to_target("extension", "106"))
    route = route_of(with_groups(group), internal("600"))
    assert targets(route) == [["102"], ["106"]]
    assert timeouts(route) == [5, 30]
    assert route.after is After.HANGUP


def test_no_answer_hangup_adds_nothing() -> None:
    group = make_group(member_list=(("102", 5),), no_answer=to_target("hangup"))
    route = route_of(with_groups(group), internal("600"))
    assert targets(route) == [["102"]]
    assert route.after is After.HANGUP


def test_no_answer_group_chains_recursively() -> None:
    plan = with_groups(
        make_group(number="600", member_list=(("102", 5),), no_answer=to_target("group", "601")),
        make_group(
            number="601",
            strategy=Strategy.SIMULTANEOUS,
            member_list=(("106", 5), ("107", 5)),
            no_answer=to_target("extension", "108"),
        ),
    )
    route = route_of(plan, internal("600"))
    assert targets(route) == [["102"], ["106", "107"], ["108"]]
    assert [s.parallel for s in route.steps] == [False, True, False]


@pytest.mark.parametrize(
    "target",
    [
        ("extension", "103"),  # disabled
        ("extension", "999"),  # unknown
        ("extension", "101"),  # the caller
        ("group", "999"),
        ("number", "0241234"),  # invalid
        ("sip_uri", "http://example.com"),
        ("scenario", "99"),
        ("call_queue", "99"),
    ],
)
def test_unreachable_no_answer_target_adds_nothing(target: tuple[str, str]) -> None:
    group = make_group(member_list=(("102", 5),), no_answer=to_target(*target))
    route = route_of(with_groups(group), internal("600"))
    assert targets(route) == [["102"]]
    assert route.after is After.HANGUP


def test_group_pointing_at_itself_is_a_loop() -> None:
    group = make_group(member_list=(("102", 5),), no_answer=to_target("group", "600"))
    rejected = reject_of(with_groups(group), internal("600"))
    assert (rejected.status, rejected.reason) == (482, "loop detected: group 600 reached again")


def test_two_groups_pointing_at_each_other_are_a_loop() -> None:
    plan = with_groups(
        make_group(number="600", member_list=(("102", 5),), no_answer=to_target("group", "601")),
        make_group(number="601", member_list=(("106", 5),), no_answer=to_target("group", "600")),
    )
    rejected = reject_of(plan, internal("600"))
    assert (rejected.status, rejected.reason) == (482, "loop detected: group 600 reached again")


def test_cycle_further_down_the_chain_is_a_loop() -> None:
    plan = with_groups(
        make_group(number="600", member_list=(("102", 5),), no_answer=to_target("group", "601")),
        make_group(number="601", member_list=(("106", 5),), no_answer=to_target("group", "602")),
        make_group(number="602", member_list=(("107", 5),), no_answer=to_target("group", "601")),
    )
    rejected = reject_of(plan, internal("600"))
    assert (rejected.status, rejected.reason) == (482, "loop detected: group 601 reached again")


def test_an_extension_may_ring_again_later_in_the_chain() -> None:
    plan = with_groups(
        make_group(number="600", member_list=(("102", 5),), no_answer=to_target("group", "601")),
        make_group(
            number="601", member_list=(("102", 5),), no_answer=to_target("extension", "102")
        ),
    )
    route = route_of(plan, internal("600"))
    assert targets(route) == [["102"], ["102"], ["102"]]  # extensions may repeat; groups may not


def _chain(length: int, last: tuple[str, str] | None = None) -> tuple[RingGroup, ...]:
    """Groups 600 → 601 → ... linked by `length` no-answer hops; the last one may have a
    final no-answer target `last` (one more hop)."""
    groups = [
        make_group(
            number=str(600 + i),
            member_list=(("102", 5),),
            no_answer=to_target("group", str(601 + i)),
        )
        for i in range(length)
    ]
    end = to_target(*last) if last else None
    groups.append(make_group(number=str(600 + length), member_list=(("106", 5),), no_answer=end))
    return tuple(groups)


def test_chain_of_max_hops_is_allowed() -> None:
    plan = with_groups(*_chain(MAX_NO_ANSWER_HOPS))
    route = route_of(plan, internal("600"))
    assert len(route.steps) == MAX_NO_ANSWER_HOPS + 1


def test_chain_longer_than_max_hops_is_a_loop() -> None:
    plan = with_groups(*_chain(MAX_NO_ANSWER_HOPS + 1))
    rejected = reject_of(plan, internal("600"))
    assert (rejected.status, rejected.reason) == (482, "loop detected: more than 5 no-answer hops")


def test_hop_limit_counts_non_group_targets_too() -> None:
    plan = with_groups(*_chain(MAX_NO_ANSWER_HOPS, last=("extension", "107")))
    assert reject_of(plan, internal("600")).status == 482


def test_hangup_at_the_hop_limit_is_harmless() -> None:
    plan = with_groups(*_chain(MAX_NO_ANSWER_HOPS, last=("hangup", "")))
    assert isinstance(resolve(plan, internal("600")), Route)


def test_no_answer_number_on_internal_call_goes_out_as_the_caller() -> None:
    group = make_group(member_list=(("102", 5),), no_answer=to_target("number", "0912345678"))
    route = route_of(with_groups(group), internal("600"))
    assert targets(route) == [["102"], [MOBILE]]
    leg = route.steps[1].legs[0]
    assert (leg.kind, leg.address, leg.trunk) == (LegKind.NUMBER, MOBILE, TRUNK)
    assert leg.caller_id == CallerId(number=HOTLINE, name="User 101", pai=HOTLINE)
    assert route.steps[1].timeout_s == 0
    assert route.caller_id.pai is None  # internal legs still see the extension


def test_no_answer_number_is_skipped_for_caller_without_outbound_identity() -> None:
    group = make_group(member_list=(("106", 5),), no_answer=to_target("number", MOBILE))
    route = route_of(with_groups(group), internal("600", caller="102"))  # no caller_id_hotline
    assert targets(route) == [["106"]]


def test_no_answer_number_is_skipped_without_trunk() -> None:
    group = make_group(member_list=(("102", 5),), no_answer=to_target("number", MOBILE))
    assert targets(route_of(with_groups(group, trunk=None), internal("600"))) == [["102"]]


def test_no_answer_sip_uri() -> None:
    group = make_group(member_list=(("102", 5),), no_answer=to_target("sip_uri", "sip:vm@media"))
    route = route_of(with_groups(group), internal("600"))
    leg = route.steps[1].legs[0]
    assert (leg.kind, leg.target, leg.address) == (LegKind.SIP_URI, "sip:vm@media", "sip:vm@media")


def test_no_answer_scenario_hands_off() -> None:
    group = make_group(member_list=(("102", 5),), no_answer=to_target("scenario", "7"))
    route = route_of(with_groups(group), internal("600"))
    leg = route.steps[1].legs[0]
    assert (leg.kind, leg.target, leg.name) == (LegKind.SCENARIO, "7", "Main IVR")
    assert route.after is After.HANDOFF


def test_no_answer_queue_hands_off_with_members() -> None:
    group = make_group(member_list=(("107", 5),), no_answer=to_target("call_queue", "3"))
    route = route_of(with_groups(group), internal("600"))
    leg = route.steps[1].legs[0]
    assert leg.kind is LegKind.CALL_QUEUE
    assert [m.target for m in leg.members] == ["102", "106"]
    assert route.steps[1].timeout_s == 120
    assert route.after is After.HANDOFF


def test_group_with_only_a_handoff_fallback_routes() -> None:
    group = make_group(member_list=(("103", 5),), no_answer=to_target("scenario", "7"))
    route = route_of(with_groups(group), internal("600"))
    assert targets(route) == [["7"]]
    assert route.after is After.HANDOFF


# --- R1d: outside numbers ----------------------------------------------------------------------


@pytest.mark.parametrize("dialled", [MOBILE, "0912345678", "0084912345678", "+84 91 234 5678"])
def test_outside_number_goes_out_on_the_trunk(dialled: str) -> None:
    route = route_of(make_plan(), internal(dialled))
    (step,) = route.steps
    (leg,) = step.legs
    assert (leg.kind, leg.target, leg.address, leg.trunk) == (LegKind.NUMBER, MOBILE, MOBILE, TRUNK)
    assert step.timeout_s == 0
    assert leg.caller_id is None  # the route's caller ID applies
    assert route.caller_id == CallerId(number=HOTLINE, name="User 101", pai=HOTLINE)


def test_national_dialling_uses_the_default_country() -> None:
    plan = make_plan(default_country="RU")
    assert targets(route_of(plan, internal("84951234567"))) == [["+74951234567"]]


def test_outbound_without_trunk_is_unavailable() -> None:
    rejected = reject_of(make_plan(trunk=None), internal(MOBILE))
    assert (rejected.status, rejected.reason) == (503, "no outbound trunk")


def test_outbound_without_caller_id_is_forbidden() -> None:
    rejected = reject_of(make_plan(), internal(MOBILE, caller="102"))
    assert (rejected.status, rejected.reason) == (403, "no outbound caller ID")


def test_outbound_caller_id_must_be_a_tenant_number() -> None:
    plan = make_plan(extensions=(make_ext("101", caller_id_hotline="+842838251234"),))
    rejected = reject_of(plan, internal(MOBILE))
    assert (rejected.status, rejected.reason) == (
        403,
        "caller ID +842838251234 is not a tenant number",
    )


def test_outbound_caller_id_must_be_permitted() -> None:
    ext = make_ext("101", caller_id_hotline=SALES, outbound_hotlines=(HOTLINE,))
    rejected = reject_of(make_plan(extensions=(ext,)), internal(MOBILE))
    assert (rejected.status, rejected.reason) == (403, f"outbound on {SALES} not permitted")


def test_empty_outbound_hotlines_allow_any_tenant_caller_id() -> None:
    ext = make_ext("101", caller_id_hotline=SALES)
    route = route_of(make_plan(extensions=(ext,)), internal(MOBILE))
    assert route.caller_id == CallerId(number=SALES, name="User 101", pai=SALES)


def test_outbound_caller_id_in_national_form_is_normalised() -> None:
    ext = make_ext("101", caller_id_hotline="02438251234", outbound_hotlines=("02438251234",))
    route = route_of(make_plan(extensions=(ext,)), internal(MOBILE))
    assert route.caller_id.number == SALES


def test_trunk_is_checked_before_caller_id() -> None:
    assert reject_of(make_plan(trunk=None), internal(MOBILE, caller="102")).status == 503


# --- R1e: nothing matches ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dialled", "reason"),
    [
        ("105", "no such extension"),
        ("0241234", "not a valid number"),
        ("+84281234567", "not a valid number"),
        ("abc", "no such extension or number"),
        ("", "no such extension or number"),
    ],
)
def test_unknown_destination_is_not_found(dialled: str, reason: str) -> None:
    rejected = reject_of(make_plan(), internal(dialled))
    assert (rejected.status, rejected.reason) == (404, reason)


# --- R1c: hairpin to an own hotline -----------------------------------------------------------


@pytest.mark.parametrize("dialled", [HOTLINE, "02471234567", "842471234567"])
def test_own_hotline_is_handled_as_inbound(dialled: str) -> None:
    route = route_of(make_plan(), internal(dialled))  # HOTLINE → extension 102
    assert targets(route) == [["102"]]
    assert route.caller_id == CallerId(number="101", name="User 101", pai=HOTLINE)


def test_hairpin_with_cli_mode_n_shows_the_hotline() -> None:
    plan = make_plan(hotlines=(forwarded(ForwardingType.SIP, "102", cli_mode="N"),))
    route = route_of(plan, internal(HOTLINE))
    assert route.caller_id == CallerId(number=HOTLINE, name=None, pai=HOTLINE)


def test_hairpin_ignores_caller_lists() -> None:
    hotline = forwarded(ForwardingType.SIP, "102", blacklist=("*",), whitelist=("+1*",))
    assert targets(route_of(make_plan(hotlines=(hotline,)), internal(HOTLINE))) == [["102"]]


def test_hairpin_to_a_hotline_forwarded_to_yourself_is_busy() -> None:
    plan = make_plan(hotlines=(forwarded(ForwardingType.SIP, "101"),))
    assert reject_of(plan, internal(HOTLINE)).status == 486


def test_hairpin_to_a_group_skips_the_caller() -> None:
    assert targets(route_of(make_plan(), internal(SALES))) == [["102"], ["106"]]


def test_hairpin_group_number_fallback_uses_the_route_caller_id() -> None:
    group = make_group(member_list=(("102", 5),), no_answer=to_target("number", MOBILE))
    plan = make_plan(groups=(group,))
    route = route_of(plan, internal(SALES, caller="102"))  # 102 may not call out itself
    assert targets(route) == [[MOBILE]]
    assert route.steps[0].legs[0].caller_id is None
    assert route.caller_id == CallerId(number="102", name="User 102", pai=SALES)


def test_resolution_is_repeatable() -> None:
    plan, call = make_plan(), internal("600")
    assert resolve(plan, call) == resolve(plan, call)
