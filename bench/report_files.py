"""One step of the report benchmark; run by bench/run.py in a fresh process.

    report_files.py prepare SIZE FOLDER        migrate and build SIZE assets as bench/pages.py
                                          does, the users, and 500 procurement cases
    report_files.py grow SIZE FOLDER           add cases up to 5 000 (about 50 000 stage changes)
    report_files.py PHASE SIZE FOLDER [LANG]   make one report of FOLDER's database (LANG: sv)
    report_files.py pages SIZE FOLDER REPEAT   the report pages and dashboards, as two users

Phases: `it-status-pdf`, `it-status-xlsx`, `it-status-csv` and `strategist-pdf`: the
report for every library, in Swedish (LANG), as `manage.py report` and the subscriptions
make it (catalogue.build_document, then render). Each phase makes it twice: the first time in
the fresh process gives the seconds and the peak memory (RSS growth: the process's
ru_maxrss after, less its RSS before), the second the queries and the warm seconds.
Each step prints one JSON line.
"""

import json
import os
import random
import resource
import sys
import time
from collections import defaultdict
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import django

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Max  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone, translation  # noqa: E402

from bench.pages import build, measure  # noqa: E402
from demo.procurement import seed_rules  # noqa: E402
from inventory import roles  # noqa: E402
from inventory.models import Asset, Category, Library  # noqa: E402
from procurement.choices import STAGE_ORDER, Funding, Procedure, Stage  # noqa: E402
from procurement.models import (  # noqa: E402
    CaseLine,
    DeliveredAsset,
    ProcurementCase,
    Quote,
    StageChange,
    Supplier,
)
from reports.catalogue import build_document  # noqa: E402
from reports.render import render  # noqa: E402
from reports.selectors.scope import municipality_scope  # noqa: E402

SMALL_CASES, CASES, CHANGES_PER_CASE = 500, 5000, 10
PHASES = {
    "it-status-pdf": ("it-status", "pdf"),
    "it-status-xlsx": ("it-status", "xlsx"),
    "it-status-csv": ("it-status", "csv"),
    "strategist-pdf": ("strategist", "pdf"),
}
# Where cases have got to after two years: most are done, some open in every stage,
# some cancelled or paused.
FINAL_STAGES = {
    Stage.CLOSED: 52,
    Stage.INSTALLED: 10,
    Stage.DELIVERED: 4,
    Stage.ORDERED: 5,
    Stage.STANDSTILL: 1,
    Stage.AWARD: 2,
    Stage.SOURCING: 4,
    Stage.SPECIFICATION: 3,
    Stage.APPROVAL: 3,
    Stage.ANALYSIS: 2,
    Stage.NEED: 2,
    Stage.CANCELLED: 7,
    Stage.ON_HOLD: 5,
}
# Days a case typically stays in each stage (low, high).
STAY_DAYS = {
    Stage.NEED: (1, 10),
    Stage.ANALYSIS: (3, 20),
    Stage.APPROVAL: (2, 15),
    Stage.SPECIFICATION: (5, 30),
    Stage.SOURCING: (10, 45),
    Stage.AWARD: (5, 20),
    Stage.STANDSTILL: (10, 12),
    Stage.ORDERED: (10, 40),
    Stage.DELIVERED: (3, 20),
    Stage.INSTALLED: (5, 30),
    Stage.CLOSED: (0, 0),
    Stage.ON_HOLD: (10, 60),
    Stage.CANCELLED: (0, 0),
}
GRANTS = ("Kulturrådet: Stärkta bibliotek", "Digitalt först", "Länsstyrelsens bidrag")


def rss_kib() -> int:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() // 1024


@contextmanager
def own_timestamps(model, *names):
    """Let bulk_create write `names` as given, not as now (auto_now, auto_now_add)."""
    fields = [model._meta.get_field(name) for name in names]
    saved = [(field.auto_now, field.auto_now_add) for field in fields]
    for field in fields:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, (auto_now, auto_now_add) in zip(fields, saved, strict=True):
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def case_path(rng: random.Random, final: str, advertised: bool) -> list[str]:
    """The stages a case has entered, in order, from need to where it is now."""
    main = [s for s in STAGE_ORDER if advertised or s != Stage.STANDSTILL]
    if final in (Stage.CANCELLED, Stage.ON_HOLD):
        return [*main[: rng.randrange(1, main.index(Stage.ORDERED) + 1)], final]
    return main[: main.index(final) + 1]


def add_pauses(rng: random.Random, paths: list[list[str]], target: int) -> None:
    """Pause and resume cases (two stage changes each) until there are `target` changes."""
    total = sum(len(path) for path in paths)
    if (target - total) % 2:
        # One more case left paused at the end of an open stay.
        for path in paths:
            if path[-1] in STAGE_ORDER[:-1]:
                path.append(Stage.ON_HOLD)
                total += 1
                break
    long_enough = [path for path in paths if len(path) > 1]
    while total + 2 <= target:
        path = rng.choice(long_enough)
        at = rng.randrange(1, len(path))  # never before the need is written
        if path[at - 1] in (Stage.ON_HOLD, Stage.CANCELLED):
            continue
        path[at:at] = [Stage.ON_HOLD, path[at - 1]]
        total += 2


def build_cases(start: int, stop: int, users: dict[str, User], size: int) -> dict:
    """Cases `start` to `stop` of the municipality over the last two years, with their
    timelines, quotes (chosen ones from the order on) and delivered assets."""
    rng = random.Random(size * 100003 + start)
    now = timezone.now()
    libraries = list(Library.objects.order_by("code"))
    categories = list(Category.objects.order_by("code"))
    suppliers = list(Supplier.objects.order_by("name"))
    numbers = defaultdict(int)
    for row in ProcurementCase.objects.values("library_id", "year").annotate(last=Max("number")):
        numbers[(row["library_id"], row["year"])] = row["last"]
    used = set(DeliveredAsset.objects.values_list("asset_id", flat=True))
    pool = defaultdict(list)
    for pk, library_id, category_id in Asset.objects.order_by("pk").values_list(
        "pk", "library_id", "category_id"
    ):
        if pk not in used:
            pool[(library_id, category_id)].append(pk)

    count = stop - start
    finals = rng.choices(list(FINAL_STAGES), weights=list(FINAL_STAGES.values()), k=count)
    # Estimated values: most under the documentation threshold, a few above the limit.
    bands = rng.choices(
        [(5_000, 100_000), (100_000, 700_000), (700_000, 3_000_000)], [70, 22, 8], k=count
    )
    values = [Decimal(rng.randrange(low, high, 100)) for low, high in bands]
    procedures = []
    for value, final in zip(values, finals, strict=True):
        if value >= Decimal("2389585"):
            procedures.append(Procedure.ADVERTISED_EU)
        elif value >= Decimal("700000") or final == Stage.STANDSTILL:
            procedures.append(Procedure.ADVERTISED)
        else:
            procedures.append(rng.choice([Procedure.DIRECT_AWARD] * 2 + [Procedure.CALL_OFF]))
    paths = [
        case_path(rng, final, procedure in (Procedure.ADVERTISED, Procedure.ADVERTISED_EU))
        for final, procedure in zip(finals, procedures, strict=True)
    ]
    add_pauses(rng, paths, count * CHANGES_PER_CASE)

    cases, timelines = [], []
    for n, (path, value, procedure) in enumerate(zip(paths, values, procedures, strict=True)):
        created = now - timedelta(days=rng.uniform(3, 730))
        gaps = [timedelta(days=rng.uniform(*STAY_DAYS[stage])) for stage in path[:-1]]
        room = now - timedelta(hours=1) - created
        if sum(gaps, timedelta()) > room:  # squeeze the timeline into the time there was
            gaps = [gap * (room / sum(gaps, timedelta())) for gap in gaps]
        times = [created]
        for gap in gaps:
            times.append(times[-1] + max(gap, timedelta(minutes=5)))
        library = rng.choice(libraries)
        category = rng.choice(categories)
        year = timezone.localtime(created).year
        numbers[(library.pk, year)] += 1
        number = numbers[(library.pk, year)]
        grant = rng.random() < 0.1
        stage = path[-1]
        cases.append(
            ProcurementCase(
                reference=f"{library.code} {year}/{number:04d}",
                library=library,
                year=year,
                number=number,
                title=f"{category.name_sv} till {library.name} ({start + n + 1})",
                need=f"Behov av {category.name_sv.lower()} i {library.name}.",
                category=category,
                estimated_value=value,
                funding=Funding.GRANT if grant else Funding.OPERATING,
                grant_name=rng.choice(GRANTS) if grant else "",
                grant_spend_by=(created + timedelta(days=365)).date() if grant else None,
                procedure=procedure,
                requested_by=users["library"],
                handler=users["it"],
                stage=stage,
                stage_before_hold=path[-2] if stage == Stage.ON_HOLD else "",
                stage_changed_at=times[-1],
                hold_reason="Inväntar budgetbeslut" if stage == Stage.ON_HOLD else "",
                cancel_reason="Behovet föll bort" if stage == Stage.CANCELLED else "",
                created_at=created,
                updated_at=times[-1],
            )
        )
        timelines.append(list(zip(path, times, strict=True)))

    with transaction.atomic(), own_timestamps(ProcurementCase, "created_at", "updated_at"):
        ProcurementCase.objects.bulk_create(cases, batch_size=1000)
        changes, quotes, lines, deliveries = [], [], [], []
        for case, timeline in zip(cases, timelines, strict=True):
            previous = ""
            for stage, at in timeline:
                changes.append(
                    StageChange(
                        case=case, at=at, actor=users["it"], from_stage=previous, to_stage=stage
                    )
                )
                previous = stage
            entered = dict(reversed(timeline))  # the first time in each stage
            if Stage.AWARD in entered:
                chosen = Stage.ORDERED in entered and rng.random() < 0.8
                offered = rng.sample(suppliers, rng.randint(1, min(3, len(suppliers))))
                for i, supplier in enumerate(offered):
                    amount = case.estimated_value * Decimal(rng.uniform(0.85, 1.1))
                    quotes.append(
                        Quote(
                            case=case,
                            supplier=supplier,
                            amount=amount.quantize(Decimal("1")),
                            received_on=timezone.localdate(entered[Stage.AWARD]),
                            chosen=chosen and i == 0,
                            created_by=users["it"],
                        )
                    )
            if Stage.DELIVERED in entered and rng.random() < 0.5:
                quantity = rng.randint(1, 4)
                line = CaseLine(
                    case=case,
                    category=case.category,
                    description=case.category.name_sv,
                    quantity=quantity,
                    estimated_unit_price=(case.estimated_value / quantity).quantize(Decimal("1")),
                )
                lines.append(line)
                free = pool[(case.library_id, case.category_id)] or next(
                    (assets for assets in pool.values() if assets), []
                )
                for _ in range(min(quantity, len(free))):
                    deliveries.append(DeliveredAsset(case=case, line=line, asset_id=free.pop()))
        StageChange.objects.bulk_create(changes, batch_size=5000)
        Quote.objects.bulk_create(quotes, batch_size=5000)
        CaseLine.objects.bulk_create(lines, batch_size=5000)
        DeliveredAsset.objects.bulk_create(deliveries, batch_size=5000)
    connection.cursor().execute("ANALYZE")
    return {
        "cases": ProcurementCase.objects.count(),
        "stage_changes": StageChange.objects.count(),
        "quotes": Quote.objects.count(),
        "chosen_quotes": Quote.objects.filter(chosen=True).count(),
        "delivered_assets": DeliveredAsset.objects.count(),
    }


def bench_users() -> dict[str, User]:
    users = {"it": User.objects.get(username="bench-it")}
    for key, name, group in (
        ("strategist", "bench-strateg", roles.STRATEGIST),
        ("library", "bench-chef", roles.LIBRARY_MANAGER),
    ):
        user, _ = User.objects.get_or_create(username=name)
        user.groups.add(Group.objects.get(name=group))
        users[key] = user
    return users


def prepare(size: int) -> dict:
    start = time.perf_counter()
    build(size)
    seed_rules()
    assets_s = time.perf_counter() - start
    figures = build_cases(0, SMALL_CASES, bench_users(), size)
    return {
        "assets": size,
        "build_s": round(time.perf_counter() - start, 1),
        "assets_build_s": round(assets_s, 1),
        **figures,
    }


def grow(size: int) -> dict:
    start = time.perf_counter()
    figures = build_cases(SMALL_CASES, CASES, bench_users(), size)
    return {"build_s": round(time.perf_counter() - start, 1), **figures}


def make(name: str, file_format: str) -> tuple[bytes, float, float]:
    """The report as a file, and the seconds its figures and its rendering took."""
    start = time.perf_counter()
    document = build_document(name, municipality_scope(), file_format=file_format)
    built = time.perf_counter()
    content = render(document, file_format)
    return content, built - start, time.perf_counter() - built


def run(phase: str, size: int, language: str) -> dict:
    name, file_format = PHASES[phase]
    translation.activate(language)
    load = os.getloadavg()[0]  # another process busy on the machine makes slow figures
    start_kib = rss_kib()
    start = time.perf_counter()
    content, build_s, render_s = make(name, file_format)
    seconds = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        make(name, file_format)
        warm = time.perf_counter() - start
    return {
        "phase": phase,
        "language": language,
        "load_1min_before": round(load, 2),
        "assets": size,
        "cases": ProcurementCase.objects.count(),
        "stage_changes": StageChange.objects.count(),
        "seconds": round(seconds, 2),
        "build_s": round(build_s, 2),
        "render_s": round(render_s, 2),
        "warm_seconds": round(warm, 2),
        "peak_mib": round((peak_kib - start_kib) / 1024, 1),
        "queries": len(queries),
        "bytes": len(content),
    }


def pages(size: int, repeat: int) -> dict:
    load = os.getloadavg()[0]
    users = bench_users()
    urls = {
        "strategist": {
            "dashboard": "/",
            "catalogue": "/reports/",
            "it status page": "/reports/it-status/",
            "strategist page": "/reports/strategist/",
        },
        # The strategist report is not IT's (403): not measured.
        "it": {
            "dashboard": "/",
            "catalogue": "/reports/",
            "it status page": "/reports/it-status/",
        },
    }
    figures = {}
    for role, role_urls in urls.items():
        client = Client()
        client.force_login(users[role])
        figures[role] = {name: measure(client, url, repeat) for name, url in role_urls.items()}
    return {
        "assets": size,
        "cases": ProcurementCase.objects.count(),
        "repeat": repeat,
        "load_1min_before": round(load, 2),
        "load_1min_after": round(os.getloadavg()[0], 2),
        "pages": figures,
    }


def main() -> None:
    step, size, _folder = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    if step == "prepare":
        figures = prepare(size)
    elif step == "grow":
        figures = grow(size)
    elif step == "pages":
        figures = pages(size, int(sys.argv[4]))
    else:
        figures = run(step, size, sys.argv[4] if len(sys.argv) > 4 else "sv")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
