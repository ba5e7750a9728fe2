"""How the asset list's free-text search scales (docs/search.md).

For each database and size a fresh database is built by a process of its own, with the
assets of bench/pages.py's `build()`; then, for each query, as an IT user:

- "page": the asset list with `?q=`, through Django's test client (median and 90th
  percentile of --repeat requests after one not timed, and the queries one request makes);
- "selector": what the list asks the database for the search, without the page:
  `search_assets` on the list's queryset and the keys of its first 1 001 rows, which
  are the capped count and the first page's keys;
- "before": the same with the search before migration 0011 (icontains on four columns,
  counted to the end), for comparison;
- "matches": how many assets the query finds (counted once, not timed).

    python bench/search.py [--database sqlite|postgres|both] [--sizes 1000,100000]
                           [--repeat 15] [--postgres-url postgres://postgres@127.0.0.1:5432/]
                           [--output FILE]

The figures are printed as a table, and as JSON to --output if given.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Which of the search's ways each query takes at 100 000 assets (docs/search.md).
QUERIES = {
    "000123": "a tag, serial and hostname number: about 110 matches",
    "00012": "about 1 100 matches",
    "thinkcentre": "a model's name: about 15 % of the assets",
    "inv-00": "every asset",
    "zzz": "no asset",
    "in": "two characters: the start of every tag",
    "zq": "two characters: no tag or serial starts so",
}
COUNT_CAP = 1000  # inventory/views/assets.py, AssetListView.search_count_cap


def environment(folder: str, database_url: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url,
        "DATA_DIR": folder,
        "STATIC_ROOT": f"{folder}/static",
        "PYTHONPATH": str(ROOT),
    }


def run_one(database: str, size: int, repeat: int, postgres_url: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="inventera-bench-search-") as folder:
        if database == "sqlite":
            url = f"sqlite:///{folder}/bench.sqlite3"
        else:
            name = f"inventera_bench_search_{size}"
            postgres("DROP DATABASE IF EXISTS " + name, postgres_url)
            postgres("CREATE DATABASE " + name, postgres_url)
            url = postgres_url.rstrip("/") + "/" + name
        try:
            result = subprocess.run(
                [sys.executable, __file__, "--worker", str(size), "--repeat", str(repeat)],
                env=environment(folder, url),
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=False,
            )
        finally:
            if database == "postgres":
                postgres("DROP DATABASE IF EXISTS " + name, postgres_url)
        if result.returncode != 0:
            sys.stderr.write(result.stdout + result.stderr)
            raise SystemExit(f"the search benchmark at {size} assets on {database} failed")
        return {"database": database, **json.loads(result.stdout.strip().splitlines()[-1])}


def postgres(statement: str, postgres_url: str) -> None:
    import psycopg

    with psycopg.connect(postgres_url.rstrip("/") + "/postgres", autocommit=True) as db:
        db.execute(statement)


def worker(size: int, repeat: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Q
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.pages import build
    from inventory.models import Asset, ProductModel
    from inventory.search import search_assets
    from inventory.selectors import asset_list

    call_command("collectstatic", verbosity=0, interactive=False)
    start = time.perf_counter()
    user = build(size)
    build_seconds = round(time.perf_counter() - start, 1)
    client = Client()
    client.force_login(user)

    def timed(action) -> list[float]:
        action()  # warm-up: templates, caches
        timings = []
        for _ in range(repeat):
            start = time.perf_counter()
            action()
            timings.append((time.perf_counter() - start) * 1000)
        return sorted(timings)

    def figures(timings: list[float]) -> dict:
        return {
            "median_ms": round(statistics.median(timings), 2),
            "p90_ms": round(timings[max(0, int(len(timings) * 0.9) - 1)], 2),
        }

    def selector(text: str) -> None:
        # As the list's paginator reads it: the keys of the first N + 1 rows are the
        # capped count and the first page's keys.
        queryset = search_assets(asset_list(user), text).order_by("tag", "id")
        list(queryset.values_list("pk", flat=True)[: COUNT_CAP + 1])

    def before(text: str) -> None:
        models = ProductModel.objects.filter(name__icontains=text).values("pk")
        queryset = asset_list(user).filter(
            Q(tag__icontains=text)
            | Q(serial_number__icontains=text)
            | Q(hostname__icontains=text)
            | Q(model__in=models)
        )
        queryset = queryset.order_by("tag", "id")
        queryset.count()
        list(queryset.values_list("pk", flat=True)[:50])

    results = {}
    for text, what in QUERIES.items():
        url = f"/inventory/assets/?q={text}"

        def page(url: str = url) -> None:
            assert client.get(url).status_code == 200

        page_figures = figures(timed(page))
        with CaptureQueriesContext(connection) as queries:
            page()
        results[text] = {
            "what": what,
            "matches": search_assets(Asset.objects.all(), text).count(),
            "page": {**page_figures, "queries": len(queries)},
            "selector": figures(timed(lambda text=text: selector(text))),
            "before": figures(timed(lambda text=text: before(text))),
        }
    print(json.dumps({"assets": size, "build_s": build_seconds, "queries": results}))


def table(runs: list[dict]) -> str:
    lines = [
        f"{'database':10} {'assets':>7} {'query':12} {'matches':>8} {'page ms':>8} "
        f"{'p90':>7} {'SQL':>4} {'selector':>9} {'before':>8}"
    ]
    for run in runs:
        for text, row in run["queries"].items():
            lines.append(
                f"{run['database']:10} {run['assets']:>7} {text:12} {row['matches']:>8} "
                f"{row['page']['median_ms']:>8.1f} {row['page']['p90_ms']:>7.1f} "
                f"{row['page']['queries']:>4} {row['selector']['median_ms']:>9.1f} "
                f"{row['before']['median_ms']:>8.1f}"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432/")
    parser.add_argument("--output")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.repeat)
        return
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    sizes = [int(size) for size in args.sizes.split(",")]
    runs = []
    for database in databases:
        for size in sizes:
            runs.append(run_one(database, size, args.repeat, args.postgres_url))
            print(table(runs[-1:]), flush=True)
    print()
    print(table(runs))
    if args.output:
        Path(args.output).write_text(json.dumps(runs, indent=2) + "\n")


if __name__ == "__main__":
    main()
