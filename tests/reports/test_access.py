"""Every report page and file for each role and library: who gets it, who gets 403 or
404, and what each one holds (never another library's rows for a library manager)."""

import io
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from pypdf import PdfReader

from procurement import services
from procurement.choices import Stage
from reports.models import Budget, ReportSubscription
from tests.factories import AssetFactory

pytestmark = pytest.mark.django_db

OK, FORBIDDEN, NOT_FOUND = 200, 403, 404
ROLES = ["chef", "it", "strateg", "admin"]
ALL_OK = dict.fromkeys(ROLES, OK)
PAGES = [
    ("catalogue", "/reports/", ALL_OK),
    ("it status", "/reports/it-status/", ALL_OK),
    ("it status HB", "/reports/it-status/?library=HB", ALL_OK),
    ("it status NO", "/reports/it-status/?library=NO", {**ALL_OK, "chef": NOT_FOUND}),
    ("strategist", "/reports/strategist/", {**ALL_OK, "it": FORBIDDEN}),
    (
        "strategist NO",
        "/reports/strategist/?library=NO",
        {"chef": NOT_FOUND, "it": FORBIDDEN, "strateg": OK, "admin": OK},
    ),
    ("unknown report", "/reports/nothing/", dict.fromkeys(ROLES, NOT_FOUND)),
    ("it status pdf", "/reports/it-status/download/?format=pdf", ALL_OK),
    ("it status xlsx", "/reports/it-status/download/?format=xlsx", ALL_OK),
    ("it status csv", "/reports/it-status/download/?format=csv", ALL_OK),
    (
        "it status pdf NO",
        "/reports/it-status/download/?format=pdf&library=NO",
        {**ALL_OK, "chef": NOT_FOUND},
    ),
    ("strategist pdf", "/reports/strategist/download/?format=pdf", {**ALL_OK, "it": FORBIDDEN}),
    (
        "strategist xlsx NO",
        "/reports/strategist/download/?format=xlsx&library=NO",
        {"chef": NOT_FOUND, "it": FORBIDDEN, "strateg": OK, "admin": OK},
    ),
    ("unknown format", "/reports/it-status/download/?format=docx", dict.fromkeys(ROLES, NOT_FOUND)),
    ("own case sheet", "/reports/cases/{hb_case}/status-sheet.pdf", ALL_OK),
    (
        "other case sheet",
        "/reports/cases/{no_case}/status-sheet.pdf",
        {**ALL_OK, "chef": NOT_FOUND},
    ),
    (
        "no such case",
        "/reports/cases/{hb_missing}/status-sheet.pdf",
        dict.fromkeys(ROLES, NOT_FOUND),
    ),
    ("direct award doc", "/reports/cases/{hb_case}/direct-award.pdf", ALL_OK),
    (
        "other direct award doc",
        "/reports/cases/{no_case}/direct-award.pdf",
        {**ALL_OK, "chef": NOT_FOUND},
    ),
    ("budgets", "/reports/budgets/", {**ALL_OK, "it": FORBIDDEN}),
    (
        "add budget",
        "/reports/budgets/add/",
        {"chef": FORBIDDEN, "it": FORBIDDEN, "strateg": OK, "admin": OK},
    ),
]
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


@pytest.fixture
def world(users, hb_asset, no_asset, make_case, hb, no, admin_user_role, ruleset):
    """HB and NO each with an asset, a case (a direct award) and a budget."""
    hb_case = make_case(users["chef"], hb, title="Hörlurar till datorerna", value="12000")
    no_case = make_case(admin_user_role, no, title="Norrs skrivare", value="24000")
    Budget.objects.create(library=hb, year=2026, amount=Decimal("100000"))
    Budget.objects.create(library=no, year=2026, amount=Decimal("55555"))
    return {
        **users,
        "urls": {
            "hb_case": hb_case.url_reference,
            "no_case": no_case.url_reference,
            "hb_missing": f"HB-{hb_case.year}-0099",
        },
        "hb_case": hb_case,
        "no_case": no_case,
    }


def pdf_text(content: bytes) -> str:
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    return text.replace("\xa0", " ")


@pytest.mark.parametrize(("name", "url", "expected"), PAGES, ids=[p[0] for p in PAGES])
@pytest.mark.parametrize("role", ROLES)
def test_get_by_role(world, client_for, name, url, expected, role):
    response = client_for(world[role]).get(url.format(**world["urls"]))
    assert response.status_code == expected[role], f"{role} {url}"
    if response.status_code == OK and ("/download/" in url or url.endswith(".pdf")):
        file_format = dict(parse_qsl(urlsplit(url).query)).get("format", "pdf")
        assert response["Content-Type"] == CONTENT_TYPES[file_format]
        assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize(("name", "url", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_anonymous_goes_to_login(world, client, name, url, expected):
    response = client.get(url.format(**world["urls"]))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_library_managers_reports_hold_only_own_library(world, client_for):
    client = client_for(world["chef"])
    pdf = pdf_text(client.get("/reports/it-status/download/?format=pdf").content)
    assert "Stadsbiblioteket" in pdf and "Norrbiblioteket" not in pdf
    workbook = load_workbook(
        io.BytesIO(client.get("/reports/strategist/download/?format=xlsx").content)
    )
    cells = {
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    }
    assert "Hörlurar till datorerna" in cells
    assert "Norrs skrivare" not in cells and "Norrbiblioteket" not in cells
    assert 55555 not in {
        v for sheet in workbook.worksheets for r in sheet.iter_rows(values_only=True) for v in r
    }
    page = client.get("/reports/strategist/").content.decode()
    assert "Hörlurar till datorerna" in page and "Norrs skrivare" not in page
    budgets = client.get("/reports/budgets/").content.decode()
    assert "Stadsbiblioteket" in budgets and "Norrbiblioteket" not in budgets


def test_the_strategist_sees_every_library(world, client_for):
    page = client_for(world["strateg"]).get("/reports/strategist/").content.decode()
    assert "Hörlurar till datorerna" in page and "Norrs skrivare" in page


def test_files_are_named_and_never_cached(world, client_for):
    response = client_for(world["it"]).get(
        "/reports/it-status/download/?format=xlsx&as_of=2026-11-27"
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="inventera-it-status-2026-11-27.xlsx"'
    )
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("as_of=igår", "as_of"),
        ("as_of=1899-12-31", "as_of"),
        ("as_of=2026-01-01&period_start=2026-06-01", "period_start"),
        ("language=fi", "language"),
    ],
)
def test_bad_choices_are_named_not_a_500(world, client_for, query, field):
    response = client_for(world["strateg"]).get(f"/reports/strategist/?{query}")
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert b"error-summary" in response.content
    # A download with the same choices goes back to the page, which names the problem.
    download = client_for(world["strateg"]).get(f"/reports/strategist/download/?format=pdf&{query}")
    assert download.status_code == 302


def test_the_preview_shows_the_figures_and_the_chosen_library(world, client_for):
    response = client_for(world["it"]).get("/reports/it-status/?library=NO&as_of=2026-11-27")
    page = response.content.decode()
    preview = page.split('class="report-preview"')[1].split('id="subscribe-heading"')[0]
    assert "Norrbiblioteket (NO)" in preview
    assert "NO-PC-01" in preview  # listed among the data gaps: no serial number
    assert "HB-PC-01" not in preview and "Stadsbiblioteket" not in preview
    assert 'src="data:image/svg+xml;base64,' in page
    assert "Ladda ner PDF" in page


def test_english_report_when_asked(world, client_for):
    response = client_for(world["it"]).get("/reports/it-status/download/?format=pdf&language=en")
    assert "IT status report" in pdf_text(response.content)


def test_a_direct_award_document_only_for_direct_awards(world, client_for, framework):
    from tests.factories import CategoryFactory

    tablet = CategoryFactory(code="tablet")
    case = services.case_create(
        actor=world["chef"],
        library=world["hb_case"].library,
        title="Plattor",
        need="Behov",
        category=tablet,
        estimated_value=Decimal("10000"),
    )
    assert case.procedure == "call_off"
    url = f"/reports/cases/{case.url_reference}/direct-award.pdf"
    assert client_for(world["strateg"]).get(url).status_code == NOT_FOUND


def test_the_case_page_offers_both_papers(world, client_for):
    case = world["hb_case"]
    page = client_for(world["chef"]).get(case.get_absolute_url()).content.decode()
    assert f"/reports/cases/{case.url_reference}/status-sheet.pdf" in page
    assert f"/reports/cases/{case.url_reference}/direct-award.pdf" in page
    assert "Skriv ut statusblad (PDF)" in page


def test_report_pages_read_a_constant_number_of_queries(world, client_for, make_case, hb):
    client = client_for(world["strateg"])
    cache.clear()  # counted afresh, as the data will have changed the second time
    with CaptureQueriesContext(connection) as few:
        client.get("/reports/strategist/")
    counted = len(few)  # now: the next request empties the query log
    for n in range(8):
        case = make_case(world["chef"], hb, title=f"Fler {n}")
        services.case_transition(case=case, to_stage=Stage.ANALYSIS, actor=world["chef"])
        AssetFactory(tag=f"MORE-{n}", library=hb)
    with CaptureQueriesContext(connection) as many:
        client.get("/reports/strategist/")
    assert len(many) == counted


# --- budgets ---------------------------------------------------------------------------


def test_the_strategist_adds_and_changes_a_budget(world, client_for, hb):
    client = client_for(world["strateg"])
    response = client.post(
        "/reports/budgets/add/",
        {"library": hb.pk, "year": "2027", "category": "", "amount": "250 000,50", "notes": ""},
    )
    assert response.status_code == 302
    budget = Budget.objects.get(library=hb, year=2027)
    assert budget.amount == Decimal("250000.50") and budget.updated_by == world["strateg"]
    response = client.post(
        f"/reports/budgets/{budget.pk}/",
        {"library": hb.pk, "year": "2027", "category": "", "amount": "260000", "notes": "Ökad"},
    )
    assert response.status_code == 302
    budget.refresh_from_db()
    assert (budget.amount, budget.notes) == (Decimal("260000"), "Ökad")


def test_a_refused_budget_keeps_what_was_typed_and_names_the_field(world, client_for, hb):
    client = client_for(world["strateg"])
    response = client.post(
        "/reports/budgets/add/",
        {"library": hb.pk, "year": "2026", "category": "", "amount": "tio", "notes": "Mitt"},
    )
    assert response.status_code == 400
    assert "amount" in response.context["form"].errors
    assert 'value="Mitt"' in response.content.decode()
    duplicate = client.post(
        "/reports/budgets/add/",
        {"library": hb.pk, "year": "2026", "category": "", "amount": "1", "notes": ""},
    )
    assert duplicate.status_code == 400
    assert "redan en budget" in duplicate.content.decode()
    assert Budget.objects.filter(library=hb, year=2026).count() == 1


def test_a_library_manager_cannot_write_budgets(world, client_for, hb):
    client = client_for(world["chef"])
    response = client.post(
        "/reports/budgets/add/",
        {"library": hb.pk, "year": "2027", "category": "", "amount": "1", "notes": ""},
    )
    assert response.status_code == FORBIDDEN
    budget = Budget.objects.get(library=hb, year=2026)
    assert client.post(f"/reports/budgets/{budget.pk}/", {}).status_code == FORBIDDEN
    assert not Budget.objects.filter(year=2027).exists()


# --- subscriptions ---------------------------------------------------------------------


def test_subscribe_and_end_it(world, client_for, hb):
    client = client_for(world["chef"])
    response = client.post(
        "/reports/it-status/subscribe/",
        {
            "subscribe-frequency": "monthly",
            "subscribe-file_format": "xlsx",
            "subscribe-library": hb.pk,
        },
    )
    assert response.status_code == 302
    subscription = ReportSubscription.objects.get(user=world["chef"])
    assert (subscription.report, subscription.frequency, subscription.file_format) == (
        "it-status",
        "monthly",
        "xlsx",
    )
    again = client.post(
        "/reports/it-status/subscribe/",
        {
            "subscribe-frequency": "monthly",
            "subscribe-file_format": "xlsx",
            "subscribe-library": hb.pk,
        },
    )
    assert again.status_code == 302
    assert ReportSubscription.objects.filter(user=world["chef"]).count() == 1
    # Someone else cannot end it.
    other = client_for(world["strateg"]).post(f"/reports/subscriptions/{subscription.pk}/delete/")
    assert other.status_code == NOT_FOUND
    assert client.post(f"/reports/subscriptions/{subscription.pk}/delete/").status_code == 302
    assert not ReportSubscription.objects.exists()


def test_no_subscription_to_another_library_or_report(world, client_for, no):
    chef = client_for(world["chef"])
    chef.post(
        "/reports/it-status/subscribe/",
        {
            "subscribe-frequency": "weekly",
            "subscribe-file_format": "pdf",
            "subscribe-library": no.pk,
        },
    )
    it = client_for(world["it"])
    response = it.post(
        "/reports/strategist/subscribe/",
        {"subscribe-frequency": "weekly", "subscribe-file_format": "pdf"},
    )
    assert response.status_code == FORBIDDEN
    assert not ReportSubscription.objects.exists()
