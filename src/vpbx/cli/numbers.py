"""vpbx numbers: import, generate, disable/enable stock."""

from __future__ import annotations

import csv
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from vpbx.cli.context import err, factory, fail, out, reports_errors, settings, unit_of_work
from vpbx.numbers.generate import CSV_COLUMNS, generate_stock
from vpbx.numbers.importer import ImportReport, NumberImporter
from vpbx.numbers.service import NumberService

app = typer.Typer(help="The number stock.", no_args_is_help=True)
# Parsing (libphonenumber, vanity rules) is the import's bottleneck: one process per core.
DEFAULT_WORKERS = os.cpu_count() or 1


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    )


def _count_rows(path: Path) -> int:
    with path.open("rb") as handle:
        return max(sum(1 for _ in handle) - 1, 0)


def print_report(report: ImportReport, *, show: int = 20) -> None:
    verb = "would import" if report.dry_run else "imported"
    out.print(f"read {report.read} rows, {verb} {report.imported}, rejected {len(report.rejected)}")
    if report.rejected:
        table = Table("line", "number", "reason", title="rejected rows")
        for r in report.rejected[:show]:
            table.add_row(str(r.line), escape(r.number), escape(r.reason))
        out.print(table)
        if len(report.rejected) > show:
            out.print(f"… and {len(report.rejected) - show} more (use --rejects FILE for all)")


def write_rejects(report: ImportReport, path: Path) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["line", "number", "reason"])
        writer.writerows([r.line, r.number, r.reason] for r in report.rejected)


@app.command("import")
@reports_errors
def import_numbers(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    dry_run: Annotated[bool, typer.Option(help="Validate only; change nothing.")] = False,
    batch_size: Annotated[int, typer.Option(min=1, max=100_000)] = 10_000,
    rejects: Annotated[Path | None, typer.Option(help="Write every rejected row here.")] = None,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Parsing processes.")] = (
        DEFAULT_WORKERS
    ),
) -> None:
    """Load numbers from a CSV file (columns in the README)."""
    importer = NumberImporter(factory(), batch_size=batch_size, dry_run=dry_run, workers=workers)
    with _progress() as bar, file.open(newline="", encoding="utf-8-sig") as stream:
        task = bar.add_task("importing", total=_count_rows(file))
        report = importer.import_csv(stream, lambda n: bar.advance(task, n))
    print_report(report)
    if rejects is not None:
        write_rejects(report, rejects)


@app.command("generate")
@reports_errors
def generate(
    country: Annotated[str, typer.Option(help="VN or RU.")] = "VN",
    count: Annotated[int, typer.Option(min=1, max=10_000_000)] = 1000,
    area_code: Annotated[list[str] | None, typer.Option(help="Only these area codes.")] = None,
    seed: Annotated[int | None, typer.Option(help="For a repeatable stock.")] = None,
    output: Annotated[
        Path | None, typer.Option(help="Write the CSV here ('-' for stdout) instead of importing.")
    ] = None,
) -> None:
    """Add a realistic synthetic stock (real area codes and lengths, every tier)."""
    try:
        rows = generate_stock(country.upper(), count, area_codes=area_code, seed=seed)
        if output is not None:
            _write_csv(rows, output)
            return
        importer = NumberImporter(factory(), workers=DEFAULT_WORKERS)
        with _progress() as bar:
            task = bar.add_task(f"generating {country.upper()}", total=count)
            report = importer.import_rows(rows, lambda n: bar.advance(task, n))
    except ValueError as exc:
        raise fail(str(exc)) from None
    print_report(report)


def _write_csv(rows: Iterator[dict[str, str]], output: Path) -> None:
    handle = sys.stdout if str(output) == "-" else output.open("w", newline="")
    writer = csv.DictWriter(handle, fieldnames=list(CSV_COLUMNS))
    writer.writeheader()
    writer.writerows(rows)
    if handle is not sys.stdout:
        handle.close()


@app.command("disable")
@reports_errors
def disable(number: str) -> None:
    """Take an unsold number out of sale."""
    _set_status(number, disabled=True)


@app.command("enable")
@reports_errors
def enable(number: str) -> None:
    """Put a disabled number back on sale."""
    _set_status(number, disabled=False)


def _set_status(number: str, *, disabled: bool) -> None:
    with unit_of_work() as session:
        NumberService(session, settings()).set_operator_status(number, disabled=disabled)
    out.print(f"{number}: {'disabled' if disabled else 'available'}")
