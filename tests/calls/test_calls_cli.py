"""vpbx calls list: a tenant's calls as a table, with the API's filters."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.calls.conftest import Pbx
from tests.calls.helpers import BASE, at, posted
from tests.cli.test_cli import Cli, reset_cli_caches
from vpbx.cli import context as cli_context


@pytest.fixture
def admin(
    monkeypatch: pytest.MonkeyPatch, db_url: str, engine: Engine, tmp_path: Path
) -> Iterator[Cli]:
    monkeypatch.setenv("VPBX_DATABASE_URL", db_url)
    monkeypatch.setenv("VPBX_SECRET_KEY_FILE", str(tmp_path / "vpbx.key"))
    # A wide terminal, so that the table's cells come out whole.
    monkeypatch.setattr(cli_context.out, "_width", 200)
    reset_cli_caches()
    yield Cli(monkeypatch)
    reset_cli_caches()


@pytest.fixture
def history(client: TestClient, alices: Pbx, bobs: Pbx) -> Pbx:
    posted(client, alices.party, call_id="a", caller="0912345678", extension="101",
           hotline=alices.hotline)  # fmt: skip
    posted(client, alices.party, call_id="b", direction="out", caller="102",
           callee="0987776868", extension="102", started_at=at(3600), answered_at=at(3601),
           ended_at=at(3700))  # fmt: skip
    posted(client, alices.party, call_id="c", direction="internal", caller="101", callee="102",
           disposition="busy", answered_at=..., started_at=at(7200), ended_at=at(7201))  # fmt: skip
    posted(client, bobs.party, call_id="bobs-call", caller="0901111111")
    return alices


def rows(output: str) -> list[list[str]]:
    """The table's body rows as cells."""
    return [
        [cell.strip() for cell in line.split("│")[1:-1]]
        for line in output.splitlines()
        if line.count("│") > 5 and "started" not in line
    ]


def test_list_shows_the_tenants_calls_newest_first(admin: Cli, history: Pbx) -> None:
    result = admin("calls", "list", "--tenant", str(history.party.tenant_id))
    assert result.exit_code == 0, result.output
    table = rows(result.stdout)
    assert [r[2] for r in table] == ["internal", "out", "in"]
    assert table[2][3:8] == ["+84912345678", "101", "+842438256868", "101", "answered"]
    assert table[2][8:] == ["65", "60"]
    assert table[2][1] == BASE.strftime("%Y-%m-%d %H:%M:%S")  # UTC
    assert "+84901111111" not in result.stdout  # Bob's
    assert "3 calls" in result.stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--direction", "in"], ["in"]),
        (["--direction", "out", "--direction", "internal"], ["internal", "out"]),
        (["--extension", "102"], ["out"]),
        (["--extension", "101", "--extension", "102"], ["out", "in"]),
        (["--hotline", "02438256868"], ["in"]),
        (["--from", at(3600)], ["internal", "out"]),
        (["--to", at(3600).replace("+00:00", "Z")], ["in"]),
        (["--from", at(1), "--to", at(7200)], ["out"]),
        (["--limit", "1"], ["internal"]),
    ],
    ids=str,
)
def test_list_filters(admin: Cli, history: Pbx, args: list[str], expected: list[str]) -> None:
    result = admin("calls", "list", "--tenant", str(history.party.tenant_id), *args)
    assert result.exit_code == 0, result.output
    assert [r[2] for r in rows(result.stdout)] == expected
    if args[0] == "--limit":
        assert "1 calls (more" in " ".join(result.stdout.split())


def test_a_date_means_midnight_utc(admin: Cli, history: Pbx) -> None:
    after = (BASE.date() + timedelta(days=3)).isoformat()
    before = BASE.date().isoformat()
    tenant = str(history.party.tenant_id)
    assert rows(admin("calls", "list", "-t", tenant, "--from", after).stdout) == []
    assert len(rows(admin("calls", "list", "-t", tenant, "--from", before).stdout)) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-01-01T10:00:00"], "needs a time zone offset"),
        (["--from", "yesterday"], "is not a date or an RFC 3339 time"),
        (["--direction", "sideways"], "--direction must be one of in, out, internal"),
        (["--hotline", "12"], "is not a valid phone number"),
        (["--from", at(60), "--to", at(0)], "date_from is after date_to"),
    ],
)
def test_bad_options_are_clear_errors(
    admin: Cli, history: Pbx, args: list[str], message: str
) -> None:
    result = admin("calls", "list", "--tenant", str(history.party.tenant_id), *args)
    assert result.exit_code == 1
    assert message in " ".join(result.stderr.split())
    assert "Traceback" not in result.output


def test_unknown_tenant_is_a_clear_error(admin: Cli) -> None:
    result = admin("calls", "list", "--tenant", "999")
    assert result.exit_code == 1
    assert "no tenant '999'" in result.stderr
