"""Forwarding of owned numbers over HTTP: every type, its fields, owner types, tenancy."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Party
from tests.pbx.forwarding_helpers import (
    audit_actions,
    buy_as,
    extension,
    forwarding_path,
    get_forwarding,
    group,
    put_forwarding,
    queue,
    scenario,
    stored_forwardings,
)
from tests.pbx.helpers import assert_handled, assert_problem, error_fields
from vpbx.models import AuditEvent, NumberForwarding

HOTLINE = "+842438256868"  # Alice's, business
SECOND = "+842438250000"  # Alice's, business
PERSONAL = "+842477778823"  # Alice's, personal
BOBS = "+842836251234"  # Bob's, business
UNSOLD = "+84912345678"  # in stock, nobody's


@pytest.fixture
def world(client: TestClient, alice: Party, bob: Party, stock: list[str]) -> dict[str, Any]:
    """Alice: two business numbers, a personal one, one target of each kind; Bob: the same
    kinds of target and a number of his own."""
    buy_as(client, alice, "business", HOTLINE, SECOND)
    buy_as(client, alice, "personal", PERSONAL)
    buy_as(client, bob, "business", BOBS)
    ext = extension(client, alice, display_name="Lan")
    return {
        "ext": ext,
        "group": group(client, alice, members=[{"extension_id": ext["id"]}]),
        "scenario": scenario(client, alice),
        "queue": queue(client, alice, members=[ext["id"]]),
        "bob_ext": extension(client, bob),
        "bob_group": group(client, bob),
        "bob_scenario": scenario(client, bob),
        "bob_queue": queue(client, bob),
    }


def specs(world: dict[str, Any]) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """Per type: a body and what the response shows of it."""
    ext, grp, scn, que = world["ext"], world["group"], world["scenario"], world["queue"]
    return {
        "sip": (
            {"type": "sip", "extension_id": ext["id"], "cli_mode": "Y"},
            {"extension_id": ext["id"], "extension_number": ext["number"], "cli_mode": "Y"},
        ),
        "number": (
            {"type": "number", "destination_number": "+84 987 776 868", "cli_mode": "N"},
            {"destination_number": "+84987776868", "cli_mode": "N"},
        ),
        "group": (
            {"type": "group", "group_id": grp["id"], "cli_mode": "Y"},
            {"group_id": grp["id"], "group_number": grp["number"], "group_name": "Sales"},
        ),
        "scenario": (
            {"type": "scenario", "scenario_id": scn["id"], "cli_mode": "Y"},
            {"scenario_id": scn["id"], "scenario_name": "Main menu"},
        ),
        "call_queue": (
            {"type": "call_queue", "call_queue_id": que["id"], "cli_mode": "N"},
            {"call_queue_id": que["id"], "call_queue_name": "Support", "cli_mode": "N"},
        ),
        "sip_uri": (
            {"type": "sip_uri", "destination_uri": "SIP:lan@pbx.example.com;transport=tls"},
            {"destination_uri": "sip:lan@pbx.example.com;transport=tls"},
        ),
        "bitrix": (
            {
                "type": "bitrix",
                "host": "https://Acme.Bitrix24.ru/",
                "type_default": "sip",
                "extension_id": ext["id"],
                "cli_mode_default": "N",
            },
            {
                "host": "acme.bitrix24.ru",
                "type_default": "sip",
                "extension_number": ext["number"],
                "cli_mode_default": "N",
            },
        ),
        "amo": (
            {"type": "amo", "host": "acme.amocrm.ru"},
            {"host": "acme.amocrm.ru", "type_default": "empty", "cli_mode_default": None},
        ),
        "empty": ({"type": "empty"}, {"cli_mode": None}),
    }


def test_the_tables_of_types_and_caller_id_modes(client: TestClient, alice: Party) -> None:
    types = client.get("/v1/forwarding-types", headers=alice.headers).json()["items"]
    table = {t["type"]: set(t["owner_types"]) for t in types}
    both, business = {"business", "personal"}, {"business"}
    assert table == {
        "sip": both,
        "number": both,
        "group": business,
        "scenario": business,
        "call_queue": business,
        "sip_uri": both,
        "bitrix": business,
        "amo": business,
        "empty": both,
    }
    assert all(t["title"] for t in types)
    modes = client.get("/v1/cli-modes", headers=alice.headers).json()["items"]
    assert [m["mode"] for m in modes] == ["Y", "N"]
    assert client.get("/v1/cli-modes").status_code == 401


def test_a_number_starts_without_forwarding(client: TestClient, alice: Party, world: Any) -> None:
    shown = get_forwarding(client, alice, HOTLINE)
    assert shown["number"] == HOTLINE
    assert (shown["type"], shown["owner_type"], shown["updated_at"]) == ("empty", "business", None)
    assert get_forwarding(client, alice, PERSONAL)["owner_type"] == "personal"


@pytest.mark.parametrize(
    "kind",
    ["sip", "number", "group", "scenario", "call_queue", "sip_uri", "bitrix", "amo", "empty"],
)
def test_every_type_is_set_shown_and_audited(
    client: TestClient,
    alice: Party,
    world: dict[str, Any],
    factory: sessionmaker[Session],
    kind: str,
) -> None:
    body, expected = specs(world)[kind]
    body = {"cli_mode": "Y", **body} if kind != "empty" else body
    response = put_forwarding(client, alice, HOTLINE, **body)
    assert response.status_code == 200, response.text
    shown = response.json()
    assert shown["type"] == kind
    assert {k: shown[k] for k in expected} == expected
    assert shown["updated_at"] is not None
    assert get_forwarding(client, alice, HOTLINE) == shown
    action = "forwarding.clear" if kind == "empty" else "forwarding.set"
    assert audit_actions(factory, "number")[-1] == (action, HOTLINE)


def test_fields_of_other_types_are_null_in_the_answer(
    client: TestClient, alice: Party, world: dict[str, Any]
) -> None:
    shown = put_forwarding(
        client, alice, HOTLINE, type="group", group_id=world["group"]["id"], cli_mode="Y"
    ).json()
    assert shown["extension_id"] is None
    assert shown["destination_number"] is None
    assert shown["type_default"] is None
    assert shown["cli_mode_default"] is None
    assert shown["host"] is None
    assert shown["scenario_id"] is None


def test_put_replaces_the_whole_forwarding_and_delete_clears_it(
    client: TestClient, alice: Party, world: dict[str, Any], factory: sessionmaker[Session]
) -> None:
    ext = world["ext"]
    put_forwarding(client, alice, HOTLINE, type="sip", extension_id=ext["id"], cli_mode="Y")
    replaced = put_forwarding(
        client, alice, HOTLINE, type="number", destination_number="+84987776868", cli_mode="N"
    ).json()
    assert replaced["extension_id"] is None
    assert replaced["extension_number"] is None
    with factory() as session:
        row = session.scalar(select(NumberForwarding))
        assert row is not None
        assert (row.extension_id, row.destination) == (None, "+84987776868")

    cleared = client.delete(forwarding_path(HOTLINE), headers=alice.headers)
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["type"] == "empty"
    assert cleared.json()["destination_number"] is None
    assert cleared.json()["updated_at"] is not None
    assert get_forwarding(client, alice, HOTLINE)["type"] == "empty"
    assert [a for a, _ in audit_actions(factory, "number")][-3:] == [
        "forwarding.set",
        "forwarding.set",
        "forwarding.clear",
    ]
    with factory() as session:
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert event is not None
        assert event.before is not None
        assert event.after is not None
        assert event.before["destination_number"] == "+84987776868"
        assert event.after == {"owner_type": "business", "type": "empty"}


@pytest.mark.parametrize("written", ["842438256868", "%2B842438256868", "+842438256868"])
def test_the_path_takes_e164_with_or_without_plus(
    client: TestClient, alice: Party, world: dict[str, Any], written: str
) -> None:
    response = client.put(
        forwarding_path(written),
        json={"type": "sip", "extension_id": world["ext"]["id"], "cli_mode": "Y"},
        headers=alice.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["number"] == HOTLINE


def test_a_partner_key_acts_for_its_tenant(
    client: TestClient, alice: Party, world: dict[str, Any]
) -> None:
    body = {"type": "sip", "extension_id": world["ext"]["id"], "cli_mode": "Y"}
    response = client.put(forwarding_path(HOTLINE), json=body, headers=alice.acting())
    assert response.status_code == 200, response.text
    without = client.get(forwarding_path(HOTLINE), headers=alice.partner_headers)
    assert_problem(without, 422, "tenant_required")


# --- refusals ---------------------------------------------------------------------------

REFUSED_SHAPES = [
    # a target field of another type
    (
        {"type": "sip", "extension_id": "EXT", "destination_number": "+84987776868"},
        "field_not_allowed",
        "destination_number",
    ),
    (
        {"type": "number", "destination_number": "+84987776868", "extension_id": "EXT"},
        "field_not_allowed",
        "extension_id",
    ),
    (
        {"type": "group", "group_id": "GROUP", "scenario_id": "SCENARIO"},
        "field_not_allowed",
        "scenario_id",
    ),
    (
        {"type": "sip_uri", "destination_uri": "sip:a@b.example", "host": "a.example"},
        "field_not_allowed",
        "host",
    ),
    (
        {"type": "sip", "extension_id": "EXT", "type_default": "sip"},
        "field_not_allowed",
        "type_default",
    ),
    (
        {"type": "sip", "extension_id": "EXT", "cli_mode_default": "Y"},
        "field_not_allowed",
        "cli_mode_default",
    ),
    ({"type": "empty", "cli_mode": "Y"}, "field_not_allowed", "cli_mode"),
    ({"type": "empty", "extension_id": "EXT"}, "field_not_allowed", "extension_id"),
    (
        {"type": "amo", "host": "a.amocrm.ru", "extension_id": "EXT"},
        "field_not_allowed",
        "extension_id",
    ),
    (
        {"type": "amo", "host": "a.amocrm.ru", "type_default": "empty", "cli_mode_default": "Y"},
        "field_not_allowed",
        "cli_mode_default",
    ),
    (
        {
            "type": "bitrix",
            "host": "a.bitrix24.ru",
            "type_default": "group",
            "group_id": "GROUP",
            "cli_mode_default": "Y",
            "extension_id": "EXT",
        },
        "field_not_allowed",
        "extension_id",
    ),
    # a missing field
    ({"type": "sip"}, "field_required", "extension_id"),
    ({"type": "number"}, "field_required", "destination_number"),
    ({"type": "group"}, "field_required", "group_id"),
    ({"type": "scenario"}, "field_required", "scenario_id"),
    ({"type": "call_queue"}, "field_required", "call_queue_id"),
    ({"type": "sip_uri"}, "field_required", "destination_uri"),
    ({"type": "bitrix"}, "field_required", "host"),
    ({"type": "sip", "extension_id": "EXT", "cli_mode": None}, "field_required", "cli_mode"),
    (
        {"type": "amo", "host": "a.amocrm.ru", "type_default": "sip", "cli_mode_default": "Y"},
        "field_required",
        "extension_id",
    ),
    (
        {"type": "amo", "host": "a.amocrm.ru", "type_default": "sip", "extension_id": "EXT"},
        "field_required",
        "cli_mode_default",
    ),
    # a reference that is not the tenant's
    ({"type": "sip", "extension_id": "BOB_EXT"}, "extension_not_found", "extension_id"),
    ({"type": "group", "group_id": "BOB_GROUP"}, "group_not_found", "group_id"),
    ({"type": "scenario", "scenario_id": "BOB_SCENARIO"}, "scenario_not_found", "scenario_id"),
    ({"type": "call_queue", "call_queue_id": "BOB_QUEUE"}, "call_queue_not_found", "call_queue_id"),
    ({"type": "sip", "extension_id": 999999}, "extension_not_found", "extension_id"),
    ({"type": "call_queue", "call_queue_id": 2**63 - 1}, "call_queue_not_found", "call_queue_id"),
    (
        {
            "type": "amo",
            "host": "a.amocrm.ru",
            "type_default": "scenario",
            "scenario_id": "BOB_SCENARIO",
            "cli_mode_default": "Y",
        },
        "scenario_not_found",
        "scenario_id",
    ),
    # a bad value
    ({"type": "number", "destination_number": "12345"}, None, "destination_number"),
    ({"type": "number", "destination_number": "0987776868"}, None, "destination_number"),
    ({"type": "number", "destination_number": "call me"}, None, "destination_number"),
    ({"type": "number", "destination_number": HOTLINE}, "forwarding_loop", "destination_number"),
    (
        {
            "type": "amo",
            "host": "a.amocrm.ru",
            "type_default": "number",
            "destination_number": "+8412",
            "cli_mode_default": "Y",
        },
        None,
        "destination_number",
    ),
]


def _filled(body: dict[str, Any], world: dict[str, Any]) -> dict[str, Any]:
    names = {
        "EXT": world["ext"]["id"],
        "GROUP": world["group"]["id"],
        "SCENARIO": world["scenario"]["id"],
        "BOB_EXT": world["bob_ext"]["id"],
        "BOB_GROUP": world["bob_group"]["id"],
        "BOB_SCENARIO": world["bob_scenario"]["id"],
        "BOB_QUEUE": world["bob_queue"]["id"],
    }
    filled = {k: names.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    if filled["type"] != "empty" and "cli_mode" not in filled:
        filled["cli_mode"] = "Y"
    return {k: v for k, v in filled.items() if v is not None}


@pytest.mark.parametrize(("body", "code", "field"), REFUSED_SHAPES, ids=lambda v: str(v)[:60])
def test_a_refused_forwarding_names_the_field_and_changes_nothing(
    client: TestClient,
    alice: Party,
    world: dict[str, Any],
    factory: sessionmaker[Session],
    body: dict[str, Any],
    code: str | None,
    field: str,
) -> None:
    put_forwarding(
        client, alice, HOTLINE, type="sip", extension_id=world["ext"]["id"], cli_mode="N"
    )
    before = stored_forwardings(factory)
    response = put_forwarding(client, alice, HOTLINE, **_filled(body, world))
    problem = assert_problem(response, 422, code)
    assert field in error_fields(problem)
    if problem["code"] in ("field_not_allowed", "field_required"):
        assert field in problem["detail"]
    assert stored_forwardings(factory) == before


@pytest.mark.parametrize(
    "uri",
    [
        "lan@pbx.example.com",
        "http://pbx.example.com",
        "sip:pbx.example.com",
        "sip:@pbx.example.com",
        "sip:lan@",
        "sip:lan pbx@example.com",
        "sip:lan@pbx.example.com\r\nVia: evil",
        "sip:lan@pbx.example.com\t",
        "sip:lan@pbx..example.com",
        "sip:lan@[::zz]",
        "sip:lan@pbx.example.com:99999",
        "sip:lan@pbx.example.com;x=<y>",
        "tel:+84987776868",
        "",
    ],
)
def test_a_sip_uri_must_name_user_at_host(
    client: TestClient, alice: Party, world: Any, uri: str
) -> None:
    response = put_forwarding(
        client, alice, HOTLINE, type="sip_uri", destination_uri=uri, cli_mode="Y"
    )
    problem = assert_problem(response, 422)
    assert "destination_uri" in error_fields(problem)
    assert get_forwarding(client, alice, HOTLINE)["type"] == "empty"


@pytest.mark.parametrize(
    "uri",
    ["sip:1001@10.0.0.5:5060", "sips:lan@pbx.example.com", "sip:+84987776868@[2001:db8::1]"],
)
def test_sip_uris_that_are_fine(client: TestClient, alice: Party, world: Any, uri: str) -> None:
    response = put_forwarding(
        client, alice, HOTLINE, type="sip_uri", destination_uri=uri, cli_mode="Y"
    )
    assert response.status_code == 200, response.text
    assert response.json()["destination_uri"] == uri


@pytest.mark.parametrize(
    "host",
    [
        "http://acme.bitrix24.ru",
        "ftp://acme.bitrix24.ru",
        "https://acme.bitrix24.ru/rest/hook",
        "https://acme.bitrix24.ru?x=1",
        "https://user@acme.bitrix24.ru",
        "acme.bitrix24.ru:0",
        "localhost",
        "https://localhost:8443",
        "crm.localhost",
        "crm.local",
        "crm.internal",
        "router.home.arpa",
        "intranet",
        "127.0.0.1",
        "https://127.0.0.1",
        "127.1",
        "1.0x7f",
        "2130706433",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "100.64.0.1",
        "169.254.169.254",
        "0.0.0.0",
        "224.0.0.1",
        "255.255.255.255",
        "[::1]",
        "https://[::1]:443",
        "[fe80::1]",
        "[fd00::1]",
        "[::ffff:127.0.0.1]",
        "[::ffff:10.0.0.1]",
        "[2002:0a00:0001::1]",
        "[ff02::1]",
        "acme bitrix24.ru",
        "acme_crm.ru",
        "-acme.ru",
        "",
    ],
)
def test_a_crm_host_must_be_public_and_https(
    client: TestClient, alice: Party, world: Any, host: str
) -> None:
    response = put_forwarding(client, alice, HOTLINE, type="bitrix", host=host, cli_mode="Y")
    problem = assert_problem(response, 422)
    assert "host" in error_fields(problem)
    assert get_forwarding(client, alice, HOTLINE)["type"] == "empty"


@pytest.mark.parametrize(
    ("host", "stored"),
    [
        ("acme.bitrix24.ru", "acme.bitrix24.ru"),
        ("https://acme.bitrix24.ru", "acme.bitrix24.ru"),
        ("HTTPS://ACME.amocrm.ru:8443/", "acme.amocrm.ru:8443"),
        ("acme.bitrix24.ru.", "acme.bitrix24.ru"),
        ("xn--80ak6aa92e.com", "xn--80ak6aa92e.com"),
        ("8.8.8.8", "8.8.8.8"),
        ("[2001:4860:4860::8888]", "[2001:4860:4860::8888]"),
    ],
)
def test_crm_hosts_that_are_fine(
    client: TestClient, alice: Party, world: Any, host: str, stored: str
) -> None:
    response = put_forwarding(client, alice, HOTLINE, type="amo", host=host, cli_mode="Y")
    assert response.status_code == 200, response.text
    assert response.json()["host"] == stored


# --- owner types ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["group", "scenario", "call_queue", "bitrix", "amo"])
def test_a_personal_number_refuses_business_only_types(
    client: TestClient,
    alice: Party,
    world: dict[str, Any],
    factory: sessionmaker[Session],
    kind: str,
) -> None:
    body, _ = specs(world)[kind]
    body = {"cli_mode": "Y", **body}
    before = stored_forwardings(factory)
    problem = assert_problem(
        put_forwarding(client, alice, PERSONAL, **body), 422, "forwarding_not_allowed"
    )
    assert problem["number"] == PERSONAL
    assert "personal" in problem["detail"]
    assert stored_forwardings(factory) == before
    # The same forwarding is fine on a business number.
    assert put_forwarding(client, alice, HOTLINE, **body).status_code == 200


@pytest.mark.parametrize("kind", ["sip", "number", "sip_uri", "empty"])
def test_a_personal_number_takes_the_types_for_everyone(
    client: TestClient, alice: Party, world: dict[str, Any], kind: str
) -> None:
    body, _expected = specs(world)[kind]
    body = {"cli_mode": "Y", **body} if kind != "empty" else body
    response = put_forwarding(client, alice, PERSONAL, **body)
    assert response.status_code == 200, response.text
    assert response.json()["owner_type"] == "personal"


# --- tenancy ----------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
@pytest.mark.parametrize("number", [HOTLINE, UNSOLD, "+84987776868", "+14155550100"])
def test_only_the_tenants_active_numbers_have_a_forwarding(
    client: TestClient,
    alice: Party,
    bob: Party,
    world: dict[str, Any],
    factory: sessionmaker[Session],
    method: str,
    number: str,
) -> None:
    put_forwarding(
        client, alice, HOTLINE, type="sip", extension_id=world["ext"]["id"], cli_mode="Y"
    )
    before = stored_forwardings(factory)
    body = {"type": "sip", "extension_id": world["bob_ext"]["id"], "cli_mode": "N"}
    response = client.request(
        method, forwarding_path(number), json=body if method == "PUT" else None, headers=bob.headers
    )
    assert_problem(response, 404, "number_not_found")
    assert stored_forwardings(factory) == before
    assert get_forwarding(client, alice, HOTLINE)["extension_id"] == world["ext"]["id"]


def test_a_reserved_number_has_no_forwarding_yet(
    client: TestClient, alice: Party, world: Any
) -> None:
    held = client.post("/v1/reservations", json={"numbers": [UNSOLD]}, headers=alice.headers)
    assert held.status_code < 300, held.text
    assert_problem(client.get(forwarding_path(UNSOLD), headers=alice.headers), 404)


def test_an_unparsable_number_in_the_path_is_refused(client: TestClient, alice: Party) -> None:
    assert_problem(client.get(forwarding_path("hello"), headers=alice.headers), 422)
    assert_problem(client.get(forwarding_path("1" * 40), headers=alice.headers), 422)


# --- bad input --------------------------------------------------------------------------

BAD_BODIES: list[Any] = [
    {},
    [],
    "sip",
    None,
    {"type": "voicemail", "cli_mode": "Y"},
    {"type": "sip", "extension_id": "abc", "cli_mode": "Y"},
    {"type": "sip", "extension_id": 0, "cli_mode": "Y"},
    {"type": "sip", "extension_id": -1, "cli_mode": "Y"},
    {"type": "sip", "extension_id": 2**63, "cli_mode": "Y"},
    {"type": "sip", "extension_id": 10**30, "cli_mode": "Y"},
    {"type": "sip", "extension_id": 1.5, "cli_mode": "Y"},
    {"type": "sip", "extension_id": [1], "cli_mode": "Y"},
    {"type": "sip", "extension_id": 1, "cli_mode": "yes"},
    {"type": "sip", "extension_id": 1, "cli_mode": "y"},
    {"type": "bitrix", "host": "a.bitrix24.ru", "type_default": "amo", "cli_mode": "Y"},
    {"type": "number", "destination_number": "+8498\x00", "cli_mode": "Y"},
    {"type": "number", "destination_number": "9" * 5000, "cli_mode": "Y"},
    {"type": "number", "destination_number": 84987776868, "cli_mode": "Y"},
    {"type": "sip_uri", "destination_uri": "sip:a\x00@b.example", "cli_mode": "Y"},
    {"type": "sip_uri", "destination_uri": "sip:" + "a" * 300 + "@b.example", "cli_mode": "Y"},
    {"type": "amo", "host": "a\x00.amocrm.ru", "cli_mode": "Y"},
    {"type": "amo", "host": "a" * 400 + ".ru", "cli_mode": "Y"},
    {"type": "amo", "host": "ab." * 90 + "ru", "cli_mode": "Y"},
    {"type": "sip", "extension_id": 1, "cli_mode": "Y", "comment": "x"},
    {"type": "sip", "sip_id": 1, "cli_mode": "Y"},
]


@pytest.mark.parametrize("body", BAD_BODIES, ids=lambda v: repr(v)[:50])
def test_bad_bodies_are_4xx_and_change_nothing(
    safe: TestClient,
    alice: Party,
    world: dict[str, Any],
    factory: sessionmaker[Session],
    body: Any,
) -> None:
    before = stored_forwardings(factory)
    response = safe.put(forwarding_path(HOTLINE), json=body, headers=alice.headers)
    assert_handled(response)
    assert 400 <= response.status_code < 500
    assert stored_forwardings(factory) == before


@pytest.mark.parametrize(
    "raw",
    [b"{", b'{"type": "sip",}', b"\xff\xfe", b'{"type": "sip", "extension_id": 1e400}', b""],
)
def test_malformed_json_is_refused(
    safe: TestClient, alice: Party, world: Any, factory: sessionmaker[Session], raw: bytes
) -> None:
    headers = {**alice.headers, "Content-Type": "application/json"}
    response = safe.put(forwarding_path(HOTLINE), content=raw, headers=headers)
    assert_problem(response, 422)
    assert stored_forwardings(factory) == []


@pytest.mark.parametrize("path", ["%00", "+84%00", "%2B" + "9" * 60, "%20", "..%2F.."])
def test_bad_numbers_in_the_path_are_4xx(
    safe: TestClient, alice: Party, world: Any, path: str
) -> None:
    for method in ("GET", "PUT", "DELETE"):
        body = {"type": "empty"} if method == "PUT" else None
        response = safe.request(method, forwarding_path(path), json=body, headers=alice.headers)
        assert_handled(response)
        assert 400 <= response.status_code < 500


# --- lifecycle --------------------------------------------------------------------------


def test_releasing_a_number_drops_its_forwarding(
    client: TestClient,
    alice: Party,
    bob: Party,
    world: dict[str, Any],
    factory: sessionmaker[Session],
) -> None:
    put_forwarding(
        client, alice, HOTLINE, type="sip", extension_id=world["ext"]["id"], cli_mode="Y"
    )
    put_forwarding(client, alice, SECOND, type="number", destination_number=UNSOLD, cli_mode="Y")
    released = client.delete(f"/v1/numbers/{HOTLINE}", headers=alice.headers)
    assert released.status_code == 200, released.text
    assert_problem(client.get(forwarding_path(HOTLINE), headers=alice.headers), 404)
    with factory() as session:
        rows = session.scalars(select(NumberForwarding)).all()
        assert [r.destination for r in rows] == [UNSOLD]  # the other number keeps its own
    # Nothing routes to the extension any more, so it can go (group and queue
    # membership never hold an extension back).
    response = client.delete(f"/v1/extensions/{world['ext']['id']}", headers=alice.headers)
    assert response.status_code == 204, response.text


def test_in_use_targets_cannot_be_deleted(
    client: TestClient, alice: Party, world: dict[str, Any], factory: sessionmaker[Session]
) -> None:
    ext, grp = world["ext"], world["group"]
    put_forwarding(client, alice, HOTLINE, type="sip", extension_id=ext["id"], cli_mode="Y")
    put_forwarding(
        client,
        alice,
        SECOND,
        type="bitrix",
        host="acme.bitrix24.ru",
        type_default="sip",
        extension_id=ext["id"],
        cli_mode="Y",
        cli_mode_default="Y",
    )
    put_forwarding(client, alice, PERSONAL, type="sip", extension_id=ext["id"], cli_mode="Y")
    refused = client.delete(f"/v1/extensions/{ext['id']}", headers=alice.headers)
    problem = assert_problem(refused, 409, "in_use")
    assert problem["numbers"] == sorted([HOTLINE, SECOND, PERSONAL])
    assert HOTLINE in problem["detail"]
    assert SECOND in problem["detail"]
    assert client.get(f"/v1/extensions/{ext['id']}", headers=alice.headers).status_code == 200

    put_forwarding(client, alice, HOTLINE, type="group", group_id=grp["id"], cli_mode="Y")
    problem = assert_problem(
        client.delete(f"/v1/groups/{grp['id']}", headers=alice.headers), 409, "in_use"
    )
    assert problem["numbers"] == [HOTLINE]
    assert client.get(f"/v1/groups/{grp['id']}", headers=alice.headers).status_code == 200

    for number in (HOTLINE, SECOND, PERSONAL):
        client.delete(forwarding_path(number), headers=alice.headers)
    assert client.delete(f"/v1/groups/{grp['id']}", headers=alice.headers).status_code == 204
    # Queue membership does not hold an extension back: it just leaves the queue.
    assert client.delete(f"/v1/extensions/{ext['id']}", headers=alice.headers).status_code == 204
    members = client.get(f"/v1/call-queues/{world['queue']['id']}", headers=alice.headers)
    assert members.json()["members"] == []
