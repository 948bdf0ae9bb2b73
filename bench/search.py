"""Search at scale: the API over HTTP against the same SQL run on the psycopg driver."""

from __future__ import annotations

import http.client
import json
from typing import Any
from urllib.parse import urlencode

import psycopg
from sqlalchemy.dialects import postgresql

from bench.common import PG_URL, dsn, served_api, summary, timed
from vpbx.db import create_db_engine, make_session_factory, transaction
from vpbx.numbers.enums import Tier
from vpbx.numbers.mask import compile_mask
from vpbx.numbers.repository import search_statement
from vpbx.numbers.schemas import SearchFilters
from vpbx.numbers.service import now_utc
from vpbx.tenancy.service import TenancyService

QUERIES: dict[str, dict[str, str]] = {
    "prefix 24777*": {"mask": "24777*"},
    "suffix *6868": {"mask": "*6868"},
    "contains *777*": {"mask": "*777*"},
    "tier gold": {"tier": "gold"},
}
WARMUP, RUNS = 20, 200


def _filters(params: dict[str, str]) -> SearchFilters:
    tiers = [Tier.from_label(params["tier"])] if "tier" in params else []
    return SearchFilters(mask=params.get("mask"), tiers=tiers)


def _raw_sql(params: dict[str, str]) -> tuple[str, dict[str, Any]]:
    filters = _filters(params)
    mask = compile_mask(filters.mask) if filters.mask else None
    statement = search_statement(filters, mask, now=now_utc(), after=None, limit=51)
    compiled = statement.compile(
        dialect=postgresql.psycopg.dialect(),  # type: ignore[attr-defined]
        compile_kwargs={"render_postcompile": True},
    )
    return str(compiled), dict(compiled.params)


def raw_driver(params: dict[str, str]) -> list[float]:
    sql, binds = _raw_sql(params)
    with psycopg.connect(dsn()) as conn, conn.cursor() as cur:

        def once() -> None:
            cur.execute(sql, binds)
            cur.fetchall()

        return timed(once, warmup=WARMUP, runs=RUNS)


def _key() -> str:
    factory = make_session_factory(create_db_engine(PG_URL))
    with transaction(factory) as session:
        service = TenancyService(session)
        partner = service.create_partner(f"bench partner {now_utc().timestamp()}")
        tenant = service.create_tenant(partner.id, "bench tenant")
        return service.issue_key(tenant_id=tenant.id).secret


def through_api(base: str, key: str, params: dict[str, str]) -> tuple[list[float], int]:
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port))
    path = f"/v1/numbers/available?{urlencode({**params, 'limit': 50})}"
    headers = {"Authorization": f"Bearer {key}"}
    found = 0

    def once() -> None:
        nonlocal found
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        assert response.status == 200, body
        found = len(json.loads(body)["items"])

    samples = timed(once, warmup=WARMUP, runs=RUNS)
    conn.close()
    return samples, found


def run() -> dict[str, dict[str, float]]:
    key = _key()
    results: dict[str, dict[str, float]] = {}
    with served_api() as base:
        for name, params in QUERIES.items():
            api, found = through_api(base, key, params)
            raw = raw_driver(params)
            a, r = summary(api), summary(raw)
            results[name] = {
                "items": found,
                "api_median_ms": a["median"],
                "api_p99_ms": a["p99"],
                "raw_median_ms": r["median"],
                "raw_p99_ms": r["p99"],
                "ratio_median": a["median"] / r["median"],
            }
    return results


def markdown(results: dict[str, Any]) -> str:
    imp = results["import"]
    lines = [
        f"Import of {imp['rows']:,} rows: vpbx {imp['vpbx_rows_s']:,.0f} rows/s "
        f"({imp['vpbx_s']:.1f} s); raw COPY of the same file {imp['raw_rows_s']:,.0f} rows/s "
        f"({imp['raw_copy_s']:.1f} s); ratio {imp['ratio']:.1f}x",
        "",
        "| search | items | API median ms | API p99 ms | raw median ms | raw p99 ms | API/raw |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in results["search"].items():
        lines.append(
            f"| {name} | {r['items']:.0f} | {r['api_median_ms']:.2f} | "
            f"{r['api_p99_ms']:.2f} | {r['raw_median_ms']:.2f} | {r['raw_p99_ms']:.2f} "
            f"| {r['ratio_median']:.1f}x |"
        )
    race = results["race"]
    lines += [
        "",
        f"Race: {race['clients']} clients, {race['numbers']} numbers: "
        f"{race['wins']} wins, {race['double_sales']} double sales, "
        f"{race['requests']} requests in {race['seconds']:.1f} s "
        f"({race['requests_per_s']:.0f} req/s)",
    ]
    return "\n".join(lines)
