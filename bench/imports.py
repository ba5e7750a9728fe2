"""One phase of the import benchmark; run by bench/run.py in a fresh process.

    imports.py prepare SIZE FOLDER   migrate, seed the reference data, write the files
    imports.py PHASE SIZE FOLDER     time one import of FOLDER's file into FOLDER's database

Phases: `preview` (the dry run of a new file), `new` (commit it), `again` (commit the same
file again: every row unchanged), `changed` (a file that changes every row's price and
notes), and `default-new` / `default-again`: the same file through django-import-export's
default per-row path (one query per lookup, full_clean() with its per-row queries, one
save and one savepoint per row), with the same rules and history. Each phase prints one
JSON line: seconds, rows per second, the peak memory the phase added, and the counts.
"""

import csv
import json
import random
import resource
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import django

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import translation  # noqa: E402

from bench.per_row import PerRowAssetResource  # noqa: E402
from demo.inventory import seed_reference_data  # noqa: E402
from inventory.imports.columns import ASSET_COLUMNS, column_label  # noqa: E402
from inventory.imports.resource import AssetResource  # noqa: E402
from inventory.imports.service import assets_import  # noqa: E402
from inventory.models import (  # noqa: E402
    Category,
    ChangeRecord,
    Feature,
    Location,
    ProductModel,
)

NBSP = "\xa0"


def write_file(path: Path, size: int, *, changed: bool = False) -> None:
    """A Swedish CSV as IT would export it from Excel: semicolons, UTF-8 with BOM."""
    rng = random.Random(size)
    places = list(Location.objects.select_related("library").order_by("pk"))
    categories = list(Category.objects.order_by("pk"))
    models = list(ProductModel.objects.select_related("manufacturer").order_by("pk"))
    features = list(Feature.objects.order_by("pk"))
    today = date(2026, 11, 22)
    with translation.override("sv"), path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow([column_label(key) for key in ASSET_COLUMNS])
        for n in range(size):
            place = rng.choice(places)
            model = rng.choice(models)
            bought = today - timedelta(days=rng.randrange(0, 4 * 365))
            price = rng.randrange(500, 30000) + (1 if changed else 0)
            values = {
                "tag": f"IMP-{n:06}",
                "category": rng.choice(categories).name_sv,
                "manufacturer": model.manufacturer.name,
                "model": model.name,
                "serial_number": f"SN-{n:08}",
                "library": place.library.code,
                "location": place.name,
                "status": rng.choice(["I drift", "I lager", "Beställd"]),
                "usage": rng.choice(["Publik", "Personal"]),
                "ownership": "",
                "lease_end": "",
                "trial_return_by": "",
                "purchase_date": bought.isoformat(),
                "purchase_price": f"{price:,}".replace(",", NBSP) + ",00",
                "warranty_end": (bought + timedelta(days=3 * 365)).isoformat(),
                "replacement_due": "",
                "hostname": f"bib-{n:06}",
                "it_reference": f"INC{n:07}",
                "features": rng.choice(features).name_sv if rng.random() < 0.3 else "",
                "parent": "",
                "notes": ("Ny notering" if changed else "Importerad") + f" {n}",
            }
            writer.writerow([values[key] for key in ASSET_COLUMNS])


def prepare(size: int, folder: Path) -> dict:
    call_command("migrate", verbosity=0)
    seed_reference_data()
    user, _ = User.objects.get_or_create(username="bench-it")
    user.groups.add(Group.objects.get(name="IT"))
    write_file(folder / "assets.csv", size)
    write_file(folder / "assets-changed.csv", size, changed=True)
    return {"prepared": size}


def rss_kib() -> int:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() // 1024


def run(phase: str, size: int, folder: Path) -> dict:
    name = "assets-changed.csv" if phase == "changed" else "assets.csv"
    content = (folder / name).read_bytes()
    user = User.objects.get(username="bench-it")
    resource_class = PerRowAssetResource if phase.startswith("default") else AssetResource
    history_before = ChangeRecord.objects.count()
    start_kib = rss_kib()
    start = time.perf_counter()
    with translation.override("sv"):
        outcome = assets_import(
            content=content,
            file_name=name,
            actor=user,
            commit=phase != "preview",
            resource_class=resource_class,
        )
    seconds = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert not outcome.has_errors, (outcome.problems, outcome.error_rows[:3])
    return {
        "phase": phase,
        "rows": size,
        "seconds": round(seconds, 2),
        "rows_per_s": round(size / seconds),
        "peak_mib": round((peak_kib - start_kib) / 1024, 1),
        "summary": outcome.summary(),
        "history_records": ChangeRecord.objects.count() - history_before,
    }


def main() -> None:
    phase, size, folder = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    figures = prepare(size, folder) if phase == "prepare" else run(phase, size, folder)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
