"""The lists and pages read well on a laptop (1280 px) and on a phone (390 px), as IT on
the demo data: the columns that matter are on screen, features are compact chips, the
filter panel is open on a wide screen and closed on a phone, the bulk actions are at hand
above a long list, and at 390 px no page is wider than the screen (a wide table scrolls
in its own focusable box). axe checks each page at each width.

Set INVENTERA_SCREENSHOTS=/some/dir to keep a screenshot of every page at both widths.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from procurement.models import ProcurementCase

WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
ASSETS = "/inventory/assets/?per_page=100&ordering=tag"
CASES = "/procurement/cases/"


def shot(page, name: str):
    folder = os.environ.get("INVENTERA_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        width = page.viewport_size["width"]
        page.screenshot(path=str(Path(folder) / f"{name}-{width}.png"), full_page=True)


def page_width(page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def on_screen(page, header) -> bool:
    """The header cell is inside the viewport and not scrolled out of its table's box."""
    return header.evaluate(
        """th => {
          const box = th.getBoundingClientRect();
          const wrap = th.closest('.table-wrap') || document.documentElement;
          const frame = wrap.getBoundingClientRect();
          return box.width > 0 && box.left >= 0 && box.right <= window.innerWidth
            && box.right <= frame.right + 1;
        }"""
    )


def filter_panel_open(page) -> bool:
    return page.evaluate(
        """() => {
          const panel = document.querySelector('.filters details');
          return panel !== null && panel.open;
        }"""
    )


@pytest.fixture
def hb_case(demo):
    return ProcurementCase.objects.filter(library__code="HB").order_by("number").first()


def test_wide_lists_show_the_columns_that_matter(demo, login, live_server, page, axe_check):
    page.set_viewport_size(WIDE)
    login("it")

    page.goto(f"{live_server.url}{ASSETS}")
    expect(page.locator("table.data-table tbody tr")).to_have_count(53)
    headers = page.locator("table.data-table thead th")
    for name in ("Garantin går ut", "Ska ersättas", "Funktioner"):
        header = headers.filter(has_text=name)
        expect(header).to_have_count(1)
        assert on_screen(page, header), f"{name} is off screen on the asset list"
    assert filter_panel_open(page), "the filter panel is closed on a wide screen"
    shot(page, "asset-list")
    axe_check("the asset list at 1280 px")

    page.goto(f"{live_server.url}{CASES}")
    headers = page.locator("table.data-table thead th")
    for name in ("Uppskattat värde", "Förfarande"):
        header = headers.filter(has_text=name)
        expect(header).to_have_count(1)
        assert on_screen(page, header), f"{name} is off screen on the case list"
    assert filter_panel_open(page)
    shot(page, "case-list")
    axe_check("the case list at 1280 px")


def test_features_are_compact_chips(demo, login, live_server, page):
    """HB-PC-01 has five features: they share lines, at most three, not one a line."""
    page.set_viewport_size(WIDE)
    login("it")
    page.goto(f"{live_server.url}{ASSETS}")
    row = page.locator("table.data-table tbody tr").filter(
        has=page.get_by_role("link", name="HB-PC-01", exact=True)
    )
    chips = row.locator("td").last.locator(".tag")
    expect(chips).to_have_count(5)
    lines = row.evaluate(
        """tr => {
          const chips = [...tr.querySelectorAll('td:last-child .tag')];
          return new Set(chips.map(c => Math.round(c.getBoundingClientRect().top))).size;
        }"""
    )
    assert lines <= 3, f"the features take {lines} lines"
    height = row.evaluate("tr => tr.getBoundingClientRect().height")
    assert height < 100, f"the row is {height} px tall"


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280", "390"])
def test_bulk_actions_are_at_hand_above_a_long_list(demo, login, live_server, page, viewport):
    page.set_viewport_size(viewport)
    login("it")
    page.goto(f"{live_server.url}{ASSETS}")
    assert page.locator("table.data-table tbody tr").count() >= 40
    bar = page.locator("#bulk-form .bulk-actions")
    button = bar.get_by_role("button", name="Utför på valda")
    for part in (bar, button):
        box = part.bounding_box()
        assert box is not None
        assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], (
            f"the bulk actions end at {box['y'] + box['height']} px"
        )


def test_phone_pages_fit_the_screen(demo, hb_case, login, live_server, page, axe_check):
    page.set_viewport_size(PHONE)
    login("it")
    pages = {
        "asset-list": ASSETS,
        "case-list": CASES,
        "asset-page": "/inventory/assets/HB-PC-01/",
        "case-page": hb_case.get_absolute_url(),
        "dashboard": "/",
    }
    for name, path in pages.items():
        page.goto(f"{live_server.url}{path}")
        scroll_width, width = page_width(page)
        assert scroll_width <= width, f"{name} is {scroll_width} px wide at {width} px"
        header = page.locator(".site-header").bounding_box()
        assert header["x"] == 0 and header["width"] == width
        # No value sticks out of its card.
        spilled = page.evaluate(
            """() => [...document.querySelectorAll('.card, .stat-card a')]
                 .filter(card => card.scrollWidth > card.clientWidth + 1)
                 .map(card => card.textContent.trim().slice(0, 40))"""
        )
        assert spilled == [], f"{name}: content spills out of {spilled}"
        # A table wider than the screen scrolls in a box a keyboard can reach.
        for wrap in page.locator(".table-wrap").all():
            if wrap.evaluate("w => w.scrollWidth > w.clientWidth"):
                expect(wrap).to_have_attribute("tabindex", "0")
                expect(wrap).to_have_attribute("role", "region")
        shot(page, name)
        axe_check(f"the {name} at 390 px")


def test_phone_lists_start_with_the_results(demo, login, live_server, page, axe_check):
    """On a phone the filter panel is closed, so the results come first; it opens."""
    page.set_viewport_size(PHONE)
    login("it")
    for path in (ASSETS, CASES):
        page.goto(f"{live_server.url}{path}")
        assert not filter_panel_open(page), f"the filter panel is open on {path}"
        count = page.locator("#results-heading").bounding_box()
        assert count["y"] + count["height"] <= PHONE["height"], "the results start off screen"
        first_row = page.locator("table.data-table tbody tr").first.bounding_box()
        assert first_row["y"] < PHONE["height"] * 2
        page.locator(".filters summary").click()
        expect(page.get_by_role("button", name="Visa")).to_be_visible()
        axe_check(f"{path} with the filters open at 390 px")


def test_an_assets_facts_keep_their_words_whole_on_a_phone(demo, login, live_server, page):
    """A label or value wraps between words, not inside one ("vuxeninformatione|n")."""
    page.set_viewport_size(PHONE)
    login("it")
    page.goto(f"{live_server.url}/inventory/assets/HB-PC-01/")
    split = page.evaluate(
        """() => {
            const split = [];
            for (const el of document.querySelectorAll('.facts dt, .facts dd')) {
              const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
              for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                for (const match of node.data.matchAll(/\\S+/g)) {
                  const range = document.createRange();
                  range.setStart(node, match.index);
                  range.setEnd(node, match.index + match[0].length);
                  const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
                  if (tops.size > 1) split.push(match[0]);
                }
              }
            }
            return split;
        }"""
    )
    assert split == []
