"""A library manager counts their library on a phone (390 px wide): starts a stocktake,
opens an asset's page as its QR label does and taps "Seen here", sees it counted on the
list, and closes the stocktake with one asset marked missing. axe checks every page on
the way, and no page is wider than the screen.

Set INVENTERA_SCREENSHOTS=/some/dir to keep a screenshot of every page.
"""

import importlib
import os
import re
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.utils.translation import gettext as _
from playwright.sync_api import expect

from inventory.choices import ChangeSource, StocktakeOutcome
from inventory.history import records_for
from inventory.models import Asset, Stocktake

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def floor_roles(migration_data):
    """The roles' permissions of the work on the floor (stocktakes among them), which a
    transactional test's flush removes with the rest of the migrations' data."""
    migration = importlib.import_module("inventory.migrations.0010_floor_roles")
    migration.add_permissions(django_apps, None)


def _fits(page, label: str) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"], f"{label} is {width} px wide on a 390 px screen"


def _checked(page, axe_check, label: str) -> None:
    axe_check(label)
    _fits(page, label)
    folder = os.environ.get("INVENTERA_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
        page.screenshot(path=str(Path(folder) / f"stocktake-{name}.png"), full_page=True)


def test_a_stocktake_is_counted_and_closed_on_a_phone(
    floor_roles, demo, login, live_server, page, axe_check
):
    page.set_viewport_size(PHONE)
    login("chef")
    base = live_server.url

    page.goto(f"{base}/inventory/stocktakes/")
    _checked(page, axe_check, "the stocktake list, empty")
    page.locator('.page-head a[href$="/inventory/stocktakes/start/"]').click()
    expect(page).to_have_url(f"{base}/inventory/stocktakes/start/")
    _checked(page, axe_check, "the start form")
    # The library manager's one library is chosen already: the whole library is counted.
    page.locator('form.form button[type="submit"]').click()
    expect(page).to_have_url(re.compile(r"/inventory/stocktakes/\d+/$"))
    stocktake = Stocktake.objects.get(library__code="HB", closed_at__isnull=True)
    expected = stocktake.lines.count()
    assert expected > 2
    _checked(page, axe_check, "the counting page")

    # As the QR label opens it.
    page.goto(f"{base}/inventory/assets/HB-PC-01/")
    seen_here = page.locator('#stocktake-heading ~ form button[type="submit"]')
    expect(seen_here).to_be_visible()
    box = seen_here.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 200, f"a small button on a phone: {box}"
    _checked(page, axe_check, "the asset page with “Seen here”")
    seen_here.click()
    expect(page).to_have_url(f"{base}/inventory/assets/HB-PC-01/#stocktake-heading")
    expect(page.locator(".message--success")).to_contain_text("HB-PC-01")
    expect(page.locator(".stocktake-panel__seen")).to_be_visible()
    _checked(page, axe_check, "the asset page, seen")
    line = stocktake.lines.get(asset__tag="HB-PC-01")
    assert line.seen_by.username == "chef"
    assert Asset.objects.get(tag="HB-PC-01").last_seen_on is not None

    page.goto(f"{base}/inventory/stocktakes/")
    row = page.locator("table.data-table tbody tr").first
    expect(row).to_contain_text(_("%(seen)s of %(expected)s") % {"seen": 1, "expected": expected})
    _checked(page, axe_check, "the stocktake list, counting")

    # A second one ticked on the counting page.
    row.locator("th a").click()
    expect(page).to_have_url(f"{base}{stocktake.get_absolute_url()}")
    page.locator('input[name="assets"][value="HB-PC-03"]').check()
    page.locator('section[aria-labelledby="to-see-heading"] button[type="submit"]').click()
    expect(page.locator(".message--success")).to_contain_text("HB-PC-03")
    _checked(page, axe_check, "the counting page after ticking")

    page.locator(f'.page-head a[href$="/inventory/stocktakes/{stocktake.pk}/close/"]').click()
    expect(page).to_have_url(f"{base}/inventory/stocktakes/{stocktake.pk}/close/")
    _checked(page, axe_check, "the close page")
    missing = stocktake.lines.get(asset__tag="HB-PC-02")
    page.locator(f'input[name="line_{missing.pk}"][value="missing"]').check()
    page.locator('form.stocktake-close button[type="submit"]').click()

    expect(page).to_have_url(f"{base}{stocktake.get_absolute_url()}")
    result = page.locator('section[aria-labelledby="to-see-heading"]')
    expect(result).to_contain_text(str(StocktakeOutcome.MISSING.label))
    expect(page.locator("main form")).to_have_count(0)  # closed: read-only
    _checked(page, axe_check, "the result")

    stocktake.refresh_from_db()
    assert not stocktake.is_open and stocktake.closed_by.username == "chef"
    missing.refresh_from_db()
    assert missing.outcome == StocktakeOutcome.MISSING
    note = records_for(missing.asset).filter(source=ChangeSource.STOCKTAKE).get()
    assert note.comment == _("Missing in stocktake %(stocktake)s") % {"stocktake": stocktake}
    assert stocktake.lines.filter(outcome=StocktakeOutcome.LEFT).count() == expected - 3
