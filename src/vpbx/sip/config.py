"""Kamailio's configuration for this instance, and how to run it.

The routing script is a file shipped in this package (`kamailio.cfg`); what differs per
instance (database, listen addresses, sockets, vpbx's URLs and credential) is written
above it as `#!define` lines, so the script itself is never templated.
"""

from __future__ import annotations

import glob
import shutil
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from sqlalchemy.engine import make_url

from vpbx.config import Settings
from vpbx.db import normalize_url
from vpbx.errors import Invalid
from vpbx.sip.settings import SipSettings, sip_token

BINARY = "kamailio"
# Every module the script loads, and the Debian package that ships it.
_BASE_MODULES = (
    "tm tmx sl rr pv maxfwd textops siputils xlog sanity ctl jsonrpcs kex corex usrloc "
    "registrar auth auth_db permissions dialog uac mqueue rtimer htable sqlops"
)
MODULE_PACKAGES: dict[str, str] = {
    **dict.fromkeys(_BASE_MODULES.split(), "kamailio"),
    "db_postgres": "kamailio-postgres-modules",
    "db_sqlite": "kamailio-sqlite-modules",
    "http_client": "kamailio-utils-modules",
    "jansson": "kamailio-extra-modules",
}
PACKAGES = ("kamailio", "kamailio-utils-modules", "kamailio-extra-modules")
MODULE_DIRS = (
    "/usr/lib/*/kamailio/modules",
    "/usr/lib/kamailio/modules",
    "/usr/lib64/kamailio/modules",
    "/usr/local/lib/kamailio/modules",
    "/usr/local/lib64/kamailio/modules",
)
# How long a PBX leg with no timer of its own (outside numbers, SIP URIs) may ring.
NO_TIMER_MS = 120_000
# The credential cache: 2^12 hash slots (entries chain in a slot; ~150 bytes each).
CREDENTIAL_SLOTS_POW2 = 12
_BAD_IN_URL = set('@/"\\ ')


@dataclass(frozen=True, slots=True)
class KamailioDatabase:
    """A database URL in Kamailio's form (`postgres://…` or `sqlite:///abs/path`)."""

    url: str
    sqlite: bool

    @property
    def module(self) -> str:
        return "db_sqlite" if self.sqlite else "db_postgres"


def kamailio_database(sqlalchemy_url: str) -> KamailioDatabase:
    """Translate vpbx's SQLAlchemy URL into Kamailio's: the two forms differ."""
    url = make_url(normalize_url(sqlalchemy_url))
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            raise Invalid("Kamailio needs a SQLite file, not an in-memory database")
        return KamailioDatabase(f"sqlite://{Path(url.database).resolve()}", sqlite=True)
    if url.get_backend_name() != "postgresql":
        raise Invalid(f"Kamailio cannot read a {url.get_backend_name()} database")
    if not url.host:
        raise Invalid("Kamailio reaches PostgreSQL over TCP: give a host in the database URL")
    user = url.username or "postgres"
    for part in (user, url.password or "", url.host, url.database or ""):
        if set(part) & _BAD_IN_URL:
            raise Invalid("Kamailio's database URL cannot hold @ / \" \\ or spaces in a part")
    credentials = f"{user}:{url.password}" if url.password else user
    return KamailioDatabase(
        f"postgres://{credentials}@{url.host}:{url.port or 5432}/{url.database}", sqlite=False
    )


def module_dir() -> Path | None:
    """Where Kamailio's modules are installed (tm.so is always there), if anywhere."""
    for pattern in MODULE_DIRS:
        for found in sorted(glob.glob(pattern)):
            if (Path(found) / "tm.so").exists():
                return Path(found)
    return None


def missing_packages(database: KamailioDatabase) -> list[str]:
    """The Debian packages to install before Kamailio can run this configuration."""
    if shutil.which(BINARY) is None:
        return sorted({*PACKAGES, MODULE_PACKAGES[database.module]})
    directory = module_dir()
    modules = [m for m in MODULE_PACKAGES if not m.startswith("db_")] + [database.module]
    if directory is None:
        return sorted({MODULE_PACKAGES[m] for m in modules})
    return sorted({MODULE_PACKAGES[m] for m in modules if not (directory / f"{m}.so").exists()})


def install_hint(packages: list[str]) -> str:
    return (
        "Kamailio or some of its modules are missing; install them with:\n"
        "  apt-get install --no-install-recommends " + " ".join(packages)
    )


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _api_url(base: str, path: str, token: str) -> str:
    """vpbx's URL with the SIP token as Basic credentials (user `sip`)."""
    parts = urlsplit(base.rstrip("/"))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid("the vpbx URL Kamailio asks must be http(s)://host[:port]")
    netloc = f"sip:{quote(token, safe='')}@{parts.netloc.rpartition('@')[2]}"
    return urlunsplit((parts.scheme, netloc, parts.path + path, "", ""))


def render(settings: Settings, sip: SipSettings) -> str:
    """The whole configuration file: the instance's defines, then the shipped script."""
    database = kamailio_database(settings.database_url)
    token = sip_token(sip)
    run_dir = sip.run_dir.resolve()
    directory = module_dir() or Path("/usr/lib/x86_64-linux-gnu/kamailio/modules")
    host = f"[{sip.listen}]" if ":" in sip.listen else sip.listen
    defines = {
        "DBURL": _quoted(database.url),
        "LISTEN_UDP": f"udp:{host}:{sip.port}",
        "CTLSOCK": _quoted(f"unix:{run_dir / 'kamailio_ctl'}"),
        "RPCSOCK": _quoted(str(control_socket(sip))),
        "RUN_DIR": _quoted(str(run_dir)),
        "MPATH": _quoted(f"{directory}/"),
        "CHILDREN": str(sip.children),
        "SHM_RESERVE": str(_overload_reserve(sip)),
        "MAX_EXPIRES": str(sip.max_expires),
        "NO_TIMER_MS": str(NO_TIMER_MS),
        "ACCOUNTS_DB": _quoted(f"accounts=>{database.url}"),
        "CREDENTIAL_CACHE": _quoted(_credential_cache(sip)),
        "VPBX_ROUTE_URL": _quoted(_api_url(sip.api_url, "/v1/sip/route", token)),
        "VPBX_CALLS_URL": _quoted(_api_url(sip.api_url, "/v1/sip/calls/batch", token)),
    }
    if sip.tcp:
        defines["LISTEN_TCP"] = f"tcp:{host}:{sip.port}"
    if database.sqlite:
        defines["WITH_SQLITE"] = ""
    if sip.credential_cache_s > 0:
        defines["WITH_CREDENTIAL_CACHE"] = ""
    if sip.max_calls_per_s > 0:
        defines["MAX_CALLS_PER_S"] = str(sip.max_calls_per_s)
    header = ["#!KAMAILIO", "# Generated by `vpbx sip config`: it holds a secret, keep it 0600."]
    header += [f"#!define {name} {value}".rstrip() for name, value in defines.items()]
    script = files("vpbx.sip").joinpath("kamailio.cfg").read_text(encoding="utf-8")
    return "\n".join(header) + "\n\n" + script


def _overload_reserve(sip: SipSettings) -> int:
    """Free shared memory (bytes) below which new calls are refused: what calls in
    progress still need (their BYE, their queued outcome) must never be what runs out.
    At 100 % the reserve exceeds the pool, so every new call is refused."""
    if sip.overload_reserve_percent >= 100:
        return (sip.shared_memory_mb + 1) * 1024 * 1024
    return sip.shared_memory_mb * 1024 * 1024 * sip.overload_reserve_percent // 100


def _credential_cache(sip: SipSettings) -> str:
    """The htable holding `user@domain` → `expiry:ha1`. It exists even when the cache is
    off, so vpbx's invalidations always find it (they are then no-ops)."""
    expire = sip.credential_cache_s or 60
    return f"credentials=>size={CREDENTIAL_SLOTS_POW2};autoexpire={expire};"


def control_socket(sip: SipSettings) -> Path:
    """Kamailio's JSON-RPC socket: the configured one, else one in the run directory."""
    return (sip.control_socket or sip.run_dir / "kamailio_rpc.sock").resolve()


def write(settings: Settings, sip: SipSettings, path: Path) -> Path:
    """Write the configuration (mode 0600: it holds the SIP token and database URL)."""
    text = render(settings, sip)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text(text, encoding="utf-8")
    sip.run_dir.mkdir(parents=True, exist_ok=True)
    return path


def command(path: Path, sip: SipSettings, *, check_only: bool = False) -> list[str]:
    """Kamailio in the foreground, logging to stderr (or only checking the file)."""
    if check_only:
        return [BINARY, "-c", "-f", str(path)]
    memory = ["-m", str(sip.shared_memory_mb), "-M", str(sip.private_memory_mb)]
    return [BINARY, "-DD", "-E", "-f", str(path), *memory]
