"""Decisions serialise to JSON-ready data with a fixed shape."""

from __future__ import annotations

import json
from typing import Any

from tests.routing.factory import (
    DOMAIN,
    HOTLINE,
    MOBILE,
    TRUNK,
    forwarded,
    inbound,
    internal,
    make_group,
    make_plan,
    route_of,
    to_target,
    with_hotline,
)
from vpbx.routing import (
    After,
    CallerId,
    ForwardingType,
    Leg,
    LegKind,
    Reject,
    Route,
    Step,
    Strategy,
    resolve,
)

LEG_KEYS = {"kind", "target", "address", "name", "trunk", "strategy", "members", "caller_id"}


def round_trip(data: dict[str, Any]) -> Any:
    return json.loads(json.dumps(data))


def test_reject_to_dict() -> None:
    data = resolve(make_plan(), internal("101")).to_dict()
    assert data == {"action": "reject", "status": 486, "reason": "cannot call own extension"}
    assert round_trip(data) == data


def test_route_to_dict_for_an_extension() -> None:
    data = route_of(make_plan(), internal("102")).to_dict()
    assert data == {
        "action": "route",
        "steps": [
            {
                "legs": [
                    {
                        "kind": "extension",
                        "target": "102",
                        "address": f"sip:102@{DOMAIN}",
                        "name": "User 102",
                        "trunk": None,
                        "strategy": None,
                        "members": [],
                        "caller_id": None,
                    }
                ],
                "parallel": False,
                "timeout_s": 30,
            }
        ],
        "caller_id": {"number": "101", "name": "User 101", "pai": None},
        "after": "hangup",
    }
    assert round_trip(data) == data


def test_enum_values_serialise_as_plain_strings() -> None:
    data = route_of(with_hotline(forwarded(ForwardingType.CALL_QUEUE, "3")), inbound()).to_dict()
    text = json.dumps(data)
    leg = json.loads(text)["steps"][0]["legs"][0]
    assert leg["kind"] == "call_queue"
    assert leg["strategy"] == "longest_idle"
    assert type(leg["kind"]) is str
    assert [m["target"] for m in leg["members"]] == ["102", "106"]
    assert all(set(m) == LEG_KEYS for m in leg["members"])
    assert json.loads(text)["after"] == "handoff"


def test_every_leg_kind_round_trips() -> None:
    member = Leg(kind=LegKind.EXTENSION, target="102", address="sip:102@x")
    cid = CallerId(number=HOTLINE, name="n", pai=HOTLINE)
    legs = (
        member,
        Leg(kind=LegKind.NUMBER, target=MOBILE, address=MOBILE, trunk=TRUNK, caller_id=cid),
        Leg(kind=LegKind.SIP_URI, target="sip:a@b", address="sip:a@b"),
        Leg(kind=LegKind.SCENARIO, target="7", name="IVR"),
        Leg(
            kind=LegKind.CALL_QUEUE,
            target="3",
            strategy=Strategy.RANDOM,
            members=(member,),
        ),
        Leg(kind=LegKind.CRM, target="acme.amocrm.ru", name="amo"),
    )
    route = Route(
        steps=(Step(legs=legs, parallel=True, timeout_s=5),),
        caller_id=cid,
        after=After.HANDOFF,
    )
    data = route.to_dict()
    assert round_trip(data) == data
    assert [leg["kind"] for leg in data["steps"][0]["legs"]] == [k.value for k in LegKind]
    assert all(set(leg) == LEG_KEYS for leg in data["steps"][0]["legs"])
    assert data["steps"][0]["legs"][1]["caller_id"] == {
        "number": HOTLINE,
        "name": "n",
        "pai": HOTLINE,
    }


def test_group_chain_round_trips() -> None:
    group = make_group(
        strategy=Strategy.SIMULTANEOUS,
        member_list=(("102", 5), ("106", 5)),
        no_answer=to_target("number", MOBILE),
    )
    data = route_of(make_plan(groups=(group,)), internal("600")).to_dict()
    assert round_trip(data) == data
    assert [s["parallel"] for s in data["steps"]] == [True, False]
    assert data["steps"][1]["legs"][0]["trunk"] == TRUNK


def test_reject_status_is_a_plain_int() -> None:
    data = Reject(status=404, reason="no such number").to_dict()
    assert json.dumps(data) == '{"action": "reject", "status": 404, "reason": "no such number"}'
