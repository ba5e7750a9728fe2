"""The console check of conftest.py works, and a locked-out login is a proper page."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PolicyViolation


@pytest.mark.xfail(raises=PolicyViolation, strict=True, reason="the check must catch this")
def test_the_check_fails_a_page_the_policy_blocks(live_server, page):
    # The app's own policy on a page with an inline script: Chromium refuses it.
    page.route(
        f"{live_server.url}/probe",
        lambda route: route.fulfill(
            status=200,
            headers={"Content-Type": "text/html", "Content-Security-Policy": "script-src 'self'"},
            body="<!doctype html><title>probe</title><script>document.title = 'ran'</script>",
        ),
    )
    page.goto(f"{live_server.url}/probe")
    expect(page).to_have_title("probe")


def test_a_locked_out_login_says_what_to_do(demo, live_server, page, axe_check):
    page.goto(f"{live_server.url}/accounts/login/")
    for _ in range(5):
        page.get_by_label("Användarnamn").fill("chef")
        page.get_by_label("Lösenord").fill("fel")
        page.get_by_role("button", name="Logga in").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("15")
    expect(page.get_by_label("Användarnamn")).to_have_value("chef")
    axe_check("the locked-out login page")
    # The right password is refused too, until the lock ends.
    page.get_by_label("Lösenord").fill("inventera-demo")
    page.get_by_role("button", name="Logga in").click()
    expect(page.locator("#error-summary")).to_contain_text("15")
    assert page.url == f"{live_server.url}/accounts/login/"
