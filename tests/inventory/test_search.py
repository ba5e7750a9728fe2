"""The asset search (inventory/search.py, docs/search.md) on whichever database runs the
tests: the same answers as the search it replaced, Swedish letters in either case, the
prefix search of one or two characters, the SQLite index kept in step by its triggers,
and the list's count that stops at a cap."""

import importlib
import random

import pytest
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from inventory import search
from inventory.models import Asset, ProductModel
from inventory.pagination import CappedCountPaginator
from inventory.search import search_assets
from inventory.selectors import asset_list
from inventory.views.assets import AssetListView
from tests.factories import AssetFactory, ManufacturerFactory, ProductModelFactory

pytestmark = pytest.mark.django_db

SQLITE = connection.vendor == "sqlite"


def old_search(queryset, value):
    """The search before migration 0011 (inventory/filters.py until then)."""
    models = ProductModel.objects.filter(name__icontains=value).values("pk")
    return queryset.filter(
        Q(tag__icontains=value)
        | Q(serial_number__icontains=value)
        | Q(hostname__icontains=value)
        | Q(model__in=models)
    )


def found(text, queryset=None):
    queryset = Asset.objects.all() if queryset is None else queryset
    return set(search_assets(queryset, text).values_list("tag", flat=True))


@pytest.fixture(params=["few", "many"])
def matches(request, monkeypatch):
    """Both ways SQLite reads the matches: by id (few) and row by row in the list's
    order (many, as if every query matched more than SQLITE_FEW_MATCHES assets)."""
    if request.param == "many":
        monkeypatch.setattr(search, "SQLITE_FEW_MATCHES", 1)
    return request.param


# --------------------------------------------------------------------------------------
# The same answers as before


TAG_LETTERS = "ABCHNOPSabchnops0123456789-._"
TEXT_LETTERS = TAG_LETTERS + "åäöÅÄÖé %_ "
MODEL_NAMES = ["ThinkCentre M70q", "Skärm Öga 24", "Läsplatta å", "OptiPlex 7010", "100% _x_"]


@pytest.fixture
def generated(hb_floor2, workstation):
    """Three hundred assets with tags, serial numbers, hostnames and models drawn from a
    small alphabet (Swedish letters in both cases, LIKE's wildcards), so that queries
    find many, few and no assets."""
    rng = random.Random(2026)
    manufacturer = ManufacturerFactory(name="Tillverkare")
    models = [ProductModelFactory(manufacturer=manufacturer, name=name) for name in MODEL_NAMES]

    def text(letters, low, high):
        return "".join(rng.choice(letters) for _ in range(rng.randint(low, high)))

    Asset.objects.bulk_create(
        Asset(
            tag=f"{text(TAG_LETTERS, 2, 8)}{n}",
            serial_number=rng.choice(["", f"{text(TEXT_LETTERS, 1, 12)}/{n}"]),  # unique
            hostname=rng.choice(["", text(TEXT_LETTERS, 3, 14)]),
            model=rng.choice([None, *models]),
            manufacturer=manufacturer,
            category=workstation,
            library=hb_floor2.library,
            location=hb_floor2,
        )
        for n in range(300)
    )
    rows = list(Asset.objects.select_related("model"))
    # Fixed queries, and pieces of the rows' own text in another case.
    queries = [
        "000",
        "abc",
        "-0-",
        "ThinkCentre",
        "thinkcentre",
        "m70",
        "skärm",
        "Öga",
        "ÖGA",
        "läs",
        "LÄS",
        "åäö",
        "ÅÄÖ",
        "é %",
        "% _",
        "100%",
        "_x_",
        "a b",
        "zzz",
        "no such thing",
        'a"b',
    ]
    for row in rng.sample(rows, 40):
        source = rng.choice([row.tag, row.serial_number, row.hostname, row.tag])
        if len(source) >= 3:
            start = rng.randrange(0, len(source) - 2)
            piece = source[start : start + rng.randint(3, 6)]
            queries.append(rng.choice([piece, piece.upper(), piece.lower()]))
    return rows, queries


def expected(rows, text):
    """What the search means: the text in any of the four, whatever the case."""
    text = text.lower()
    return {
        row.tag
        for row in rows
        if any(
            text in value.lower()
            for value in (row.tag, row.serial_number, row.hostname, row.model and row.model.name)
            if value
        )
    }


def test_the_new_search_finds_what_the_old_one_did(generated, matches):
    rows, queries = generated
    everything = Asset.objects.all()
    some_were_found = False
    for text in queries:
        new = found(text)
        old = set(old_search(everything, text).values_list("tag", flat=True))
        assert new == expected(rows, text), text
        some_were_found |= bool(new)
        if SQLITE and not text.isascii():
            # SQLite's LIKE folds only ASCII: the old search missed "ÖGA" in "Öga".
            assert new >= old, text
        else:
            assert new == old, text
    assert some_were_found


def test_a_search_never_widens_what_the_queryset_holds(hb_floor2, chef, no_public, matches):
    """The visibility of the list (a library manager's own libraries) stays."""
    AssetFactory(tag="NO-ÅÄÖ-1", library=no_public.library, location=no_public)
    AssetFactory(tag="HB-ÅÄÖ-1", serial_number="åäö")
    visible = asset_list(chef)
    assert found("ÅÄÖ", visible) == {"HB-ÅÄÖ-1"}
    assert found("NO-", visible) == set()
    assert found("NO", visible) == set()
    assert found("NO-ÅÄÖ-1") == {"NO-ÅÄÖ-1"}


# --------------------------------------------------------------------------------------
# Swedish letters


@pytest.fixture
def swedish(hb_floor2, workstation):
    screen = ProductModelFactory(
        manufacturer=ManufacturerFactory(name="Örebro AB"), name="Skärm Öga"
    )
    AssetFactory(tag="HB-SK-01", model=screen, serial_number="Å12-778", hostname="dator-åäö")
    AssetFactory(tag="HB-SK-02", serial_number="å99", hostname="ÅÄÖ-DATOR")
    AssetFactory(tag="HB-PC-01", serial_number="SN-1", hostname="pc-1")


@pytest.mark.parametrize(
    ("text", "tags"),
    [
        ("åäö", {"HB-SK-01", "HB-SK-02"}),
        ("ÅÄÖ", {"HB-SK-01", "HB-SK-02"}),
        ("Åäö", {"HB-SK-01", "HB-SK-02"}),
        ("SKÄRM", {"HB-SK-01"}),
        ("öga", {"HB-SK-01"}),
        ("å12", {"HB-SK-01"}),
        # One or two characters: the start of the serial number, in either case.
        ("Å", {"HB-SK-01", "HB-SK-02"}),
        ("å", {"HB-SK-01", "HB-SK-02"}),
        ("å9", {"HB-SK-02"}),
        ("Å9", {"HB-SK-02"}),
        ("ä", set()),  # only inside a serial number: not its start
    ],
)
def test_swedish_letters_match_in_either_case(swedish, matches, text, tags):
    assert found(text) == tags


# --------------------------------------------------------------------------------------
# One or two characters


@pytest.fixture
def short(hb_floor2, workstation):
    model = ProductModelFactory(name="HB Special")
    AssetFactory(tag="HB-PC-01", serial_number="X4-77", hostname="hb-pub-01")
    AssetFactory(tag="hb-pc-02", serial_number="SN-HB", model=model)
    AssetFactory(tag="NO-PC-01", serial_number="hb-9", hostname="no-hb")
    AssetFactory(tag="A_1", serial_number="%AB")
    AssetFactory(tag="AB1", serial_number="C")


@pytest.mark.parametrize(
    ("text", "tags"),
    [
        ("hb", {"HB-PC-01", "hb-pc-02", "NO-PC-01"}),  # tag or serial number starts so
        ("HB", {"HB-PC-01", "hb-pc-02", "NO-PC-01"}),
        ("H", {"HB-PC-01", "hb-pc-02", "NO-PC-01"}),
        ("x4", {"HB-PC-01"}),
        ("pc", set()),  # inside the tags and hostnames, not at their start
        ("01", set()),
        ("Sp", set()),  # the model's name is not searched with two characters
        ("A_", {"A_1"}),  # LIKE's wildcards are letters here
        ("%", {"A_1"}),
        ("%A", {"A_1"}),
        ("c", {"AB1"}),
        (" hb ", {"HB-PC-01", "hb-pc-02", "NO-PC-01"}),  # spaces around do not count
    ],
)
def test_one_or_two_characters_find_the_start_of_tag_or_serial(short, matches, text, tags):
    assert found(text) == tags


def test_three_characters_find_text_anywhere(short, matches):
    assert found("pc-") == {"HB-PC-01", "hb-pc-02", "NO-PC-01"}
    assert found("-hb") == {"NO-PC-01", "hb-pc-02"}  # hostname no-hb, serial SN-HB
    assert found("spe") == {"hb-pc-02"}  # the model's name


def test_empty_and_impossible_text(short):
    assert found("") == found("   ") == set(Asset.objects.values_list("tag", flat=True))
    assert found("hb\x00") == set()


# --------------------------------------------------------------------------------------
# The index in step with the tables


def sqlite_index():
    with connection.cursor() as cursor:
        cursor.execute("SELECT rowid, tag, serial_number, hostname FROM inventory_asset_search")
        assets = sorted(cursor.fetchall())
        cursor.execute("SELECT rowid, name FROM inventory_productmodel_search")
        models = sorted(cursor.fetchall())
    return assets, models


def assert_index_in_step():
    if not SQLITE:
        return
    assets, models = sqlite_index()
    assert assets == sorted(Asset.objects.values_list("id", "tag", "serial_number", "hostname"))
    assert models == sorted(ProductModel.objects.values_list("id", "name"))


def test_the_index_follows_every_change(hb_floor2, workstation):
    model = ProductModelFactory(name="Gammalt Namn")
    asset = AssetFactory(tag="IDX-1", serial_number="SER-111", hostname="host-a", model=model)
    Asset.objects.bulk_create(
        [Asset(tag="IDX-2", category=workstation, library=hb_floor2.library, hostname="host-b")]
    )
    assert_index_in_step()
    assert found("ser-111") == {"IDX-1"} and found("host-b") == {"IDX-2"}
    assert found("gammalt") == {"IDX-1"}

    # Changed one by one and in bulk.
    asset.serial_number = "SER-222"
    asset.save()
    Asset.objects.filter(tag="IDX-2").update(hostname="värd-c", tag="IDX-3")
    assert_index_in_step()
    assert found("ser-111") == set() and found("ser-222") == {"IDX-1"}
    assert found("host-b") == set() and found("VÄRD-C") == {"IDX-3"}

    # A change of another column leaves the row as it is.
    Asset.objects.filter(tag="IDX-1").update(notes="Ny anteckning", status="in_repair")
    assert_index_in_step()

    # The model renamed: its assets are found by the new name only.
    model.name = "Nytt Namn"
    model.save()
    assert found("gammalt") == set() and found("nytt namn") == {"IDX-1"}
    ProductModel.objects.filter(pk=model.pk).update(name="Tredje Namnet")
    assert found("nytt") == set() and found("tredje") == {"IDX-1"}
    assert_index_in_step()

    # Deleted assets and models leave the index.
    asset.delete()
    Asset.objects.filter(tag="IDX-3").delete()
    ProductModel.objects.filter(pk=model.pk).delete()
    assert_index_in_step()
    assert found("idx") == set()
    if SQLITE:
        assert sqlite_index() == ([], [])


def test_the_search_index_is_in_place_after_every_migration():
    """A later migration that rebuilds inventory_asset or inventory_productmodel on SQLite
    drops their triggers with them (docs/search.md, "Changing the asset or model table");
    so do the PostgreSQL indexes go with a dropped table."""
    with connection.cursor() as cursor:
        if SQLITE:
            cursor.execute("SELECT type, name FROM sqlite_master WHERE name LIKE '%_search%'")
            names = {name for kind, name in cursor.fetchall() if kind in ("table", "trigger")}
            wanted = {
                f"inventory_{table}_search{suffix}"
                for table in ("asset", "productmodel")
                for suffix in ("", "_insert", "_update", "_delete")
            }
        else:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%%_trgm'")
            names = {name for (name,) in cursor.fetchall()}
            cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%%_prefix'")
            names |= {name for (name,) in cursor.fetchall()}
            wanted = {
                "asset_tag_trgm",
                "asset_serial_trgm",
                "asset_hostname_trgm",
                "productmodel_name_trgm",
                "asset_tag_upper_prefix",
                "asset_serial_upper_prefix",
            }
    assert wanted <= names


class Editor:
    """What 0011's functions use of a schema editor, inside the test's transaction."""

    connection = connection

    def execute(self, sql, params=None):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def test_the_search_can_be_put_back_after_a_table_is_rebuilt(hb_floor2, workstation):
    """docs/search.md, "Changing the asset or model table": 0011's backward and forward
    take the search away and make it again from the rows."""
    migration = importlib.import_module("inventory.migrations.0011_asset_search")
    AssetFactory(tag="BACK-1", hostname="värd-åäö", model=ProductModelFactory(name="Modell X"))
    migration.backward(None, Editor())
    Asset.objects.filter(tag="BACK-1").update(serial_number="SER-BACK")  # no trigger now
    if not SQLITE:  # a CREATE INDEX waits for no deferred check of this transaction
        Editor().execute("SET CONSTRAINTS ALL IMMEDIATE")
    migration.forward(None, Editor())
    assert_index_in_step()
    assert found("ser-back") == found("VÄRD-ÅÄÖ") == found("modell x") == {"BACK-1"}
    test_the_search_index_is_in_place_after_every_migration()


def test_the_indexes_answer_the_search(short):
    """The query the search makes is one the index can answer (with few rows a
    database would rather read them all, so PostgreSQL is told not to)."""
    queryset = Asset.objects.order_by()
    if not SQLITE:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
    substring = search_assets(queryset, "pc-0").explain()
    prefix = search_assets(queryset, "hb").explain()
    if SQLITE:
        assert "inventory_asset_search VIRTUAL TABLE" in substring
        assert "sqlite_autoindex_inventory_asset_1 (tag>? AND tag<?)" in prefix
        assert "asset_serial (serial_number>? AND serial_number<?)" in prefix
    else:
        for index in ("asset_tag_trgm", "asset_serial_trgm", "asset_hostname_trgm"):
            assert index in substring
        assert "asset_tag_upper_prefix" in prefix and "asset_serial_upper_prefix" in prefix


# --------------------------------------------------------------------------------------
# The count that stops at a cap


@pytest.fixture
def sixty(hb_floor2, workstation):
    Asset.objects.bulk_create(
        Asset(
            tag=f"CAP-{n:03}",
            hostname=f"cap-host-{n:03}",
            category=workstation,
            library=hb_floor2.library,
            location=hb_floor2,
        )
        for n in range(60)
    )


def paginator_of(rows: int, cap: int | None, per_page: int = 25) -> CappedCountPaginator:
    queryset = Asset.objects.filter(tag__lt=f"CAP-{rows:03}").order_by("tag", "id")
    return CappedCountPaginator(queryset, per_page, count_cap=cap)


def test_the_count_is_exact_up_to_the_cap(sixty):
    exactly = paginator_of(rows=10, cap=10)
    assert exactly.count == 10 and not exactly.last_page_unknown
    assert exactly.num_pages == 1
    beyond = paginator_of(rows=11, cap=10)
    with CaptureQueriesContext(connection) as queries:
        assert beyond.count == 11  # the cap and one more: it read no further
    assert len(queries) == 1 and "LIMIT 11" in queries[0]["sql"]
    assert beyond.last_page_unknown and beyond.num_pages is None
    uncapped = paginator_of(rows=60, cap=None)
    assert uncapped.count == 60 and uncapped.num_pages == 3 and not uncapped.last_page_unknown


def test_pages_past_the_cap_offer_the_next_one(sixty):
    paginator = paginator_of(rows=60, cap=10)
    first = paginator.page(1)
    assert [a.tag for a in first][:2] == ["CAP-000", "CAP-001"] and len(first) == 25
    assert first.has_next() and not first.has_previous()
    third = paginator.page(3)
    assert [a.tag for a in third] == [f"CAP-{n:03}" for n in range(50, 60)]
    assert not third.has_next() and third.has_previous()
    assert (third.start_index(), third.end_index()) == (51, 60)
    # A page of exactly per_page rows at the end has no next page either.
    assert not paginator_of(rows=50, cap=10).page(2).has_next()
    with pytest.raises(EmptyPage):
        paginator.page(4)
    with pytest.raises(EmptyPage):
        paginator.page(0)
    with pytest.raises(PageNotAnInteger):
        paginator.page("x")


def test_the_first_keys_are_the_count_and_the_first_pages(sixty):
    paginator = paginator_of(rows=60, cap=10, per_page=5)
    with CaptureQueriesContext(connection) as queries:
        assert paginator.last_page_unknown
        first, second = paginator.page(1), paginator.page(2)
    assert len(queries) == 3  # the keys of the first 11 rows, then each page's rows
    assert first.has_next() and second.has_next()
    assert [a.tag for a in second] == [f"CAP-{n:03}" for n in range(5, 10)]
    with CaptureQueriesContext(connection) as queries:
        third = paginator.page(3)
    assert len(queries) == 2  # its keys and one more (past the first 11), its rows
    assert [a.tag for a in third] == [f"CAP-{n:03}" for n in range(10, 15)]
    assert third.has_next()


@pytest.fixture
def cap(monkeypatch):
    monkeypatch.setattr(AssetListView, "search_count_cap", 10)
    return 10


def list_page(client, query):
    response = client.get("/inventory/assets/?" + query)
    return response, response.content.decode()


def test_a_search_of_exactly_the_cap_is_counted(sixty, cap, client_for, it_user):
    Asset.objects.filter(tag__gte="CAP-010").update(hostname="other")
    response, html = list_page(client_for(it_user), "q=cap-host")
    paginator = response.context["paginator"]
    assert paginator.count == 10 and not paginator.last_page_unknown
    assert "10 " in html.split('id="results-heading"')[1].split("</h2>")[0]


def test_a_search_past_the_cap_says_more_than(sixty, cap, client_for, it_user):
    client = client_for(it_user)
    Asset.objects.filter(tag__gte="CAP-011").update(hostname="other")
    response, html = list_page(client, "q=cap-host")  # 11 assets: one more than the cap
    assert response.context["paginator"].last_page_unknown
    heading = html.split('id="results-heading"')[1].split("</h2>")[0]
    assert "10" in heading and "11" not in heading
    assert [a.tag for a in response.context["assets"]] == [f"CAP-{n:03}" for n in range(11)]
    assert 'class="pagination"' not in html  # one page, nothing to go to


def test_pages_of_a_search_past_the_cap(sixty, cap, client_for, it_user):
    client = client_for(it_user)
    response, html = list_page(client, "q=cap-host&per_page=25")
    assert response.status_code == 200
    nav = html.split('class="pagination"')[1].split("</nav>")[0]
    assert 'rel="next"' in nav and "?q=cap-host&amp;per_page=25&amp;page=2" in nav
    assert 'rel="prev"' not in nav and "page=3" not in nav  # no link to the last page
    response, html = list_page(client, "q=cap-host&per_page=25&page=3")
    assert [a.tag for a in response.context["assets"]][-1] == "CAP-059"
    nav = html.split('class="pagination"')[1].split("</nav>")[0]
    assert 'rel="prev"' in nav and 'rel="next"' not in nav
    assert client.get("/inventory/assets/?q=cap-host&per_page=25&page=4").status_code == 404
    assert client.get("/inventory/assets/?q=cap-host&page=last").status_code == 404


def test_a_list_without_search_is_counted_exactly(sixty, cap, client_for, it_user):
    client = client_for(it_user)
    response, html = list_page(client, "per_page=25")
    paginator = response.context["paginator"]
    assert paginator.count == 60 and paginator.num_pages == 3
    assert not paginator.last_page_unknown
    assert "?per_page=25&amp;page=3" in html  # the link to the last page
    response, _html = list_page(client, "usage=public&per_page=25")
    assert response.context["paginator"].count == 60


def test_a_search_costs_the_same_queries_whatever_the_page(sixty, client_for, it_user):
    client = client_for(it_user)
    client.get("/inventory/assets/?q=cap-host")

    def sql(query):
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/inventory/assets/?" + query).status_code == 200
        return [q["sql"] for q in queries]

    first, third = sql("q=cap-host&per_page=25"), sql("q=cap-host&per_page=25&page=3")
    assert len(first) == len(third)
    assert any("LIMIT 1001" in statement for statement in first)  # the capped count


def test_the_pages_of_a_search_past_the_cap_are_valid_html(
    sixty, cap, client_for, it_user, tmp_path
):
    from tests.test_html import vnu_errors

    client = client_for(it_user)
    files = {}
    for n, query in enumerate(["q=cap-host&per_page=25", "q=cap-host&per_page=25&page=2"]):
        response = client.get("/inventory/assets/?" + query)
        assert response.context["paginator"].last_page_unknown
        (tmp_path / f"page{n}.html").write_bytes(response.content)
        files[f"page{n}.html"] = query
    assert vnu_errors(tmp_path, files) == []
