"""SIP benchmarks (`python -m bench.sip`): Kamailio in front of vpbx on PostgreSQL.

1. Registrations: authenticated REGISTERs per second (REGISTER, 401, REGISTER with
   digest, 200) through Kamailio reading vpbx's `sip_subscribers` view, against the
   same Kamailio reading a plain `subscriber` table holding the same 1,000 accounts —
   alternating rounds in one run, the ratio of the medians. Measured with Kamailio's
   credential cache on (vpbx's default configuration) and, so that nobody is misled,
   off (every authentication reads the accounts). VPBX_BENCH_SIP_ONLY=registrations
   runs only this part.
2. Call set-ups: calls per second where vpbx decides every route (INVITE, 407, INVITE,
   vpbx's /v1/sip/route, 180, 200, ACK, BYE, the call record posted to vpbx), at
   increasing offered rates, each bounded in time, from the extensions of every tenant
   in turn to one phone per tenant; and the median and p99 time vpbx takes to decide a
   route (POST /v1/sip/route on a keep-alive connection).

Everything runs on loopback; every process is stopped at the end. The database
(VPBX_BENCH_SIP_DATABASE_URL) is dropped and recreated.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import psycopg

from bench.common import dsn, recreate_database, summary, timed
from vpbx import schema
from vpbx.config import Settings
from vpbx.db import create_db_engine, make_session_factory, transaction
from vpbx.pbx.extensions import ExtensionService
from vpbx.pbx.schemas import ExtensionCreate, PbxSettingsUpdate
from vpbx.sip import config
from vpbx.sip.control import ControlError, KamailioControl
from vpbx.sip.repository import SipRepository
from vpbx.sip.settings import SipSettings
from vpbx.tenancy.principal import Principal
from vpbx.tenancy.service import TenancyService

URL = os.environ.get(
    "VPBX_BENCH_SIP_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/vpbx_bench_sip"
)
# 1,000 accounts as 20 tenants of 50 extensions: a route decision reads the caller's
# whole dial plan, so a tenant's size (not the instance's) sets its cost.
TENANTS = int(os.environ.get("VPBX_BENCH_SIP_TENANTS", "20"))
PER_TENANT = int(os.environ.get("VPBX_BENCH_SIP_EXTENSIONS", "50"))
REG_CALLS = int(os.environ.get("VPBX_BENCH_REG_CALLS", "20000"))
# Closed loop: at most this many registrations in flight, as fast as the box allows,
# so an overload slows the run down instead of losing messages to retransmit timers.
REG_IN_FLIGHT = 40
ROUNDS = 3
CALL_RATES = [
    int(r)
    for r in os.environ.get("VPBX_BENCH_CALL_RATES", "100,200,300,400,500,600,800,1000").split(",")
]
CALL_SECONDS = int(os.environ.get("VPBX_BENCH_CALL_SECONDS", "8"))
FIRST = 10001
SECRET = "YmVuY2gtc2VjcmV0LWtleS0wMTIzNDU2Nzg5YWJjZGU="
TOKEN = "bench-sip-token-0123456789abcdef"
SCENARIOS = Path(__file__).resolve().parent.parent / "tests" / "sip" / "scenarios"
API_PORT, SIP_PORT = 18765, int(os.environ.get("VPBX_BENCH_SIP_PORT", "15160"))


def password(user: int) -> str:
    return f"Bx{user * 7 + 3}-kq7Wz"


def provision() -> list[str]:
    """TENANTS tenants of PER_TENANT extensions each, and a plain subscriber table with
    the same accounts (what Kamailio's own schema would hold); the tenants' domains."""
    recreate_database(URL)
    schema.upgrade(URL)
    settings = Settings(database_url=URL, secret_key=SECRET)
    factory = make_session_factory(create_db_engine(URL))
    domains = []
    with transaction(factory) as session:
        tenancy = TenancyService(session)
        partner = tenancy.create_partner("Bench partner")
        for index in range(TENANTS):
            tenant = tenancy.create_tenant(partner.id, f"Bench {index}", email=None)
            principal = Principal(
                actor="bench", partner_id=partner.id, tenant_id=tenant.id, is_partner=True
            )
            service = ExtensionService(session, settings)
            update = PbxSettingsUpdate(sip_domain=f"t{index}.bench.example", extension_length=5)
            domains.append(service.update_pbx_settings(principal, update).sip_domain)
            for user in range(FIRST, FIRST + PER_TENANT):
                create = ExtensionCreate(number=str(user), password=password(user))
                service.create(principal, create)
        SipRepository(session).ensure_versions()
    with psycopg.connect(dsn(URL), autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE subscriber (id SERIAL PRIMARY KEY, username VARCHAR(64) NOT NULL,"
            " domain VARCHAR(64) NOT NULL, password VARCHAR(64) NOT NULL DEFAULT '',"
            " ha1 VARCHAR(128) NOT NULL, ha1b VARCHAR(128) NOT NULL DEFAULT '',"
            " UNIQUE (username, domain))"
        )
        conn.execute("CREATE INDEX subscriber_username_idx ON subscriber (username)")
        # The view's ids too: a credential-cache miss reads the expiry by that id.
        conn.execute(
            "INSERT INTO subscriber (id, username, domain, ha1, ha1b) "
            "SELECT id, username, domain, ha1, ha1b FROM sip_subscribers"
        )
        conn.execute(
            "INSERT INTO sip_versions (table_name, table_version) VALUES ('subscriber', 7)"
        )
        conn.execute("VACUUM ANALYZE")
    return domains


@contextmanager
def served(workers: int) -> Iterator[str]:
    """vpbx's API in child processes, with the bench's SIP token."""
    env = {
        **os.environ,
        "VPBX_DATABASE_URL": URL,
        "VPBX_SIP_TOKEN": TOKEN,
        "VPBX_SECRET_KEY": SECRET,
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "vpbx.api.asgi:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(API_PORT),
        "--workers",
        str(workers),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, env=env)
    base = f"http://127.0.0.1:{API_PORT}"
    try:
        _wait(lambda: _healthy(base) or process.poll() is not None, "vpbx", seconds=60)
        if process.poll() is not None:
            raise RuntimeError("vpbx exited at start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def _healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def _wait(check: Any, what: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not start")


@contextmanager
def kamailio(
    workdir: Path, *, auth_table: str, children: int = 4, credential_cache_s: int = 300
) -> Iterator[None]:
    """Kamailio with vpbx's configuration (auth from `auth_table`; the credential cache
    as configured by default, or off with 0), stopped on exit."""
    sip = SipSettings(
        token=TOKEN,
        port=SIP_PORT,
        api_url=f"http://127.0.0.1:{API_PORT}",
        run_dir=workdir / "run",
        children=children,
        credential_cache_s=credential_cache_s,
        # an operator's cap on new calls per second (0: none), to measure shedding
        max_calls_per_s=int(os.environ.get("VPBX_BENCH_SIP_MAX_CALLS_PER_S", "0")),
    )
    settings = Settings(database_url=URL, secret_key=SECRET)
    path = config.write(settings, sip, workdir / "kamailio.cfg")
    argv = [*config.command(path, sip), "-A", f'AUTH_TABLE="{auth_table}"']
    log = (workdir / f"kamailio-{auth_table}-{credential_cache_s}.log").open("wb")
    process = subprocess.Popen(argv, stdout=log, stderr=log, start_new_session=True)
    control = KamailioControl(config.control_socket(sip), timeout_s=1)
    try:
        _wait(lambda: _answers(control) or process.poll() is not None, "Kamailio")
        if process.poll() is not None:
            raise RuntimeError(f"Kamailio exited: see {log.name}")
        yield
    finally:
        stop_group(process)
        log.close()


def stop_group(process: subprocess.Popen[bytes]) -> None:
    """Stop a process started in a session of its own, with its whole group."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
    except ProcessLookupError:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def _answers(control: KamailioControl) -> bool:
    try:
        control.call("core.uptime")
    except ControlError:
        return False
    return True


def sipp(
    workdir: Path,
    scenario: str,
    rows: list[str],
    *,
    rate: int,
    calls: int,
    port: int,
    limit: int | None = None,
    extra: list[str] | None = None,
    **values: str,
) -> dict[str, float]:
    """Run a SIPp client at `rate` calls/s for `calls` calls; what it achieved."""
    text = (SCENARIOS / scenario).read_text()
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    xml, csv = workdir / f"b-{scenario}", workdir / f"b-{scenario}.csv"
    xml.write_text(text)
    csv.write_text("SEQUENTIAL\n" + "\n".join(rows) + "\n")
    command = [
        "sipp",
        "-sf",
        str(xml),
        "-inf",
        str(csv),
        "-i",
        "127.0.0.1",
        "-p",
        str(port),
        "-r",
        str(rate),
        "-m",
        str(calls),
        "-l",
        str(limit or rate * 4),
        "-timeout",
        "30s",
        "-nostdin",
        "-trace_stat",
        "-stf",
        str(workdir / "stat.csv"),
        "-fd",
        "1",
        *(extra or []),
        f"127.0.0.1:{SIP_PORT}",
    ]
    start = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        process.wait(timeout=calls / min(rate, 100_000) + 60)
    except subprocess.TimeoutExpired:
        stop_group(process)  # overloaded: what completed until now counts
    elapsed = time.perf_counter() - start
    lines = (workdir / "stat.csv").read_text().strip().splitlines()
    stats = dict(zip(lines[0].split(";"), lines[-1].split(";"), strict=False))
    ok, failed = int(stats["SuccessfulCall(C)"]), int(stats["FailedCall(C)"])
    failed += calls - ok - failed  # never finished
    (workdir / "stat.csv").unlink()
    return {
        "offered_per_s": rate,
        "ok": ok,
        "failed": failed,
        "seconds": elapsed,
        "per_s": ok / elapsed,
    }


# The registration runs: the configuration operators run (credential cache on), and the
# same with the cache off, each against the view and against the plain table.
REG_VARIANTS = {
    "view": ("sip_subscribers", 300),
    "table": ("subscriber", 300),
    "view_uncached": ("sip_subscribers", 0),
    "table_uncached": ("subscriber", 0),
}


def bench_registrations(workdir: Path, domains: list[str]) -> dict[str, Any]:
    rows = [
        f"{u};{domain};[authentication username={u} password={password(u)}];5999"
        for u in range(FIRST, FIRST + PER_TENANT)
        for domain in domains
    ]
    results: dict[str, list[dict[str, float]]] = {name: [] for name in REG_VARIANTS}
    for _ in range(ROUNDS):
        for name, (table, cache_s) in REG_VARIANTS.items():
            with kamailio(workdir, auth_table=table, credential_cache_s=cache_s):
                results[name].append(
                    sipp(
                        workdir,
                        "reg.xml",
                        rows,
                        rate=100_000,
                        calls=REG_CALLS,
                        port=SIP_PORT + 1,
                        limit=REG_IN_FLIGHT,
                        FINAL="200",
                    )
                )
    rate = {name: statistics.median(r["per_s"] for r in runs) for name, runs in results.items()}
    return {
        "runs": results,
        "accounts": len(rows),
        # Kamailio starts afresh for each run: its first REGISTER of each account reads
        # the database, the others (REG_CALLS - accounts) are answered from the cache.
        "registrations_per_run": REG_CALLS,
        "view_per_s": rate["view"],
        "table_per_s": rate["table"],
        "ratio": rate["view"] / rate["table"],
        "uncached": {
            "view_per_s": rate["view_uncached"],
            "table_per_s": rate["table_uncached"],
            "ratio": rate["view_uncached"] / rate["table_uncached"],
        },
    }


def bench_calls(workdir: Path, domains: list[str], base: str) -> dict[str, Any]:
    """Every tenant's last extension is a phone (one SIPp answering for all of them);
    the others call it, tenant after tenant: each call authenticates a different
    account and decides a route in the caller's own tenant."""
    callee = str(FIRST + PER_TENANT - 1)
    decide = {
        "call_id": "bench",
        "direction": "from_extension",
        "domain": domains[0],
        "caller": str(FIRST),
        "dialled": callee,
    }
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {TOKEN}"}) as http:
        samples = timed(lambda: http.post("/v1/sip/route", json=decide), warmup=50, runs=500)
    runs = []
    with kamailio(workdir, auth_table="sip_subscribers", children=8):
        uas = subprocess.Popen(
            [
                "sipp",
                "-sf",
                str(_uas(workdir)),
                "-i",
                "127.0.0.1",
                "-p",
                str(SIP_PORT + 10),
                "-s",
                callee,
                "-nostdin",
            ],
            cwd=workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            phone = f"[authentication username={callee} password={password(int(callee))}]"
            reg = [f"{callee};{domain};{phone};{SIP_PORT + 10}" for domain in domains]
            sipp(
                workdir,
                "reg.xml",
                reg,
                rate=len(reg),
                calls=len(reg),
                port=SIP_PORT + 11,
                FINAL="200",
            )
            callers = [
                f"{user};{domain};[authentication username={user} password={password(user)}];"
                f"{callee};{domain}"
                for user in range(FIRST, FIRST + PER_TENANT - 1)
                for domain in domains
            ]
            for rate in CALL_RATES:
                runs.append(
                    sipp(
                        workdir,
                        "uac_call.xml",
                        callers,
                        rate=rate,
                        calls=rate * CALL_SECONDS,
                        port=SIP_PORT + 12,
                        FINAL="200",
                        AFTER=_after(),
                    )
                )
                if runs[-1]["failed"]:  # past what the box sustains: stop offering more
                    break
            placed = sum(r["ok"] + r["failed"] for r in runs)
            # Calls Kamailio refused before routing (overload) never reach vpbx.
            log = workdir / "kamailio-sip_subscribers-300.log"
            text = log.read_text(errors="replace")
            shed = text.count("shared memory low")
            capped = text.count("new calls per second: 503")
            stored = _records_settled(placed - shed - capped)
        finally:
            stop_group(uas)
    sustained = [r for r in runs if r["failed"] == 0]
    return {
        "decision_ms": summary(samples),
        "runs": runs,
        "max_sustained_per_s": max((r["per_s"] for r in sustained), default=0.0),
        "calls_placed": placed,
        "shed_503": shed,
        "capped_503": capped,
        "call_records": stored,
    }


def _records_settled(expected: int, seconds: float = 30) -> int:
    """The call records vpbx holds once Kamailio's timer has posted its queue (every
    call placed must have one, whatever its outcome: the pipeline may lag, never lose)."""
    deadline = time.monotonic() + seconds
    with psycopg.connect(dsn(URL), autocommit=True) as conn:
        while True:
            row = conn.execute("SELECT count(*) FROM call_records").fetchone()
            stored = int(row[0]) if row else 0
            if stored >= expected or time.monotonic() > deadline:
                return stored
            time.sleep(0.5)


def _uas(workdir: Path) -> Path:
    text = (SCENARIOS / "uas_answer.xml").read_text().replace("@DELAY@", "0")
    # The caller hangs up right after its ACK, and Kamailio's workers may relay the
    # BYE first: the phone takes the BYE whether or not the ACK came before it, and
    # waits a moment for an ACK that comes after.
    ack, wait = '<recv request="ACK" crlf="true"/>', '<timewait milliseconds="500"/>'
    assert ack in text
    assert wait in text
    text = text.replace(ack, '<recv request="ACK" crlf="true" optional="true"/>').replace(
        wait, '<recv request="ACK" timeout="500" ontimeout="1"/><label id="1"/>'
    )
    path = workdir / "b-uas.xml"
    path.write_text(text)
    return path


def _after() -> str:
    from tests.sip.harness import _after_answer

    return _after_answer(2).replace('<pause milliseconds="300"/>', "")


def registrations_markdown(reg: dict[str, Any]) -> list[str]:
    uncached = reg["uncached"]
    return [
        "| registrations/s (REGISTER + digest) | credential cache on (default) | cache off |",
        "|---|---|---|",
        f"| Kamailio reading vpbx's `sip_subscribers` view | {reg['view_per_s']:.0f} "
        f"| {uncached['view_per_s']:.0f} |",
        f"| the same Kamailio reading a plain `subscriber` table | {reg['table_per_s']:.0f} "
        f"| {uncached['table_per_s']:.0f} |",
        f"| ratio view / table | {reg['ratio']:.2f} | {uncached['ratio']:.2f} |",
        "",
        f"{reg['accounts']:,} accounts, {reg['registrations_per_run']:,} registrations per run, "
        "each run on a freshly started Kamailio (empty cache).",
    ]


def markdown(results: dict[str, Any]) -> str:
    reg, calls = results.get("registrations"), results.get("calls")
    lines = [*registrations_markdown(reg), ""] if reg else []
    if calls is None:  # VPBX_BENCH_SIP_ONLY=registrations
        return "\n".join(lines)
    lines += [
        "| offered calls/s | completed | failed | achieved calls/s |",
        "|---|---|---|---|",
    ]
    for run in calls["runs"]:
        lines.append(
            f"| {run['offered_per_s']} | {run['ok']} | {run['failed']} | {run['per_s']:.0f} |"
        )
    decision = calls["decision_ms"]
    lines.append("")
    lines.append(
        f"Route decision (POST /v1/sip/route): median {decision['median']:.2f} ms, "
        f"p99 {decision['p99']:.2f} ms."
    )
    lines.append(
        f"Calls placed {calls['calls_placed']}, refused by Kamailio before routing (503): "
        f"shared memory low {calls['shed_503']}, over the calls-per-second cap "
        f"{calls['capped_503']}; call records in vpbx {calls['call_records']}."
    )
    return "\n".join(lines)


def main() -> int:
    if shutil.which("sipp") is None or shutil.which("kamailio") is None:
        print("needs kamailio and sipp (see .ci/run for the Debian packages)")
        return 1
    workdir = Path(tempfile.mkdtemp(prefix="vsipb-"))
    domains = provision()
    only = os.environ.get("VPBX_BENCH_SIP_ONLY", "")
    results: dict[str, Any] = {}
    if only != "calls":
        results["registrations"] = bench_registrations(workdir, domains)
        print(json.dumps({"registrations": results["registrations"]}, indent=2), flush=True)
    if only != "registrations":
        with served(workers=int(os.environ.get("VPBX_BENCH_WORKERS", "2"))) as base:
            results["calls"] = bench_calls(workdir, domains, base)
        print(json.dumps({"calls": results["calls"]}, indent=2), flush=True)
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    name = f"sip-{only}-latest.json" if only else "sip-latest.json"
    (out / name).write_text(json.dumps(results, indent=2))
    print(markdown(results))
    if os.environ.get("VPBX_BENCH_KEEP") == "1":  # the logs, to look into a run
        print(f"kept {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
