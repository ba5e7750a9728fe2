"""QR labels: the sheets' geometry in points, the PDF read back as a printer would print
it (rasterised by poppler's pdftoppm, every QR code decoded by zxing-cpp), the page, and
`manage.py print_labels`."""

import io
import logging
import shutil
import subprocess

import pytest
import zxingcpp
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from PIL import Image
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from inventory.choices import AssetStatus
from inventory.labels import LAYOUTS, labels_pdf
from inventory.models import Asset
from tests.factories import AssetFactory, ManufacturerFactory, ProductModelFactory

SITE = "https://inventera.exempelkommunen.se"
DPI = 300
LABELS_URL = "/inventory/labels/"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.INVENTERA_BASE_URL = SITE + "/"


def near(a: float, b: float) -> bool:
    return abs(a - b) < 0.01


# The geometry, in points, against the sheet makers' templates in millimetres.


def test_3x8_fills_the_width_and_centres_the_rows():
    layout = LAYOUTS["3x8"]
    assert layout.per_sheet == 24
    assert (layout.page_width, layout.page_height) == A4
    x, y, width, height = layout.cell(0)
    assert near(x, 0) and near(width, 70 * mm) and near(height, 37 * mm)
    assert near(A4[1] - (y + height), 0.5 * mm)  # the top margin
    x, y, width, height = layout.cell(23)
    assert near(x + width, 210 * mm)
    assert near(y, 0.5 * mm)  # the bottom margin


def test_2x7_is_avery_l7163():
    layout = LAYOUTS["2x7"]
    assert layout.per_sheet == 14
    x, y, width, height = layout.cell(0)
    assert near(x, 4.65 * mm) and near(A4[1] - (y + height), 15.1 * mm)
    assert near(width, 99.1 * mm) and near(height, 38.1 * mm)
    x1, y1, *_ = layout.cell(1)
    assert near(x1 - x, 101.6 * mm) and near(y1, y)
    x2, y2, *_ = layout.cell(2)
    assert near(x2, x) and near(y - y2, 38.1 * mm)
    x, y, width, height = layout.cell(13)
    assert near(A4[0] - (x + width), 4.65 * mm)  # symmetrical
    assert near(y, (297 - 15.1 - 7 * 38.1) * mm)


@pytest.mark.parametrize("key", sorted(LAYOUTS))
def test_every_label_is_on_the_page_and_none_overlaps(key):
    layout = LAYOUTS[key]
    cells = [layout.cell(i) for i in range(layout.per_sheet)]
    for x, y, width, height in cells:
        assert x >= 0 and y >= -0.01
        assert x + width <= layout.page_width + 0.01 and y + height <= layout.page_height + 0.01
    for i, (x, y, w, h) in enumerate(cells):
        for a, b, c, d in cells[i + 1 :]:
            assert x + w <= a + 0.01 or a + c <= x + 0.01 or y + h <= b + 0.01 or b + d <= y + 0.01
    with pytest.raises(ValueError):
        layout.cell(layout.per_sheet)


# The PDF as printed and scanned.


def pages_as_images(pdf: bytes) -> list[Image.Image]:
    """The PDF's pages rasterised by poppler at DPI, as a printer driver would."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.fail("pdftoppm is missing: install poppler-utils (.ci/run does)")
    result = subprocess.run(
        [pdftoppm, "-r", str(DPI), "-gray", "-png", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    )
    # Written to stdout, the pages are one PNG after another: cut after each one's end.
    data, images = result.stdout, []
    end = b"IEND\xaeB`\x82"
    while data:
        cut = data.index(end) + len(end)
        images.append(Image.open(io.BytesIO(data[:cut])))
        data = data[cut:]
    return images


def decoded(image: Image.Image, page_height: float) -> list[tuple[str, float, float]]:
    """Each QR code on the page: its text and its centre in PDF points."""
    found = []
    for barcode in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode):
        p = barcode.position
        corners = (p.top_left, p.top_right, p.bottom_right, p.bottom_left)
        cx = sum(c.x for c in corners) / 4 * 72 / DPI
        cy = page_height - sum(c.y for c in corners) / 4 * 72 / DPI
        found.append((barcode.text, cx, cy))
    return found


def cell_of(layout, x: float, y: float) -> int | None:
    for index in range(layout.per_sheet):
        left, bottom, width, height = layout.cell(index)
        if left <= x <= left + width and bottom <= y <= bottom + height:
            return index
    return None


def make_assets(count: int, hb_floor2, workstation, **kwargs) -> list[Asset]:
    model = ProductModelFactory(manufacturer=ManufacturerFactory(name="Lenovo"))
    return [
        AssetFactory(
            tag=f"HB-PC-{n:04}",
            library=hb_floor2.library,
            location=hb_floor2,
            category=workstation,
            manufacturer=model.manufacturer,
            model=model,
            **kwargs,
        )
        for n in range(1, count + 1)
    ]


@pytest.mark.parametrize(
    ("key", "count", "start", "expected"),
    [
        # A full sheet of 2 x 7: every cell.
        ("2x7", 14, 1, [list(range(14))]),
        # A partly used 3 x 8 sheet from its 20th label, then on to a new sheet.
        ("3x8", 7, 20, [[19, 20, 21, 22, 23], [0, 1]]),
    ],
)
def test_every_qr_code_scans_to_its_assets_page_in_its_label(
    key, count, start, expected, hb_floor2, workstation
):
    layout = LAYOUTS[key]
    assets = make_assets(count, hb_floor2, workstation)
    pdf = labels_pdf(
        Asset.objects.filter(pk__in=[a.pk for a in assets]).order_by("tag"), layout, start=start
    )

    images = pages_as_images(pdf)
    assert len(images) == len(expected)
    urls = iter(f"{SITE}/inventory/assets/{asset.tag}/" for asset in assets)
    for image, cells in zip(images, expected, strict=True):
        found = decoded(image, layout.page_height)
        assert len(found) == len(cells)
        where = {cell_of(layout, x, y): text for text, x, y in found}
        assert where == {cell: next(urls) for cell in cells}


def test_each_label_says_tag_category_model_and_library(hb_floor2, workstation):
    assets = make_assets(3, hb_floor2, workstation)
    with translation.override("sv"):
        pdf = labels_pdf(assets, LAYOUTS["3x8"])
    reader = PdfReader(io.BytesIO(pdf))
    text = reader.pages[0].extract_text()
    for asset in assets:
        assert asset.tag in text
    assert text.count("Publik dator") == 3
    assert text.count("Lenovo ThinkCentre M70q") == 3
    assert text.count("Stadsbiblioteket") == 3
    with translation.override("en"):
        pdf = labels_pdf(assets, LAYOUTS["3x8"])
    assert "Public workstation" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    # Every font is embedded (none of the standard fonts a viewer substitutes).
    fonts = [f.get_object() for f in reader.pages[0]["/Resources"]["/Font"].values()]
    assert fonts
    assert all("/FontFile2" in font["/FontDescriptor"] for font in fonts)


def test_a_start_beyond_the_sheet_is_refused(hb_asset):
    with pytest.raises(ValueError):
        labels_pdf([hb_asset], LAYOUTS["2x7"], start=15)


# The page.


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def two_libraries(hb_asset, no_asset):
    return hb_asset, no_asset


def test_anonymous_is_sent_to_log_in(client, two_libraries):
    response = client.get(LABELS_URL + "?layout=3x8")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_list_links_to_its_labels_and_it_staff_can_print_the_selection(
    client_for, it_user, chef, two_libraries
):
    page = client_for(it_user).get("/inventory/assets/?library=HB").content.decode()
    assert f'href="{LABELS_URL}?library=HB"' in page
    assert f'formaction="{LABELS_URL}"' in page
    # The library manager has no bulk form, and labels for the list.
    page = client_for(chef).get("/inventory/assets/").content.decode()
    assert f'href="{LABELS_URL}"' in page
    assert "formaction" not in page


def test_the_form_carries_the_lists_filters(client_for, it_user, two_libraries):
    response = client_for(it_user).get(LABELS_URL + "?library=HB&page=2")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<input type="hidden" name="library" value="HB">' in page
    assert 'name="page"' not in page
    assert response.context["count"] == 1


@pytest.mark.parametrize("user", ["it_user", "strateg", "admin_user_role"])
def test_roles_of_every_library_get_the_filtered_list(request, client_for, user, two_libraries):
    client = client_for(request.getfixturevalue(user))
    text = pdf_text(client.get(LABELS_URL + "?layout=2x7"))
    assert "HB-PC-01" in text and "NO-PC-01" in text
    text = pdf_text(client.get(LABELS_URL + "?layout=2x7&library=NO"))
    assert "HB-PC-01" not in text and "NO-PC-01" in text


def test_a_library_manager_gets_labels_of_their_own_library_only(client_for, chef, two_libraries):
    client = client_for(chef)
    text = pdf_text(client.get(LABELS_URL + "?layout=3x8&start=2"))
    assert "HB-PC-01" in text and "NO-PC-01" not in text
    # Another library's tag, posted as a selection, is refused, not printed.
    response = client.post(LABELS_URL, {"assets": ["HB-PC-01", "NO-PC-01"], "layout": "3x8"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "NO-PC-01" not in pdf_text(
        client.post(LABELS_URL, {"assets": ["HB-PC-01"], "layout": "3x8"})
    )


def test_the_selection_asks_for_the_sheet_then_prints(client_for, it_user, two_libraries):
    client = client_for(it_user)
    # As the list's bulk form posts it: its own fields beside the ticked tags.
    response = client.post(
        LABELS_URL, {"assets": ["NO-PC-01"], "action": "move", "next": "/inventory/assets/"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="assets" value="NO-PC-01"' in page
    assert 'method="post"' in page
    assert "There is a problem" not in page
    text = pdf_text(client.post(LABELS_URL, {"assets": ["NO-PC-01"], "layout": "2x7"}))
    assert "NO-PC-01" in text and "HB-PC-01" not in text


def test_a_selection_of_nothing_and_a_bad_start_are_refused(client_for, it_user, two_libraries):
    client = client_for(it_user)
    response = client.post(LABELS_URL, {"layout": "3x8"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    response = client.get(LABELS_URL + "?layout=2x7&start=15")
    assert response["Content-Type"].startswith("text/html")
    assert "start" in response.context["form"].errors
    response = client.get(LABELS_URL + "?layout=a4")
    assert "layout" in response.context["form"].errors
    response = client.get(LABELS_URL + "?layout=3x8&library=SO")  # no such library's rows
    assert response["Content-Type"].startswith("text/html")
    assert response.context["form"].non_field_errors()


def test_printing_is_in_the_security_log(client_for, it_user, two_libraries, caplog):
    logger = logging.getLogger("inventera.security")
    logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger="inventera.security")
    try:
        client_for(it_user).get(LABELS_URL + "?layout=3x8")
    finally:
        logger.removeHandler(caplog.handler)
    [event] = [r.security for r in caplog.records if r.security["event"] == "asset_labels"]
    assert event["labels"] == 2 and event["layout"] == "3x8"


# The command.


def test_the_command_writes_the_labels_and_skips_what_is_gone(tmp_path, hb_floor2, workstation):
    active = make_assets(2, hb_floor2, workstation)
    retired = AssetFactory(
        tag="HB-OLD-1", library=hb_floor2.library, category=workstation, status=AssetStatus.RETIRED
    )
    disposed = AssetFactory(
        tag="HB-OLD-2", library=hb_floor2.library, category=workstation, status=AssetStatus.DISPOSED
    )
    output = tmp_path / "labels.pdf"
    out = io.StringIO()
    call_command("print_labels", "--layout", "3x8", "--output", str(output), stdout=out)
    assert "2 labels on 1 sheet(s)" in out.getvalue()
    assert "2 retired or disposed assets skipped" in out.getvalue()
    text = PdfReader(output).pages[0].extract_text()
    assert all(a.tag in text for a in active)
    assert retired.tag not in text and disposed.tag not in text

    call_command(
        "print_labels",
        "--layout",
        "2x7",
        "--output",
        str(output),
        "--all",
        "--library",
        "HB",
        stdout=io.StringIO(),
    )
    text = PdfReader(output).pages[0].extract_text()
    assert retired.tag in text and disposed.tag in text

    call_command(
        "print_labels",
        "--layout",
        "2x7",
        "--output",
        str(output),
        "--tag",
        active[1].tag,
        stdout=io.StringIO(),
    )
    text = PdfReader(output).pages[0].extract_text()
    assert active[1].tag in text and active[0].tag not in text


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--layout", "4x10"], "unknown layout '4x10': use one of 3x8, 2x7"),
        (["--layout", "3x8", "--library", "XX"], "unknown library code(s): XX"),
        (["--layout", "3x8", "--tag", "HB-PC-01", "NOPE"], "unknown asset tag(s): NOPE"),
        (
            ["--layout", "3x8", "--library", "NO", "--tag", "HB-PC-01"],
            "unknown asset tag(s) in the given libraries: HB-PC-01",
        ),
        (["--layout", "2x7", "--start", "15"], "--start must be 1 to 14"),
        (["--layout", "3x8", "--tag", "HB-OLD"], "no assets to label"),
    ],
)
def test_the_command_explains_bad_arguments(
    tmp_path, arguments, message, two_libraries, workstation
):
    AssetFactory(tag="HB-OLD", category=workstation, status=AssetStatus.RETIRED)
    output = tmp_path / "labels.pdf"
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call_command("print_labels", *arguments, "--output", str(output))
    assert not output.exists()


def test_an_output_that_cannot_be_written_is_a_command_error(tmp_path, hb_asset):
    with pytest.raises(CommandError, match="cannot write"):
        call_command("print_labels", "--layout", "3x8", "--output", str(tmp_path / "no" / "x.pdf"))


def test_the_labels_url_is_named():
    assert reverse("inventory:asset_labels") == LABELS_URL
