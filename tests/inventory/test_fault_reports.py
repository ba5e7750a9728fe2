"""Fault reports: from the phone in front of the equipment to a maintenance entry, the
photo check, who may do what, and where IT sees them (dashboard, IT status, reminders)."""

import io
import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from inventory import faults, photos
from inventory.choices import AssetStatus, FaultStatus, FaultUrgency
from inventory.history import records_for
from inventory.models import Asset, FaultReport, MaintenanceEntry, Profile
from procurement.reminders import reminders_due, reminders_send
from reports.layouts import it_status_document
from reports.selectors import asset_dashboard, it_status, report_scope

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg_with_gps(size=(40, 20), orientation: int | None = None) -> bytes:
    """A JPEG whose EXIF holds a GPS position (and, if given, an orientation)."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    if orientation:
        exif[ORIENTATION] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"  # GPSLatitudeRef
    gps[2] = (59.0, 19.0, 42.0)  # GPSLatitude: Stockholm
    gps[3] = "E"
    gps[4] = (18.0, 4.0, 7.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def upload(content: bytes, name: str = "foto.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def in_use(hb_asset):
    Asset.objects.filter(pk=hb_asset.pk).update(status=AssetStatus.IN_USE)
    hb_asset.refresh_from_db()
    return hb_asset


# --- the photo -------------------------------------------------------------------------


def test_the_test_photo_really_carries_a_gps_position():
    with Image.open(io.BytesIO(jpeg_with_gps())) as image:
        assert image.getexif().get_ifd(GPS_IFD)


def test_a_photo_is_stored_without_its_exif_and_gps(chef, in_use):
    fault = faults.fault_report(
        asset=in_use,
        actor=chef,
        description="Skärmen är svart",
        urgency=FaultUrgency.UNUSABLE,
        photo=upload(jpeg_with_gps()),
    )
    stored = fault.photo.open("rb").read()
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert not image.getexif().get_ifd(GPS_IFD)
        assert len(image.getexif()) == 0
    assert b"PhoneMaker" not in stored and b"Exif" not in stored
    assert fault.photo_content_type == "image/jpeg"
    assert fault.photo.name.startswith(f"faults/{in_use.pk}/")


def test_a_photo_is_turned_upright_before_its_exif_is_dropped(chef, in_use):
    # Orientation 6: the camera was turned; the picture is shown rotated 90°.
    fault = faults.fault_report(
        asset=in_use,
        actor=chef,
        description="Trasig",
        urgency=FaultUrgency.POOR,
        photo=upload(jpeg_with_gps(size=(40, 20), orientation=6)),
    )
    with Image.open(fault.photo.open("rb")) as image:
        assert image.size == (20, 40)


def test_a_png_is_kept_as_a_png():
    out = io.BytesIO()
    Image.new("RGBA", (8, 8)).save(out, format="PNG")
    clean = photos.photo_clean(upload(out.getvalue(), "a.png", "image/png"))
    assert clean.content_type == "image/png"


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.4\n%%EOF\n",
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        b"\xff\xd8\xff\xe0 not really a jpeg at all",
        b"GIF89a" + b"\x00" * 20,
    ],
)
def test_anything_but_a_photo_is_refused_and_nothing_is_stored(chef, in_use, content):
    with pytest.raises(ValidationError) as refused:
        faults.fault_report(
            asset=in_use,
            actor=chef,
            description="x",
            urgency=FaultUrgency.POOR,
            photo=upload(content, "bild.jpg"),
        )
    assert "photo" in refused.value.message_dict
    assert not FaultReport.objects.exists()


def test_a_photo_too_large_is_refused(monkeypatch):
    monkeypatch.setattr(photos, "MAX_PHOTO_BYTES", 100)
    with pytest.raises(ValidationError) as refused:
        photos.photo_clean(upload(jpeg_with_gps()))
    prefix = _("The photo is %(size)s; the limit is %(limit)s.").split("%(size)s")[0]
    assert refused.value.message_dict["photo"][0].startswith(prefix)


def test_a_decompression_bomb_is_refused_before_it_is_decoded(monkeypatch):
    monkeypatch.setattr(photos, "MAX_PHOTO_PIXELS", 40 * 20 - 1)
    with pytest.raises(ValidationError) as refused:
        photos.photo_clean(upload(jpeg_with_gps(size=(40, 20))))
    assert refused.value.message_dict["photo"] == [
        _("The photo has too many pixels to be read safely.")
    ]


# --- from the report to the maintenance entry ------------------------------------------


def test_from_report_to_repair_to_a_maintenance_entry(chef, it_user, in_use):
    fault = faults.fault_report(
        asset=in_use, actor=chef, description="Startar inte", urgency=FaultUrgency.UNUSABLE
    )
    assert fault.status == FaultStatus.OPEN and fault.reported_by == chef

    fault = faults.fault_acknowledge(fault=fault, actor=it_user)
    assert fault.status == FaultStatus.ACKNOWLEDGED and fault.acknowledged_by == it_user

    fault = faults.fault_send_to_repair(fault=fault, actor=it_user)
    assert fault.status == FaultStatus.IN_REPAIR
    in_use.refresh_from_db()
    assert in_use.status == AssetStatus.IN_REPAIR
    # The asset's move is in the asset's history, made by the one status service.
    assert records_for(in_use).first().changes["status"] == ["in_use", "in_repair"]

    fault = faults.fault_close(
        fault=fault, actor=it_user, resolution="Nytt nätaggregat", performed_by="IT"
    )
    assert fault.status == FaultStatus.CLOSED and fault.closed_by == it_user
    entry = fault.maintenance_entry
    assert entry == MaintenanceEntry.objects.get(asset=in_use)
    assert entry.description == "Nytt nätaggregat" and entry.kind == "repair"
    assert [r.action for r in records_for(fault)] == ["changed", "changed", "changed", "created"]

    with pytest.raises(ValidationError):
        faults.fault_acknowledge(fault=fault, actor=it_user)


def _in_repair(chef, it_user, asset):
    fault = faults.fault_report(asset=asset, actor=chef, description="Svart skärm", urgency="poor")
    return faults.fault_send_to_repair(fault=fault, actor=it_user)


def test_closing_may_put_the_repaired_asset_back_in_use(it_user, chef, in_use):
    fault = _in_repair(chef, it_user, in_use)
    faults.fault_close(fault=fault, actor=it_user, resolution="Ny skärm", back_in_use=True)
    in_use.refresh_from_db()
    assert in_use.status == AssetStatus.IN_USE
    assert records_for(in_use).first().changes["status"] == ["in_repair", "in_use"]


def test_closing_leaves_the_asset_in_repair_unless_asked(it_user, chef, in_use):
    fault = _in_repair(chef, it_user, in_use)
    faults.fault_close(fault=fault, actor=it_user, resolution="Reservdel beställd")
    in_use.refresh_from_db()
    assert in_use.status == AssetStatus.IN_REPAIR


def test_the_close_form_offers_back_in_use_only_for_an_asset_in_repair(
    client_for, it_user, chef, in_use
):
    fault = faults.fault_report(asset=in_use, actor=chef, description="x", urgency="poor")
    url = reverse("inventory:fault_close", args=[in_use.tag, fault.pk])
    assert b'name="back_in_use"' not in client_for(it_user).get(url).content
    faults.fault_send_to_repair(fault=fault, actor=it_user)
    page = client_for(it_user).get(url)
    assert re.search(r'<input[^>]*name="back_in_use"[^>]*checked', page.content.decode())
    answer = client_for(it_user).post(
        url,
        {
            "resolution": "Ny skärm",
            "kind": "repair",
            "on": timezone.localdate(),
            "back_in_use": "on",
        },
    )
    assert answer.status_code == 302
    in_use.refresh_from_db()
    assert in_use.status == AssetStatus.IN_USE


def test_closing_needs_what_was_done(it_user, chef, in_use):
    fault = faults.fault_report(asset=in_use, actor=chef, description="x", urgency="poor")
    with pytest.raises(ValidationError):
        faults.fault_close(fault=fault, actor=it_user, resolution="  ")
    assert FaultReport.objects.get().status == FaultStatus.OPEN
    assert not MaintenanceEntry.objects.exists()


def test_an_asset_that_cannot_go_to_repair_keeps_its_report_open(it_user, chef, hb_asset):
    # In stock: the status table has no move to repair from there.
    Asset.objects.filter(pk=hb_asset.pk).update(status=AssetStatus.IN_STOCK)
    hb_asset.refresh_from_db()
    fault = faults.fault_report(asset=hb_asset, actor=chef, description="x", urgency="poor")
    with pytest.raises(ValidationError):
        faults.fault_send_to_repair(fault=fault, actor=it_user)
    assert FaultReport.objects.get().status == FaultStatus.OPEN


def test_the_page_flow_from_the_phone_to_the_maintenance_log(client_for, chef, it_user, in_use):
    phone = client_for(chef)
    page = phone.get(in_use.get_absolute_url())
    create_url = reverse("inventory:fault_create", args=[in_use.tag])
    assert create_url.encode() in page.content

    answer = phone.post(
        create_url,
        {
            "description": "Tangentbordet saknar tangenter",
            "urgency": "poor",
            "photo": upload(jpeg_with_gps()),
        },
    )
    assert answer.status_code == 302
    fault = FaultReport.objects.get()
    page = phone.get(in_use.get_absolute_url())
    assert "Tangentbordet saknar tangenter" in page.content.decode()
    assert fault.get_absolute_url().encode() in page.content

    detail = phone.get(fault.get_absolute_url())
    assert detail.status_code == 200
    photo = phone.get(reverse("inventory:fault_photo", args=[in_use.tag, fault.pk]))
    assert photo["Content-Type"] == "image/jpeg"
    assert b"".join(photo.streaming_content).startswith(b"\xff\xd8\xff")
    # The reporter follows it but does not act on it.
    assert reverse("inventory:fault_close", args=[in_use.tag, fault.pk]).encode() not in (
        detail.content
    )

    it = client_for(it_user)
    it.post(reverse("inventory:fault_acknowledge", args=[in_use.tag, fault.pk]))
    it.post(reverse("inventory:fault_repair", args=[in_use.tag, fault.pk]))
    answer = it.post(
        reverse("inventory:fault_close", args=[in_use.tag, fault.pk]),
        {"resolution": "Bytt tangentbord", "kind": "repair", "on": date.today().isoformat()},
    )
    assert answer.status_code == 302
    fault.refresh_from_db()
    assert fault.status == FaultStatus.CLOSED
    assert fault.maintenance_entry.description == "Bytt tangentbord"
    page = phone.get(in_use.get_absolute_url()).content.decode()
    assert "Bytt tangentbord" in page  # in the maintenance log, and the report says so


def test_a_refused_photo_is_shown_on_the_form(client_for, chef, in_use):
    answer = client_for(chef).post(
        reverse("inventory:fault_create", args=[in_use.tag]),
        {"description": "x", "urgency": "poor", "photo": upload(b"%PDF-1.4\n", "a.jpg")},
    )
    assert answer.status_code == 400
    assert answer.context["form"].errors["photo"]
    assert not FaultReport.objects.exists()


# --- who may -----------------------------------------------------------------------------


def test_a_library_manager_cannot_report_on_or_see_another_librarys_asset(
    client_for, chef, it_user, no_asset
):
    with pytest.raises(PermissionDenied):
        faults.fault_report(asset=no_asset, actor=chef, description="x", urgency="poor")
    fault = faults.fault_report(asset=no_asset, actor=it_user, description="x", urgency="poor")
    client = client_for(chef)
    for url in (
        reverse("inventory:fault_create", args=[no_asset.tag]),
        fault.get_absolute_url(),
        reverse("inventory:fault_photo", args=[no_asset.tag, fault.pk]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(reverse("inventory:fault_create", args=[no_asset.tag])).status_code == 404
    assert not faults.faults_visible_to(chef).exists()


def test_a_fault_of_another_asset_is_not_found_under_this_one(client_for, chef, it_user, hb_asset):
    other = Asset.objects.create(tag="HB-2", library=hb_asset.library, category=hb_asset.category)
    fault = faults.fault_report(asset=other, actor=it_user, description="x", urgency="poor")
    url = reverse("inventory:fault_detail", args=[hb_asset.tag, fault.pk])
    assert client_for(chef).get(url).status_code == 404


def test_a_library_manager_cannot_acknowledge(client_for, chef, in_use):
    fault = faults.fault_report(asset=in_use, actor=chef, description="x", urgency="poor")
    with pytest.raises(PermissionDenied):
        faults.fault_acknowledge(fault=fault, actor=chef)
    url = reverse("inventory:fault_acknowledge", args=[in_use.tag, fault.pk])
    assert client_for(chef).post(url).status_code == 403
    assert FaultReport.objects.get().status == FaultStatus.OPEN


@pytest.mark.parametrize(
    ("role", "may_add", "may_change"),
    [("chef", True, False), ("it", True, True), ("strateg", True, False), ("admin", True, True)],
)
def test_the_roles_permissions(users, role, may_add, may_change):
    user = users[role]
    assert user.has_perm("inventory.add_faultreport") is may_add
    assert user.has_perm("inventory.view_faultreport")
    assert user.has_perm("inventory.change_faultreport") is may_change


# --- where IT sees them ------------------------------------------------------------------


def _reported(asset, actor, days_ago: int, **fields) -> FaultReport:
    fault = faults.fault_report(
        asset=asset, actor=actor, description=fields.pop("description", "Trasig"), urgency="poor"
    )
    FaultReport.objects.filter(pk=fault.pk).update(
        reported_at=timezone.now() - timedelta(days=days_ago), **fields
    )
    return FaultReport.objects.get(pk=fault.pk)


def test_it_dashboard_shows_open_reports_per_library_and_how_long(
    client_for, it_user, chef, hb_asset, no_asset
):
    _reported(hb_asset, it_user, 0)
    _reported(no_asset, it_user, 3)
    _reported(no_asset, it_user, 9, status=FaultStatus.CLOSED, resolution="Klar")
    data = asset_dashboard(it_user)
    assert [
        (lib.code, lib.count, [line.days for line in lib.lines]) for lib in data.open_faults
    ] == [
        ("HB", 1, [0]),
        ("NO", 1, [3]),
    ]
    page = client_for(it_user).get(reverse("dashboard")).content.decode()
    assert 'id="faults-heading"' in page
    assert "sedan i dag" in page or "since today" in page
    assert "3 days" in page or "3 dagar" in page
    # The library manager reports faults but does not handle them: no card.
    assert asset_dashboard(chef).open_faults is None
    assert 'id="faults-heading"' not in client_for(chef).get(reverse("dashboard")).content.decode()


def test_the_it_status_report_lists_open_reports_per_library(it_user, hb_asset, no_asset):
    _reported(hb_asset, it_user, 5)
    _reported(no_asset, it_user, 1)
    _reported(no_asset, it_user, 2, status=FaultStatus.CLOSED, resolution="Klar")
    data = it_status(report_scope(it_user))
    assert data.open_faults_total == 2
    assert [(r.library, r.tag, r.days_open) for r in data.open_faults] == [
        ("HB", "HB-PC-01", 5),
        ("NO", "NO-PC-01", 1),
    ]
    assert [(c.library, c.count, c.oldest_days) for c in data.fault_counts] == [
        ("HB", 1, 5),
        ("NO", 1, 1),
    ]
    section = next(s for s in it_status_document(data).sections if s.key == "faults")
    assert [row[1] for row in section.tables[0].rows] == ["HB-PC-01", "NO-PC-01"]
    assert section.tables[0].rows[0][-1] == 5


def test_the_it_status_report_of_a_library_manager_has_only_their_library(
    chef, it_user, hb_asset, no_asset
):
    _reported(hb_asset, it_user, 1)
    _reported(no_asset, it_user, 1)
    data = it_status(report_scope(chef))
    assert [r.tag for r in data.open_faults] == ["HB-PC-01"]


def _mailable(user):
    user.email = f"{user.username}@kommun.example"
    user.save(update_fields=["email"])
    Profile.objects.filter(user=user).update(language="sv")
    return user


def test_a_new_fault_report_is_mailed_to_it_once(settings, it_user, chef, hb_asset):
    settings.SITE_URL = "http://inventera.example/"
    it, manager = _mailable(it_user), _mailable(chef)
    fault = _reported(hb_asset, chef, 0, description="Skrivaren fastnar")
    today = timezone.localdate()
    due = [r for r in reminders_due(today=today) if r.kind == "fault"]
    assert [(r.user_id, r.asset_id) for r in due] == [(it.pk, hb_asset.pk)]
    assert due[0].url.endswith(fault.get_absolute_url())
    assert "Skrivaren fastnar" in due[0].text()
    assert manager.pk not in {r.user_id for r in due}

    run = reminders_send(today=today)
    assert any("Skrivaren fastnar" in email.body for email in run.emails if email.user.pk == it.pk)
    assert not [r for r in reminders_due(today=today) if r.kind == "fault"]


def test_an_acknowledged_report_is_not_mailed(it_user, chef, hb_asset):
    _mailable(it_user)
    _reported(hb_asset, chef, 0, status=FaultStatus.ACKNOWLEDGED)
    assert not [r for r in reminders_due(today=timezone.localdate()) if r.kind == "fault"]
