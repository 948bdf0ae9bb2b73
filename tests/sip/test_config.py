"""`vpbx sip config | run | token`: Kamailio's configuration for this instance."""

from __future__ import annotations

import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from tests.cli.test_cli import Cli
from vpbx.config import Settings
from vpbx.errors import Invalid
from vpbx.sip import config
from vpbx.sip.settings import SipSettings, sip_token


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://vpbx:s3cret@db.example:5433/pbx", "postgres://vpbx:s3cret@db.example:5433/pbx"),
        ("postgresql+psycopg://postgres@127.0.0.1/vpbx", "postgres://postgres@127.0.0.1:5432/vpbx"),
        ("postgres://u@h/d", "postgres://u@h:5432/d"),
        ("sqlite:////var/lib/vpbx/vpbx.db", "sqlite:///var/lib/vpbx/vpbx.db"),
    ],
)  # fmt: skip
def test_database_urls_are_translated_to_kamailios_form(url: str, expected: str) -> None:
    assert config.kamailio_database(url).url == expected


def test_a_relative_sqlite_path_becomes_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    database = config.kamailio_database("sqlite:///./vpbx.db")
    assert database == config.KamailioDatabase(f"sqlite://{tmp_path}/vpbx.db", sqlite=True)
    assert database.module == "db_sqlite"


@pytest.mark.parametrize(
    "url",
    [
        "sqlite://",
        "sqlite:///:memory:",
        "postgresql:///vpbx",  # a unix socket: Kamailio needs TCP
        "postgresql://u:p@ss@h/d",
        "mysql://u@h/d",
    ],
)
def test_databases_kamailio_cannot_reach_are_refused(url: str) -> None:
    with pytest.raises(Invalid):
        config.kamailio_database(url)


def _sip(tmp_path: Path, **fields: object) -> SipSettings:
    values: dict[str, object] = {
        "token": "a-token-of-sixteen-plus",
        "run_dir": tmp_path / "run",
        "port": 5099,
        **fields,
    }
    return SipSettings.model_validate(values)


def test_the_configuration_names_the_instance(tmp_path: Path) -> None:
    settings = Settings(database_url="postgresql://vpbx@10.0.0.2/pbx", secret_key=None)
    sip = _sip(tmp_path, listen="10.1.2.3", api_url="https://api.example:8443/")
    path = config.write(settings, sip, tmp_path / "k" / "kamailio.cfg")
    text = path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # it holds the token
    assert text.startswith("#!KAMAILIO\n")
    for line in (
        '#!define DBURL "postgres://vpbx@10.0.0.2:5432/pbx"',
        "#!define LISTEN_UDP udp:10.1.2.3:5099",
        "#!define LISTEN_TCP tcp:10.1.2.3:5099",
        '#!define VPBX_ROUTE_URL "https://sip:a-token-of-sixteen-plus@api.example:8443/v1/sip/route"',
        '#!define VPBX_CALLS_URL "https://sip:a-token-of-sixteen-plus@api.example:8443/v1/sip/calls/batch"',
        f'#!define RPCSOCK "{tmp_path}/run/kamailio_rpc.sock"',
        f'#!define CTLSOCK "unix:{tmp_path}/run/kamailio_ctl"',
    ):
        assert line in text.splitlines(), line
    assert "#!define WITH_SQLITE" not in text
    assert '#!define AUTH_TABLE "sip_subscribers"' in text
    no_tcp = config.render(settings, _sip(tmp_path, tcp=False))
    assert "LISTEN_TCP" not in no_tcp.split("\n\n")[0]


def test_the_credential_cache_is_on_by_default_and_can_be_switched_off(tmp_path: Path) -> None:
    settings = Settings(database_url="postgresql://vpbx@10.0.0.2/pbx", secret_key=None)
    lines = config.render(settings, _sip(tmp_path)).splitlines()
    assert "#!define WITH_CREDENTIAL_CACHE" in lines
    assert '#!define CREDENTIAL_CACHE "credentials=>size=12;autoexpire=300;"' in lines
    assert '#!define ACCOUNTS_DB "accounts=>postgres://vpbx@10.0.0.2:5432/pbx"' in lines
    lines = config.render(settings, _sip(tmp_path, credential_cache_s=0)).splitlines()
    assert "#!define WITH_CREDENTIAL_CACHE" not in lines
    # the table still exists, so vpbx's invalidations find it (and change nothing)
    assert '#!define CREDENTIAL_CACHE "credentials=>size=12;autoexpire=60;"' in lines


def test_kamailio_gets_the_memory_and_overload_reserve_configured(tmp_path: Path) -> None:
    settings = Settings(database_url="postgresql://vpbx@10.0.0.2/pbx", secret_key=None)
    sip = _sip(tmp_path)
    # 256 MB by default: 64 MB (Kamailio's own default) runs out near 400 calls/s
    assert config.command(tmp_path / "k.cfg", sip)[-4:] == ["-m", "256", "-M", "8"]
    assert "#!define SHM_RESERVE 67108864" in config.render(settings, sip).splitlines()
    small = _sip(tmp_path, shared_memory_mb=64, private_memory_mb=16, overload_reserve_percent=10)
    assert config.command(tmp_path / "k.cfg", small)[-4:] == ["-m", "64", "-M", "16"]
    assert "#!define SHM_RESERVE 6710886" in config.render(settings, small).splitlines()
    never = _sip(tmp_path, overload_reserve_percent=0)
    assert "#!define SHM_RESERVE 0" in config.render(settings, never).splitlines()
    drain = _sip(tmp_path, overload_reserve_percent=100)  # more than the whole pool
    whole_pool_and_more = f"#!define SHM_RESERVE {257 * 1024 * 1024}"
    assert whole_pool_and_more in config.render(settings, drain).splitlines()
    assert "MAX_CALLS_PER_S" not in config.render(settings, sip).split("\n\n")[0]  # no cap
    capped = config.render(settings, _sip(tmp_path, max_calls_per_s=700)).splitlines()
    assert "#!define MAX_CALLS_PER_S 700" in capped
    with pytest.raises(ValueError, match="shared_memory_mb"):
        _sip(tmp_path, shared_memory_mb=16)


def test_sqlite_instances_load_the_sqlite_driver(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/v.db", secret_key=None)
    text = config.render(settings, _sip(tmp_path))
    assert f'#!define DBURL "sqlite://{tmp_path}/v.db"' in text
    assert "#!define WITH_SQLITE" in text


def test_the_token_file_is_made_once_and_kept_private(tmp_path: Path) -> None:
    sip = SipSettings(token_file=tmp_path / "sip.token")
    first = sip_token(sip)
    assert first == sip_token(sip)
    assert stat.S_IMODE((tmp_path / "sip.token").stat().st_mode) == 0o600
    with pytest.raises(ValueError, match="16-128"):
        sip_token(SipSettings(token="short"))
    with pytest.raises(ValueError, match="A-Z"):
        sip_token(SipSettings(token="has $ and spaces in it!"))


def test_missing_kamailio_is_named_as_debian_packages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    database = config.kamailio_database("postgresql://u@h/d")
    packages = config.missing_packages(database)
    assert packages == [
        "kamailio",
        "kamailio-extra-modules",
        "kamailio-postgres-modules",
        "kamailio-utils-modules",
    ]
    assert "apt-get install --no-install-recommends kamailio " in config.install_hint(packages)


@pytest.mark.skipif(shutil.which("kamailio") is None, reason="Kamailio is not installed")
@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
@pytest.mark.parametrize("cache_s", [300, 0])
def test_kamailio_accepts_the_configuration(tmp_path: Path, database: str, cache_s: int) -> None:
    url = f"sqlite:///{tmp_path}/v.db" if database == "sqlite" else "postgresql://u@h/d"
    missing = config.missing_packages(config.kamailio_database(url))
    if missing:
        pytest.skip("Kamailio is incomplete: apt-get install " + " ".join(missing))
    settings = Settings(database_url=url, secret_key=None)
    sip = _sip(tmp_path, credential_cache_s=cache_s)
    path = config.write(settings, sip, tmp_path / "kamailio.cfg")
    checked = subprocess.run(
        config.command(path, sip, check_only=True), capture_output=True, text=True, timeout=30
    )
    assert checked.returncode == 0, checked.stderr[-3000:]


def test_vpbx_sip_config_writes_the_file_and_says_how_to_run_it(
    sip_cli: Cli, tmp_path: Path
) -> None:
    result = sip_cli("sip", "config", "--port", "5098", "--output", tmp_path / "k.cfg")
    assert result.exit_code == 0, result.output
    assert "kamailio -DD -E -f" in result.output
    text = (tmp_path / "k.cfg").read_text()
    assert "#!define LISTEN_UDP udp:127.0.0.1:5098" in text
    token = sip_cli("sip", "token")
    assert token.exit_code == 0
    assert f"sip:{token.output.strip()}@127.0.0.1:8080/v1/sip/route" in text


def test_vpbx_sip_run_names_missing_packages(sip_cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    result = sip_cli("sip", "run")
    assert result.exit_code == 1
    assert "apt-get install --no-install-recommends kamailio" in result.output
