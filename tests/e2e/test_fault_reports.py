"""A library manager reports a fault from the asset's page on a phone (390 px wide, as
the QR label opens it), with a photo; axe on the asset page, the form and the result."""

import io

from PIL import Image
from playwright.sync_api import expect

from inventory.models import FaultReport

PHONE = {"width": 390, "height": 844}


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(out, format="JPEG")
    return out.getvalue()


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide on a 390 px screen"


def test_a_fault_is_reported_from_the_asset_page_on_a_phone(
    demo, login, live_server, page, axe_check
):
    page.set_viewport_size(PHONE)
    login("chef")
    page.goto(f"{live_server.url}/inventory/assets/HB-PC-01/")
    axe_check("the asset page on a phone")
    _fits(page)

    page.locator('.page-head a[href$="/faults/add/"]').first.click()
    expect(page).to_have_url(f"{live_server.url}/inventory/assets/HB-PC-01/faults/add/")
    axe_check("the fault report form on a phone")
    _fits(page)

    # Sent without saying what is wrong: the form says so, and stays usable.
    page.locator('form.form button[type="submit"]').click()
    expect(page.locator("#id_description_error")).to_be_visible()
    axe_check("the fault report form with errors")

    page.locator("#id_description").fill("Skärmen är svart och datorn startar inte.")
    page.locator('input[name="urgency"][value="unusable"]').check()
    page.locator("#id_photo").set_input_files(
        {"name": "foto.jpg", "mimeType": "image/jpeg", "buffer": _photo()}
    )
    page.locator('form.form button[type="submit"]').click()

    expect(page).to_have_url(f"{live_server.url}/inventory/assets/HB-PC-01/#faults-heading")
    faults = page.locator('section[aria-labelledby="faults-heading"]')
    expect(faults).to_contain_text("Skärmen är svart och datorn startar inte.")
    axe_check("the asset page with the report")
    _fits(page)

    fault = FaultReport.objects.get(asset__tag="HB-PC-01")
    assert fault.reported_by.username == "chef" and fault.urgency == "unusable"
    assert fault.photo_content_type == "image/jpeg"

    faults.get_by_role("link").filter(has_text=fault.reported_at.strftime("%Y-")).first.click()
    expect(page.locator('a[href$="/photo/"]')).to_be_visible()
    axe_check("the fault report's page on a phone")
    _fits(page)
