"""Tests for the CSV stock importer (vpbx.numbers.importer.NumberImporter).

Every test runs against the migrated database of the `db_url` fixture, SQLite by default
and PostgreSQL when VPBX_TEST_DATABASE_URL is set (there the importer goes through COPY).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import STOCK, stock_rows
from vpbx.errors import Invalid
from vpbx.models import AuditEvent, Number, NumberPrice
from vpbx.numbers import importer as importer_module
from vpbx.numbers.enums import NumberType, Tier
from vpbx.numbers.generate import CSV_COLUMNS, generate_stock
from vpbx.numbers.importer import (
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    ImportReport,
    NumberImporter,
    Rejection,
)
from vpbx.numbers.stock_rows import ParsedRow

ALL_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
Factory = sessionmaker[Session]


# --- helpers ---------------------------------------------------------------------------------


def to_csv(rows: Iterable[Mapping[str, str]], columns: Sequence[str] = ALL_COLUMNS) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def row(number: str, **fields: str) -> dict[str, str]:
    """A valid VN fixed-line row unless `fields` say otherwise."""
    base = {"number": number, "currency": "VND", "connection_price": "200000"}
    return {**base, "monthly_price": "22000", **fields}


def import_text(factory: Factory, text: str, **options: Any) -> ImportReport:
    return NumberImporter(factory, **options).import_csv(io.StringIO(text))


def numbers(factory: Factory) -> dict[str, Number]:
    with factory() as session:
        return {n.e164: n for n in session.scalars(select(Number))}


def extra_prices(factory: Factory, e164: str) -> dict[str, tuple[Decimal, Decimal]]:
    with factory() as session:
        query = (
            select(NumberPrice)
            .join(Number, Number.id == NumberPrice.number_id)
            .where(Number.e164 == e164)
        )
        return {p.currency: (p.connection_price, p.monthly_price) for p in session.scalars(query)}


def count(factory: Factory, model: type[Any]) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def import_events(factory: Factory) -> list[AuditEvent]:
    with factory() as session:
        query = select(AuditEvent).where(AuditEvent.action == "numbers.import")
        return list(session.scalars(query.order_by(AuditEvent.id)))


def stock_csv() -> str:
    return to_csv(stock_rows(), (*REQUIRED_COLUMNS, "prices"))


# --- a valid file lands ----------------------------------------------------------------------


def test_valid_csv_imports_every_row(factory: Factory) -> None:
    report = import_text(factory, stock_csv())

    assert report == ImportReport(read=len(STOCK), imported=len(STOCK), rejected=[])
    assert set(numbers(factory)) == {n for n, *_ in STOCK}


def test_fixed_line_fields_are_derived(factory: Factory) -> None:
    import_text(factory, stock_csv())

    n = numbers(factory)["+842438256868"]
    assert (n.country, n.country_code, n.nsn, n.nsn_rev) == ("VN", 84, "2438256868", "8686528342")
    assert (n.area_code, n.subscriber, n.region) == ("24", "38256868", "Hanoi City")
    assert n.number_type == NumberType.FIXED
    assert n.carrier == ""
    assert (n.tier, n.vanity_rule) == (Tier.SILVER, "loc_phat_tail")
    assert n.sms_enabled is False
    assert (n.currency, n.connection_price, n.monthly_price) == (
        "VND",
        Decimal(200000),
        Decimal(22000),
    )
    assert n.status == "available"
    assert n.offer_owner_type is None
    assert n.tenant_id is None
    assert n.created_at is not None
    assert n.created_at == n.updated_at


def test_extra_prices_land_in_number_prices(factory: Factory) -> None:
    import_text(factory, stock_csv())

    assert extra_prices(factory, "+842438256868") == {"USD": (Decimal("8.9"), Decimal("0.977"))}
    assert extra_prices(factory, "+74951334527") == {}  # RUB rows carry no extra price
    assert count(factory, NumberPrice) == sum(1 for _, c, *_ in STOCK if c == "VND")


def test_several_extra_prices(factory: Factory) -> None:
    text = to_csv([row("+842438256868", prices="usd:8.9:0.977; EUR:8.1:0.9 ;")])
    report = import_text(factory, text)

    assert report.imported == 1, report.rejected
    assert extra_prices(factory, "+842438256868") == {
        "USD": (Decimal("8.9"), Decimal("0.977")),
        "EUR": (Decimal("8.1"), Decimal("0.9")),
    }


@pytest.mark.parametrize(
    ("e164", "tier", "rule"),
    [
        ("+842438256868", Tier.SILVER, "loc_phat_tail"),
        ("+842438250000", Tier.GOLD, "tu_quy_tail"),
        ("+842477778823", Tier.SILVER, "tu_quy_anywhere"),
        ("+842477712345", Tier.GOLD, "sanh_tien_5"),
        ("+842836251234", Tier.SILVER, "sanh_tien_4"),
        ("+842838777999", Tier.SILVER, "tam_hoa_tail"),
        ("+842363555555", Tier.EXCLUSIVE, "luc_quy"),
        ("+84912345678", Tier.PLATINUM, "sanh_tien_6"),
        ("+84987776868", Tier.SILVER, "loc_phat_tail"),
        ("+74951334527", Tier.SIMPLE, None),
        ("+74956666666", Tier.EXCLUSIVE, "luc_quy"),
        ("+79309993750", Tier.BRONZE, "tam_hoa_anywhere"),
        ("+78001234567", Tier.EXCLUSIVE, "sanh_tien_7"),
    ],
)
def test_tier_and_rule_come_from_the_classifier(
    factory: Factory, e164: str, tier: Tier, rule: str | None
) -> None:
    import_text(factory, stock_csv())

    n = numbers(factory)[e164]
    assert (n.tier, n.vanity_rule) == (tier, rule)


def test_mobile_fields(factory: Factory) -> None:
    import_text(factory, stock_csv())

    n = numbers(factory)["+84912345678"]
    assert n.number_type == NumberType.MOBILE
    assert (n.area_code, n.subscriber) == ("912", "345678")
    assert n.carrier == "Vinaphone"
    assert n.sms_enabled is True  # the default for a mobile
    assert n.offer_owner_type is None
    assert numbers(factory)["+84987776868"].carrier == "Viettel"


def test_russian_numbers(factory: Factory) -> None:
    import_text(factory, stock_csv())

    moscow = numbers(factory)["+74951334527"]
    assert (moscow.country, moscow.country_code, moscow.area_code) == ("RU", 7, "495")
    assert (moscow.subscriber, moscow.region, moscow.currency) == ("1334527", "Moscow", "RUB")
    assert numbers(factory)["+79309993750"].number_type == NumberType.MOBILE


def test_toll_free_is_offered_to_businesses_only(factory: Factory) -> None:
    import_text(factory, stock_csv())

    n = numbers(factory)["+78001234567"]
    assert n.number_type == NumberType.TOLL_FREE
    assert n.offer_owner_type == "business"
    assert n.sms_enabled is False


def test_explicit_tier_overrides_the_classifier(factory: Factory) -> None:
    text = to_csv(
        [
            row("+842438256868", tier="gold"),  # the classifier says silver
            row("+842363555555", tier=" Simple "),  # the classifier says exclusive
            row("+842438250011", tier="EXCLUSIVE"),  # the classifier says simple
        ]
    )
    report = import_text(factory, text)

    assert report.imported == 3, report.rejected
    stored = numbers(factory)
    assert (stored["+842438256868"].tier, stored["+842438256868"].vanity_rule) == (Tier.GOLD, None)
    assert stored["+842363555555"].tier == Tier.SIMPLE
    assert stored["+842438250011"].tier == Tier.EXCLUSIVE


def test_explicit_columns_are_honoured(factory: Factory) -> None:
    text = to_csv(
        [
            row(
                "+842438256868", carrier="VNPT", sms="YES", status="disabled", owner_type="personal"
            ),
            row("+84912345678", sms="no", country="vn", number_type="Mobile"),
            row("+78001234567", currency="rub", owner_type="personal"),
            row("+842438250011", number_type="premium"),
        ]
    )
    report = import_text(factory, text)

    assert report.imported == 4, report.rejected
    stored = numbers(factory)
    fixed = stored["+842438256868"]
    assert (fixed.carrier, fixed.sms_enabled, fixed.status) == ("VNPT", True, "disabled")
    assert fixed.offer_owner_type == "personal"
    mobile = stored["+84912345678"]
    assert (mobile.sms_enabled, mobile.carrier, mobile.number_type) == (
        False,
        "Vinaphone",
        "mobile",
    )
    assert stored["+78001234567"].currency == "RUB"
    assert stored["+78001234567"].offer_owner_type == "personal"  # explicit beats the default
    premium = stored["+842438250011"]
    assert (premium.number_type, premium.offer_owner_type) == ("premium", "business")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        *[(v, True) for v in ("true", "1", "Y", "yes")],
        *[(v, False) for v in ("false", "0", "N", "No")],
    ],
)
def test_sms_values(factory: Factory, value: str, expected: bool) -> None:
    report = import_text(factory, to_csv([row("+842438256868", sms=value)]))

    assert report.imported == 1, report.rejected
    assert numbers(factory)["+842438256868"].sms_enabled is expected


@pytest.mark.parametrize(
    ("number", "country"),
    [
        ("+842438256868", ""),
        ("842438256868", ""),  # E.164 without the plus, as providers send it
        ("+84 24 3825 6868", ""),
        ("024 3825 6868", "VN"),  # national format with the country column
        ("2438256868", "vn"),
        (" +842438256868 ", "VN"),
    ],
)
def test_number_spellings_are_normalised_to_e164(
    factory: Factory, number: str, country: str
) -> None:
    report = import_text(factory, to_csv([row(number, country=country)]))

    assert report.imported == 1, report.rejected
    assert list(numbers(factory)) == ["+842438256868"]


def test_header_order_and_extra_columns_do_not_matter(factory: Factory) -> None:
    text = (
        "monthly_price,comment,number,connection_price,currency\n"
        "22000,our best,+842438256868,200000,VND\n"
    )
    report = import_text(factory, text)

    assert report.imported == 1, report.rejected
    assert numbers(factory)["+842438256868"].monthly_price == 22000


def test_generator_csv_columns_are_accepted(factory: Factory) -> None:
    rows = list(generate_stock("VN", 50, seed=11))
    report = import_text(factory, to_csv(rows, CSV_COLUMNS))

    assert (report.read, report.imported, report.rejected) == (50, 50, [])


# --- bad rows --------------------------------------------------------------------------------

BAD_ROWS: list[tuple[str, dict[str, str], str]] = [
    ("unparsable", {"number": "not-a-number"}, "not a phone number"),
    ("empty number", {"number": ""}, "not a phone number"),
    ("letter in E.164", {"number": "+84243825686A"}, "is not a valid number"),
    ("too short", {"number": "+84123"}, "is not a valid number of a supported type"),
    ("unassigned range", {"number": "+842012345678"}, "is not a valid number"),
    ("no such country code", {"number": "+99912345678"}, "not a phone number"),
    ("country mismatch", {"number": "+74951334527", "country": "VN"}, "of RU, not VN"),
    ("unknown country column", {"number": "2438256868", "country": "XX"}, "not a phone number"),
    ("bad number_type", {"number_type": "satellite"}, "number_type 'satellite' is not one of"),
    ("bad currency", {"currency": "VNDX"}, "currency 'VNDX' is not an ISO 4217 code"),
    ("digit currency", {"currency": "V1D"}, "is not an ISO 4217 code"),
    ("empty currency", {"currency": ""}, "is not an ISO 4217 code"),
    ("negative price", {"connection_price": "-1"}, "connection_price '-1' must be a non-negative"),
    ("non-decimal price", {"monthly_price": "abc"}, "monthly_price 'abc' is not a decimal amount"),
    ("empty price", {"monthly_price": ""}, "is not a decimal amount"),
    ("comma decimal", {"monthly_price": "22,5"}, "is not a decimal amount"),
    ("NaN price", {"connection_price": "NaN"}, "connection_price 'NaN' must be a non-negative"),
    ("sNaN price", {"connection_price": "sNaN"}, "must be a non-negative"),
    ("Infinity price", {"monthly_price": "Infinity"}, "monthly_price 'Infinity' must be"),
    ("-inf price", {"monthly_price": "-inf"}, "must be a non-negative"),
    ("huge price", {"connection_price": "1e14"}, "below 10^14"),
    ("short extra price", {"prices": "USD:1"}, "'USD:1' is not CURRENCY:connection:monthly"),
    ("long extra price", {"prices": "USD:1:2:3"}, "is not CURRENCY:connection:monthly"),
    ("extra price currency", {"prices": "US:1:1"}, "currency 'US' is not an ISO 4217 code"),
    ("extra price amount", {"prices": "USD:x:1"}, "connection 'x' is not a decimal amount"),
    ("extra price negative", {"prices": "USD:1:-1"}, "monthly '-1' must be a non-negative"),
    ("extra price NaN", {"prices": "USD:NaN:1"}, "must be a non-negative"),
    ("extra price = list currency", {"prices": "VND:1:1"}, "currency VND is priced twice"),
    ("extra price twice", {"prices": "USD:1:1;usd:2:2"}, "currency USD is priced twice"),
    ("bad sms", {"sms": "maybe"}, "sms 'maybe' is not true or false"),
    ("bad status", {"status": "sold"}, "status 'sold' is not one of available, disabled"),
    ("lifecycle status", {"status": "active"}, "status 'active' is not one of"),
    ("bad tier", {"tier": "diamond"}, "tier 'diamond' is not a tier name"),
    ("numeric tier", {"tier": "3"}, "tier '3' is not a tier name"),
    ("bad owner_type", {"owner_type": "alien"}, "owner_type 'alien' is not one of"),
]


@pytest.mark.parametrize(
    ("overrides", "reason"), [(o, r) for _, o, r in BAD_ROWS], ids=[i for i, _, _ in BAD_ROWS]
)
def test_bad_row_is_rejected_with_its_line_and_reason(
    factory: Factory, overrides: dict[str, str], reason: str
) -> None:
    bad = {**row("+842438256868"), **overrides}
    text = to_csv([row("+842438250001"), bad, row("+842438250002")])
    report = import_text(factory, text)

    assert (report.read, report.imported) == (3, 2)
    assert len(report.rejected) == 1
    rejection = report.rejected[0]
    assert rejection.line == 3  # the header is line 1
    assert rejection.number == bad["number"]
    assert reason in rejection.reason
    assert set(numbers(factory)) == {"+842438250001", "+842438250002"}


def test_many_bad_rows_do_not_stop_the_good_ones(factory: Factory) -> None:
    rows: list[dict[str, str]] = []
    expected: list[tuple[int, str]] = []
    for i, (_, overrides, reason) in enumerate(BAD_ROWS):
        rows.append(row(f"+8424382{i:05d}"))
        rows.append({**row("+842438256868"), **overrides})
        expected.append((2 * i + 3, reason))  # header line 1, good row, then the bad one
    report = import_text(factory, to_csv(rows), batch_size=7)

    assert report.read == 2 * len(BAD_ROWS)
    assert report.imported == len(BAD_ROWS)
    assert [r.line for r in report.rejected] == [line for line, _ in expected]
    for rejection, (_, reason) in zip(report.rejected, expected, strict=True):
        assert reason in rejection.reason
    assert len(numbers(factory)) == len(BAD_ROWS)


def test_duplicate_in_the_file(factory: Factory) -> None:
    text = to_csv(
        [
            row("+842438256868"),
            row("+842438250001"),
            row("842438256868"),  # the same number spelled differently
            row("+842438256868", connection_price="1"),
        ]
    )
    report = import_text(factory, text)

    assert report.imported == 2
    assert report.rejected == [
        Rejection(4, "+842438256868", "duplicate in the file"),
        Rejection(5, "+842438256868", "duplicate in the file"),
    ]
    assert numbers(factory)["+842438256868"].connection_price == 200000  # the first one won


def test_a_rejected_row_does_not_count_as_seen(factory: Factory) -> None:
    text = to_csv([row("+842438256868", currency="??"), row("+842438256868")])
    report = import_text(factory, text)

    assert report.imported == 1
    assert [r.line for r in report.rejected] == [2]


def test_already_in_stock(factory: Factory) -> None:
    first = import_text(factory, stock_csv())
    assert first.imported == len(STOCK)

    text = to_csv([row("+842438250001"), row("+842438256868", connection_price="1")])
    report = import_text(factory, text)

    assert report.imported == 1
    assert report.rejected == [Rejection(3, "+842438256868", "already in stock")]
    assert numbers(factory)["+842438256868"].connection_price == 200000  # untouched


def test_reimporting_a_file_rejects_every_row_and_changes_nothing(factory: Factory) -> None:
    import_text(factory, stock_csv())
    before = {e: (n.id, n.updated_at) for e, n in numbers(factory).items()}

    report = import_text(factory, stock_csv())

    assert report.imported == 0
    assert [r.reason for r in report.rejected] == ["already in stock"] * len(STOCK)
    assert [r.line for r in report.rejected] == list(range(2, len(STOCK) + 2))
    assert {e: (n.id, n.updated_at) for e, n in numbers(factory).items()} == before
    assert count(factory, NumberPrice) == sum(1 for _, c, *_ in STOCK if c == "VND")


@pytest.mark.parametrize("column", REQUIRED_COLUMNS)
def test_missing_required_column_rejects_the_whole_file(factory: Factory, column: str) -> None:
    columns = [c for c in ALL_COLUMNS if c != column]
    rows = [{c: v for c, v in r.items() if c != column} for r in stock_rows()]
    text = to_csv(rows, columns)

    with pytest.raises(Invalid, match=f"lacks the column\\(s\\) {column}"):
        import_text(factory, text)
    assert count(factory, Number) == 0
    assert import_events(factory) == []


@pytest.mark.parametrize("text", ["", "\n", "phone;price\n+842438256868;1\n"])
def test_empty_or_foreign_file_is_invalid(factory: Factory, text: str) -> None:
    with pytest.raises(Invalid, match="lacks the column"):
        import_text(factory, text)
    assert count(factory, Number) == 0


def test_header_only_imports_nothing(factory: Factory) -> None:
    report = import_text(factory, to_csv([]))

    assert report == ImportReport()
    assert import_events(factory) == []


# --- dry run ---------------------------------------------------------------------------------


def test_dry_run_writes_nothing_but_reports(factory: Factory) -> None:
    text = to_csv([*stock_rows(), row("garbage"), row("+842438256868")])
    report = import_text(factory, text, dry_run=True, batch_size=5)

    assert report.dry_run is True
    assert (report.read, report.imported) == (len(STOCK) + 2, len(STOCK))
    assert [r.line for r in report.rejected] == [len(STOCK) + 2, len(STOCK) + 3]
    assert "not a phone number" in report.rejected[0].reason
    assert report.rejected[1].reason == "duplicate in the file"
    assert count(factory, Number) == 0
    assert count(factory, NumberPrice) == 0
    assert count(factory, AuditEvent) == 0


def test_dry_run_sees_the_stock(factory: Factory) -> None:
    import_text(factory, stock_csv())
    text = to_csv([row("+842438250001"), row("+842438256868")])

    report = import_text(factory, text, dry_run=True)

    assert report.imported == 1
    assert report.rejected == [Rejection(3, "+842438256868", "already in stock")]
    assert "+842438250001" not in numbers(factory)
    assert len(import_events(factory)) == 1  # only the real import of the stock


# --- batches ---------------------------------------------------------------------------------


def _vn_rows(n: int) -> list[dict[str, str]]:
    return [row(f"+84243825{i:04d}", prices="USD:1:1") for i in range(n)]


def test_batch_size_is_respected(factory: Factory) -> None:
    seen: list[int] = []
    importer = NumberImporter(factory, batch_size=10)
    report = importer.import_csv(io.StringIO(to_csv(_vn_rows(25))), seen.append)

    assert report.imported == 25
    assert seen == [10, 10, 5]  # progress is reported once per batch
    events = import_events(factory)
    assert [e.after for e in events] == [{"count": 10}, {"count": 10}, {"count": 5}]
    assert [e.object_id for e in events] == [
        "+842438250000..+842438250009",
        "+842438250010..+842438250019",
        "+842438250020..+842438250024",
    ]
    assert {(e.actor, e.object_type, e.partner_id, e.tenant_id) for e in events} == {
        ("cli", "number", None, None)
    }


def test_actor_is_recorded(factory: Factory) -> None:
    NumberImporter(factory, actor="ops:jane").import_rows(_vn_rows(3))

    assert [e.actor for e in import_events(factory)] == ["ops:jane"]


def test_rejected_rows_do_not_fill_a_batch(factory: Factory) -> None:
    rows = _vn_rows(6)
    rows[1]["number"] = rows[4]["number"] = "nope"
    report = NumberImporter(factory, batch_size=2).import_rows(rows)

    assert report.imported == 4
    assert [e.after for e in import_events(factory)] == [{"count": 2}, {"count": 2}]


def test_a_batch_failing_in_the_database_leaves_none_of_its_rows(
    factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_insert = importer_module._insert
    batches: list[list[str]] = []

    def insert_then_fail(session: Session, fresh: list[ParsedRow]) -> None:
        real_insert(session, fresh)
        batches.append([parsed.e164 for parsed in fresh])
        if len(batches) == 2:
            # The rows really are in the transaction when it fails.
            in_transaction = session.scalar(select(func.count()).select_from(Number))
            assert in_transaction == 20
            raise RuntimeError("disk full")

    monkeypatch.setattr(importer_module, "_insert", insert_then_fail)
    rows = _vn_rows(25)
    with pytest.raises(RuntimeError, match="disk full"):
        NumberImporter(factory, batch_size=10).import_rows(rows)

    stored = numbers(factory)
    assert set(stored) == set(batches[0])  # the first batch stayed
    assert not set(batches[1]) & set(stored)  # none of the failed batch
    assert count(factory, NumberPrice) == 10
    assert [e.after for e in import_events(factory)] == [{"count": 10}]

    # Running the file again finishes the job.
    monkeypatch.setattr(importer_module, "_insert", real_insert)
    report = NumberImporter(factory, batch_size=10).import_rows(rows)
    assert report.imported == 15
    assert [r.reason for r in report.rejected] == ["already in stock"] * 10
    assert count(factory, Number) == 25
    assert count(factory, NumberPrice) == 25


def test_ids_continue_after_earlier_imports(factory: Factory) -> None:
    NumberImporter(factory, batch_size=4).import_rows(_vn_rows(10))
    NumberImporter(factory, batch_size=4).import_rows(
        [row(f"+84283625{i:04d}", prices="USD:2:2") for i in range(10)]
    )

    stored = numbers(factory)
    assert len({n.id for n in stored.values()}) == 20
    assert extra_prices(factory, "+842836250009") == {"USD": (Decimal(2), Decimal(2))}
    assert extra_prices(factory, "+842438250009") == {"USD": (Decimal(1), Decimal(1))}


# --- the generator's output ------------------------------------------------------------------


def test_generated_stock_imports_without_rejections(factory: Factory) -> None:
    vn = list(generate_stock("VN", 2000, seed=1))
    ru = list(generate_stock("RU", 1000, seed=2))

    for rows in (vn, ru):
        report = NumberImporter(factory).import_rows(rows)
        assert report.rejected == []
        assert report.imported == report.read == len(rows)

    stored = numbers(factory)
    assert set(stored) == {r["number"] for r in vn + ru}
    assert {n.tier for n in stored.values()} == set(Tier)
    assert {n.number_type for n in stored.values()} == set(NumberType)
    assert {n.country for n in stored.values()} == {"VN", "RU"}
    by_number = {r["number"]: r for r in vn + ru}
    for e164, n in stored.items():
        source = by_number[e164]
        assert (n.number_type, n.carrier, n.currency) == (
            source["number_type"],
            source["carrier"],
            source["currency"],
        )
        assert n.sms_enabled is (source["sms"] == "true")
        assert n.connection_price == Decimal(source["connection_price"])
    assert count(factory, NumberPrice) == len(vn)  # VN rows carry a USD price


# --- bugs found in src/ ----------------------------------------------------------------------


def test_superscript_digit_is_a_rejected_row_not_a_crash(factory: Factory) -> None:
    text = to_csv([row("+842438250001"), row("+84243825686²"), row("+842438250002")])
    report = import_text(factory, text)

    assert report.imported == 2
    assert [r.line for r in report.rejected] == [3]


@pytest.mark.parametrize(
    "text",
    [
        "number,currency,connection_price,monthly_price\n"
        "+842438256868,VND,1,1\n"
        "\n"
        "garbage,VND,1,1\n",
        "number,currency,connection_price,monthly_price,carrier\n"
        '+842438256868,VND,1,1,"VNPT\nHanoi"\n'
        "garbage,VND,1,1,\n",
    ],
    ids=["blank line", "multi-line field"],
)
def test_line_numbers_are_file_lines(factory: Factory, text: str) -> None:
    report = import_text(factory, text)

    assert report.imported == 1
    assert [r.line for r in report.rejected] == [4]  # "garbage" is on line 4 of the file


@pytest.mark.parametrize("field", ["connection_price", "prices"])
def test_price_that_rounds_to_the_bound_is_rejected(factory: Factory, field: str) -> None:
    amount = "99999999999999.99999"
    bad = (
        row("+842438256868", prices=f"USD:{amount}:1")
        if field == "prices"
        else row("+842438256868", connection_price=amount)
    )
    report = import_text(factory, to_csv([row("+842438250001"), bad]))

    assert report.imported == 1
    assert [r.line for r in report.rejected] == [3]
    assert "+842438256868" not in numbers(factory)


def test_carrier_text_backslash_n_is_kept(factory: Factory) -> None:
    report = import_text(
        factory, to_csv([row("+842438250001"), row("+842438256868", carrier="\\N")])
    )

    assert report.imported == 2
    assert numbers(factory)["+842438256868"].carrier == "\\N"


def test_parsing_in_worker_processes_gives_the_same_result(factory: Factory) -> None:
    rows = [dict(r) for r in generate_stock("VN", 2_500, seed=4)]
    rows[7]["number"] = "not a number"
    rows[2_100]["number"] = rows[3]["number"]  # a duplicate in a later worker chunk
    report = NumberImporter(factory, batch_size=1_000, workers=2).import_rows(rows)

    assert report.imported == 2_498
    assert [(r.line, r.reason.split(":")[0]) for r in report.rejected] == [
        (9, "not a phone number"),
        (2_102, "duplicate in the file"),
    ]
    assert count(factory, Number) == 2_498
