"""One phase of the import benchmark; run by bench/run.py in a fresh process.

    imports.py prepare SIZE FOLDER   migrate, seed the reference data, write the files
    imports.py PHASE SIZE FOLDER     time one import of FOLDER's file into FOLDER's database

Phases: `preview` (the dry run of a new file), `new` (commit it), `again` (commit the same
file again: every row unchanged), `changed` (a file that changes every row's price and
notes), and `default-new` / `default-again`: the same rows through a plain ModelResource
as a user of django-import-export would write it (bench/plain_resource.py: default
widgets and instance loader, matched by tag), from a file that holds them as the model
stores them. Each phase prints one JSON line: seconds, rows per second, the peak memory
the phase added, and the counts.
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
import tablib

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import translation  # noqa: E402

from bench.plain_resource import PlainAssetResource  # noqa: E402
from demo.inventory import seed_reference_data  # noqa: E402
from inventory.choices import AssetStatus, Ownership, Usage  # noqa: E402
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


STATUSES = {
    AssetStatus.IN_USE: "I drift",
    AssetStatus.IN_STOCK: "I lager",
    AssetStatus.ORDERED: "Beställd",
}
USAGES = {Usage.PUBLIC: "Publik", Usage.STAFF: "Personal"}


def rows(size: int, *, changed: bool = False):
    """The file's rows: each asset's values and the objects they name."""
    rng = random.Random(size)
    places = list(Location.objects.select_related("library").order_by("pk"))
    categories = list(Category.objects.order_by("pk"))
    models = list(ProductModel.objects.select_related("manufacturer").order_by("pk"))
    features = list(Feature.objects.order_by("pk"))
    today = date(2026, 11, 22)
    for n in range(size):
        place = rng.choice(places)
        model = rng.choice(models)
        bought = today - timedelta(days=rng.randrange(0, 4 * 365))
        price = rng.randrange(500, 30000) + (1 if changed else 0)
        yield {
            "n": n,
            "place": place,
            "model": model,
            "category": rng.choice(categories),
            "status": rng.choice(list(STATUSES)),
            "usage": rng.choice(list(USAGES)),
            "bought": bought,
            "price": price,
            "feature": rng.choice(features) if rng.random() < 0.3 else None,
            "notes": ("Ny notering" if changed else "Importerad") + f" {n}",
        }


def write_file(path: Path, size: int, *, changed: bool = False) -> None:
    """A Swedish CSV as IT would export it from Excel: semicolons, UTF-8 with BOM."""
    with translation.override("sv"), path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow([column_label(key) for key in ASSET_COLUMNS])
        for row in rows(size, changed=changed):
            n, place, model, bought = row["n"], row["place"], row["model"], row["bought"]
            values = {
                "tag": f"IMP-{n:06}",
                "category": row["category"].name_sv,
                "manufacturer": model.manufacturer.name,
                "model": model.name,
                "serial_number": f"SN-{n:08}",
                "library": place.library.code,
                "location": place.name,
                "status": STATUSES[row["status"]],
                "usage": USAGES[row["usage"]],
                "ownership": "",
                "lease_end": "",
                "trial_return_by": "",
                "purchase_date": bought.isoformat(),
                "purchase_price": f"{row['price']:,}".replace(",", NBSP) + ",00",
                "warranty_end": (bought + timedelta(days=3 * 365)).isoformat(),
                "replacement_due": "",
                "hostname": f"bib-{n:06}",
                "it_reference": f"INC{n:07}",
                "features": row["feature"].name_sv if row["feature"] else "",
                "parent": "",
                "notes": row["notes"],
            }
            writer.writerow([values[key] for key in ASSET_COLUMNS])


def write_plain_file(path: Path, size: int) -> None:
    """The same rows as the model stores them, for the plain ModelResource: field names
    as headers, related rows by primary key, codes, ISO dates, "1234.00"."""
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(ASSET_COLUMNS)
        for row in rows(size):
            n, place, model, bought = row["n"], row["place"], row["model"], row["bought"]
            values = {
                "tag": f"IMP-{n:06}",
                "category": row["category"].pk,
                "manufacturer": model.manufacturer.pk,
                "model": model.pk,
                "serial_number": f"SN-{n:08}",
                "library": place.library.pk,
                "location": place.pk,
                "status": row["status"].value,
                "usage": row["usage"].value,
                "ownership": Ownership.OWNED.value,
                "lease_end": "",
                "trial_return_by": "",
                "purchase_date": bought.isoformat(),
                "purchase_price": f"{row['price']}.00",
                "warranty_end": (bought + timedelta(days=3 * 365)).isoformat(),
                "replacement_due": "",
                "hostname": f"bib-{n:06}",
                "it_reference": f"INC{n:07}",
                "features": row["feature"].pk if row["feature"] else "",
                "parent": "",
                "notes": row["notes"],
            }
            writer.writerow([values[key] for key in ASSET_COLUMNS])


def prepare(size: int, folder: Path) -> dict:
    call_command("migrate", verbosity=0)
    seed_reference_data()
    user, _ = User.objects.get_or_create(username="bench-it")
    user.groups.add(Group.objects.get(name="IT"))
    write_file(folder / "assets.csv", size)
    write_file(folder / "assets-changed.csv", size, changed=True)
    write_plain_file(folder / "assets-plain.csv", size)
    return {"prepared": size}


def rss_kib() -> int:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() // 1024


def run(phase: str, size: int, folder: Path) -> dict:
    name = "assets-changed.csv" if phase == "changed" else "assets.csv"
    if phase.startswith("default"):
        name = "assets-plain.csv"
    content = (folder / name).read_bytes()
    user = User.objects.get(username="bench-it")
    history_before = ChangeRecord.objects.count()
    start_kib = rss_kib()
    start = time.perf_counter()
    if phase.startswith("default"):
        dataset = tablib.Dataset().load(content.decode("utf-8"), format="csv")
        result = PlainAssetResource().import_data(dataset, dry_run=False, use_transactions=True)
        totals = result.totals
        summary = (
            f"{totals['new']} new, {totals['update']} updated, {totals['skip']} unchanged, "
            f"{totals['error'] + totals['invalid']} errors"
        )
        assert not result.has_errors() and not result.has_validation_errors(), summary
    else:
        with translation.override("sv"):
            outcome = assets_import(
                content=content,
                file_name=name,
                actor=user,
                commit=phase != "preview",
                resource_class=AssetResource,
            )
        summary = outcome.summary()
        assert not outcome.has_errors, (outcome.problems, outcome.error_rows[:3])
    seconds = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "phase": phase,
        "rows": size,
        "seconds": round(seconds, 2),
        "rows_per_s": round(size / seconds),
        "peak_mib": round((peak_kib - start_kib) / 1024, 1),
        "summary": summary,
        "history_records": ChangeRecord.objects.count() - history_before,
    }


def main() -> None:
    phase, size, folder = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    figures = prepare(size, folder) if phase == "prepare" else run(phase, size, folder)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
