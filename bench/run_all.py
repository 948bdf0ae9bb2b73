"""vpbx benchmarks on PostgreSQL at 1,000,000 numbers (`make bench`).

1. import: `vpbx numbers import` of a 1M-row CSV against a raw COPY of the same file;
2. search: four searches through HTTP on loopback against the same SQL on the driver;
3. race: 50 clients reserving and buying the same 100 numbers through HTTP.
Ratios are measured side by side in one run. Set VPBX_BENCH_ROWS for a smaller run.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import time

import psycopg

from bench import race, search
from bench.common import DATA, PG_URL, dsn, recreate_database
from vpbx import schema
from vpbx.db import create_db_engine, make_session_factory
from vpbx.numbers.generate import CSV_COLUMNS, generate_stock
from vpbx.numbers.importer import NumberImporter

ROWS = int(os.environ.get("VPBX_BENCH_ROWS", "1000000"))


def stock_file() -> str:
    path = DATA / f"numbers-{ROWS}.csv"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(CSV_COLUMNS))
            writer.writeheader()
            # A mixed VN stock: fixed (24 and 28 weighted heaviest), mobile, 1800, 1900.
            writer.writerows(generate_stock("VN", ROWS, seed=2026))
    return str(path)


def raw_copy_seconds(path: str) -> float:
    """The floor: COPY of the same file into a table of its own columns, no checks."""
    columns = ", ".join(f"{c} text" for c in CSV_COLUMNS)
    with psycopg.connect(dsn()) as conn:
        conn.execute(f"CREATE TABLE raw_stock ({columns})")
        start = time.perf_counter()
        with (
            conn.cursor() as cur,
            open(path, "rb") as handle,
            cur.copy("COPY raw_stock FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
        ):
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        elapsed = time.perf_counter() - start
        conn.execute("DROP TABLE raw_stock")
    return elapsed


def bench_import(path: str) -> dict[str, float]:
    raw = raw_copy_seconds(path)
    factory = make_session_factory(create_db_engine(PG_URL))
    start = time.perf_counter()
    with open(path, newline="") as handle:
        report = NumberImporter(factory, workers=os.cpu_count() or 1).import_csv(handle)
    elapsed = time.perf_counter() - start
    assert report.imported == ROWS, (report.imported, report.rejected[:3])
    with psycopg.connect(dsn(), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE numbers")
    return {
        "rows": ROWS,
        "vpbx_s": elapsed,
        "vpbx_rows_s": ROWS / elapsed,
        "raw_copy_s": raw,
        "raw_rows_s": ROWS / raw,
        "ratio": elapsed / raw,
    }


def main() -> int:
    path = stock_file()
    recreate_database()
    schema.upgrade(PG_URL)
    results = {"import": bench_import(path)}
    print(json.dumps({"import": results["import"]}, indent=2), flush=True)
    results["search"] = search.run()
    print(json.dumps({"search": results["search"]}, indent=2), flush=True)
    results["race"] = race.run()
    print(json.dumps({"race": results["race"]}, indent=2), flush=True)
    out = DATA.parent / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2))
    print(search.markdown(results), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
