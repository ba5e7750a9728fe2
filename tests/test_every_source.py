"""Every kind of page renders for records made every way records are made.

Assets and cases come from the web form, the web import, the command-line import without
--user, the delivery registration, and the system (the demo loader, a management
command, a write through no page at all); some were changed by a person whose account
has since been deleted. A history entry, a timeline step, a comment or a document
without a person must show "the system" (or a dash), never fail the page.
"""

import os

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from inventory import history
from inventory import services as inventory_services
from inventory.choices import ChangeAction, ChangeSource
from inventory.models import Asset, AssetImport, ChangeRecord, Location
from inventory.roles import IT_STAFF
from procurement import services as procurement_services
from procurement.models import CaseDocument, Comment, ProcurementCase, StageChange
from tests.factories import make_role_user

pytestmark = pytest.mark.django_db

ROLES = ("chef", "it", "strateg", "admin")
LIST_PAGES = [
    "/",
    "/inventory/assets/",
    "/inventory/assets/export/?format=csv",
    "/inventory/assets/export/?format=xlsx",
    "/procurement/cases/",
    "/reports/",
    "/reports/it-status/",
    "/reports/strategist/",
    "/reports/budgets/",
]
DOWNLOADS = [
    f"/reports/{name}/download/?format={file_format}"
    for name in ("it-status", "strategist")
    for file_format in ("pdf", "xlsx", "csv")
]


def _csv(*rows: str) -> bytes:
    header = "Inventarienummer;Kategori;Bibliotek;Plats;Serienummer;Anteckningar"
    return ("\r\n".join([header, *rows]) + "\r\n").encode("utf-8-sig")


@pytest.fixture
def made(settings, tmp_path, client_for):
    """The demo data, and one record more from each way there is to make one."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", allow_production=True, stdout=quiet)
    users = {user.username: user for user in User.objects.filter(username__in=ROLES)}
    it = client_for(users["it"])
    store = Location.objects.get(library__code="HB", name="Förråd IT")

    # The web form.
    response = it.post(
        "/inventory/assets/add/",
        {
            "tag": "HB-WEB-1",
            "category": store.library.assets.first().category_id,
            "library": store.library_id,
            "location": store.pk,
            "usage": "public",
            "ownership": "owned",
            "status": "in_use",
            "purchase_date": "2026-01-15",
        },
    )
    assert response.status_code == 302, response.context and response.context["form"].errors

    # The web import: upload, then confirm.
    content = _csv(f"HB-IMP-1;Publik dator;HB;{store.name};IMP-1;Från webben")
    it.post("/inventory/import/", {"file": SimpleUploadedFile("webb.csv", content)})
    upload = AssetImport.objects.get(file_name="webb.csv")
    assert it.post(f"/inventory/import/{upload.pk}/confirm/").status_code == 302

    # The command line, without --user: a new asset and a change to a demo asset.
    path = tmp_path / "natt.csv"
    path.write_bytes(
        _csv(
            f"HB-CLI-1;Publik dator;HB;{store.name};CLI-1;Från kommandoraden",
            f"HB-PC-01;Publik dator;HB;{store.name};PF300001A;Ändrad i natt",
        )
    )
    with open(os.devnull, "w") as quiet:
        call_command("import_assets", str(path), "--commit", stdout=quiet)

    # The system, through no page: an asset changed and a case moved by nobody.
    asset = Asset.objects.get(tag="HB-PC-02")
    history.record(
        asset,
        actor=None,
        action=ChangeAction.CHANGED,
        changes={"notes": ["", "Synkad från IT:s system"]},
        source=ChangeSource.SYSTEM,
        source_detail="api",
    )
    case = ProcurementCase.objects.filter(library__code="HB").order_by("number").first()
    StageChange.objects.create(
        case=case, actor=None, from_stage=case.stage, to_stage=case.stage, comment="Synkad"
    )

    # A person who commented, added a document and edited an asset, and then left.
    temp = make_role_user(IT_STAFF, "vikarie")
    procurement_services.comment_add(case=case, actor=temp, text="Jag slutar i morgon.")
    procurement_services.document_add(
        case=case,
        actor=temp,
        kind="quote",
        upload=SimpleUploadedFile("offert.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    inventory_services.asset_update(
        asset=asset, actor=temp, expected_version=asset.version, data={"notes": "Vikarie"}
    )
    temp.delete()
    return users


def _assets_by_source():
    """One asset of HB per way assets are made or changed, by a description."""
    by_source = {
        "web form": "HB-WEB-1",
        "web import": "HB-IMP-1",
        "command line, new": "HB-CLI-1",
        "command line, changed": "HB-PC-01",
        "system": "HB-PC-02",
    }
    delivered = ChangeRecord.objects.filter(source=ChangeSource.DELIVERY).values("object_id")
    by_source["delivery"] = Asset.objects.filter(pk__in=delivered, library__code="HB").first().tag
    seeded = ChangeRecord.objects.filter(source=ChangeSource.SYSTEM, actor__isnull=False)
    by_source["demo loader"] = Asset.objects.get(pk=seeded.first().object_id).tag
    return by_source


def test_the_records_are_made_as_each_way_makes_them(made):
    entries = {
        (entry.source, entry.actor_id is None)
        for entry in ChangeRecord.objects.filter(
            object_id__in=Asset.objects.filter(tag__in=_assets_by_source().values()).values("pk")
        )
    }
    assert {
        (ChangeSource.WEB, False),
        (ChangeSource.IMPORT, False),
        (ChangeSource.IMPORT, True),
        (ChangeSource.DELIVERY, False),
        (ChangeSource.SYSTEM, False),
        (ChangeSource.SYSTEM, True),
    } <= entries
    assert Comment.objects.filter(author=None).exists()
    assert CaseDocument.objects.filter(uploaded_by=None).exists()
    assert StageChange.objects.filter(actor=None).exists()


@pytest.mark.parametrize("role", ROLES)
def test_every_asset_page_renders(made, client_for, role):
    client = client_for(made[role])
    for source, tag in _assets_by_source().items():
        response = client.get(f"/inventory/assets/{tag}/")
        assert response.status_code == 200, f"{source}: {tag}"
        page = response.content.decode()
        if source in ("command line, new", "command line, changed", "system"):
            # Nobody made the change: the history says the system did.
            assert "Systemet ·" in page, source
        for path in (f"/inventory/assets/{tag}/edit/", f"/inventory/assets/{tag}/status/"):
            assert client.get(path).status_code in (200, 403), f"{source}: {path}"


@pytest.mark.parametrize("role", ROLES)
def test_every_case_page_renders(made, client_for, role):
    client = client_for(made[role])
    cases = ProcurementCase.objects.all()
    if role == "chef":
        cases = cases.filter(library__code="HB")
    for case in cases:
        reference = case.url_reference
        for path in (
            f"/procurement/cases/{reference}/",
            f"/procurement/cases/{reference}/edit/",
            f"/procurement/cases/{reference}/delivery/",
            f"/reports/cases/{reference}/status-sheet.pdf",
            f"/reports/cases/{reference}/direct-award.pdf",
        ):
            response = client.get(path)
            assert response.status_code in (200, 403, 404), path
            if path.endswith(f"{reference}/"):
                assert response.status_code == 200, path
    page = client.get(ProcurementCase.objects.filter(library__code="HB")[0].get_absolute_url())
    assert page.status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_every_list_dashboard_and_report_renders(made, client_for, role):
    client = client_for(made[role])
    for path in [*LIST_PAGES, *DOWNLOADS]:
        assert client.get(path).status_code in (200, 403), path


def test_a_case_page_shows_a_missing_person_as_the_system_or_a_dash(made, client_for):
    case = StageChange.objects.get(actor=None, comment="Synkad").case
    page = client_for(made["it"]).get(case.get_absolute_url()).content.decode()
    assert "Systemet ·" in page
    assert "Jag slutar i morgon." in page and "offert.pdf" in page


def test_the_command_line_import_is_shown_as_the_systems(made, client_for):
    page = client_for(made["chef"]).get("/inventory/assets/HB-CLI-1/").content.decode()
    assert "Systemet · Skapad · Import (natt.csv)" in page
