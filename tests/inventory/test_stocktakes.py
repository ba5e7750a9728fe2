"""Stocktaking: starting one (the expected list), marking assets seen from the list, by a
typed tag and from the asset's page, recording what was found unexpectedly, closing
with a decision per missing and unexpected asset, who may do what, and the selectors
the dashboard and reports read."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory import stocktakes
from inventory.choices import AssetStatus, ChangeSource, StocktakeOutcome
from inventory.history import records_for
from inventory.models import Asset, ChangeRecord, Library, Stocktake, StocktakeLine
from tests.factories import AssetFactory, LibraryFactory, LocationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def floor(hb, hb_floor2, hb_store, no_public, workstation):
    """HB with four assets in two places, one retired and one disposed; NO with one."""
    made = {
        "pc1": AssetFactory(tag="HB-PC-01", library=hb, location=hb_floor2, category=workstation),
        "pc2": AssetFactory(tag="HB-PC-02", library=hb, location=hb_floor2, category=workstation),
        "store": AssetFactory(
            tag="HB-ST-01",
            library=hb,
            location=hb_store,
            category=workstation,
            status=AssetStatus.IN_STOCK,
        ),
        "lent": AssetFactory(
            tag="HB-VR-01",
            library=hb,
            location=hb_store,
            category=workstation,
            status=AssetStatus.ON_LOAN,
        ),
        "retired": AssetFactory(
            tag="HB-OLD-1",
            library=hb,
            location=hb_floor2,
            category=workstation,
            status=AssetStatus.RETIRED,
        ),
        "disposed": AssetFactory(
            tag="HB-OLD-2",
            library=hb,
            location=hb_floor2,
            category=workstation,
            status=AssetStatus.DISPOSED,
        ),
        "no": AssetFactory(tag="NO-PC-01", library=no_public.library, location=no_public),
    }
    return made


def _tags(lines) -> list[str]:
    return sorted(line.asset.tag for line in lines)


def _line(stocktake: Stocktake, tag: str) -> StocktakeLine:
    return StocktakeLine.objects.get(stocktake=stocktake, asset__tag=tag)


# --- starting --------------------------------------------------------------------------


def test_the_expected_list_is_every_asset_there_not_retired_or_disposed(chef, hb, floor):
    stocktake = stocktakes.stocktake_start(actor=chef, library=hb)
    lines = stocktake.lines.select_related("asset", "expected_location")
    assert _tags(lines) == ["HB-PC-01", "HB-PC-02", "HB-ST-01", "HB-VR-01"]
    assert all(line.expected and line.seen_at is None for line in lines)
    assert {line.asset.tag: line.expected_location.name for line in lines}["HB-ST-01"] == (
        "Förråd IT"
    )
    assert stocktake.started_by == chef and stocktake.is_open
    assert stocktakes.open_stocktake_of(hb) == stocktake


def test_a_stocktake_of_some_places_lists_only_what_is_there(chef, hb, hb_store, floor):
    stocktake = stocktakes.stocktake_start(actor=chef, library=hb, locations=[hb_store])
    assert _tags(stocktake.lines.all()) == ["HB-ST-01", "HB-VR-01"]
    assert list(stocktake.locations.all()) == [hb_store]


def test_the_expected_list_is_a_snapshot_of_the_start(chef, hb, hb_store, floor):
    stocktake = stocktakes.stocktake_start(actor=chef, library=hb)
    Asset.objects.filter(tag="HB-PC-01").update(location=hb_store)
    AssetFactory(tag="HB-NEW-1", library=hb, location=hb_store)
    line = _line(stocktake, "HB-PC-01")
    assert line.expected_location.name == "Plan 2 – vid vuxeninformationen"
    assert not stocktake.lines.filter(asset__tag="HB-NEW-1").exists()


def test_only_one_stocktake_of_a_library_is_open(chef, it_user, hb, no, floor):
    first = stocktakes.stocktake_start(actor=chef, library=hb)
    with pytest.raises(ValidationError) as refused:
        stocktakes.stocktake_start(actor=it_user, library=hb)
    assert "library" in refused.value.message_dict
    assert Stocktake.objects.filter(library=hb).count() == 1
    # Another library may be counted at the same time.
    stocktakes.stocktake_start(actor=it_user, library=no)
    stocktakes.stocktake_close(actor=chef, stocktake=first)
    # Closed, a new one of the same library may start.
    assert stocktakes.stocktake_start(actor=chef, library=hb).is_open


def test_a_place_of_another_library_is_refused(chef, hb, no_public, floor):
    with pytest.raises(ValidationError) as refused:
        stocktakes.stocktake_start(actor=chef, library=hb, locations=[no_public])
    assert "locations" in refused.value.message_dict
    assert not Stocktake.objects.exists()


def test_who_may_start(chef, strateg, it_user, hb, no, floor):
    with pytest.raises(PermissionDenied):
        stocktakes.stocktake_start(actor=chef, library=no)
    with pytest.raises(PermissionDenied):
        stocktakes.stocktake_start(actor=strateg, library=hb)
    assert not Stocktake.objects.exists()
    assert stocktakes.stocktake_start(actor=it_user, library=no).library == no


@pytest.mark.parametrize(
    ("role", "may_view", "may_add", "may_change"),
    [
        ("chef", True, True, True),
        ("it", True, True, True),
        ("strateg", True, False, False),
        ("admin", True, True, True),
    ],
)
def test_the_roles_permissions(users, role, may_view, may_add, may_change):
    user = users[role]
    assert user.has_perm(stocktakes.VIEW_PERMISSION) is may_view
    assert user.has_perm(stocktakes.ADD_PERMISSION) is may_add
    assert user.has_perm(stocktakes.CHANGE_PERMISSION) is may_change


# --- seeing ----------------------------------------------------------------------------


def test_a_sighting_marks_the_line_and_the_asset_without_an_edit(chef, hb, floor):
    stocktake = stocktakes.stocktake_start(actor=chef, library=hb)
    asset = floor["pc1"]
    before = Asset.objects.get(pk=asset.pk)
    history_before = ChangeRecord.objects.count()

    result = stocktakes.stocktake_mark_seen(actor=chef, stocktake=stocktake, assets=[asset])

    assert result == stocktakes.Sighting(seen=("HB-PC-01",))
    line = _line(stocktake, "HB-PC-01")
    assert line.seen_by == chef and line.seen_at is not None and line.expected
    after = Asset.objects.get(pk=asset.pk)
    assert after.last_seen_on == timezone.localdate() and after.last_seen_by == chef
    # Not an edit: the version, the time of the last change and the history stay.
    assert after.version == before.version
    assert after.updated_at == before.updated_at
    assert ChangeRecord.objects.count() == history_before


def test_a_second_sighting_keeps_the_first(chef, it_user, hb, floor):
    stocktake = stocktakes.stocktake_start(actor=chef, library=hb)
    stocktakes.stocktake_mark_seen(actor=chef, stocktake=stocktake, assets=[floor["pc1"]])
    first = _line(stocktake, "HB-PC-01").seen_at
    result = stocktakes.stocktake_mark_seen(
        actor=it_user, stocktake=stocktake, assets=[floor["pc1"], floor["pc2"]]
    )
    assert result.seen == ("HB-PC-02",) and result.already == ("HB-PC-01",)
    line = _line(stocktake, "HB-PC-01")
    assert line.seen_at == first and line.seen_by == chef


def test_an_asset_not_on_the_list_needs_where_it_was_found(chef, it_user, hb, hb_store, floor):
    stocktake = stocktakes.stocktake_start(actor=chef, library=hb, locations=[hb_store])
    pc = floor["pc1"]  # HB, but on floor 2: outside the places counted
    with pytest.raises(ValidationError) as refused:
        stocktakes.stocktake_mark_seen(actor=chef, stocktake=stocktake, assets=[pc])
    assert "found_location" in refused.value.message_dict
    assert not stocktake.lines.filter(asset=pc).exists()

    result = stocktakes.stocktake_mark_seen(
        actor=chef, stocktake=stocktake, assets=[pc], found_location=hb_store
    )
    assert result.unexpected == ("HB-PC-01",)
    line = _line(stocktake, "HB-PC-01")
    assert not line.expected and line.found_location == hb_store and line.seen_by == chef
    assert Asset.objects.get(pk=pc.pk).last_seen_on == timezone.localdate()


def test_another_librarys_asset_is_recorded_where_it_was_found(it_user, hb, hb_store, floor):
    stocktake = stocktakes.stocktake_start(actor=it_user, library=hb)
    stocktakes.stocktake_mark_seen(
        actor=it_user, stocktake=stocktake, assets=[floor["no"]], found_location=hb_store
    )
    line = _line(stocktake, "NO-PC-01")
    assert not line.expected and line.found_location == hb_store


def test_where_it_was_found_is_a_place_of_the_stocktakes_library(it_user, hb, no_public, floor):
    stocktake = stocktakes.stocktake_start(actor=it_user, library=hb)
    with pytest.raises(ValidationError) as refused:
        stocktakes.stocktake_mark_seen(
            actor=it_user, stocktake=stocktake, assets=[floor["no"]], found_location=no_public
        )
    assert "found_location" in refused.value.message_dict
    assert not stocktake.lines.filter(expected=False).exists()


def test_who_may_mark_seen(chef, strateg, it_user, hb, no, floor):
    hb_count = stocktakes.stocktake_start(actor=it_user, library=hb)
    no_count = stocktakes.stocktake_start(actor=it_user, library=no)
    with pytest.raises(PermissionDenied):
        stocktakes.stocktake_mark_seen(actor=strateg, stocktake=hb_count, assets=[floor["pc1"]])
    with pytest.raises(PermissionDenied):
        stocktakes.stocktake_mark_seen(actor=chef, stocktake=no_count, assets=[floor["no"]])
    # Nor another library's asset in the own library's stocktake, for a library manager.
    with pytest.raises(PermissionDenied):
        stocktakes.stocktake_mark_seen(
            actor=chef,
            stocktake=hb_count,
            assets=[floor["no"]],
            found_location=floor["pc1"].location,
        )
    assert not StocktakeLine.objects.filter(seen_at__isnull=False).exists()
    assert not Asset.objects.filter(last_seen_on__isnull=False).exists()


def test_a_closed_stocktake_is_read_only(chef, hb, floor):
    stocktake = stocktakes.stocktake_start(actor=chef, library=hb)
    stocktakes.stocktake_close(actor=chef, stocktake=stocktake)
    with pytest.raises(ValidationError):
        stocktakes.stocktake_mark_seen(actor=chef, stocktake=stocktake, assets=[floor["pc1"]])
    with pytest.raises(ValidationError):
        stocktakes.stocktake_close(actor=chef, stocktake=stocktake)
    assert not StocktakeLine.objects.filter(seen_at__isnull=False).exists()


def test_a_sighting_between_loading_and_saving_an_edit_is_kept(
    client_for, it_user, chef, hb, floor
):
    """The edit form was loaded before the sighting and saved after it: the save re-reads
    the asset under its lock, so last_seen_on stays, and the sighting (no new version)
    does not make the edit stale."""
    asset = floor["pc1"]
    stocktake = stocktakes.stocktake_start(actor=chef, library=hb)
    editor = client_for(it_user)
    form = editor.get(reverse("inventory:asset_update", args=[asset.tag])).context["form"]
    data = {field.html_name: field.value() for field in form if field.value() is not None}
    data["features"] = []
    data["notes"] = "Ny mus"

    stocktakes.stocktake_mark_seen(actor=chef, stocktake=stocktake, assets=[asset])

    answer = editor.post(reverse("inventory:asset_update", args=[asset.tag]), data)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    saved = Asset.objects.get(pk=asset.pk)
    assert saved.notes == "Ny mus" and saved.version == 2
    assert saved.last_seen_on == timezone.localdate() and saved.last_seen_by == chef


# --- closing ---------------------------------------------------------------------------


def test_closing_marks_missing_with_a_note_and_leaves_the_rest(chef, hb, floor):
    stocktake = stocktakes.stocktake_start(actor=chef, library=hb)
    stocktakes.stocktake_mark_seen(
        actor=chef, stocktake=stocktake, assets=[floor["pc1"], floor["store"]]
    )
    closed = stocktakes.stocktake_close(
        actor=chef, stocktake=stocktake, decisions={"HB-PC-02": StocktakeOutcome.MISSING}
    )
    assert closed.closed_by == chef and closed.closed_at is not None and not closed.is_open
    assert _line(stocktake, "HB-PC-02").outcome == StocktakeOutcome.MISSING
    assert _line(stocktake, "HB-VR-01").outcome == StocktakeOutcome.LEFT
    assert _line(stocktake, "HB-PC-01").outcome == StocktakeOutcome.OPEN  # seen: no decision

    missing = Asset.objects.get(tag="HB-PC-02")
    note = records_for(missing).get()
    assert note.source == ChangeSource.STOCKTAKE and note.changes == {}
    assert note.comment == _("Missing in stocktake %(stocktake)s") % {"stocktake": str(stocktake)}
    assert str(stocktake) == f"HB {timezone.localdate(stocktake.started_at):%Y-%m-%d}"
    assert note.actor == chef
    # No "missing" status: the status and version are as they were.
    assert missing.status == AssetStatus.IN_USE and missing.version == 1
    assert not records_for(Asset.objects.get(tag="HB-VR-01")).exists()


def test_an_unexpected_asset_is_moved_to_where_it_was_found(chef, hb, hb_floor2, hb_store, floor):
    stocktake = stocktakes.stocktake_start(actor=chef, library=hb, locations=[hb_store])
    stocktakes.stocktake_mark_seen(
        actor=chef, stocktake=stocktake, assets=[floor["pc1"]], found_location=hb_store
    )
    stocktakes.stocktake_close(
        actor=chef,
        stocktake=stocktake,
        decisions={"HB-PC-01": StocktakeOutcome.MOVED},
        versions={"HB-PC-01": 1},
    )
    moved = Asset.objects.get(tag="HB-PC-01")
    assert moved.location == hb_store and moved.version == 2
    entry = records_for(moved).get()
    assert entry.source == ChangeSource.STOCKTAKE and entry.source_detail == str(stocktake)
    assert entry.changes["location"] == [hb_floor2.name, hb_store.name]
    assert _line(stocktake, "HB-PC-01").outcome == StocktakeOutcome.MOVED


def test_only_it_moves_an_asset_to_another_library(chef, it_user, hb, hb_store, floor):
    stocktake = stocktakes.stocktake_start(actor=it_user, library=hb)
    stocktakes.stocktake_mark_seen(
        actor=it_user, stocktake=stocktake, assets=[floor["no"]], found_location=hb_store
    )
    with pytest.raises(ValidationError) as refused:
        stocktakes.stocktake_close(
            actor=chef, stocktake=stocktake, decisions={"NO-PC-01": StocktakeOutcome.MOVED}
        )
    message = refused.value.message_dict["NO-PC-01"][0]
    assert "NO-PC-01" in message and "Norrbiblioteket" in message
    assert Stocktake.objects.get(pk=stocktake.pk).is_open
    assert Asset.objects.get(tag="NO-PC-01").library.code == "NO"

    stocktakes.stocktake_close(
        actor=it_user, stocktake=stocktake, decisions={"NO-PC-01": StocktakeOutcome.MOVED}
    )
    moved = Asset.objects.get(tag="NO-PC-01")
    assert (moved.library, moved.location) == (hb, hb_store)


def test_a_move_of_an_asset_changed_since_the_page_is_refused_and_nothing_is_done(
    it_user, hb, hb_store, floor
):
    stocktake = stocktakes.stocktake_start(actor=it_user, library=hb, locations=[hb_store])
    stocktakes.stocktake_mark_seen(
        actor=it_user, stocktake=stocktake, assets=[floor["pc1"]], found_location=hb_store
    )
    Asset.objects.filter(tag="HB-PC-01").update(version=5)  # someone saved meanwhile
    with pytest.raises(ValidationError) as refused:
        stocktakes.stocktake_close(
            actor=it_user,
            stocktake=stocktake,
            decisions={"HB-PC-01": StocktakeOutcome.MOVED, "HB-ST-01": StocktakeOutcome.MISSING},
            versions={"HB-PC-01": 1},
        )
    assert "HB-PC-01" in refused.value.message_dict
    # One transaction: the missing note is not kept either, and it is still open.
    assert not records_for(Asset.objects.get(tag="HB-ST-01")).exists()
    assert Asset.objects.get(tag="HB-PC-01").location != hb_store
    assert Stocktake.objects.get(pk=stocktake.pk).is_open
    assert set(stocktake.lines.values_list("outcome", flat=True)) == {StocktakeOutcome.OPEN}


@pytest.mark.parametrize(
    ("tag", "outcome"),
    [
        ("HB-PC-02", StocktakeOutcome.MOVED),  # missing: cannot be moved
        ("HB-PC-02", "lost"),
        ("HB-PC-01", StocktakeOutcome.MISSING),  # seen: nothing to decide
        ("NO-SUCH-1", StocktakeOutcome.LEFT),
    ],
)
def test_a_decision_that_does_not_fit_the_line_is_refused(chef, hb, floor, tag, outcome):
    stocktake = stocktakes.stocktake_start(actor=chef, library=hb)
    stocktakes.stocktake_mark_seen(actor=chef, stocktake=stocktake, assets=[floor["pc1"]])
    with pytest.raises(ValidationError):
        stocktakes.stocktake_close(actor=chef, stocktake=stocktake, decisions={tag: outcome})
    assert Stocktake.objects.get(pk=stocktake.pk).is_open


def test_who_may_close(chef, strateg, it_user, no, floor):
    stocktake = stocktakes.stocktake_start(actor=it_user, library=no)
    for actor in (chef, strateg):
        with pytest.raises(PermissionDenied):
            stocktakes.stocktake_close(actor=actor, stocktake=stocktake)
    assert Stocktake.objects.get(pk=stocktake.pk).is_open


# --- the selectors ---------------------------------------------------------------------


def test_who_sees_which_stocktakes(chef, strateg, it_user, hb, no, floor):
    own = stocktakes.stocktake_start(actor=it_user, library=hb)
    other = stocktakes.stocktake_start(actor=it_user, library=no)
    assert list(stocktakes.stocktakes_visible_to(chef)) == [own]
    assert set(stocktakes.stocktakes_visible_to(strateg)) == {own, other}
    assert set(stocktakes.stocktake_list(it_user)) == {own, other}


def test_the_list_has_the_open_ones_first(it_user, hb, no, floor):
    old = stocktakes.stocktake_start(actor=it_user, library=hb)
    stocktakes.stocktake_close(actor=it_user, stocktake=old)
    no_count = stocktakes.stocktake_start(actor=it_user, library=no)
    Stocktake.objects.filter(pk=no_count.pk).update(started_at=timezone.now() - timedelta(days=30))
    new = stocktakes.stocktake_start(actor=it_user, library=hb)
    assert [s.pk for s in stocktakes.stocktake_list(it_user)] == [new.pk, no_count.pk, old.pk]


def test_the_last_closed_stocktake_per_library(it_user, hb, no, hb_store, floor):
    so = LibraryFactory(code="SO", name="Södra biblioteket")
    earlier = stocktakes.stocktake_start(actor=it_user, library=hb)
    stocktakes.stocktake_close(actor=it_user, stocktake=earlier)
    Stocktake.objects.filter(pk=earlier.pk).update(closed_at=timezone.now() - timedelta(days=90))
    last = stocktakes.stocktake_start(actor=it_user, library=hb)
    stocktakes.stocktake_mark_seen(
        actor=it_user, stocktake=last, assets=[floor["pc1"], floor["store"]]
    )
    stocktakes.stocktake_mark_seen(
        actor=it_user, stocktake=last, assets=[floor["no"]], found_location=hb_store
    )
    stocktakes.stocktake_close(actor=it_user, stocktake=last)
    stocktakes.stocktake_start(actor=it_user, library=no)  # open: not counted yet

    libraries = Library.objects.filter(code__in=["HB", "NO", "SO"]).order_by("code")
    with CaptureQueriesContext(connection) as queries:
        rows = stocktakes.last_closed_per_library(libraries)
    assert len(queries) == 3
    hb_row, no_row, so_row = rows
    assert hb_row.library == hb and hb_row.stocktake == last
    assert hb_row.closed_on == timezone.localdate()
    assert (hb_row.expected, hb_row.seen, hb_row.missing, hb_row.unexpected) == (4, 2, 2, 1)
    assert hb_row.missing_tags == ("HB-PC-02", "HB-VR-01")
    assert no_row == stocktakes.LibraryStocktake(no, None, None, 0, 0, 0, 0, ())
    assert so_row.library == so and so_row.stocktake is None


def test_the_last_closed_per_library_takes_constant_queries(it_user, floor):
    for n in range(5):
        library = LibraryFactory(code=f"X{n}")
        AssetFactory(library=library, location=LocationFactory(library=library))
        stocktakes.stocktake_close(
            actor=it_user, stocktake=stocktakes.stocktake_start(actor=it_user, library=library)
        )
    with CaptureQueriesContext(connection) as queries:
        rows = stocktakes.last_closed_per_library(Library.objects.all())
    assert len(queries) == 3
    assert [row.missing for row in rows if row.library.code.startswith("X")] == [1] * 5


# --- the pages -------------------------------------------------------------------------


def _page(client, url) -> str:
    answer = client.get(url)
    assert answer.status_code == 200, answer.status_code
    return answer.content.decode()


def test_starting_from_the_page_and_a_second_start_is_a_form_error(client_for, chef, hb, floor):
    client = client_for(chef)
    page = _page(client, reverse("inventory:stocktake_start"))
    assert 'name="library"' in page
    answer = client.post(reverse("inventory:stocktake_start"), {"library": hb.pk})
    stocktake = Stocktake.objects.get()
    assert answer.status_code == 302 and answer["Location"] == stocktake.get_absolute_url()

    again = client.post(reverse("inventory:stocktake_start"), {"library": hb.pk})
    assert again.status_code == 400
    assert again.context["form"].errors["library"]
    assert Stocktake.objects.count() == 1


def test_the_list_page(client_for, chef, strateg, it_user, hb, no, floor):
    own = stocktakes.stocktake_start(actor=it_user, library=hb)
    other = stocktakes.stocktake_start(actor=it_user, library=no)
    stocktakes.stocktake_mark_seen(actor=it_user, stocktake=own, assets=[floor["pc1"]])
    page = _page(client_for(chef), reverse("inventory:stocktake_list"))
    assert own.get_absolute_url() in page and other.get_absolute_url() not in page
    assert reverse("inventory:stocktake_start") in page
    assert _("%(seen)s of %(expected)s") % {"seen": 1, "expected": 4} in page
    page = _page(client_for(strateg), reverse("inventory:stocktake_list"))
    assert other.get_absolute_url() in page
    assert reverse("inventory:stocktake_start") not in page


def test_counting_on_the_page_by_boxes_and_by_a_typed_tag(client_for, chef, hb, floor):
    stocktake = stocktakes.stocktake_start(actor=chef, library=hb)
    client = client_for(chef)
    url = stocktake.get_absolute_url()
    page = _page(client, url)
    assert 'value="HB-PC-01"' in page and 'name="tag"' in page

    answer = client.post(url, {"assets": ["HB-PC-01", "HB-PC-02"]})
    assert answer.status_code == 302
    assert _tags(stocktake.lines.filter(seen_at__isnull=False)) == ["HB-PC-01", "HB-PC-02"]

    # A scanner types the tag; the case of the letters does not matter. The page comes
    # back with the field ready for the next scan.
    answer = client.post(url, {"tag": " hb-st-01 "})
    assert answer["Location"] == f"{url}?scan=1#count-heading"
    assert _line(stocktake, "HB-ST-01").seen_by == chef
    assert 'name="tag"' in (page := _page(client, f"{url}?scan=1")) and "autofocus" in page
    assert "autofocus" not in _page(client, url)

    # Ticking one already seen (someone else was quicker) is no error.
    assert client.post(url, {"assets": ["HB-PC-01"]}).status_code == 302


def test_a_typed_tag_that_is_not_on_the_list_or_unknown(client_for, chef, hb, hb_store, floor):
    stocktake = stocktakes.stocktake_start(actor=chef, library=hb, locations=[hb_store])
    client = client_for(chef)
    url = stocktake.get_absolute_url()
    answer = client.post(url, {"tag": "HB-PC-01"})
    assert answer.status_code == 400
    assert answer.context["form"].errors["tag"]
    # The form for what was found, right below, has the tag already.
    assert answer.context["found_form"].initial["tag"] == "HB-PC-01"
    assert 'value="HB-PC-01"' in answer.content.decode()

    for typed in ("NO-PC-01", "NOPE-1", ""):  # another library's is unknown to the manager
        answer = client.post(url, {"tag": typed})
        assert answer.status_code == 400
        assert answer.context["form"].errors
    assert not stocktake.lines.filter(seen_at__isnull=False).exists()


def test_recording_an_asset_found_here(client_for, chef, hb, hb_store, floor):
    stocktake = stocktakes.stocktake_start(actor=chef, library=hb, locations=[hb_store])
    client = client_for(chef)
    url = reverse("inventory:stocktake_found", args=[stocktake.pk])
    assert 'name="found_location"' in _page(client, url)
    answer = client.post(url, {"tag": "HB-PC-01", "found_location": hb_store.pk})
    assert answer.status_code == 302
    line = _line(stocktake, "HB-PC-01")
    assert not line.expected and line.found_location == hb_store
    assert "HB-PC-01" in _page(client, stocktake.get_absolute_url())

    answer = client.post(url, {"tag": "HB-PC-02"})
    assert answer.status_code == 400 and answer.context["form"].errors["found_location"]


def test_seen_here_on_the_asset_page(client_for, chef, strateg, hb, floor):
    asset = floor["pc1"]
    phone = client_for(chef)
    seen_url = reverse("inventory:asset_seen", args=[asset.tag])
    # No stocktake open: no button.
    assert seen_url not in _page(phone, asset.get_absolute_url())

    stocktake = stocktakes.stocktake_start(actor=chef, library=hb)
    page = _page(phone, asset.get_absolute_url())
    assert seen_url in page and 'id="stocktake-heading"' in page
    # The strategist reads; no button, and the POST is refused.
    assert seen_url not in _page(client_for(strateg), asset.get_absolute_url())
    assert client_for(strateg).post(seen_url).status_code == 403

    answer = phone.post(seen_url)
    assert answer.status_code == 302
    assert answer["Location"] == f"{asset.get_absolute_url()}#stocktake-heading"
    assert _line(stocktake, asset.tag).seen_by == chef
    page = _page(phone, asset.get_absolute_url())
    assert seen_url not in page  # seen: the button is gone, the page says when
    assert "HB-PC-01" in page and Asset.objects.get(pk=asset.pk).last_seen_on is not None
    assert phone.get(seen_url).status_code == 405


def test_seen_here_for_an_asset_not_on_the_list(client_for, chef, hb, hb_store, floor):
    asset = floor["pc1"]  # on floor 2, which is not counted
    stocktake = stocktakes.stocktake_start(actor=chef, library=hb, locations=[hb_store])
    phone = client_for(chef)
    page = _page(phone, asset.get_absolute_url())
    assert 'name="found_location"' in page
    seen_url = reverse("inventory:asset_seen", args=[asset.tag])

    phone.post(seen_url)  # without saying where: refused with a message
    assert not stocktake.lines.filter(asset=asset).exists()
    phone.post(seen_url, {"found_location": "not-a-number"})
    assert not stocktake.lines.filter(asset=asset).exists()

    assert phone.post(seen_url, {"found_location": hb_store.pk}).status_code == 302
    line = _line(stocktake, asset.tag)
    assert not line.expected and line.found_location == hb_store


def test_closing_on_the_page_and_the_result(client_for, chef, strateg, hb, floor):
    stocktake = stocktakes.stocktake_start(actor=chef, library=hb)
    stocktakes.stocktake_mark_seen(
        actor=chef, stocktake=stocktake, assets=[floor["pc1"], floor["store"]]
    )
    client = client_for(chef)
    close_url = reverse("inventory:stocktake_close", args=[stocktake.pk])
    page = _page(client, close_url)
    pc2, vr = _line(stocktake, "HB-PC-02"), _line(stocktake, "HB-VR-01")
    assert f'name="line_{pc2.pk}"' in page and f'name="line_{vr.pk}"' in page
    assert f'name="line_{_line(stocktake, "HB-PC-01").pk}"' not in page
    assert client_for(strateg).get(close_url).status_code == 403

    # Without a decision for each: the form says so, nothing is closed.
    assert client.post(close_url, {f"line_{pc2.pk}": "missing"}).status_code == 400
    assert Stocktake.objects.get(pk=stocktake.pk).is_open

    answer = client.post(close_url, {f"line_{pc2.pk}": "missing", f"line_{vr.pk}": "left"})
    assert answer.status_code == 302 and answer["Location"] == stocktake.get_absolute_url()
    assert not Stocktake.objects.get(pk=stocktake.pk).is_open
    assert records_for(Asset.objects.get(tag="HB-PC-02")).get().source == "stocktake"

    result = _page(client, stocktake.get_absolute_url())
    assert str(StocktakeOutcome.MISSING.label) in result
    assert "<form" not in result.split("<main", 1)[1].split("</main>", 1)[0]
    # Read-only: its forms lead back to its page.
    assert client.get(close_url).status_code == 302
    assert client.post(stocktake.get_absolute_url(), {"tag": "HB-PC-02"}).status_code == 302
    assert _line(stocktake, "HB-PC-02").seen_at is None


def test_the_close_page_tells_a_manager_why_another_librarys_asset_cannot_be_moved(
    client_for, chef, it_user, hb, hb_store, floor
):
    stocktake = stocktakes.stocktake_start(actor=it_user, library=hb)
    stocktakes.stocktake_mark_seen(
        actor=it_user, stocktake=stocktake, assets=[floor["no"]], found_location=hb_store
    )
    line = _line(stocktake, "NO-PC-01")
    page = _page(client_for(chef), reverse("inventory:stocktake_close", args=[stocktake.pk]))
    field = page.split(f'id="id_line_{line.pk}_help"', 1)[1].split("</p>", 1)[0]
    assert "IT" in field
    assert f'name="line_{line.pk}" value="moved"' not in page
    it_page = _page(client_for(it_user), reverse("inventory:stocktake_close", args=[stocktake.pk]))
    assert f'name="line_{line.pk}" value="moved"' in it_page


def test_another_librarys_stocktake_is_not_found(client_for, chef, it_user, no, floor):
    stocktake = stocktakes.stocktake_start(actor=it_user, library=no)
    client = client_for(chef)
    for name in ("stocktake_detail", "stocktake_found", "stocktake_close"):
        url = reverse(f"inventory:{name}", args=[stocktake.pk])
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    assert client.post(reverse("inventory:asset_seen", args=["NO-PC-01"])).status_code == 404


def test_the_strategist_reads_but_does_not_count(client_for, strateg, it_user, hb, floor):
    stocktake = stocktakes.stocktake_start(actor=it_user, library=hb)
    client = client_for(strateg)
    page = _page(client, stocktake.get_absolute_url())
    assert "HB-PC-01" in page and 'name="tag"' not in page and 'name="assets"' not in page
    assert reverse("inventory:stocktake_close", args=[stocktake.pk]) not in page
    assert client.post(stocktake.get_absolute_url(), {"tag": "HB-PC-01"}).status_code == 403
    assert client.get(reverse("inventory:stocktake_start")).status_code == 403
    assert not stocktake.lines.filter(seen_at__isnull=False).exists()


def test_the_close_page_refuses_a_move_of_an_asset_changed_meanwhile(
    client_for, it_user, hb, hb_store, floor
):
    stocktake = stocktakes.stocktake_start(actor=it_user, library=hb, locations=[hb_store])
    stocktakes.stocktake_mark_seen(
        actor=it_user, stocktake=stocktake, assets=[floor["pc1"]], found_location=hb_store
    )
    client = client_for(it_user)
    url = reverse("inventory:stocktake_close", args=[stocktake.pk])
    form = client.get(url).context["form"]
    data = {field.html_name: field.value() for field in form}
    found = _line(stocktake, "HB-PC-01")
    assert data[f"version_{found.pk}"] == 1
    data[f"line_{found.pk}"] = StocktakeOutcome.MOVED
    Asset.objects.filter(pk=found.asset_id).update(version=2, notes="Ändrad")  # meanwhile

    answer = client.post(url, data)
    assert answer.status_code == 400
    refused = answer.context["form"]
    assert refused.errors[f"line_{found.pk}"]
    assert refused.data[f"version_{found.pk}"] == 2  # the next try is a deliberate one
    assert Stocktake.objects.get(pk=stocktake.pk).is_open

    data[f"version_{found.pk}"] = 2
    assert client.post(url, data).status_code == 302
    assert Asset.objects.get(pk=found.asset_id).location == hb_store
