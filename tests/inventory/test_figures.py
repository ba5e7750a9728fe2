"""Figures cached until the data changes (inventory/figures.py): the version every write
changes, on both databases, and the dashboards that read through it staying correct to
the last write."""

import threading
from datetime import date

import pytest
from django.core.management import call_command
from django.db import close_old_connections, connection, transaction
from django.test.utils import CaptureQueriesContext

from inventory import figures
from inventory import services as inventory_services
from inventory.choices import AssetStatus
from inventory.models import Asset
from reports.selectors import asset_dashboard
from tests.factories import AssetFactory, LibraryFactory, UserFactory

TODAY = date(2026, 11, 22)


@pytest.mark.django_db
def test_every_table_the_figures_read_changes_the_version():
    watched = set(figures.watched_tables())
    # The three apps' tables and the users: a sample, so a lost app is seen.
    assert {
        "inventory_asset",
        "inventory_location",
        "inventory_faultreport",
        "procurement_procurementcase",
        "procurement_stagechange",
        "reports_budget",
        "auth_user",
    } <= watched
    assert "inventory_dataversion" not in watched
    assert figures.tables_with_trigger() >= watched


@pytest.mark.django_db
def test_each_kind_of_write_changes_the_version(hb_asset):
    seen = [figures.data_version()]

    def changed():
        version = figures.data_version()
        assert version not in seen
        seen.append(version)

    # A service, a queryset update (no save()), a bulk insert and a delete, and a write
    # to another app's table.
    inventory_services.asset_change_status(
        asset=hb_asset, to_status=AssetStatus.IN_REPAIR, actor=None
    )
    changed()
    Asset.objects.filter(pk=hb_asset.pk).update(notes="uppdaterad")
    changed()
    Asset.objects.bulk_create(
        [
            Asset(tag=f"BULK-{n}", library=hb_asset.library, category=hb_asset.category)
            for n in (1, 2)
        ]
    )
    changed()
    Asset.objects.filter(tag__startswith="BULK-").delete()
    changed()
    UserFactory()
    changed()


@pytest.mark.django_db
def test_reading_does_not_change_the_version(hb_asset, it_user, client_for):
    client = client_for(it_user)
    client.get("/")
    before = figures.data_version()
    for url in ("/", "/inventory/assets/", f"/inventory/assets/{hb_asset.tag}/", "/reports/"):
        assert client.get(url).status_code == 200
    assert figures.data_version() == before


@pytest.mark.django_db
def test_a_version_rolled_back_is_never_seen_again(hb_asset):
    before = figures.data_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        Asset.objects.filter(pk=hb_asset.pk).update(notes="ångras")
        rolled_back = figures.data_version()
        assert rolled_back != before
        raise RuntimeError
    assert figures.data_version() == before
    Asset.objects.filter(pk=hb_asset.pk).update(notes="sparas")
    assert figures.data_version() not in (before, rolled_back)


@pytest.mark.django_db
def test_figures_are_computed_once_per_version(hb_asset):
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert figures.cached_figures("test", ("a",), compute) == 1
    assert figures.cached_figures("test", ("a",), compute) == 1
    assert figures.cached_figures("test", ("b",), compute) == 2  # another key
    Asset.objects.filter(pk=hb_asset.pk).update(notes="x")
    assert figures.cached_figures("test", ("a",), compute) == 3


@pytest.mark.django_db
def test_the_dashboard_is_correct_to_the_last_write(hb_asset, hb_floor2, it_user):
    first = asset_dashboard(it_user, today=TODAY)
    assert {s.status: s.count for s in first.statuses}["in_use"] == 1
    # Cached: the same figures without counting again.
    with CaptureQueriesContext(connection) as queries:
        again = asset_dashboard(it_user, today=TODAY)
    assert again.statuses == first.statuses
    counting = [
        query["sql"]
        for query in queries.captured_queries
        if "COUNT(" in query["sql"] and 'FROM "inventory_asset"' in query["sql"]
    ]
    assert not counting

    inventory_services.asset_change_status(
        asset=hb_asset, to_status=AssetStatus.IN_REPAIR, actor=it_user
    )
    after = asset_dashboard(it_user, today=TODAY)
    counts = {s.status: s.count for s in after.statuses}
    assert (counts["in_use"], counts["in_repair"]) == (0, 1)
    assert after.in_repair_count == 1
    assert [line.tag for line in after.in_repair] == [hb_asset.tag]


@pytest.mark.django_db
def test_cached_figures_are_kept_per_reader(hb_asset, no_asset, chef, it_user):
    assert asset_dashboard(it_user, today=TODAY).total == 2
    # The library manager of HB, same version, same day: only HB's asset.
    assert asset_dashboard(chef, today=TODAY).total == 1
    assert [row.code for row in asset_dashboard(chef, today=TODAY).libraries] == ["HB"]


@pytest.mark.django_db
def test_cached_figures_are_kept_per_language(hb_asset, it_user, settings):
    from django.utils import translation

    with translation.override("sv"):
        swedish = asset_dashboard(it_user, today=TODAY).status_labels
    with translation.override("en"):
        english = asset_dashboard(it_user, today=TODAY).status_labels
    assert "I drift" in swedish
    assert "In use" in english


@pytest.mark.django_db(transaction=True)
def test_a_flush_puts_the_version_and_triggers_back(migration_data):
    call_command("flush", interactive=False, verbosity=0)
    assert figures.data_version() is not None
    assert figures.tables_with_trigger() >= set(figures.watched_tables())
    before = figures.data_version()
    LibraryFactory()
    assert figures.data_version() != before


@pytest.mark.django_db(transaction=True)
def test_two_writers_never_wait_for_each_other_on_the_version(migration_data):
    """PostgreSQL: a transaction that changed the data and has not committed does not
    hold up another writer (the version is spread over slots taken with SKIP LOCKED)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time; CI runs this on PostgreSQL")
    first, second = AssetFactory(tag="A-1"), AssetFactory(tag="A-2")
    holding, done = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def hold_a_write_open():
        try:
            with transaction.atomic():
                Asset.objects.filter(pk=first.pk).update(notes="först")
                holding.set()
                done.wait(timeout=10)
        except BaseException as error:
            errors.append(error)
        finally:
            close_old_connections()

    thread = threading.Thread(target=hold_a_write_open)
    thread.start()
    try:
        assert holding.wait(timeout=10)
        before = figures.data_version()
        with transaction.atomic():
            with connection.cursor() as cursor:
                # Waiting for the other transaction would fail here instead of hanging.
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            Asset.objects.filter(pk=second.pk).update(notes="andra")
        assert figures.data_version() != before
    finally:
        done.set()
        thread.join(timeout=10)
    assert not errors
    assert Asset.objects.get(pk=first.pk).notes == "först"


@pytest.mark.django_db
def test_the_list_offers_a_new_place_at_once(hb_asset, hb_floor2, it_user, client_for):
    client = client_for(it_user)
    page = client.get("/inventory/assets/").content.decode()
    assert "Bakom disken" not in page
    new = hb_floor2.__class__.objects.create(library=hb_floor2.library, name="Bakom disken")
    page = client.get(f"/inventory/assets/?location={new.pk}").content.decode()
    assert f'<option value="{new.pk}" selected>' in page


@pytest.mark.django_db
def test_the_list_counts_a_new_asset_at_once(hb_asset, it_user, client_for):
    client = client_for(it_user)
    assert client.get("/inventory/assets/").context["paginator"].count == 1
    AssetFactory(tag="HB-PC-02", library=hb_asset.library, location=hb_asset.location)
    assert client.get("/inventory/assets/").context["paginator"].count == 2


@pytest.mark.django_db
def test_a_role_taken_away_takes_effect_at_the_next_request(hb_asset, it_user, client_for):
    """The permissions are cached too (config/backends.py), keyed on the same version."""
    client = client_for(it_user)
    assert client.get(f"/inventory/assets/{hb_asset.tag}/edit/").status_code == 200
    assert client.get(f"/inventory/assets/{hb_asset.tag}/edit/").status_code == 200  # cached
    it_user.groups.clear()
    assert client.get(f"/inventory/assets/{hb_asset.tag}/edit/").status_code in (403, 404)


@pytest.mark.django_db
def test_a_role_given_takes_effect_at_the_next_request(hb_asset, client_for):
    from django.contrib.auth.models import Group

    from inventory import roles

    user = UserFactory(username="ny")
    client = client_for(user)
    assert client.get("/inventory/assets/").status_code == 403
    user.groups.add(Group.objects.get(name=roles.IT_STAFF))
    assert client.get("/inventory/assets/").status_code == 200


@pytest.mark.django_db
def test_a_list_total_is_kept_per_reader_and_filter(hb_asset, no_asset, chef, it_user, client_for):
    def total(user, query=""):
        return client_for(user).get(f"/inventory/assets/{query}").context["paginator"].count

    assert total(it_user) == 2
    assert total(chef) == 1  # the same URL, another reader: HB only
    assert total(it_user, "?library=NO") == 1
    assert total(it_user, "?library=NO&page=1&ordering=-tag") == 1
    assert total(chef, "?library=NO") == 0
