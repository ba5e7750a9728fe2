"""The IT status report's figures, against counts made here by hand, and the same figures
read back from its PDF, XLSX and CSV."""

import csv
import io
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from inventory import stocktakes
from inventory.choices import AssetStatus, Ownership
from inventory.models import Asset, Stocktake
from reports.catalogue import build_document
from reports.render import render
from reports.selectors import it_status, municipality_scope, report_scope
from tests.factories import AssetFactory, CategoryFactory

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 11, 27)
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=ZoneInfo("Europe/Stockholm"))


@pytest.fixture
def register(hb_floor2, hb_store, no_public, workstation):
    scanner = CategoryFactory(code="scanner", name_sv="Skanner", name_en="Scanner")

    def make(tag, location=hb_floor2, **fields):
        fields.setdefault("serial_number", f"SN-{tag}")
        fields.setdefault("purchase_date", date(2025, 1, 1))
        fields.setdefault("category", workstation)
        library = fields.pop("library", None) or location.library
        return AssetFactory(tag=tag, library=library, location=location, **fields)

    return {
        # Warranty boundaries: the as-of day and + 90 count, + 91 does not.
        "w0": make("W-0", warranty_end=AS_OF),
        "w90": make("W-90", warranty_end=AS_OF + timedelta(days=90)),
        "w91": make("W-91", warranty_end=AS_OF + timedelta(days=91)),
        # Ended yesterday and in use: listed as ended; in stock, it is not "in use".
        "ended": make("W-END", warranty_end=AS_OF - timedelta(days=1)),
        "ended_stock": make(
            "W-STOCK", warranty_end=AS_OF - timedelta(days=1), status=AssetStatus.IN_STOCK
        ),
        # Replacement: on the as-of day is due (not overdue), the day before is overdue,
        # 12 months on is outside, the day before that inside.
        "r_today": make("R-TODAY", replacement_due=AS_OF),
        "r_over": make("R-OVER", replacement_due=AS_OF - timedelta(days=1)),
        "r_last": make("R-LAST", replacement_due=date(2027, 11, 26)),
        "r_out": make("R-OUT", replacement_due=date(2027, 11, 27)),
        "r_retired": make(
            "R-RET", replacement_due=AS_OF - timedelta(days=5), status=AssetStatus.RETIRED
        ),
        # In repair since 12 days (local dates).
        "repair": make(
            "REP-1",
            location=hb_store,
            status=AssetStatus.IN_REPAIR,
            status_changed_at=NOW - timedelta(days=12),
        ),
        # Data gaps: no serial; no location; owned without date and price; leased
        # without date and price is no gap; a disposed one with gaps is not listed.
        "no_serial": make("G-SER", serial_number=""),
        "no_location": make("G-LOC", location=None, library=hb_floor2.library, category=scanner),
        "no_price": make("G-PRICE", purchase_date=None, purchase_price=None),
        "leased": make(
            "G-LEASE",
            purchase_date=None,
            purchase_price=None,
            ownership=Ownership.LEASED,
            lease_end=date(2027, 1, 1),
        ),
        "disposed": make("G-DISP", serial_number="", status=AssetStatus.DISPOSED),
        "no": make("NO-1", location=no_public, status=AssetStatus.IN_STOCK),
    }


def report(user=None, library=None, limit=None):
    scope = (
        municipality_scope(library_code=library, as_of=AS_OF, now=NOW)
        if user is None
        else report_scope(user, library_code=library, as_of=AS_OF, now=NOW)
    )
    return it_status(scope, limit=limit)


def tags(listing):
    return [row.tag for row in listing.rows]


def test_counts_by_library_location_category_and_status(register):
    data = report()
    statuses = data.statuses
    hb = next(row for row in data.by_library if row.library == "HB")
    expected = {s: Asset.objects.filter(library__code="HB", status=s).count() for s in statuses}
    assert dict(zip(statuses, hb.counts, strict=True)) == expected
    assert hb.total == 16 and data.totals.total == 17
    places = {(row.library, row.label): row.total for row in data.by_location}
    assert places == {
        ("HB", ""): 1,
        ("HB", "Förråd IT"): 1,
        ("HB", "Plan 2 – vid vuxeninformationen"): 14,
        ("NO", "Publika datorer"): 1,
    }
    categories = {row.label: row.total for row in data.by_category}
    assert categories == {"Publik dator": 16, "Skanner": 1}


def test_lists_and_their_boundaries(register):
    data = report()
    assert tags(data.warranty_ending) == ["W-0", "W-90"]
    assert [row.days for row in data.warranty_ending.rows] == [0, 90]
    assert tags(data.warranty_ended_in_use) == ["W-END"]
    assert tags(data.replacement_due) == ["R-TODAY", "R-LAST"]
    assert tags(data.replacement_overdue) == ["R-OVER"]
    assert data.replacement_overdue.rows[0].days == -1
    assert [(row.tag, row.days, row.day) for row in data.in_repair.rows] == [
        ("REP-1", 12, AS_OF - timedelta(days=12))
    ]


def test_data_gaps_of_equipment_in_service(register):
    data = report()
    assert dict(data.gap_counts) == {
        "serial_number": 1,
        "location": 1,
        "purchase_date": 1,
        "purchase_price": 1,
    }
    assert {row.tag: row.missing for row in data.gaps.rows} == {
        "G-SER": ("serial_number",),
        "G-LOC": ("location",),
        "G-PRICE": ("purchase_date", "purchase_price"),
    }


def test_lists_are_cut_at_the_limit_with_their_full_length(register):
    data = report(limit=1)
    assert tags(data.replacement_due) == ["R-TODAY"]
    assert data.replacement_due.total == 2
    assert data.gaps.total == 3 and len(data.gaps.rows) == 1


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo("Europe/Stockholm"))


def test_last_stocktaking_per_library(register, it_user, hb):
    """The last stocktake closed by the end of the as-of day, with its counts and the
    missing tags; one closed after it counts as open at the as-of day."""
    first = stocktakes.stocktake_start(actor=it_user, library=hb)
    on_list = set(first.lines.values_list("asset__tag", flat=True))
    stocktakes.stocktake_mark_seen(
        actor=it_user,
        stocktake=first,
        assets=Asset.objects.filter(tag__in=on_list - {"W-91", "R-OUT"}),
    )
    stocktakes.stocktake_close(actor=it_user, stocktake=first)
    Stocktake.objects.filter(pk=first.pk).update(
        started_at=_local(date(2026, 10, 1), 9), closed_at=_local(date(2026, 10, 1), 11)
    )
    second = stocktakes.stocktake_start(actor=it_user, library=hb)
    stocktakes.stocktake_close(actor=it_user, stocktake=second)
    # Closed the morning after the as-of day: open at the as-of day.
    Stocktake.objects.filter(pk=second.pk).update(
        started_at=_local(AS_OF, 9), closed_at=_local(AS_OF + timedelta(days=1), 0, 0)
    )

    rows = {row.library: row for row in report().stocktaking}
    assert rows["HB"].closed_on == date(2026, 10, 1)
    assert (rows["HB"].expected, rows["HB"].seen, rows["HB"].missing) == (
        len(on_list),
        len(on_list) - 2,
        2,
    )
    assert rows["HB"].missing_tags == ("R-OUT", "W-91")
    assert rows["HB"].open_since == AS_OF
    assert (rows["NO"].closed_on, rows["NO"].open_since, rows["NO"].expected) == (None, None, 0)

    # Closed in the last minute of the as-of day: the last one, nothing open.
    Stocktake.objects.filter(pk=second.pk).update(closed_at=_local(AS_OF, 23, 59))
    rows = {row.library: row for row in report().stocktaking}
    assert (rows["HB"].closed_on, rows["HB"].missing, rows["HB"].open_since) == (
        AS_OF,
        len(on_list),
        None,
    )


def test_a_library_manager_sees_only_own_library(register, chef):
    data = report(chef)
    assert [row.library for row in data.by_library] == ["HB"]
    assert "NO-1" not in {row.tag for row in data.gaps.rows}
    assert data.totals.total == 16


def test_an_empty_library(register, hb):
    from tests.factories import LibraryFactory

    LibraryFactory(code="SO", name="Södra biblioteket")
    data = report(library="SO")
    assert data.totals.total == 0
    assert (data.warranty_ending.total, data.gaps.total, data.by_location) == (0, 0, ())
    scope = municipality_scope(library_code="SO", as_of=AS_OF, now=NOW)
    text = pdf_text(render(build_document("it-status", scope, file_format="pdf"), "pdf"))
    assert "Inga luckor" in text and "Inget är på service." in text


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages).replace("\xa0", " ")


def test_the_figures_in_pdf_xlsx_and_csv(register):
    scope = municipality_scope(as_of=AS_OF, now=NOW)
    text = pdf_text(render(build_document("it-status", scope, file_format="pdf"), "pdf"))
    for expected in (
        "IT-statusrapport",
        "Per datum: 2026-11-27",
        "Garantin går ut inom 90 dagar",
        "W-90",
        "REP-1",
        "Serienummer saknas",
        "Sida 1 av",
    ):
        assert expected in text
    workbook = load_workbook(
        io.BytesIO(render(build_document("it-status", scope, file_format="xlsx"), "xlsx"))
    )
    assert workbook.sheetnames[:3] == ["Om rapporten", "Per bibliotek", "Per plats"]
    by_library = list(workbook["Per bibliotek"].iter_rows(values_only=True))
    assert by_library[0] == (
        "Bibliotek",
        "Beställd",
        "I lager",
        "I drift",
        "På service",
        "Utlånad",
        "Avvecklad",
        "Kasserad",
        "Totalt",
    )
    assert by_library[1][0] == "Stadsbiblioteket" and by_library[1][-1] == 16
    assert by_library[-1][0] == "Totalt" and by_library[-1][-1] == 17
    warranty = list(workbook["Garanti går ut"].iter_rows(values_only=True))
    assert [row[0] for row in warranty[1:]] == ["W-0", "W-90"]
    assert warranty[2][4] == datetime(2027, 2, 25)  # a real date in the sheet
    rows = list(
        csv.reader(
            io.StringIO(
                render(build_document("it-status", scope, file_format="csv"), "csv").decode(
                    "utf-8-sig"
                )
            ),
            delimiter=";",
        )
    )
    assert rows[0] == ["IT-statusrapport"]
    start = rows.index(["Poster med luckor"])
    assert rows[start + 1][:3] == ["Inventarienummer", "Utrustning", "Bibliotek"]
    assert {row[0] for row in rows[start + 2 : start + 5]} == {"G-SER", "G-PRICE", "G-LOC"}


def test_english_when_asked(register):
    from django.utils import translation

    scope = municipality_scope(as_of=AS_OF, now=NOW)
    with translation.override("en"):
        document = build_document("it-status", scope, file_format="pdf")
    text = pdf_text(render(document, "pdf"))
    assert "IT status report" in text and "Page 1 of" in text
    assert "Sida" not in text
