"""Messages that put a count into a sentence say it in the right plural form: in Swedish
the words agree with the number (1 ny, 2 nya; 1 rad, 2 rader). The tests run in Swedish;
the expected texts come from the catalogue (gettext, ngettext), so they hold whether or
not a text is translated yet."""

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext, ngettext, npgettext

from inventory.models import Asset, AssetImport
from inventory.views.imports import imported_message, left_out_message
from reports.layouts.it_status import _warranty_ending_title
from tests.inventory.import_files import SV_HEADERS, csv_bytes, sv_row

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def imported(count: int, what: str) -> str:
    text = npgettext("assets in an import", f"%(counter)s {what}", f"%(counter)s {what}", count)
    return text % {"counter": count}


def expected_import_message(new: int, updated: int, unchanged: int) -> str:
    counts = ", ".join(
        [imported(new, "new"), imported(updated, "updated"), imported(unchanged, "unchanged")]
    )
    return gettext("%(file)s was imported: %(counts)s.") % {"file": "lista.csv", "counts": counts}


def confirm(client, rows, **data) -> list[str]:
    """Upload and confirm a file; the messages the asset list then shows."""
    content = csv_bytes([SV_HEADERS, *rows])
    client.post("/inventory/import/", {"file": SimpleUploadedFile("lista.csv", content)})
    upload = AssetImport.objects.get()
    response = client.post(f"/inventory/import/{upload.pk}/confirm/", data)
    assert response.status_code == 302, response.content.decode()[:500]
    return [str(message) for message in get_messages(response.wsgi_request)]


class TestImportResult:
    def test_one_of_each(self, client_for, register):
        client = client_for(register)
        confirm(client, [sv_row("HB-PC-20"), sv_row("HB-PC-21")])
        rows = [
            sv_row("HB-PC-20"),  # unchanged
            sv_row("HB-PC-21", location="Förråd IT"),  # updated
            sv_row("HB-PC-22"),  # new
        ]
        message = confirm(client, rows)[-1]  # after the first import's
        assert message == expected_import_message(1, 1, 1)
        # Already in the catalogue: the singular forms.
        assert "1 ny, 1 uppdaterad, 1 oförändrad" in message

    def test_two_new_none_else(self, client_for, register):
        [message] = confirm(client_for(register), [sv_row("HB-PC-20"), sv_row("HB-PC-21")])
        assert message == expected_import_message(2, 0, 0)
        assert "2 nya, 0 uppdaterade, 0 oförändrade" in message
        assert Asset.objects.count() == 2

    def test_the_helper_for_one_and_for_two(self):
        assert imported_message("lista.csv", 1, 2, 1) == expected_import_message(1, 2, 1)
        assert imported_message("lista.csv", 2, 1, 2) == expected_import_message(2, 1, 2)
        assert imported_message("lista.csv", 1, 1, 1) != imported_message("lista.csv", 2, 2, 2)


class TestLeftOut:
    @pytest.mark.parametrize("rows", [[3], [3, 5]])
    def test_the_rows_left_out(self, client_for, register, rows):
        # Row numbers as the file has them: the header is row 1.
        lines = [
            sv_row(f"HB-PC-{number}", price="-5" if number in rows else "100")
            for number in range(2, 6)
        ]
        messages = confirm(client_for(register), lines, leave_out_errors="yes")
        expected = ngettext(
            "Left out, with errors: row %(rows)s.",
            "Left out, with errors: rows %(rows)s.",
            len(rows),
        ) % {"rows": ", ".join(map(str, rows))}
        assert messages[-1] == expected
        assert left_out_message(rows) == expected


@pytest.mark.parametrize("days", [1, 2])
def test_the_warranty_heading_of_the_it_status_report(days):
    expected = ngettext(
        "Warranty ends within %(days)s day", "Warranty ends within %(days)s days", days
    ) % {"days": days}
    assert _warranty_ending_title(days) == expected


@pytest.mark.parametrize("above", [1, 2])
def test_the_rows_above_the_header_row(client_for, register, above):
    """A file with a title line (or two) above its header: the preview says so."""
    rows = [["Inventarieförteckning", "", ""]] * above + [SV_HEADERS, sv_row("HB-PC-20")]
    client = client_for(register)
    client.post("/inventory/import/", {"file": SimpleUploadedFile("lista.csv", csv_bytes(rows))})
    page = client.get(f"/inventory/import/{AssetImport.objects.get().pk}/")
    assert page.context["header_row"] == above + 1
    singular = "Row %(row)s was taken as the header; the row above it is not imported."
    plural = "Row %(row)s was taken as the header; the %(above)s rows above it are not imported."
    text = ngettext(singular, plural, above) % {"row": above + 1, "above": above}
    assert text in page.content.decode()
