"""The database of the load run (bench/load.py), one step per process.

    load_data.py build SIZE CASES   after `manage.py seed_demo --allow-production`:
                                    generated assets up to SIZE in all (as bench/pages.py
                                    makes them, over 40 libraries) and CASES procurement
                                    cases with their timelines (as bench/report_files.py)
    load_data.py describe           what the load run needs to know of the database

`describe` also clears any failed logins of the demo users (django-axes), so that a
kept database never starts a run with a user locked out. Each step prints one JSON line.
"""

import json
import random
import sys
import time

import django

django.setup()

from axes.utils import reset  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402

from bench.pages import add_assets  # noqa: E402
from bench.report_files import build_cases  # noqa: E402
from demo.inventory import DEMO_PASSWORD  # noqa: E402
from inventory.models import Asset  # noqa: E402
from inventory.selectors import assets_visible_to  # noqa: E402
from procurement.models import ProcurementCase  # noqa: E402
from procurement.selectors import cases_visible_to  # noqa: E402

ROLES = ("it", "chef", "strateg")
# How many of the pages a user may open the load run picks from.
SAMPLE_ASSETS, SAMPLE_CASES = 500, 200


def build(size: int, cases: int) -> dict:
    start = time.perf_counter()
    demo_assets = Asset.objects.count()
    add_assets(max(0, size - demo_assets))
    assets_s = time.perf_counter() - start
    users = {"library": User.objects.get(username="chef"), "it": User.objects.get(username="it")}
    build_cases(0, cases, users, size)
    connection.cursor().execute("ANALYZE")
    return {
        "assets": Asset.objects.count(),
        "demo_assets": demo_assets,
        "cases": ProcurementCase.objects.count(),
        "assets_build_s": round(assets_s, 1),
        "cases_build_s": round(time.perf_counter() - start - assets_s, 1),
    }


def describe() -> dict:
    rng = random.Random(0)
    roles = {}
    for name in ROLES:
        reset(username=name)
        user = User.objects.get(username=name)
        tags = list(assets_visible_to(user).order_by("tag").values_list("tag", flat=True))
        cases = list(cases_visible_to(user).order_by("reference"))
        roles[name] = {
            "assets": len(tags),
            "cases": len(cases),
            "asset_tags": rng.sample(tags, min(SAMPLE_ASSETS, len(tags))),
            "case_references": [
                case.url_reference for case in rng.sample(cases, min(SAMPLE_CASES, len(cases)))
            ],
        }
    return {
        "password": DEMO_PASSWORD,
        "assets": Asset.objects.count(),
        "cases": ProcurementCase.objects.count(),
        "roles": roles,
    }


def main() -> None:
    step = sys.argv[1]
    print(json.dumps(build(int(sys.argv[2]), int(sys.argv[3])) if step == "build" else describe()))


if __name__ == "__main__":
    main()
