from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from reports.selectors import asset_dashboard
from tests.factories import AssetFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=ZoneInfo("Europe/Stockholm"))


@pytest.fixture
def assets(hb_floor2, no_public, workstation):
    def make(tag, location=hb_floor2, **fields):
        return AssetFactory(
            tag=tag, library=location.library, location=location, category=workstation, **fields
        )

    return {
        # Warranty boundaries: today and today + 90 count, yesterday and + 91 do not.
        "w0": make("W-0", warranty_end=TODAY),
        "w90": make("W-90", warranty_end=TODAY + timedelta(days=90)),
        "w91": make("W-91", warranty_end=TODAY + timedelta(days=91)),
        "wpast": make("W-PAST", warranty_end=TODAY - timedelta(days=1)),
        "wretired": make("W-RET", warranty_end=TODAY, status="retired"),
        # Replacement: before today + 12 months counts (overdue too); on that day does not.
        "r_over": make("R-OVER", replacement_due=date(2026, 1, 1)),
        "r_last": make("R-LAST", replacement_due=date(2027, 11, 21)),
        "r_edge": make("R-EDGE", replacement_due=date(2027, 11, 22)),
        "repair": make(
            "REP-1", status="in_repair", status_changed_at=NOW - timedelta(days=12, hours=1)
        ),
        "no": make("NO-1", location=no_public, warranty_end=TODAY),
    }


def test_it_sees_every_library(assets, it_user):
    data = asset_dashboard(it_user, today=TODAY, now=NOW)
    assert data.total == 10
    assert [row.code for row in data.libraries] == ["HB", "NO"]
    counts = {s.status: s.count for s in data.statuses}
    assert counts == {
        "ordered": 0,
        "in_stock": 0,
        "in_use": 8,
        "in_repair": 1,
        "on_loan": 0,
        "retired": 1,
        "disposed": 0,
    }
    assert [line.tag for line in data.warranty_ending] == ["W-0", "NO-1", "W-90"]
    assert data.warranty_ending_count == 3
    assert [line.days for line in data.warranty_ending] == [0, 0, 90]
    assert [line.tag for line in data.replacement_due] == ["R-OVER", "R-LAST"]
    assert [(line.tag, line.days) for line in data.in_repair] == [("REP-1", 12)]


def test_chef_sees_only_own_library(assets, chef):
    data = asset_dashboard(chef, today=TODAY, now=NOW)
    assert [row.code for row in data.libraries] == ["HB"]
    assert data.total == 9
    assert "NO-1" not in [line.tag for line in data.warranty_ending]


def test_dashboard_page_per_role(assets, users, client_for):
    chef_page = client_for(users["chef"]).get("/").content.decode()
    assert "Stadsbiblioteket" in chef_page and "Norrbiblioteket" not in chef_page
    assert "Bibliotekschef" in chef_page
    it_page = client_for(users["it"]).get("/").content.decode()
    assert "Norrbiblioteket" in it_page
    assert "På service" in it_page


def test_user_without_role_gets_a_message(db, client_for):
    from tests.factories import UserFactory

    page = client_for(UserFactory(username="nobody")).get("/").content.decode()
    assert "Ditt konto har ingen roll än" in page


def test_each_role_sees_its_report_panels(assets, users, client_for, make_case, hb, no, ruleset):
    from decimal import Decimal

    from reports.models import Budget

    make_case(users["chef"], hb, title="Hörlurar")
    make_case(users["admin"], no, title="Norrs skrivare")
    Budget.objects.create(library=hb, year=TODAY.year, amount=Decimal("100000"))
    Budget.objects.create(library=no, year=TODAY.year, amount=Decimal("77777"))

    strategist = client_for(users["strateg"]).get("/").context
    panels = {panel.report: [s.key for s in panel.sections] for panel in strategist["panels"]}
    assert panels == {
        "strategist": ["pipeline", "lead_times", "spend", "direct_awards", "forecast"]
    }
    page = client_for(users["strateg"]).get("/").content.decode()
    assert page.count('src="data:image/svg+xml;base64,') >= 3
    # Each chart has its figures in a table too.
    assert "Öppna ärenden och deras värde per skede" in page

    manager = client_for(users["chef"]).get("/")
    panels = {panel.report: [s.key for s in panel.sections] for panel in manager.context["panels"]}
    assert panels == {"strategist": ["spend", "grants"]}
    page = manager.content.decode().replace("\xa0", " ")
    assert "100 000 kr" in page and "77 777 kr" not in page

    it = client_for(users["it"]).get("/").context
    panels = {panel.report: [s.key for s in panel.sections] for panel in it["panels"]}
    assert panels == {"it-status": ["summary", "gaps"]}
