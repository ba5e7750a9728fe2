"""One size of the page benchmark: a worker process of bench/run.py, driven over pipes.

    pages.py SIZE build|reuse

builds SIZE assets in the database of DATABASE_URL (or, with `reuse`, migrates the one
already built), logs in an IT user through Django's test client and answers one JSON
line per command line on stdin:

    {"op": "warm", "page": NAME}     one request, not timed
    {"op": "time", "page": NAME}     one request: {"ms": milliseconds}
    {"op": "cold", "page": NAME}     the same with the cache emptied first, as the first
                                     request after a write finds it (inventory/figures.py)
    {"op": "queries", "page": NAME}  {"queries": how many one request makes}
    {"op": "cold_queries", ...}      the same with the cache emptied first
    {"op": "quit"}

The first line it writes says it is ready: {"assets", "build_s", "pages": {NAME: URL}}.
The parent asks each size's worker in turn, request by request, so that a noisy machine
slows every size alike. Anything else the process prints goes to stderr.
"""

import json
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal

import django

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from demo.inventory import seed_reference_data  # noqa: E402
from inventory.choices import AssetStatus  # noqa: E402
from inventory.models import (  # noqa: E402
    Asset,
    Category,
    Feature,
    Library,
    Location,
    ProductModel,
)

STATUSES = [
    AssetStatus.IN_USE,
    AssetStatus.IN_USE,
    AssetStatus.IN_USE,
    AssetStatus.IN_STOCK,
    AssetStatus.IN_REPAIR,
    AssetStatus.RETIRED,
    AssetStatus.ORDERED,
]


def build(size: int) -> User:
    """A municipality of 40 libraries with `size` assets, and the user bench-it (IT).

    The static files are collected once per run by bench/run.py (STATIC_ROOT)."""
    call_command("migrate", verbosity=0)
    seed_reference_data()
    add_assets(size)
    user = User.objects.create_user("bench-it", password="x")  # noqa: S106
    user.groups.add(Group.objects.get(name="IT"))
    return user


def add_assets(count: int, *, first: int = 0) -> None:
    """`count` generated assets (tags INV-0000000 on from `first`) spread over 40
    libraries, three places each; about 30 % with a feature."""
    for n in range(4, 41):  # a municipality of 40 libraries
        library, _ = Library.objects.get_or_create(code=f"B{n:02}", name=f"Bibliotek {n}")
        for place in ("Publika datorer", "Personalrum", "Förråd"):
            Location.objects.get_or_create(library=library, name=place)
    rng = random.Random(count)
    locations = list(Location.objects.select_related("library"))
    categories = list(Category.objects.all())
    models = list(ProductModel.objects.select_related("manufacturer"))
    features = list(Feature.objects.all())
    today = date(2026, 11, 22)
    now = timezone.now()
    with transaction.atomic():
        batch = []
        for n in range(first, first + count):
            location = rng.choice(locations)
            model = rng.choice(models)
            bought = today - timedelta(days=rng.randrange(0, 6 * 365))
            batch.append(
                Asset(
                    tag=f"INV-{n:07}",
                    serial_number=f"SN{n:09}",
                    category=rng.choice(categories),
                    manufacturer=model.manufacturer,
                    model=model,
                    library=location.library,
                    location=location,
                    status=rng.choice(STATUSES),
                    status_changed_at=now - timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60)),
                    hostname=f"pc-{n:07}",
                    purchase_date=bought,
                    purchase_price=Decimal(rng.randrange(500, 30000)),
                    warranty_end=bought + timedelta(days=3 * 365),
                    replacement_due=bought + timedelta(days=4 * 365),
                )
            )
            if len(batch) == 5000:
                Asset.objects.bulk_create(batch)
                batch = []
        Asset.objects.bulk_create(batch)
        through = Asset.features.through
        ids = Asset.objects.filter(
            tag__gte=f"INV-{first:07}", tag__lt=f"INV-{first + count:07}"
        ).values_list("id", flat=True)
        links = [
            through(asset_id=asset_id, feature_id=rng.choice(features).id)
            for asset_id in ids
            if rng.random() < 0.3
        ]
        through.objects.bulk_create(links, batch_size=5000)
    connection.cursor().execute("ANALYZE")


def measure(client: Client, url: str, repeat: int) -> dict:
    """Warm (the cached figures in place) and cold (the cache emptied before each
    request, as the first request after a write finds it)."""
    response = client.get(url)  # warm-up: templates, caches
    assert response.status_code == 200, (url, response.status_code)
    timings, cold = [], []
    for _ in range(repeat):
        cache.clear()
        start = time.perf_counter()
        response = client.get(url)
        cold.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    cache.clear()
    with CaptureQueriesContext(connection) as cold_queries:
        client.get(url)
    timings.sort()
    cold.sort()
    return {
        "url": url,
        "median_ms": round(statistics.median(timings), 2),
        "p90_ms": round(timings[int(len(timings) * 0.9) - 1], 2),
        "queries": len(queries),
        "cold_median_ms": round(statistics.median(cold), 2),
        "cold_p90_ms": round(cold[int(len(cold) * 0.9) - 1], 2),
        "cold_queries": len(cold_queries),
    }


def page_urls(size: int) -> dict[str, str]:
    last_page = max(1, (size + 49) // 50)
    return {
        "list page 1": "/inventory/assets/",
        # Matches more than a page at every size, so that each size renders 50 rows.
        "list filtered page 1": "/inventory/assets/?status=in_use&status=in_stock&usage=public",
        # Matches about one asset in 700: a few rows at 1 000, a page at 100 000.
        "list narrow filter": "/inventory/assets/?status=in_use&category=workstation&library=B07",
        "list search page 1": "/inventory/assets/?q=000123",
        "list sorted by warranty": "/inventory/assets/?ordering=-warranty_end",
        "list deep page": f"/inventory/assets/?page={last_page}",
        "list warranty within 90": "/inventory/assets/?warranty_within=90",
        "dashboard": "/",
    }


def main() -> None:
    size, how = int(sys.argv[1]), sys.argv[2]
    # The pipe to the parent is the real stdout; whatever else prints goes to stderr.
    answer = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    start = time.perf_counter()
    if how == "build":
        user = build(size)
        build_seconds = round(time.perf_counter() - start, 1)
    else:
        call_command("migrate", verbosity=0)  # a kept database gets new migrations
        user = User.objects.get(username="bench-it")
        build_seconds = None
    client = Client()
    client.force_login(user)
    pages = page_urls(size)
    ready = {"assets": Asset.objects.count(), "build_s": build_seconds, "pages": pages}
    answer.write(json.dumps(ready) + "\n")
    for line in sys.stdin:
        command = json.loads(line)
        if command["op"] == "quit":
            break
        url = pages[command["page"]]
        if command["op"] in ("cold", "cold_queries"):
            cache.clear()
        elif command["op"] == "queries":
            client.get(url)  # warm: another page's cold request may have emptied the cache
        if command["op"] in ("queries", "cold_queries"):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            reply = {"queries": len(queries)}
        else:
            start = time.perf_counter()
            response = client.get(url)
            reply = {"ms": (time.perf_counter() - start) * 1000}
        if response.status_code != 200:
            reply = {"error": f"{url}: status {response.status_code}"}
        answer.write(json.dumps(reply) + "\n")


if __name__ == "__main__":
    main()
