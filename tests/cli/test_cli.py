"""Tests for the `vpbx` command (vpbx.cli), run in-process with typer's CliRunner.

The CLI reads its database from VPBX_DATABASE_URL through `get_settings()` and keeps one
engine (`cli_context.engine`), both cached: every invocation here starts and ends with
those caches cleared and the CLI's engine disposed, so a test sees exactly the database its
environment names. Most tests use the migrated database of the `db_url` fixture (SQLite or
PostgreSQL); the schema and demo tests use fresh SQLite files of their own.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner, Result

from tests.conftest import STOCK, make_party, stock_rows
from vpbx import config as vpbx_config
from vpbx import schema
from vpbx.cli import context as cli_context
from vpbx.cli.main import app
from vpbx.config import Settings
from vpbx.db import create_db_engine, make_session_factory, transaction
from vpbx.errors import Unauthenticated
from vpbx.models import ApiKey, AuditEvent, Number, Partner, Tenant
from vpbx.numbers.enums import OwnerType
from vpbx.numbers.generate import CSV_COLUMNS
from vpbx.numbers.importer import REQUIRED_COLUMNS
from vpbx.numbers.schemas import SearchFilters
from vpbx.numbers.service import NumberService
from vpbx.tenancy.principal import Principal
from vpbx.tenancy.service import TenancyService

Factory = sessionmaker[Session]
HEAD = schema.head_revision()


# --- running the CLI -------------------------------------------------------------------------


def reset_cli_caches() -> None:
    """Forget the cached settings and dispose of the CLI's engine."""
    if cli_context.engine.cache_info().currsize:
        cli_context.engine().dispose()
    cli_context.engine.cache_clear()
    vpbx_config.get_settings.cache_clear()


class Cli:
    """`vpbx ARGS...` in-process; settings and engine are fresh for every invocation."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.runner = CliRunner()

    def use(self, url: str) -> None:
        self.monkeypatch.setenv("VPBX_DATABASE_URL", url)

    def __call__(self, *args: str | Path) -> Result:
        reset_cli_caches()
        try:
            return self.runner.invoke(app, [str(a) for a in args])
        finally:
            reset_cli_caches()


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    """The CLI with no database chosen yet (see Cli.use) and default settings otherwise."""
    for name in list(os.environ):
        if name.startswith("VPBX_") and name != "VPBX_TEST_DATABASE_URL":
            monkeypatch.delenv(name)
    reset_cli_caches()
    yield Cli(monkeypatch)
    reset_cli_caches()


@pytest.fixture
def vpbx(cli: Cli, db_url: str, engine: Engine) -> Cli:
    """The CLI on the test's migrated database (`engine` empties it afterwards on PostgreSQL)."""
    cli.use(db_url)
    return cli


def flat(text: str) -> str:
    """Output with rich's line wrapping undone."""
    return " ".join(text.split())


def assert_failed(result: Result, code: int, *fragments: str) -> None:
    """Exit `code` with the fragments on stderr, and no traceback."""
    assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output
    message = flat(result.stderr)
    for fragment in fragments:
        assert fragment in message


def assert_ok(result: Result) -> None:
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)


def count(factory: Factory, model: type[Any]) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def stored_numbers(factory: Factory) -> dict[str, Number]:
    with factory() as session:
        return {n.e164: n for n in session.scalars(select(Number))}


def authenticate(factory: Factory, key: str) -> Principal:
    with factory() as session:
        return TenancyService(session).authenticate(key)


def write_csv(path: Path, rows: Sequence[dict[str, str]], columns: Sequence[str]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns))
        writer.writeheader()
        writer.writerows(rows)
    return path


STOCK_COLUMNS = (*REQUIRED_COLUMNS, "prices")


@pytest.fixture
def stock_file(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "stock.csv", stock_rows(), STOCK_COLUMNS)


def bad_row(number: str, **fields: str) -> dict[str, str]:
    row = {"number": number, "currency": "VND", "connection_price": "1", "monthly_price": "1"}
    return {**row, "prices": "", **fields}


# --- partners, tenants, keys -----------------------------------------------------------------


def test_partners_create_prints_the_id(vpbx: Cli, factory: Factory) -> None:
    result = vpbx("partners", "create", "Acme", "--email", "Ops@Acme.example")

    assert_ok(result)
    partner_id = int(result.stdout.strip())
    with factory() as session:
        partner = session.get(Partner, partner_id)
        assert partner is not None
        assert (partner.name, partner.email) == ("Acme", "ops@acme.example")
        actions = list(session.scalars(select(AuditEvent.action)))
    assert actions == ["partner.create"]


def test_partners_list(vpbx: Cli) -> None:
    assert_ok(vpbx("partners", "create", "Acme"))
    assert_ok(vpbx("partners", "create", "Globex"))

    result = vpbx("partners", "list")

    assert_ok(result)
    assert "Acme" in result.stdout
    assert "Globex" in result.stdout


def test_duplicate_partner_fails(vpbx: Cli, factory: Factory) -> None:
    assert_ok(vpbx("partners", "create", "Acme"))

    result = vpbx("partners", "create", "Acme")

    assert_failed(result, 1, "error:", "a partner named 'Acme' exists")
    assert result.stdout == ""
    assert count(factory, Partner) == 1


@pytest.mark.parametrize("name", ["", "   ", "x" * 201])
def test_bad_partner_name_fails(vpbx: Cli, factory: Factory, name: str) -> None:
    assert_failed(vpbx("partners", "create", name), 1, "error:", "name must be 1 to 200")
    assert count(factory, Partner) == 0


def test_bad_partner_email_fails(vpbx: Cli, factory: Factory) -> None:
    result = vpbx("partners", "create", "Acme", "--email", "not-an-email")

    assert_failed(result, 1, "error:", "not an email address")
    assert count(factory, Partner) == 0


@pytest.mark.parametrize("by", ["name", "id"])
def test_tenants_create_prints_the_id(vpbx: Cli, factory: Factory, by: str) -> None:
    partner_id = vpbx("partners", "create", "Acme").stdout.strip()
    partner_ref = "Acme" if by == "name" else partner_id

    result = vpbx(
        "tenants", "create", "Shop", "--partner", partner_ref, "--email", "owner@shop.example"
    )

    assert_ok(result)
    tenant_id = int(result.stdout.strip())
    with factory() as session:
        tenant = session.get(Tenant, tenant_id)
        assert tenant is not None
        assert (tenant.name, tenant.email) == ("Shop", "owner@shop.example")
        assert tenant.partner_id == int(partner_id)


def test_tenants_list(vpbx: Cli) -> None:
    assert_ok(vpbx("partners", "create", "Acme"))
    assert_ok(vpbx("tenants", "create", "Shop", "-p", "Acme"))

    result = vpbx("tenants", "list", "--partner", "Acme")

    assert_ok(result)
    assert "Shop" in result.stdout


def test_tenants_suspend_and_activate(vpbx: Cli, factory: Factory) -> None:
    assert_ok(vpbx("partners", "create", "Acme"))
    tenant_id = int(vpbx("tenants", "create", "Shop", "--partner", "Acme").stdout)
    key = vpbx("keys", "create", "--tenant", str(tenant_id)).stdout.strip()

    result = vpbx("tenants", "suspend", "Shop", "--partner", "Acme")

    assert_ok(result)
    assert f"tenant {tenant_id} (Shop) is suspended" in result.stdout
    with pytest.raises(Unauthenticated, match="not active"):
        authenticate(factory, key)
    assert "suspended" in vpbx("tenants", "list", "-p", "Acme").stdout
    assert_ok(vpbx("tenants", "activate", str(tenant_id), "--partner", "Acme"))
    assert authenticate(factory, key).tenant_id == tenant_id
    with factory() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.action == "tenant.update")
        ).all()
    assert len(actions) == 2


def test_tenants_suspend_refuses_another_partners_tenant(vpbx: Cli, factory: Factory) -> None:
    assert_ok(vpbx("partners", "create", "Acme"))
    assert_ok(vpbx("partners", "create", "Other"))
    tenant_id = int(vpbx("tenants", "create", "Shop", "--partner", "Acme").stdout)

    result = vpbx("tenants", "suspend", str(tenant_id), "--partner", "Other")

    assert_failed(result, 1, "error:", f"no tenant '{tenant_id}'")
    with factory() as session:
        tenant = session.get(Tenant, tenant_id)
        assert tenant is not None
        assert tenant.status == "active"


def test_duplicate_tenant_fails(vpbx: Cli, factory: Factory) -> None:
    assert_ok(vpbx("partners", "create", "Acme"))
    assert_ok(vpbx("tenants", "create", "Shop", "--partner", "Acme"))

    result = vpbx("tenants", "create", "Shop", "--partner", "Acme")

    assert_failed(result, 1, "error:", "already has a tenant named 'Shop'")
    assert count(factory, Tenant) == 1


@pytest.mark.parametrize(
    "args",
    [
        ("tenants", "create", "Shop", "--partner", "Nobody"),
        ("tenants", "create", "Shop", "--partner", "42"),
        ("tenants", "list", "--partner", "Nobody"),
        ("keys", "create", "--partner", "Nobody"),
    ],
)
def test_unknown_partner_fails_cleanly(vpbx: Cli, factory: Factory, args: tuple[str, ...]) -> None:
    result = vpbx(*args)

    assert_failed(result, 1, "error:", f"no partner '{args[-1]}'")
    assert result.stdout == ""
    assert count(factory, Tenant) == 0
    assert count(factory, ApiKey) == 0


@pytest.mark.parametrize("ref", ["42", "Shop"])
def test_unknown_tenant_fails_cleanly(vpbx: Cli, factory: Factory, ref: str) -> None:
    assert_ok(vpbx("partners", "create", "Acme"))
    assert_ok(vpbx("tenants", "create", "Shop", "--partner", "Acme"))  # id 1, never by name

    result = vpbx("keys", "create", "--tenant", ref)

    assert_failed(result, 1, "error:", f"no tenant '{ref}'")
    assert result.stdout == ""
    assert count(factory, ApiKey) == 0


def test_tenant_key_goes_alone_to_stdout_and_authenticates(vpbx: Cli, factory: Factory) -> None:
    assert_ok(vpbx("partners", "create", "Acme"))
    tenant_id = int(vpbx("tenants", "create", "Shop", "--partner", "Acme").stdout)

    result = vpbx("keys", "create", "--tenant", str(tenant_id), "--name", "ci")

    assert_ok(result)
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    key = lines[0]
    assert re.fullmatch(r"vpbx_[A-Za-z0-9_-]{40,}", key)
    principal = authenticate(factory, key)
    assert (principal.tenant_id, principal.is_partner) == (tenant_id, False)
    with factory() as session:
        stored = session.scalars(select(ApiKey)).one()
    assert (stored.name, stored.tenant_id, stored.partner_id) == ("ci", tenant_id, None)
    assert key not in stored.key_hash  # only the hash is stored


@pytest.mark.parametrize("by", ["name", "id"])
def test_partner_key_authenticates(vpbx: Cli, factory: Factory, by: str) -> None:
    partner_id = int(vpbx("partners", "create", "Acme").stdout)

    result = vpbx("keys", "create", "--partner", "Acme" if by == "name" else str(partner_id))

    assert_ok(result)
    principal = authenticate(factory, result.stdout.strip())
    assert (principal.partner_id, principal.tenant_id, principal.is_partner) == (
        partner_id,
        None,
        True,
    )


def test_every_key_is_new(vpbx: Cli, factory: Factory) -> None:
    assert_ok(vpbx("partners", "create", "Acme"))
    keys = {vpbx("keys", "create", "--partner", "Acme").stdout for _ in range(3)}

    assert len(keys) == 3
    assert count(factory, ApiKey) == 3


def test_a_made_up_key_does_not_authenticate(vpbx: Cli, factory: Factory) -> None:
    assert_ok(vpbx("partners", "create", "Acme"))
    key = vpbx("keys", "create", "--partner", "Acme").stdout.strip()

    with pytest.raises(Unauthenticated):
        authenticate(factory, key[:-1] + ("A" if key[-1] != "A" else "B"))


@pytest.mark.parametrize(
    "options", [(), ("--partner", "Acme", "--tenant", "1")], ids=["neither", "both"]
)
def test_keys_create_needs_exactly_one_owner(
    vpbx: Cli, factory: Factory, options: tuple[str, ...]
) -> None:
    assert_ok(vpbx("partners", "create", "Acme"))
    assert_ok(vpbx("tenants", "create", "Shop", "--partner", "Acme"))

    result = vpbx("keys", "create", *options)

    assert_failed(result, 2, "error:", "give exactly one of --partner or --tenant")
    assert result.stdout == ""
    assert count(factory, ApiKey) == 0


# --- numbers import --------------------------------------------------------------------------


def test_import_loads_the_file_and_prints_the_summary(
    vpbx: Cli, factory: Factory, stock_file: Path
) -> None:
    result = vpbx("numbers", "import", stock_file)

    assert_ok(result)
    assert f"read {len(STOCK)} rows, imported {len(STOCK)}, rejected 0" in result.stdout
    assert set(stored_numbers(factory)) == {n for n, *_ in STOCK}
    assert stored_numbers(factory)["+842438256868"].region == "Hanoi City"


def test_import_dry_run_imports_nothing(vpbx: Cli, factory: Factory, stock_file: Path) -> None:
    result = vpbx("numbers", "import", stock_file, "--dry-run")

    assert_ok(result)
    assert f"read {len(STOCK)} rows, would import {len(STOCK)}, rejected 0" in result.stdout
    assert count(factory, Number) == 0
    assert count(factory, AuditEvent) == 0


def test_import_batch_size(vpbx: Cli, factory: Factory, stock_file: Path) -> None:
    assert_ok(vpbx("numbers", "import", stock_file, "--batch-size", "5"))

    with factory() as session:
        counts = session.scalars(
            select(AuditEvent.after).where(AuditEvent.action == "numbers.import")
        ).all()
    assert counts == [{"count": 5}, {"count": 5}, {"count": 4}]


def test_import_lists_rejected_rows(vpbx: Cli, factory: Factory, tmp_path: Path) -> None:
    rows = [
        bad_row("+842438250001"),
        bad_row("nope"),
        bad_row("+842438250002", currency="XXXX"),
        bad_row("+842438250001"),
    ]
    path = write_csv(tmp_path / "mixed.csv", rows, STOCK_COLUMNS)

    result = vpbx("numbers", "import", path)

    assert_ok(result)
    out = flat(result.stdout)
    assert "read 4 rows, imported 1, rejected 3" in out
    assert "rejected rows" in out
    for fragment in ("nope", "not a phone number", "XXXX", "duplicate in the file"):
        assert fragment in out
    assert re.search(r"│ 3 +│ nope +│ not a phone number", result.stdout)
    assert re.search(r"│ 4 +│ \+842438250002 +│ currency 'XXXX'", result.stdout)
    assert re.search(r"│ 5 +│ \+842438250001 +│ duplicate in the file", result.stdout)
    assert set(stored_numbers(factory)) == {"+842438250001"}


def test_import_writes_every_rejection_to_the_rejects_file(
    vpbx: Cli, factory: Factory, tmp_path: Path
) -> None:
    rows = [bad_row(f"+8424382500{i:02d}", monthly_price="-1") for i in range(25)]
    rows.append(bad_row("+842438256868"))
    path = write_csv(tmp_path / "bad.csv", rows, STOCK_COLUMNS)
    rejects = tmp_path / "out" / "rejects.csv"
    rejects.parent.mkdir()

    result = vpbx("numbers", "import", path, "--rejects", rejects)

    assert_ok(result)
    assert "read 26 rows, imported 1, rejected 25" in flat(result.stdout)
    assert "… and 5 more (use --rejects FILE for all)" in flat(result.stdout)
    with rejects.open(newline="") as handle:
        written = list(csv.DictReader(handle))
    assert [r["line"] for r in written] == [str(i) for i in range(2, 27)]
    assert [r["number"] for r in written] == [r["number"] for r in rows[:25]]
    assert {r["reason"] for r in written} == {
        "monthly_price '-1' must be a non-negative amount below 10^14"
    }
    assert set(stored_numbers(factory)) == {"+842438256868"}


def test_rejects_file_has_only_the_header_when_all_is_well(
    vpbx: Cli, stock_file: Path, tmp_path: Path
) -> None:
    rejects = tmp_path / "rejects.csv"

    assert_ok(vpbx("numbers", "import", stock_file, "--rejects", rejects))

    assert rejects.read_text().splitlines() == ["line,number,reason"]


def test_import_twice_rejects_what_is_in_stock(
    vpbx: Cli, factory: Factory, stock_file: Path
) -> None:
    assert_ok(vpbx("numbers", "import", stock_file))

    result = vpbx("numbers", "import", stock_file)

    assert_ok(result)
    assert f"imported 0, rejected {len(STOCK)}" in result.stdout
    assert "already in stock" in result.stdout
    assert count(factory, Number) == len(STOCK)


def test_import_reads_a_bom_and_generator_columns(
    vpbx: Cli, factory: Factory, tmp_path: Path
) -> None:
    path = tmp_path / "excel.csv"
    rows = "\r\n".join(
        [",".join(CSV_COLUMNS), "+842438256868,VN,fixed,VNPT,,VND,200000,22000,,false,available"]
    )
    path.write_text(rows + "\r\n", encoding="utf-8-sig")

    assert_ok(vpbx("numbers", "import", path))

    assert stored_numbers(factory)["+842438256868"].carrier == "VNPT"


def test_import_of_a_missing_file_fails_clearly(
    vpbx: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    result = vpbx("numbers", "import", "missing.csv")

    assert result.exit_code != 0
    assert "missing.csv" in result.stderr
    assert "does not exist" in result.stderr
    assert "Traceback" not in result.output


def test_import_of_a_directory_fails(
    vpbx: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "stock").mkdir()

    result = vpbx("numbers", "import", "stock")

    assert result.exit_code != 0
    assert "is a directory" in result.stderr


def test_import_without_required_columns_fails(vpbx: Cli, factory: Factory, tmp_path: Path) -> None:
    path = tmp_path / "prices.csv"
    path.write_text("number,currency,connection_price\n+842438256868,VND,1\n")

    result = vpbx("numbers", "import", path)

    assert_failed(result, 1, "error:", "the CSV lacks the column(s) monthly_price")
    assert count(factory, Number) == 0


def test_import_rejects_file_in_a_missing_directory_fails_cleanly(
    vpbx: Cli, stock_file: Path, tmp_path: Path
) -> None:
    result = vpbx("numbers", "import", stock_file, "--rejects", tmp_path / "no" / "r.csv")

    assert_failed(result, 1, "error:")


# --- numbers generate ------------------------------------------------------------------------


def test_generate_adds_the_count(vpbx: Cli, factory: Factory) -> None:
    result = vpbx("numbers", "generate", "--country", "VN", "--count", "300", "--seed", "3")

    assert_ok(result)
    assert "read 300 rows, imported 300, rejected 0" in result.stdout
    stored = stored_numbers(factory)
    assert len(stored) == 300
    assert {n.country for n in stored.values()} == {"VN"}


def test_generate_is_repeatable_with_a_seed(vpbx: Cli, factory: Factory, tmp_path: Path) -> None:
    output = tmp_path / "ru.csv"
    assert_ok(vpbx("numbers", "generate", "--country", "ru", "--count", "40", "--seed", "9"))
    assert_ok(
        vpbx(
            "numbers", "generate", "--country", "RU", "--count", "40", "--seed", "9",
            "--output", output,
        )
    )  # fmt: skip

    with output.open(newline="") as handle:
        written = {r["number"] for r in csv.DictReader(handle)}
    assert written == set(stored_numbers(factory))


@pytest.mark.parametrize("codes", [("24",), ("24", "236")])
def test_generate_area_codes(vpbx: Cli, factory: Factory, codes: tuple[str, ...]) -> None:
    options = [part for code in codes for part in ("--area-code", code)]

    result = vpbx("numbers", "generate", "--count", "60", "--seed", "1", *options)

    assert_ok(result)
    stored = stored_numbers(factory).values()
    assert len(stored) == 60
    assert {n.area_code for n in stored} <= set(codes)
    assert {n.number_type for n in stored} == {"fixed"}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (("--country", "XX"), "unsupported country 'XX'; supported: RU, VN"),
        (("--area-code", "99"), "not a VN area code: 99"),
        (("--country", "RU", "--area-code", "24"), "not a RU area code: 24"),
    ],
)
def test_generate_refuses_bad_requests(
    vpbx: Cli, factory: Factory, options: tuple[str, ...], message: str
) -> None:
    result = vpbx("numbers", "generate", "--count", "10", *options)

    assert_failed(result, 1, "error:", message)
    assert count(factory, Number) == 0


@pytest.mark.parametrize("value", ["0", "-5", "ten"])
def test_generate_count_must_be_positive(vpbx: Cli, value: str) -> None:
    result = vpbx("numbers", "generate", "--count", value)

    assert result.exit_code == 2


def test_generate_to_stdout_writes_csv_and_imports_nothing(vpbx: Cli, factory: Factory) -> None:
    result = vpbx("numbers", "generate", "--count", "25", "--seed", "5", "--output", "-")

    assert_ok(result)
    reader = csv.DictReader(io.StringIO(result.stdout))
    rows = list(reader)
    assert tuple(reader.fieldnames or ()) == CSV_COLUMNS
    assert len(rows) == 25
    assert all(r["number"].startswith("+84") for r in rows)
    assert count(factory, Number) == 0


def test_generated_csv_file_imports_cleanly(vpbx: Cli, factory: Factory, tmp_path: Path) -> None:
    output = tmp_path / "vn.csv"
    assert_ok(vpbx("numbers", "generate", "--count", "120", "--seed", "8", "--output", output))
    assert count(factory, Number) == 0

    result = vpbx("numbers", "import", output)

    assert_ok(result)
    assert "read 120 rows, imported 120, rejected 0" in result.stdout
    assert count(factory, Number) == 120


def test_generate_output_needs_no_database(cli: Cli, tmp_path: Path) -> None:
    cli.use(f"sqlite:///{tmp_path / 'never.db'}")

    result = cli("numbers", "generate", "--count", "3", "--output", "-")

    assert_ok(result)
    assert len(result.stdout.splitlines()) == 4


# --- numbers disable / enable ----------------------------------------------------------------


def available(factory: Factory, settings: Settings) -> set[str]:
    with factory() as session:
        page = NumberService(session, settings).search(SearchFilters(), limit=200)
    return {n.e164 for n in page.items}


@pytest.mark.usefixtures("stock")
def test_disable_takes_a_number_off_sale_and_enable_restores_it(
    vpbx: Cli, factory: Factory, settings: Settings
) -> None:
    assert "+842438256868" in available(factory, settings)

    result = vpbx("numbers", "disable", "+842438256868")

    assert_ok(result)
    assert "+842438256868: disabled" in result.stdout
    assert "+842438256868" not in available(factory, settings)
    assert available(factory, settings) == {n for n, *_ in STOCK} - {"+842438256868"}
    assert stored_numbers(factory)["+842438256868"].status == "disabled"

    result = vpbx("numbers", "enable", "+842438256868")

    assert_ok(result)
    assert "+842438256868: available" in result.stdout
    assert available(factory, settings) == {n for n, *_ in STOCK}
    with factory() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.object_id == "+842438256868")
        ).all()
    assert actions == ["number.disable", "number.enable"]


@pytest.mark.usefixtures("stock")
def test_disable_accepts_other_spellings(vpbx: Cli, factory: Factory) -> None:
    assert_ok(vpbx("numbers", "disable", "842438256868"))

    assert stored_numbers(factory)["+842438256868"].status == "disabled"


@pytest.mark.usefixtures("stock")
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("disable", "+842438259999"), "+842438259999 is not in stock or is sold/held"),
        (("enable", "+842438256868"), "+842438256868 is not disabled"),
        (("disable", "not-a-number"), "not a phone number"),
        (("disable", "+84123"), "is not a valid phone number"),
    ],
)
def test_disable_enable_refusals(
    vpbx: Cli, factory: Factory, args: tuple[str, ...], message: str
) -> None:
    result = vpbx("numbers", *args)

    assert_failed(result, 1, "error:", message)
    assert {n.status for n in stored_numbers(factory).values()} == {"available"}


@pytest.mark.usefixtures("stock")
def test_disable_twice_fails_the_second_time(vpbx: Cli) -> None:
    assert_ok(vpbx("numbers", "disable", "+842438256868"))

    assert_failed(vpbx("numbers", "disable", "+842438256868"), 1, "is not in stock or is sold")


@pytest.mark.usefixtures("stock")
def test_a_sold_number_cannot_be_disabled(vpbx: Cli, factory: Factory, settings: Settings) -> None:
    party = make_party(factory, "Alice")
    with transaction(factory) as session:
        principal = TenancyService(session).authenticate(party.tenant_key)
        NumberService(session, settings).buy(
            principal, ["+84912345678"], months=1, owner_type=OwnerType.BUSINESS
        )

    result = vpbx("numbers", "disable", "+84912345678")

    assert_failed(result, 1, "error:", "+84912345678 is not in stock or is sold/held")
    sold = stored_numbers(factory)["+84912345678"]
    assert (sold.status, sold.tenant_id) == ("active", party.tenant_id)
    assert_failed(vpbx("numbers", "enable", "+84912345678"), 1, "is not disabled")


# --- database schema, serve ------------------------------------------------------------------


def test_db_upgrade_migrates_a_fresh_file(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "fresh.db"
    cli.use(f"sqlite:///{path}")

    before = cli("db", "current")
    assert_ok(before)
    assert flat(before.stdout) == f"database: empty; code: {HEAD}"

    result = cli("db", "upgrade")

    assert_ok(result)
    assert f"database at revision {HEAD}" in result.stdout
    assert path.exists()
    after = cli("db", "current")
    assert_ok(after)
    assert flat(after.stdout) == f"database: {HEAD}; code: {HEAD}"
    assert_ok(cli("db", "check"))
    assert_ok(cli("db", "upgrade"))  # again: nothing to do
    assert_ok(cli("partners", "create", "Acme"))  # and the database is usable


def test_db_check_passes_on_a_migrated_database(vpbx: Cli) -> None:
    result = vpbx("db", "check")

    assert_ok(result)
    assert "schema matches the models" in result.stdout


def test_db_check_fails_on_an_empty_database(cli: Cli, tmp_path: Path) -> None:
    cli.use(f"sqlite:///{tmp_path / 'empty.db'}")

    assert_failed(cli("db", "check"), 1, "error:")


def test_db_current_on_the_test_database(vpbx: Cli) -> None:
    result = vpbx("db", "current")

    assert_ok(result)
    assert flat(result.stdout) == f"database: {HEAD}; code: {HEAD}"


@pytest.fixture
def no_server(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Replace uvicorn.run: record the calls instead of serving."""
    calls: list[dict[str, Any]] = []

    def fake_run(target: str, **options: Any) -> None:
        calls.append({"target": target, **options})

    monkeypatch.setattr("uvicorn.run", fake_run)
    return calls


@pytest.mark.parametrize("create_file", [True, False], ids=["empty file", "no file"])
def test_serve_refuses_an_unmigrated_database(
    cli: Cli, tmp_path: Path, no_server: list[dict[str, Any]], create_file: bool
) -> None:
    path = tmp_path / "empty.db"
    if create_file:
        path.touch()
    cli.use(f"sqlite:///{path}")

    result = cli("serve")

    assert_failed(result, 1, "error:", "vpbx db upgrade")
    assert no_server == []


def test_serve_refuses_a_database_behind_the_code(
    cli: Cli, tmp_path: Path, no_server: list[dict[str, Any]]
) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    schema.upgrade(url)
    engine = create_db_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'deadbeef'")
    engine.dispose()
    cli.use(url)

    result = cli("serve")

    assert_failed(result, 1, "deadbeef", "vpbx db upgrade")
    assert no_server == []


def test_serve_starts_uvicorn_on_a_migrated_database(
    vpbx: Cli, no_server: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert_ok(vpbx("serve"))
    monkeypatch.setenv("VPBX_PORT", "9001")
    assert_ok(vpbx("serve", "--host", "0.0.0.0", "--workers", "2"))

    assert no_server == [
        {
            "target": "vpbx.api.asgi:app",
            "host": "127.0.0.1",
            "port": 8080,
            "workers": 1,
            "log_level": "info",
        },
        {
            "target": "vpbx.api.asgi:app",
            "host": "0.0.0.0",
            "port": 9001,
            "workers": 2,
            "log_level": "info",
        },
    ]


UNMIGRATED_COMMANDS = [
    ("partners", "create", "Acme"),
    ("partners", "list"),
    ("tenants", "create", "Shop", "--partner", "Acme"),
    ("tenants", "list", "--partner", "Acme"),
    ("keys", "create", "--partner", "Acme"),
    ("keys", "create", "--tenant", "1"),
    ("numbers", "import", "{csv}"),
    ("numbers", "import", "{csv}", "--dry-run"),
    ("numbers", "generate", "--count", "5"),
    ("numbers", "disable", "+842438256868"),
    ("numbers", "enable", "+842438256868"),
]


@pytest.mark.parametrize("args", UNMIGRATED_COMMANDS, ids=" ".join)
def test_commands_on_an_unmigrated_database_ask_for_db_upgrade(
    cli: Cli, tmp_path: Path, args: tuple[str, ...]
) -> None:
    path = tmp_path / "empty.db"
    cli.use(f"sqlite:///{path}")
    stock = write_csv(tmp_path / "stock.csv", stock_rows(), STOCK_COLUMNS)

    result = cli(*(str(stock) if a == "{csv}" else a for a in args))

    assert_failed(result, 1, "error:", "none (empty)", "run `vpbx db upgrade` first")
    engine = create_db_engine(f"sqlite:///{path}")
    try:
        assert schema.current_revision(engine) is None  # nothing was created either
    finally:
        engine.dispose()


def test_unreachable_database_fails_cleanly(cli: Cli, tmp_path: Path) -> None:
    cli.use(f"sqlite:///{tmp_path / 'no' / 'such' / 'dir.db'}")

    assert_failed(cli("partners", "list"), 1, "error:", "database error")


# --- demo ------------------------------------------------------------------------------------


def parse_demo(stdout: str) -> dict[str, str]:
    fields = {}
    for label in ("tenant id", "partner key", "tenant key", "stock"):
        match = re.search(rf"^{label}:\s+(\S+)", stdout, re.MULTILINE)
        assert match, (label, stdout)
        fields[label] = match.group(1)
    return fields


def test_demo_sets_up_and_reuses_an_instance(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_server: list[dict[str, Any]]
) -> None:
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    cli.use(url)

    first = cli("demo", "--no-serve")

    assert_ok(first)
    shown = parse_demo(first.stdout)
    assert shown["stock"] == "5000"
    assert shown["partner key"].startswith("vpbx_")
    assert shown["tenant key"].startswith("vpbx_")
    curl = [line for line in first.stdout.splitlines() if line.startswith("curl ")]
    assert len(curl) == 1
    assert f"Authorization: Bearer {shown['tenant key']}" in curl[0]
    assert "http://127.0.0.1:8080/v1/numbers/available" in curl[0]

    engine = create_db_engine(url)
    factory = make_session_factory(engine)
    try:
        assert count(factory, Number) == 5000
        with factory() as session:
            by_country = select(Number.country, func.count()).group_by(Number.country)
            countries = dict(session.execute(by_country).all())
            tiers = set(session.scalars(select(Number.tier).distinct()))
        assert countries == {"VN": 3000, "RU": 2000}
        assert tiers == set(range(6))
        tenant = authenticate(factory, shown["tenant key"])
        partner = authenticate(factory, shown["partner key"])
        assert tenant.tenant_id == int(shown["tenant id"])
        assert (partner.is_partner, partner.partner_id) == (True, tenant.partner_id)

        second = cli("demo", "--no-serve", "--port", "9090")

        assert_ok(second)
        again = parse_demo(second.stdout)
        assert again["stock"] == "5000"
        assert again["tenant id"] == shown["tenant id"]
        assert again["tenant key"] != shown["tenant key"]  # fresh keys each run
        assert "http://127.0.0.1:9090/" in second.stdout
        assert count(factory, Number) == 5000
        assert count(factory, Partner) == 1
        assert count(factory, Tenant) == 1
        for key in (shown["tenant key"], again["tenant key"], again["partner key"]):
            authenticate(factory, key)  # the first run's keys still work
    finally:
        engine.dispose()
    assert no_server == []


def test_demo_defaults_to_vpbx_db_in_the_working_directory(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_server: list[dict[str, Any]]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("VPBX_DATABASE_URL", raising=False)
    # A smaller stock keeps this one quick; the loading itself is tested above.
    monkeypatch.setattr("vpbx.cli.demo.DEMO_STOCK", (("VN", 30, 1),))

    result = cli("demo", "--no-serve")

    assert_ok(result)
    assert (tmp_path / "vpbx.db").exists()
    assert "stock: 30 numbers" in result.stdout


def test_demo_serves_unless_told_not_to(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_server: list[dict[str, Any]]
) -> None:
    monkeypatch.setattr("vpbx.cli.demo.DEMO_STOCK", (("RU", 10, 1),))
    cli.use(f"sqlite:///{tmp_path / 'demo.db'}")

    assert_ok(cli("demo", "--port", "8181"))

    assert no_server == [
        {"target": "vpbx.api.asgi:app", "host": "127.0.0.1", "port": 8181, "log_level": "info"}
    ]


# --- bugs found in src/ ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("tenants", "create", "Shop", "--partner", "[/x]"),
        ("numbers", "disable", "[/x]"),
    ],
)
def test_error_messages_with_brackets_do_not_crash(vpbx: Cli, args: tuple[str, ...]) -> None:
    assert_failed(vpbx(*args), 1, "error:", "[/x]")


def test_duplicate_partner_with_brackets_fails_cleanly(vpbx: Cli) -> None:
    assert_ok(vpbx("partners", "create", "[/x]"))

    assert_failed(vpbx("partners", "create", "[/x]"), 1, "error:", "[/x]")


def test_rejected_row_with_brackets_is_listed(vpbx: Cli, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "odd.csv", [bad_row("[/x]"), bad_row("+842438256868")], STOCK_COLUMNS
    )

    result = vpbx("numbers", "import", path)

    assert_ok(result)
    assert "[/x]" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("tenants", "create", "Shop", "--partner", "²"),
        ("keys", "create", "--partner", "99999999999999999999"),
        ("keys", "create", "--tenant", "9223372036854775808"),
    ],
)
def test_odd_ids_fail_cleanly(vpbx: Cli, args: tuple[str, ...]) -> None:
    assert_failed(vpbx(*args), 1, "error:")


def test_import_of_a_non_utf8_file_does_not_crash(vpbx: Cli, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        b"number,currency,connection_price,monthly_price,carrier\n+842438256868,VND,1,1,Caf\xe9\n"
    )

    result = vpbx("numbers", "import", path)

    # Either a clear refusal or an import that copes with the encoding; never a traceback.
    if result.exit_code == 0:
        assert "imported 1" in result.stdout
    else:
        assert_failed(result, 1, "error:")


def test_disable_superscript_number_fails_cleanly(vpbx: Cli) -> None:
    assert_failed(vpbx("numbers", "disable", "+84243825686²"), 1, "error:")
