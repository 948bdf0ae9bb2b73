"""Registrations: dropped when an account loses its right to them, listed on request.

The SIP server is a test double here (RecordingNotifier) or a fake JSON-RPC socket
speaking Kamailio's protocol; tests/sip/test_calls_e2e.py does the same with Kamailio.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.cli.test_cli import Cli
from tests.conftest import Party, make_party
from tests.problems import assert_problem
from tests.sip.helpers import domain, extension, ok
from vpbx.models import Tenant
from vpbx.sip.control import ControlError, KamailioControl, Registration, parse_lookup
from vpbx.sip.notifier import (
    KamailioNotifier,
    RecordingNotifier,
    after_commit,
    forget_all_credentials_after_commit,
    use_notifier,
)


def test_disabling_expiring_rotating_or_deleting_drops_registrations(
    sip_client: TestClient, alice: Party, notifier: RecordingNotifier
) -> None:
    ids = {n: extension(sip_client, alice, n)["id"] for n in ("101", "102", "103", "104")}
    aor = f"@{domain(sip_client, alice)}"
    headers = alice.headers
    ok(sip_client.patch(f"/v1/extensions/{ids['101']}", json={"display_name": "x"},
                        headers=headers))  # fmt: skip
    assert notifier.dropped == []  # nothing that touches the account's rights
    ok(sip_client.patch(f"/v1/extensions/{ids['101']}", json={"enabled": False},
                        headers=headers))  # fmt: skip
    past = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    ok(sip_client.patch(f"/v1/extensions/{ids['102']}", json={"expires_at": past},
                        headers=headers))  # fmt: skip
    ok(sip_client.post(f"/v1/extensions/{ids['103']}/password", json={}, headers=headers))
    assert sip_client.delete(f"/v1/extensions/{ids['104']}", headers=headers).status_code == 204
    assert notifier.dropped == [f"{n}{aor}" for n in ("101", "102", "103", "104")]
    # the SIP server's cached credentials of each go too
    assert notifier.forgotten == notifier.dropped


def test_a_new_expiry_forgets_the_cached_credentials_but_keeps_the_bindings(
    sip_client: TestClient, alice: Party, notifier: RecordingNotifier
) -> None:
    ext = extension(sip_client, alice, "101")
    path, headers = f"/v1/extensions/{ext['id']}", alice.headers
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    ok(sip_client.patch(path, json={"display_name": "x", "enabled": True}, headers=headers))
    assert notifier.forgotten == []  # who may authenticate with what did not change
    ok(sip_client.patch(path, json={"expires_at": later}, headers=headers))
    ok(sip_client.patch(path, json={"expires_at": None}, headers=headers))
    aor = f"101@{domain(sip_client, alice)}"
    assert (notifier.forgotten, notifier.dropped) == ([aor, aor], [])


class _Ordered(RecordingNotifier):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[str] = []

    def forget_credentials(self, aors: Sequence[str]) -> None:
        self.events += [f"forget {a}" for a in aors]

    def drop_registrations(self, aors: Sequence[str]) -> None:
        self.events += [f"drop {a}" for a in aors]


def test_credentials_are_forgotten_before_bindings_are_dropped(
    sip_client: TestClient, alice: Party
) -> None:
    """A phone whose binding is dropped registers again at once: by then its cached
    credentials must be gone, or the old password would still pass."""
    ext = extension(sip_client, alice, "101")
    with use_notifier(_Ordered()) as ordered:
        ok(sip_client.post(f"/v1/extensions/{ext['id']}/password", json={}, headers=alice.headers))
    aor = f"101@{domain(sip_client, alice)}"
    assert isinstance(ordered, _Ordered)
    assert ordered.events == [f"forget {aor}", f"drop {aor}"]


def test_a_refused_change_drops_nothing(
    sip_client: TestClient, alice: Party, bob: Party, notifier: RecordingNotifier
) -> None:
    mine = extension(sip_client, alice, "101")
    theirs = extension(sip_client, bob, "101")
    body = {"enabled": False, "caller_id_hotline": "+842438256868"}  # not Alice's number
    response = sip_client.patch(f"/v1/extensions/{mine['id']}", json=body, headers=alice.headers)
    assert_problem(response, 422)
    response = sip_client.delete(f"/v1/extensions/{theirs['id']}", headers=alice.headers)
    assert_problem(response, 404)
    assert notifier.dropped == []
    assert notifier.forgotten == []


def test_renaming_the_domain_drops_every_registration_of_the_old_one(
    sip_client: TestClient, alice: Party, notifier: RecordingNotifier
) -> None:
    for number in ("101", "102"):
        extension(sip_client, alice, number)
    old = domain(sip_client, alice)
    ok(sip_client.patch("/v1/pbx", json={"sip_domain": "renamed.example"}, headers=alice.headers))
    assert sorted(notifier.dropped) == [f"101@{old}", f"102@{old}"]
    assert sorted(notifier.forgotten) == [f"101@{old}", f"102@{old}"]


def test_registrations_of_an_extension(
    sip_client: TestClient, alice: Party, bob: Party, notifier: RecordingNotifier
) -> None:
    ext = extension(sip_client, alice, "101")
    aor = f"101@{domain(sip_client, alice)}"
    until = datetime(2030, 1, 1, tzinfo=UTC)
    notifier.bindings[aor] = [
        Registration("sip:101@10.0.0.5:5062", "sip:203.0.113.4:41234", until, "Zoiper", "udp")
    ]
    found = ok(sip_client.get(f"/v1/extensions/{ext['id']}/registrations", headers=alice.headers))
    assert found["aor"] == aor
    assert found["sip_server"] == "kamailio"
    assert found["items"] == [
        {
            "contact": "sip:101@10.0.0.5:5062",
            "received": "sip:203.0.113.4:41234",
            "expires_at": "2030-01-01T00:00:00Z",
            "user_agent": "Zoiper",
            "transport": "udp",
        }
    ]
    response = sip_client.get(f"/v1/extensions/{ext['id']}/registrations", headers=bob.headers)
    assert_problem(response, 404, "extension_not_found")
    big = sip_client.get("/v1/extensions/99999999999999999999/registrations", headers=alice.headers)
    assert_problem(big, 422)


def test_without_a_sip_server_registrations_say_so(sip_client: TestClient, alice: Party) -> None:
    ext = extension(sip_client, alice, "101")
    found = ok(sip_client.get(f"/v1/extensions/{ext['id']}/registrations", headers=alice.headers))
    assert (found["sip_server"], found["items"]) == ("not_configured", [])


class _Silent(RecordingNotifier):
    def registrations(self, aor: str) -> list[Registration] | None:
        raise ControlError("no answer")


def test_a_sip_server_that_does_not_answer_is_503(sip_client: TestClient, alice: Party) -> None:
    ext = extension(sip_client, alice, "101")
    with use_notifier(_Silent()):
        response = sip_client.get(
            f"/v1/extensions/{ext['id']}/registrations", headers=alice.headers
        )
    assert_problem(response, 503, "sip_server_unavailable")


def test_actions_run_after_commit_only(engine: Engine) -> None:
    from sqlalchemy.orm import Session

    ran: list[str] = []
    with Session(engine) as session:
        session.begin()
        after_commit(session, lambda: ran.append("first"))
        session.rollback()
        session.begin()
        after_commit(session, lambda: ran.append("second"))
        after_commit(session, lambda: 1 / 0)  # a failing action is logged, not raised
        assert ran == []
        session.commit()
    assert ran == ["second"]


# --- the real client, against a fake Kamailio JSON-RPC datagram socket -------------------


@pytest.fixture
def fake_kamailio(tmp_path: Path) -> Iterator[tuple[Path, list[dict[str, Any]]]]:
    """A datagram socket answering like Kamailio's jsonrpcs; the requests it got."""
    path = Path("/tmp") / f"vsip-fake-{tmp_path.name[-20:]}.sock"
    path.unlink(missing_ok=True)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(str(path))
    server.settimeout(0.2)
    seen: list[dict[str, Any]] = []
    answers: dict[str, Callable[[list[str]], dict[str, Any]]] = {
        "ul.rm": lambda p: {"error": {"code": 404, "message": "AOR not found"}},
        "ul.lookup": lambda p: {"result": _LOOKUP} if p[1].startswith("101@") else {
            "error": {"code": 404, "message": "AOR not found"}},
        "permissions.addressReload": lambda p: {"result": None},
        "htable.sets": lambda p: {"result": None},
        "htable.flush": lambda p: {"result": None},
    }  # fmt: skip
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                data, sender = server.recvfrom(65536)
            except TimeoutError:
                continue
            request = json.loads(data)
            seen.append(request)
            if request["method"] == "core.slow":
                continue  # never answers
            answer = answers[request["method"]](request["params"])
            server.sendto(json.dumps({"jsonrpc": "2.0", "id": request["id"], **answer}).encode(),
                          sender)  # fmt: skip

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield path, seen
    stop.set()
    thread.join(timeout=5)
    server.close()
    path.unlink(missing_ok=True)


# What Kamailio 5.6 answers to `ul.lookup location 101@acme.example`.
_LOOKUP = {
    "AoR": "101@acme.example",
    "Contacts": [
        {
            "Contact": {
                "Address": "sip:101@127.0.0.1:5072",
                "Expires": 3599,
                "Q": -1,
                "Call-ID": "1-2@127.0.0.1",
                "CSeq": 2,
                "User-Agent": "sipp-101",
                "Received": "[not set]",
                "Path": "[not set]",
                "State": "CS_NEW",
                "Flags": 0,
                "CFlags": 0,
                "Socket": "udp:127.0.0.1:5060",
                "Methods": 4294967295,
            }
        }
    ],
}


def test_the_control_client_speaks_kamailios_json_rpc(
    fake_kamailio: tuple[Path, list[dict[str, Any]]],
) -> None:
    path, seen = fake_kamailio
    control = KamailioControl(path, timeout_s=1)
    control.drop_registrations("101@acme.example")  # "not found" is nothing to drop
    (found,) = control.registrations("101@acme.example")
    assert (found.contact, found.received, found.user_agent, found.transport) == (
        "sip:101@127.0.0.1:5072",
        None,
        "sipp-101",
        "udp",
    )
    assert found.expires_at is not None
    assert found.expires_at > datetime.now(UTC) + timedelta(seconds=3500)
    assert control.registrations("102@acme.example") == []
    control.reload_trunks()
    control.forget_credentials("101@acme.example")
    control.forget_all_credentials()
    assert [(r["method"], r["params"]) for r in seen] == [
        ("ul.rm", ["location", "101@acme.example"]),
        ("ul.lookup", ["location", "101@acme.example"]),
        ("ul.lookup", ["location", "102@acme.example"]),
        ("permissions.addressReload", []),
        ("htable.sets", ["credentials", "101@acme.example", "-"]),
        ("htable.flush", ["credentials"]),
    ]
    slow = KamailioControl(path, timeout_s=0.2)
    with pytest.raises(ControlError):
        slow.call("core.slow")


def test_an_absent_sip_server_never_fails_a_change(tmp_path: Path) -> None:
    notifier = KamailioNotifier(KamailioControl(tmp_path / "missing.sock", timeout_s=0.2))
    notifier.drop_registrations(["101@acme.example"])  # logged, not raised
    notifier.forget_credentials(["101@acme.example"])
    notifier.forget_all_credentials()
    notifier.reload_trunks()
    with pytest.raises(ControlError):
        notifier.registrations("101@acme.example")


class _Unreachable(KamailioControl):
    def __init__(self) -> None:
        super().__init__(Path("/nonexistent"), timeout_s=0.1)
        self.calls = 0

    def call(self, method: str, *params: str) -> Any:
        self.calls += 1
        raise ControlError("timed out")


def test_an_unreachable_sip_server_is_not_waited_for_once_per_account(
    caplog: pytest.LogCaptureFixture,
) -> None:
    control = _Unreachable()
    KamailioNotifier(control).forget_credentials(["101@a.example", "102@a.example"])
    assert control.calls == 1
    assert "101@a.example, 102@a.example" in caplog.text  # the log names every one


def test_a_tenant_status_change_empties_the_cache_after_commit_only(
    engine: Engine, notifier: RecordingNotifier
) -> None:
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        session.begin()
        forget_all_credentials_after_commit(session)
        session.rollback()
        assert notifier.flushes == 0
        session.begin()
        forget_all_credentials_after_commit(session)
        session.commit()
    assert notifier.flushes == 1


def test_odd_lookup_answers_give_no_registrations() -> None:
    assert parse_lookup(None) == []
    assert parse_lookup({"Contacts": [{"Contact": {"no": "address"}}, "x"]}) == []


def test_the_extension_listing_shows_who_is_registered(
    sip_cli: Cli, factory: sessionmaker[Session], notifier: RecordingNotifier
) -> None:
    party = make_party(factory, "Lan")
    assert sip_cli("extensions", "create", "--tenant", str(party.tenant_id), "--number", "101")
    assert sip_cli("extensions", "create", "--tenant", str(party.tenant_id), "--number", "102")
    with factory() as session:
        tenant = session.get(Tenant, party.tenant_id)
        assert tenant is not None
        aor = f"101@{tenant.sip_domain}"
    until = datetime(2030, 1, 1, 8, 30, tzinfo=UTC)
    notifier.bindings[aor] = [Registration("sip:101@10.0.0.5:5062", None, until, "Zoiper", "udp")]
    sip_cli.monkeypatch.setenv("COLUMNS", "250")
    result = sip_cli("extensions", "list", "--tenant", str(party.tenant_id))
    assert result.exit_code == 0, result.output
    (first,) = [line for line in result.output.splitlines() if "│ 101 " in line]
    (second,) = [line for line in result.output.splitlines() if "│ 102 " in line]
    assert "udp 10.0.0.5:5062 until 08:30:00Z" in first
    assert "udp" not in second  # 102 has no binding
