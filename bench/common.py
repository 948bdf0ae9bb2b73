"""Shared pieces of the benchmarks: the PostgreSQL database, a served API, timing."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent
DATA = ROOT / "data"
PG_URL = os.environ.get(
    "VPBX_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/vpbx_bench"
)


def dsn(url: str = PG_URL) -> str:
    parsed = make_url(url)
    return (
        f"host={parsed.host} port={parsed.port or 5432} user={parsed.username} "
        f"dbname={parsed.database}"
    )


def recreate_database(url: str = PG_URL) -> None:
    parsed = make_url(url)
    admin = dsn(url).replace(f"dbname={parsed.database}", "dbname=postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{parsed.database}"')


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def summary(samples_ms: list[float]) -> dict[str, float]:
    return {"median": statistics.median(samples_ms), "p99": percentile(samples_ms, 0.99)}


def timed(action: Callable[[], object], *, warmup: int, runs: int) -> list[float]:
    for _ in range(warmup):
        action()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


@contextmanager
def served_api(url: str = PG_URL, port: int = 8765, workers: int = 1) -> Iterator[str]:
    """`vpbx serve` in a child process on loopback, stopped on exit."""
    env = {**os.environ, "VPBX_DATABASE_URL": url}
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "vpbx.api.asgi:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the API did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)
