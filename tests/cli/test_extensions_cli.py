"""vpbx extensions: create, list, and bulk import from CSV (all rows or none)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.cli.test_cli import Cli, reset_cli_caches
from tests.conftest import Party
from vpbx.models import Extension


@pytest.fixture
def admin(
    monkeypatch: pytest.MonkeyPatch, db_url: str, engine: Engine, tmp_path: Path
) -> Iterator[Cli]:
    monkeypatch.setenv("VPBX_DATABASE_URL", db_url)
    monkeypatch.setenv("VPBX_SECRET_KEY_FILE", str(tmp_path / "vpbx.key"))
    reset_cli_caches()
    yield Cli(monkeypatch)
    reset_cli_caches()


def count(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(Extension)) or 0


def write(path: Path, *lines: str) -> Path:
    path.write_text("number,display_name,password,user_email\n" + "\n".join(lines) + "\n")
    return path


def test_create_prints_the_whole_password_once(
    admin: Cli, alice: Party, factory: sessionmaker[Session]
) -> None:
    result = admin(
        "extensions", "create", "--tenant", str(alice.tenant_id), "--display-name", "Reception"
    )
    assert result.exit_code == 0, result.output
    with factory() as session:
        extension = session.scalar(select(Extension))
    assert extension is not None
    assert extension.number == "101"
    # The table folds long cells instead of cutting them: join the password back up.
    cells = "".join(
        line.split("│")[4].strip() for line in result.stdout.splitlines() if line.count("│") > 4
    )
    assert len(cells) == 20


def test_import_creates_every_row_or_none(
    admin: Cli, alice: Party, factory: sessionmaker[Session], tmp_path: Path
) -> None:
    bad = write(tmp_path / "bad.csv", ",Sales,", "205,Support,Str0ng-Passw0rd!", "205,Dup,")
    result = admin("extensions", "import", bad, "--tenant", str(alice.tenant_id))
    assert result.exit_code == 1
    assert "205 is taken in this dial plan" in " ".join(result.stdout.split())
    assert count(factory) == 0

    weak = write(tmp_path / "weak.csv", "301,Weak,password1")
    result = admin("extensions", "import", weak, "--tenant", str(alice.tenant_id))
    assert result.exit_code == 1
    assert "weak password" in " ".join(result.stdout.split())

    good = write(tmp_path / "good.csv", ",Sales,", "205,Support,Str0ng-Passw0rd!")
    dry = admin("extensions", "import", good, "--tenant", str(alice.tenant_id), "--dry-run")
    assert dry.exit_code == 0
    assert "2 extensions would be created" in dry.stdout
    assert count(factory) == 0

    done = admin("extensions", "import", good, "--tenant", str(alice.tenant_id))
    assert done.exit_code == 0, done.output
    assert count(factory) == 2
    listed = admin("extensions", "list", "--tenant", str(alice.tenant_id))
    assert "Support" in listed.stdout
    assert "Str0ng-Passw0rd!" not in listed.stdout


def test_import_links_users_by_email_and_refuses_unknown_ones(
    admin: Cli, alice: Party, client: TestClient, factory: sessionmaker[Session], tmp_path: Path
) -> None:
    unknown = write(tmp_path / "u.csv", "101,Lan,,lan@acme.vn")
    result = admin("extensions", "import", unknown, "--tenant", str(alice.tenant_id))
    assert result.exit_code == 1
    assert "no user with email lan@acme.vn" in " ".join(result.stdout.split())

    user = client.post(
        "/v1/users", json={"full_name": "Lan", "email": "lan@acme.vn"}, headers=alice.headers
    ).json()
    result = admin("extensions", "import", unknown, "--tenant", str(alice.tenant_id))
    assert result.exit_code == 0, result.output
    with factory() as session:
        assert session.scalar(select(Extension.user_id)) == user["id"]


def test_unknown_tenant_is_a_clear_error(admin: Cli) -> None:
    result = admin("extensions", "list", "--tenant", "999")
    assert result.exit_code == 1
    assert "no tenant '999'" in result.stderr
