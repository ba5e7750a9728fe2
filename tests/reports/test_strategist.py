"""The strategist report's figures, computed here by hand from rows made for the test.

Cases are written directly with their timelines (who moved them when is what the report
reads), so every duration is known exactly. Times are in Stockholm time, as the report
counts days and fiscal years by local dates.
"""

import io
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from inventory.choices import AssetStatus, Usage
from procurement.choices import Funding, Procedure, Stage
from procurement.models import (
    CaseLine,
    DeliveredAsset,
    ProcurementCase,
    Quote,
    StageChange,
    Supplier,
)
from reports.catalogue import build_document
from reports.models import Budget
from reports.render import render
from reports.selectors import municipality_scope, report_scope, strategist_report
from reports.selectors.strategist import percentile
from tests.factories import (
    AssetFactory,
    CategoryFactory,
    FeatureFactory,
    LibraryFactory,
    ManufacturerFactory,
    ProductModelFactory,
)

pytestmark = pytest.mark.django_db

STOCKHOLM = ZoneInfo("Europe/Stockholm")
AS_OF = date(2026, 11, 27)
PERIOD_START = date(2025, 11, 27)
NOW = datetime(2026, 11, 27, 15, 0, tzinfo=STOCKHOLM)


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=STOCKHOLM)


_numbers: dict[tuple[str, int], int] = {}


def make_case(library, requester, timeline, *, value="50000", category=None, **fields):
    """A case whose timeline is `timeline`: [(stage, moment), ...], first the need."""
    year = fields.pop("year", timeline[0][1].year)
    key = (library.code, year)
    _numbers[key] = number = _numbers.get(key, 0) + 1
    stage = timeline[-1][0]
    case = ProcurementCase.objects.create(
        reference=f"{library.code} {year}/{number:04d}",
        library=library,
        year=year,
        number=number,
        title=fields.pop("title", f"Ärende {library.code} {number}"),
        need="Behov",
        category=category or CategoryFactory(),
        estimated_value=Decimal(value),
        requested_by=requester,
        stage=stage,
        stage_changed_at=timeline[-1][1],
        procedure=fields.pop("procedure", Procedure.DIRECT_AWARD),
        **fields,
    )
    ProcurementCase.objects.filter(pk=case.pk).update(created_at=timeline[0][1])
    previous = ""
    for to_stage, moment in timeline:
        StageChange.objects.create(case=case, at=moment, from_stage=previous, to_stage=to_stage)
        previous = to_stage
    case.refresh_from_db()
    return case


@pytest.fixture(autouse=True)
def _fresh_numbers():
    _numbers.clear()


def report(user=None, *, library=None, as_of=AS_OF, period_start=PERIOD_START):
    if user is None:
        scope = municipality_scope(
            library_code=library, as_of=as_of, period_start=period_start, now=NOW
        )
    else:
        scope = report_scope(
            user, library_code=library, as_of=as_of, period_start=period_start, now=NOW
        )
    return strategist_report(scope)


def stage_row(data, stage):
    return next(row for row in data.stages if row.stage == stage)


# --- percentiles -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "fraction", "expected"),
    [
        ([], 0.5, None),
        ([7.0], 0.9, 7.0),
        ([2.0, 4.0, 9.0], 0.5, 4.0),
        ([2.0, 4.0, 9.0], 0.9, 8.0),  # position 1.8: 4 + 0.8 × 5
        ([9.0, 2.0, 5.0, 4.0], 0.5, 4.5),
        ([2.0, 4.0, 5.0, 9.0], 0.9, 7.8),  # position 2.7: 5 + 0.7 × 4
    ],
)
def test_percentile_interpolates_between_the_closest_ranks(values, fraction, expected):
    result = percentile(values, fraction)
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx(expected)


# --- days per stage and lead time ----------------------------------------------------


@pytest.fixture
def timelines(hb, chef):
    d = date(2026, 3, 2)
    return {
        # Need 2 days, analysis 10 days, now waiting for approval.
        "a": make_case(
            hb,
            chef,
            [
                (Stage.NEED, at(d)),
                (Stage.ANALYSIS, at(d + timedelta(2))),
                (Stage.APPROVAL, at(d + timedelta(12))),
            ],
        ),
        # Need 4 days, analysis 1 day.
        "b": make_case(
            hb,
            chef,
            [
                (Stage.NEED, at(d)),
                (Stage.ANALYSIS, at(d + timedelta(4))),
                (Stage.APPROVAL, at(d + timedelta(5))),
            ],
        ),
        # Need 9 days, still in analysis: the analysis does not count yet.
        "c": make_case(hb, chef, [(Stage.NEED, at(d)), (Stage.ANALYSIS, at(d + timedelta(9)))]),
        # Need 3 days, paused 20 days, need again 2 days: 5 days of need, not 25.
        "d": make_case(
            hb,
            chef,
            [
                (Stage.NEED, at(d)),
                (Stage.ON_HOLD, at(d + timedelta(3))),
                (Stage.NEED, at(d + timedelta(23))),
                (Stage.ANALYSIS, at(d + timedelta(25))),
            ],
        ),
        # Left its need before the period started: not counted.
        "old": make_case(
            hb,
            chef,
            [
                (Stage.NEED, at(date(2025, 10, 1))),
                (Stage.ANALYSIS, at(date(2025, 11, 26), 23, 59)),
            ],
        ),
    }


def test_days_per_stage_are_medians_of_the_stays_that_ended_in_the_period(timelines):
    data = report()
    need = stage_row(data, Stage.NEED).durations
    assert need.count == 4  # a, b, c, d; not "old"
    assert need.median == pytest.approx(4.5)  # 2, 4, 5, 9
    assert need.p90 == pytest.approx(7.8)
    analysis = stage_row(data, Stage.ANALYSIS).durations
    assert analysis.count == 2  # a and b left it; c and d are still in it
    assert analysis.median == pytest.approx(5.5)
    assert analysis.p90 == pytest.approx(9.1)
    # The pause is a stay of its own and counts toward no stage of the main line.
    assert stage_row(data, Stage.ON_HOLD).durations.count == 1
    assert stage_row(data, Stage.APPROVAL).durations.count == 0


def test_a_stay_ending_on_the_first_day_of_the_period_counts(hb, chef):
    make_case(
        hb,
        chef,
        [(Stage.NEED, at(date(2025, 11, 20))), (Stage.ANALYSIS, at(PERIOD_START, 0, 0))],
    )
    make_case(
        hb,
        chef,
        [
            (Stage.NEED, at(date(2025, 11, 20))),
            (Stage.ANALYSIS, at(PERIOD_START, 0, 0) - timedelta(minutes=1)),
        ],
    )
    assert stage_row(report(), Stage.NEED).durations.count == 1


def test_moves_after_the_as_of_day_are_not_seen(hb, chef):
    make_case(
        hb,
        chef,
        [(Stage.NEED, at(date(2026, 11, 20))), (Stage.ANALYSIS, at(AS_OF + timedelta(1), 0, 1))],
    )
    assert stage_row(report(), Stage.NEED).durations.count == 0


def test_lead_time_from_need_to_installed_counts_pauses(hb, chef):
    d = date(2026, 3, 1)
    make_case(
        hb,
        chef,
        [
            (Stage.NEED, at(d)),
            (Stage.ANALYSIS, at(d + timedelta(5))),
            (Stage.ORDERED, at(d + timedelta(60))),
            (Stage.INSTALLED, at(d + timedelta(90))),
            (Stage.CLOSED, at(d + timedelta(95))),
        ],
    )
    e = date(2026, 8, 1)
    make_case(
        hb,
        chef,
        [
            (Stage.NEED, at(e)),
            (Stage.ON_HOLD, at(e + timedelta(1))),
            (Stage.NEED, at(e + timedelta(11))),
            (Stage.INSTALLED, at(e + timedelta(39))),
        ],
    )
    # Installed before the period: not part of it.
    make_case(
        hb,
        chef,
        [(Stage.NEED, at(date(2025, 6, 1))), (Stage.INSTALLED, at(date(2025, 9, 1)))],
    )
    lead = report().lead_time
    assert lead.count == 2
    assert lead.median == pytest.approx(64.5)  # 90 and 39
    assert lead.p90 == pytest.approx(39 + 0.9 * 51)


# --- open cases, pipeline, stalled -----------------------------------------------------


def test_open_cases_pipeline_and_stalled(hb, no, chef):
    make_case(
        hb,
        chef,
        [(Stage.NEED, at(AS_OF - timedelta(40))), (Stage.APPROVAL, at(AS_OF - timedelta(30)))],
        value="100000.50",
    )  # 30 days in its stage: stalled
    make_case(
        hb,
        chef,
        [(Stage.NEED, at(AS_OF - timedelta(29), 0, 5))],
        value="200000.25",
    )  # 29 days: not yet
    make_case(
        no,
        chef,
        [(Stage.NEED, at(AS_OF - timedelta(100))), (Stage.CLOSED, at(AS_OF - timedelta(50)))],
        value="999",
    )  # closed: neither open nor stalled
    data = report()
    assert data.open_total == 2
    assert [row.reference for row in data.stalled] == ["HB 2026/0001"]
    assert data.stalled[0].days_in_stage == 30
    assert stage_row(data, Stage.APPROVAL).open_count == 1
    assert stage_row(data, Stage.NEED).pipeline_value == Decimal("200000.25")
    assert data.pipeline_value == Decimal("300000.75")
    assert [row.stage for row in data.open_cases] == [Stage.NEED, Stage.APPROVAL]


# --- money -------------------------------------------------------------------------------


@pytest.fixture
def money(hb, no, chef, it_user, ruleset):
    workstation = CategoryFactory(code="workstation", name_sv="Publik dator")
    scanner = CategoryFactory(code="scanner", name_sv="Skanner", name_en="Scanner")
    supplier = Supplier.objects.create(name="Leverantören AB")
    Budget.objects.create(library=hb, year=2026, amount=Decimal("100000"))
    Budget.objects.create(library=hb, year=2026, category=workstation, amount=Decimal("40000"))
    Budget.objects.create(library=hb, year=2025, amount=Decimal("50000"))

    def ordered(library, category, moment, *, value, chosen=None, stage=Stage.ORDERED, **kw):
        case = make_case(
            library,
            chef,
            [(Stage.NEED, moment - timedelta(days=30)), (Stage.ORDERED, moment)]
            + ([(stage, moment + timedelta(days=1))] if stage != Stage.ORDERED else []),
            value=value,
            category=category,
            **kw,
        )
        if chosen is not None:
            Quote.objects.create(
                case=case,
                supplier=supplier,
                amount=Decimal(chosen),
                received_on=moment.date(),
                chosen=True,
            )
            Quote.objects.create(
                case=case, supplier=supplier, amount=Decimal("1"), received_on=moment.date()
            )
        return case

    # Ordered 2026-01-01 00:30 in Stockholm (2025-12-31 in UTC): fiscal year 2026.
    x = ordered(hb, workstation, at(date(2026, 1, 1), 0, 30), value="15000", chosen="12345.50")
    # Ordered 2025-12-31 23:30: fiscal year 2025; no chosen quote, so its estimate.
    y = ordered(hb, workstation, at(date(2025, 12, 31), 23, 30), value="20000")
    # Cancelled after the order: commits nothing.
    ordered(hb, scanner, at(date(2026, 6, 1)), value="5000", stage=Stage.CANCELLED)
    # Another library's.
    ordered(no, workstation, at(date(2026, 2, 1)), value="7000")
    line_x = CaseLine.objects.create(
        case=x, category=workstation, description="Dator", quantity=2, estimated_unit_price=1
    )
    line_y = CaseLine.objects.create(
        case=y, category=workstation, description="Dator", quantity=1, estimated_unit_price=1
    )
    for tag, case, line, day, price in (
        ("D-1", x, line_x, date(2026, 2, 1), "6000.25"),
        ("D-2", x, line_x, date(2026, 2, 1), "6000.25"),
        ("D-3", y, line_y, date(2025, 12, 31), "19999.99"),
    ):
        asset = AssetFactory(
            tag=tag,
            library=hb,
            category=workstation,
            purchase_date=day,
            purchase_price=Decimal(price),
        )
        DeliveredAsset.objects.create(case=case, line=line, asset=asset)
    return {"workstation": workstation, "scanner": scanner}


def spend_row(data, year, library, category=""):
    return next(
        row
        for row in data.spend
        if row.year == year and row.library == library and row.category == category
    )


def test_committed_and_delivered_spend_against_budget(money):
    data = report()
    assert data.years == (2025, 2026)
    hb_2026 = spend_row(data, 2026, "HB")
    assert hb_2026.budget == Decimal("100000")
    assert hb_2026.committed == Decimal("12345.50")  # the chosen quote, not the estimate
    assert hb_2026.delivered == Decimal("12000.50")
    assert hb_2026.left == Decimal("87654.50")
    assert hb_2026.used == Decimal("12345.50") / Decimal("100000")
    workstations = spend_row(data, 2026, "HB", "Publik dator")
    assert (workstations.budget, workstations.committed) == (Decimal("40000"), Decimal("12345.50"))
    hb_2025 = spend_row(data, 2025, "HB")
    assert (hb_2025.budget, hb_2025.committed, hb_2025.delivered) == (
        Decimal("50000"),
        Decimal("20000"),
        Decimal("19999.99"),
    )
    # The cancelled scanner commits nothing, and NO has no budget.
    assert not any(row.category == "Skanner" and row.committed for row in data.spend)
    no_2026 = spend_row(data, 2026, "NO")
    assert (no_2026.budget, no_2026.committed, no_2026.left) == (None, Decimal("7000"), None)


def test_a_library_managers_spend_is_their_own_library(money, chef):
    data = report(chef)
    assert {row.library for row in data.spend} == {"HB"}


def test_spend_in_the_pdf_xlsx_and_csv(money):
    scope = municipality_scope(as_of=AS_OF, period_start=PERIOD_START, now=NOW)
    pdf = render(build_document("strategist", scope, file_format="pdf"), "pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    flat = text.replace("\xa0", " ")
    # Whole kronor on paper, rounded half up: 12 345,50 -> 12 346.
    assert "12 346 kr" in flat and "87 655 kr" in flat
    xlsx = render(build_document("strategist", scope, file_format="xlsx"), "xlsx")
    sheet = load_workbook(io.BytesIO(xlsx))["Utfall"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:6] == ("År", "Bibliotek", "Kategori", "Budget", "Beställt", "Levererat")
    hb_2026 = next(
        r
        for r in rows
        if r[0] == "2026" and r[1] == "Stadsbiblioteket" and r[2] == "Alla kategorier"
    )
    assert hb_2026[3:7] == (100000, Decimal("12345.50"), Decimal("12000.50"), Decimal("87654.50"))
    csv_text = render(build_document("strategist", scope, file_format="csv"), "csv").decode(
        "utf-8-sig"
    )
    assert "2026;Stadsbiblioteket;Alla kategorier;100000,00;12345,50;12000,50;87654,50" in csv_text


def test_direct_awards_add_up_per_category_and_year_against_the_limit(hb, no, chef, ruleset):
    workstation = CategoryFactory(code="workstation", name_sv="Publik dator")
    scanner = CategoryFactory(code="scanner", name_sv="Skanner")
    d = at(date(2026, 3, 1))
    make_case(hb, chef, [(Stage.NEED, d)], value="400000", category=workstation)
    make_case(no, chef, [(Stage.NEED, d)], value="300000", category=workstation)
    make_case(
        hb, chef, [(Stage.NEED, d), (Stage.CANCELLED, d)], value="500000", category=workstation
    )
    make_case(
        hb,
        chef,
        [(Stage.NEED, d)],
        value="1000000",
        category=workstation,
        procedure=Procedure.ADVERTISED,
    )
    make_case(hb, chef, [(Stage.NEED, d)], value="699999.99", category=scanner)
    make_case(hb, chef, [(Stage.NEED, at(date(2025, 5, 1)))], value="50000", category=scanner)
    rows = {(row.year, row.category): row for row in report().direct_awards}
    both = rows[(2026, "Publik dator")]
    # 400 000 + 300 000 from two libraries is exactly the limit: reached (a direct award
    # is allowed only below it).
    assert (both.count, both.total, both.limit, both.left) == (
        2,
        Decimal("700000"),
        Decimal("700000"),
        Decimal("0"),
    )
    assert both.reaches_limit is True
    just_under = rows[(2026, "Skanner")]
    assert just_under.reaches_limit is False and just_under.left == Decimal("0.01")
    # No rule set was in force in 2025 in this test: no limit to compare with.
    assert rows[(2025, "Skanner")].limit is None
    assert rows[(2025, "Skanner")].reaches_limit is False
    # For one library: the municipality's sum (the law's) and the library's part.
    hb_rows = {(row.year, row.category): row for row in report(library="HB").direct_awards}
    assert hb_rows[(2026, "Publik dator")].total == Decimal("700000")
    assert hb_rows[(2026, "Publik dator")].library_part == Decimal("400000")


def test_grants_spent_open_and_lapsed(hb, chef):
    grant = {"funding": Funding.GRANT, "grant_name": "Stärkta bibliotek"}
    d = at(date(2026, 6, 1))
    make_case(
        hb,
        chef,
        [(Stage.NEED, d), (Stage.SOURCING, d)],
        grant_spend_by=date(2026, 12, 1),
        title="Öppet",
        **grant,
    )
    make_case(
        hb,
        chef,
        [(Stage.NEED, d), (Stage.ORDERED, d)],
        grant_spend_by=date(2026, 11, 1),
        title="Förfallet",
        **grant,
    )
    make_case(
        hb,
        chef,
        [(Stage.NEED, d), (Stage.DELIVERED, d)],
        grant_spend_by=date(2026, 11, 1),
        title="Använt",
        **grant,
    )
    make_case(
        hb,
        chef,
        [(Stage.NEED, d), (Stage.CANCELLED, d)],
        grant_spend_by=date(2026, 11, 1),
        title="Avbrutet",
        **grant,
    )
    make_case(
        hb,
        chef,
        [(Stage.NEED, at(date(2024, 6, 1))), (Stage.CLOSED, at(date(2024, 12, 1)))],
        grant_spend_by=date(2025, 1, 1),
        title="Gammalt",
        **grant,
    )
    rows = {row.title: row for row in report().grants}
    assert set(rows) == {"Öppet", "Förfallet", "Använt"}
    assert (rows["Öppet"].state, rows["Öppet"].days_left) == ("open", 4)
    assert (rows["Förfallet"].state, rows["Förfallet"].days_left) == ("lapsed", -26)
    assert rows["Använt"].state == "spent"


# --- replacement forecast ---------------------------------------------------------------


def test_forecast_prices_by_latest_model_purchase_then_category_median(hb_floor2, workstation):
    hb = hb_floor2.library
    scanner = CategoryFactory(code="scanner", name_sv="Skanner")
    headset = CategoryFactory(code="vr_headset", name_sv="VR-headset")
    model = ProductModelFactory(manufacturer=ManufacturerFactory(name="Lenovo"), name="M70q")

    def asset(tag, **fields):
        fields.setdefault("purchase_price", None)
        return AssetFactory(tag=tag, library=hb, location=hb_floor2, **fields)

    # Prices of the model: the later purchase (8 000) is today's price, whatever its status.
    asset(
        "P-1",
        category=workstation,
        model=model,
        purchase_date=date(2022, 1, 10),
        purchase_price=Decimal("7000"),
    )
    asset(
        "P-2",
        category=workstation,
        model=model,
        purchase_date=date(2025, 6, 1),
        purchase_price=Decimal("8000"),
        status=AssetStatus.RETIRED,
    )
    # Scanner prices of the last two years: 1 000, 3 000, 2 000 -> median 2 000; the one
    # bought a day before the two years began is not counted.
    for n, (day, price) in enumerate(
        [
            (date(2024, 11, 27), "1000"),
            (date(2025, 5, 1), "3000"),
            (date(2026, 1, 1), "2000"),
            (date(2024, 11, 26), "90000"),
        ]
    ):
        asset(f"S-{n}", category=scanner, purchase_date=day, purchase_price=Decimal(price))
    # What reaches its replacement date:
    asset("F-1", category=workstation, model=model, replacement_due=date(2026, 5, 1))  # overdue
    asset("F-2", category=workstation, model=model, replacement_due=date(2027, 3, 1))
    asset("F-3", category=scanner, replacement_due=date(2028, 12, 31))
    asset("F-4", category=scanner, replacement_due=date(2029, 1, 1))  # after the three years
    asset(
        "F-5",
        category=workstation,
        model=model,
        replacement_due=date(2027, 1, 1),
        status=AssetStatus.RETIRED,
    )
    asset("F-6", category=headset, replacement_due=date(2027, 6, 1))  # no price to go by
    # An even number of prices: the median is the mean of the middle two.
    printer = CategoryFactory(code="printer", name_sv="Skrivare")
    asset("PR-1", category=printer, purchase_date=date(2026, 2, 1), purchase_price=Decimal("1000"))
    asset("PR-2", category=printer, purchase_date=date(2026, 3, 1), purchase_price=Decimal("2001"))
    asset("F-7", category=printer, replacement_due=date(2027, 8, 1))
    data = report()
    assert data.forecast_years == (2026, 2027, 2028)
    rows = {(row.year, row.category): row for row in data.forecast}
    assert set(rows) == {
        (2026, "Publik dator"),
        (2027, "Publik dator"),
        (2027, "Skrivare"),
        (2027, "VR-headset"),
        (2028, "Skanner"),
    }
    assert rows[(2027, "Skrivare")].cost == Decimal("1500.50")
    first = rows[(2026, "Publik dator")]
    assert (first.count, first.overdue, first.cost, first.by_model) == (1, 1, Decimal("8000"), 1)
    assert rows[(2027, "Publik dator")].cost == Decimal("8000")
    by_median = rows[(2028, "Skanner")]
    assert (by_median.cost, by_median.by_category, by_median.by_model) == (Decimal("2000"), 1, 0)
    unpriced = rows[(2027, "VR-headset")]
    assert (unpriced.count, unpriced.unpriced, unpriced.cost) == (1, 1, Decimal("0"))


# --- public digital access ------------------------------------------------------------


def test_public_digital_access_per_library(hb_floor2, no_public, workstation):
    hb = hb_floor2.library
    reader = FeatureFactory(code="screen_reader", name_sv="Skärmläsare")
    scanner_attached = FeatureFactory(code="scanner", name_sv="Skanner ansluten")
    scanner = CategoryFactory(code="scanner", name_sv="Skanner")

    def place(tag, *features, **fields):
        fields.setdefault("category", workstation)
        fields.setdefault("usage", Usage.PUBLIC)
        asset = AssetFactory(tag=tag, library=hb, location=hb_floor2, **fields)
        asset.features.set(features)
        return asset

    place("A-1", reader)
    place("A-2", reader, scanner_attached)
    place("A-3")
    place("A-4", reader, status=AssetStatus.IN_REPAIR)  # not in use
    place("A-5", reader, usage=Usage.STAFF)  # not public
    place("A-6", category=scanner)  # public, in use, not a computer place
    data = report()
    assert data.feature_names == ("Skanner ansluten", "Skärmläsare")
    rows = {row.library: row for row in data.access}
    assert (rows["HB"].public_in_use, rows["HB"].workstations) == (4, 3)
    assert rows["HB"].features == (1, 2)
    assert (rows["NO"].public_in_use, rows["NO"].workstations, rows["NO"].features) == (
        0,
        0,
        (0, 0),
    )


# --- an empty library, and who sees what ---------------------------------------------------


def test_an_empty_library_gives_an_empty_report_in_every_format(hb, no, chef, ruleset):
    make_case(hb, chef, [(Stage.NEED, at(date(2026, 5, 1)))])
    data = report(library="NO")
    assert (data.open_total, data.stalled_total, data.grants, data.forecast) == (0, 0, (), ())
    assert [row.library for row in data.spend] == ["NO", "NO"]
    assert data.lead_time.count == 0 and data.lead_time.median is None
    scope = municipality_scope(library_code="NO", as_of=AS_OF, period_start=PERIOD_START, now=NOW)
    for file_format in ("pdf", "xlsx", "csv"):
        assert render(build_document("strategist", scope, file_format=file_format), file_format)


def test_a_library_manager_sees_only_own_cases(hb, no, chef):
    LibraryFactory(code="SO")
    make_case(hb, chef, [(Stage.NEED, at(date(2026, 5, 1)))], title="Eget")
    make_case(no, chef, [(Stage.NEED, at(date(2026, 5, 1)))], title="Annat")
    data = report(chef)
    assert [row.title for row in data.open_cases] == ["Eget"]
    assert [row.library for row in data.access] == ["HB"]


def test_a_table_with_more_columns_than_the_page_holds_still_renders(hb_floor2, workstation):
    """Six long feature names beside the library columns do not fit A4 at their headers'
    widths; the PDF shares the width out instead of failing."""
    for code, name in (
        ("a", "Tangentbordsanpassningsutrustning"),
        ("b", "Förstoringsprogramvarulicens"),
        ("c", "Höj- och sänkbart skrivbord"),
        ("d", "Skärmläsarprogramvara"),
        ("e", "Hörselslingeförstärkare"),
        ("f", "Punktskriftsdisplayanslutning"),
        ("g", "Dokumentkameraarmatur"),
    ):
        FeatureFactory(code=code, name_sv=name)
    scope = municipality_scope(as_of=AS_OF, period_start=PERIOD_START, now=NOW)
    content = render(build_document("strategist", scope, file_format="pdf"), "pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "Publik digital tillgång per bibliotek" in text.replace("\xa0", " ")
