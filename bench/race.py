"""50 clients race to reserve and buy the same 100 numbers through HTTP."""

from __future__ import annotations

import random
import threading
import time
from typing import Any

import httpx
import psycopg

from bench.common import PG_URL, dsn, served_api
from vpbx.db import create_db_engine, make_session_factory, transaction
from vpbx.numbers.service import now_utc
from vpbx.tenancy.service import TenancyService

CLIENTS, NUMBERS, TENANTS = 50, 100, 10


def _keys() -> list[str]:
    factory = make_session_factory(create_db_engine(PG_URL))
    with transaction(factory) as session:
        service = TenancyService(session)
        partner = service.create_partner(f"race partner {now_utc().timestamp()}")
        return [
            service.issue_key(tenant_id=service.create_tenant(partner.id, f"racer {i}").id).secret
            for i in range(TENANTS)
        ]


def _targets() -> list[str]:
    with psycopg.connect(dsn()) as conn:
        rows = conn.execute(
            "SELECT e164 FROM numbers WHERE status = 'available' ORDER BY random() LIMIT %s",
            (NUMBERS,),
        ).fetchall()
    return [row[0] for row in rows]


def _client(
    base: str,
    key: str,
    numbers: list[str],
    seed: int,
    tally: dict[str, Any],
    start: threading.Barrier,
) -> None:
    order = numbers[:]
    random.Random(seed).shuffle(order)
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
        start.wait()
        for e164 in order:
            held = http.post("/v1/reservations", json={"numbers": [e164]})
            bought = None
            if held.status_code == 201:
                bought = http.post("/v1/orders", json={"numbers": [e164], "months": 1})
            with tally["lock"]:
                tally["requests"] += 1 + (bought is not None)
                if bought is not None and bought.status_code == 201:
                    tally["wins"].append(e164)
                for response in (held, bought):
                    if response is not None and response.status_code >= 500:
                        tally["errors"] += 1


def run() -> dict[str, float]:
    keys, numbers = _keys(), _targets()
    tally: dict[str, Any] = {"lock": threading.Lock(), "wins": [], "requests": 0, "errors": 0}
    start = threading.Barrier(CLIENTS + 1)
    with served_api() as base:
        threads = [
            threading.Thread(
                target=_client, args=(base, keys[i % TENANTS], numbers, i, tally, start)
            )
            for i in range(CLIENTS)
        ]
        for thread in threads:
            thread.start()
        start.wait()
        began = time.perf_counter()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
    with psycopg.connect(dsn()) as conn:
        sold = conn.execute(
            "SELECT count(*), count(DISTINCT e164) FROM order_items WHERE e164 = ANY(%s)",
            (numbers,),
        ).fetchone()
    assert sold is not None
    return {
        "clients": CLIENTS,
        "numbers": NUMBERS,
        "wins": len(tally["wins"]),
        "distinct_wins": len(set(tally["wins"])),
        "double_sales": sold[0] - sold[1],
        "sold_rows": sold[0],
        "server_errors": tally["errors"],
        "requests": tally["requests"],
        "seconds": elapsed,
        "requests_per_s": tally["requests"] / elapsed,
    }
