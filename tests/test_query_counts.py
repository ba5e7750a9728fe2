"""The pages ask the database the same number of queries however much data there is, and
fewer once their figures are cached (inventory/figures.py): each page is requested for
each role on the demo data, then again after the register, the places, the fault reports
and the cases have grown."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from inventory.choices import AssetStatus, FaultUrgency
from inventory.models import Asset, Category, FaultReport, Library, Location
from procurement import services as procurement_services

pytestmark = pytest.mark.django_db

PAGES = {
    "it": [
        "/",
        "/inventory/assets/",
        "/inventory/assets/?status=in_use&per_page=100",
        "/inventory/assets/?q=PC",
        "/inventory/assets/?q=HB",
        "/inventory/assets/HB-PC-01/",
        "/procurement/cases/",
        "/reports/",
    ],
    "chef": ["/", "/inventory/assets/", "/inventory/assets/HB-PC-01/", "/procurement/cases/"],
    "strateg": ["/", "/inventory/assets/", "/procurement/cases/", "/reports/"],
}
ROLE_PAGES = [(role, url) for role, urls in PAGES.items() for url in urls]


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries.captured_queries)


def _grow() -> None:
    """Sixty more assets in two libraries, twenty more places, fault reports on some of
    them, and ten more cases of HB."""
    libraries = list(Library.objects.filter(code__in=["HB", "NO"]).order_by("code"))
    category = Category.objects.get(code="workstation")
    places = [Location.objects.create(library=libraries[n % 2], name=f"Rum {n}") for n in range(20)]
    assets = Asset.objects.bulk_create(
        Asset(
            tag=f"GROW-{n:03}",
            library=places[n % 20].library,
            location=places[n % 20],
            category=category,
            status=AssetStatus.IN_USE if n % 3 else AssetStatus.IN_REPAIR,
            purchase_price=Decimal("8495.00"),
            warranty_end=timezone.localdate() + timedelta(days=n),
            replacement_due=timezone.localdate() + timedelta(days=30 * n),
            status_changed_at=timezone.now(),
        )
        for n in range(60)
    )
    for asset in assets[::6]:
        FaultReport.objects.create(
            asset=asset, description="Startar inte.", urgency=FaultUrgency.POOR
        )
    chef = User.objects.get(username="chef")
    for n in range(10):
        procurement_services.case_create(
            actor=chef,
            library=libraries[0],
            title=f"Skannrar {n}",
            need="Fler skannrar vid informationsdisken.",
            category=category,
            estimated_value=Decimal("40000"),
        )


@pytest.fixture
def counted(demo_module):
    """Cold and warm query counts of every page, before and after the data grows."""
    clients = {}
    for role in PAGES:
        clients[role] = Client()
        clients[role].force_login(demo_module[role])
        clients[role].get("/")  # the session, once

    def count_all():
        cold, warm = {}, {}
        for role, url in ROLE_PAGES:
            cache.clear()
            cold[role, url] = _queries(clients[role], url)
            warm[role, url] = _queries(clients[role], url)
        return cold, warm

    before = count_all()
    _grow()
    after = count_all()
    return before, after


def test_no_page_asks_more_queries_as_the_data_grows(counted):
    (cold_before, warm_before), (cold_after, warm_after) = counted
    grown = {
        page: (cold_before[page], cold_after[page])
        for page in cold_before
        if cold_after[page] != cold_before[page]
    }
    assert grown == {}
    grown_warm = {
        page: (warm_before[page], warm_after[page])
        for page in warm_before
        if warm_after[page] != warm_before[page]
    }
    assert grown_warm == {}


def test_cached_figures_save_queries_on_the_heavy_pages(counted):
    _before, (cold, warm) = counted
    for page in [("it", "/"), ("strateg", "/"), ("chef", "/"), ("it", "/inventory/assets/")]:
        assert warm[page] < cold[page], page
    assert all(warm[page] <= cold[page] for page in cold)
