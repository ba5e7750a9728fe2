"""`make bench`: how the register's pages scale with the number of assets, how fast
asset files import, how fast the reports and their pages are made, and how the site
holds up under many users at once.

Databases: SQLite (default) or PostgreSQL (--database postgres, at --postgres-url), one
per part and size (bench/databases.py), dropped afterwards. With --keep the page and
load databases stay, and the next run with --keep uses them instead of building them
again (a run without --keep drops them).

Pages: for each size (1 000, 10 000, 100 000 assets by default) a database is built (or
a kept one used), each by a worker process of its own (bench/pages.py) that requests the
pages through Django's test client as an IT user. The sizes are interleaved request by
request: for each round and page, each size's worker times one request in turn, so that
a busy machine slows every size alike. Results – median and 90th-percentile
milliseconds, queries per request, and the median's ratio to the smallest size's, each
warm (the cached figures of inventory/figures.py in place) and cold (the cache emptied
before the request, as after a write) – go to bench/results.json, under "pages" for
SQLite and "pages_postgres" for PostgreSQL.

Import: for each size (10 000 and 50 000 rows) a Swedish CSV file is imported into a
fresh database: the preview, the commit of the new rows, the same file again (every row
unchanged) and a file that changes every row; beside it, up to --default-max rows, the
same rows through a plain ModelResource as a user of django-import-export would write it
(bench/plain_resource.py). Each phase runs in its own process (bench/imports.py); rows
per second, peak memory and the ratio go to the "import" key of bench/results.json.

Reports: for each size (10 000 and 100 000 assets) a fresh database built as for the
pages, with 500 procurement cases (5 000 stage changes), then 5 000 (50 000): the IT
status report as PDF, XLSX and CSV and the strategist report as PDF for every library,
in Swedish, each made in its own process (bench/report_files.py): seconds, peak memory,
queries and file size; then the report pages and the dashboards as the strategist and as
IT. They go to the "reports" key, with the aims each figure is held to.

Load (always on PostgreSQL, bench/load.py): gunicorn with 3 workers and 16 users logged
in, a mix of pages for --duration seconds, the mix again with a write every --write-every
seconds, then each page alone; requests per second,
p50/p95/p99 ms, errors and CPU per request go to the "load" key.

    python bench/run.py [--only pages|import|reports|load] [--database sqlite|postgres]
                        [--keep] [--postgres-url postgres://postgres@127.0.0.1:5432/]
                        [--sizes 1000,10000] [--repeat 15]
                        [--import-sizes 10000,50000] [--default-max 10000]
                        [--report-sizes 10000,100000]
                        [--load-sizes 10000,100000] [--duration 60] [--page-seconds 8]
                        [--users 16] [--write-every 1] [--output bench/results.json]
"""

import argparse
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.databases import DEFAULT_POSTGRES_URL, BenchDatabase, collect_static  # noqa: E402
from bench.load import run_load  # noqa: E402

# What the import's default-* phases are (bench/plain_resource.py).
PLAIN_RESOURCE = (
    "a plain ModelResource of Asset (django-import-export's default widgets and "
    "instance loader, import_id_fields=['tag'], one save per row, no history) on the "
    "same rows written as the model stores them"
)


@contextmanager
def fresh_database(args: argparse.Namespace, name: str) -> Iterator[BenchDatabase]:
    """A database for one part and size, dropped afterwards (--keep is for the pages)."""
    database = BenchDatabase(args.database, name, keep=False, postgres_url=args.postgres_url)
    try:
        database.prepare()
        yield database
    finally:
        database.close()


class PageWorker:
    """One size's bench/pages.py process, asked one request at a time over its pipes."""

    def __init__(self, size: int, database: BenchDatabase, static_root: str) -> None:
        self.size, self.database = size, database
        # Its stderr, shown when it fails; closed by close().
        self.log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "bench" / "pages.py"),
                str(size),
                "reuse" if database.reused else "build",
            ],
            env=database.env(static_root=static_root),
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
        )
        self.ready = self.answer()

    def answer(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            self.process.wait()
            self.log.seek(0)
            sys.stderr.write(self.log.read()[-6000:])
            raise SystemExit(f"page benchmark at {self.size} assets failed")
        reply = json.loads(line)
        if "error" in reply:
            raise SystemExit(f"page benchmark at {self.size} assets: {reply['error']}")
        return reply

    def ask(self, op: str, page: str) -> dict:
        self.process.stdin.write(json.dumps({"op": op, "page": page}) + "\n")
        self.process.stdin.flush()
        return self.answer()

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                self.process.stdin.write(json.dumps({"op": "quit"}) + "\n")
                self.process.stdin.close()
                self.process.wait(30)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()
        self.log.close()


def import_phase(phase: str, size: int, database: BenchDatabase) -> dict:
    folder = str(database.folder)
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "imports.py"), phase, str(size), folder],
        env=database.env(static_root=f"{folder}/static"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"import benchmark {phase} at {size} rows failed")
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_imports(args: argparse.Namespace, sizes: list[int], default_max: int) -> dict:
    figures = {}
    for size in sizes:
        print(f"import of {size} rows on {args.database} …", flush=True)
        phases = {}
        with fresh_database(args, f"inventera_bench_import_{size}") as database:
            import_phase("prepare", size, database)
            for phase in ("preview", "new", "again", "changed"):
                phases[phase] = import_phase(phase, size, database)
        if size <= default_max:
            with fresh_database(args, f"inventera_bench_import_{size}") as database:
                import_phase("prepare", size, database)
                for phase in ("default-new", "default-again"):
                    phases[phase] = import_phase(phase, size, database)
        for name, figure in phases.items():
            print(
                f"  {name:<14} {figure['seconds']:8.2f} s  {figure['rows_per_s']:7} rows/s  "
                f"peak +{figure['peak_mib']:6.1f} MiB   {figure['summary']}"
            )
        entry = {"rows": size, "database": args.database, "phases": phases}
        if "default-new" in phases:
            entry["default_is"] = PLAIN_RESOURCE
            entry["speed_ratio_to_default"] = {
                "new": round(phases["default-new"]["seconds"] / phases["new"]["seconds"], 1),
                "again": round(phases["default-again"]["seconds"] / phases["again"]["seconds"], 1),
            }
            ratio = entry["speed_ratio_to_default"]
            print(f"  default-* is {PLAIN_RESOURCE}")
            print(f"  times faster than that plain ModelResource: {ratio}")
        figures[str(size)] = entry
    return figures


# What the reports are held to: (part, name, figure, at most), per number of assets.
REPORT_AIMS: dict[int, list[tuple[str, str, str, float]]] = {
    10000: [("files", "it-status-pdf", "seconds", 2)],
    100000: [
        ("files", "it-status-pdf", "seconds", 20),
        ("files", "it-status-pdf", "peak_mib", 300),
        ("files", "it-status-xlsx", "seconds", 15),
        # The dashboards and /reports/ under 50 ms when the figures are cached; the first
        # request after a write (cold) is reported beside them.
        ("pages", "strategist catalogue", "median_ms", 50),
        ("pages", "strategist dashboard", "median_ms", 50),
        ("pages", "it catalogue", "median_ms", 50),
        ("pages", "it dashboard", "median_ms", 50),
    ],
}
# At every size.
REPORT_AIMS_ALWAYS = [("files", "strategist-pdf", "seconds", 3)]
# A one-minute load average above this means something besides the benchmark (about
# 1.0 by itself) was running.
BUSY_LOAD = 1.5


def report_step(args: list[str], database: BenchDatabase, static_root: str) -> dict:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "report_files.py"), *args],
        env=database.env(static_root=static_root),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        # The exception, which may take several lines: from its "…Error:" line on.
        lines = result.stderr.strip().splitlines() or ["(no output)"]
        first = max(
            (i for i, line in enumerate(lines) if re.match(r"^[\w.]+(Error|Exception):", line)),
            default=len(lines) - 1,
        )
        failure = " ".join(line.strip() for line in lines[first:])
        return {"failed": failure[:500], "stderr": result.stderr[-4000:]}
    return json.loads(result.stdout.strip().splitlines()[-1])


def report_file(phase: str, size: int, database: BenchDatabase, key: str, static: str) -> dict:
    """One report file, in Swedish; in English when Swedish fails (the failure is kept)."""
    folder = str(database.folder)
    figure = report_step([phase, str(size), folder, "sv"], database, static)
    if "failed" in figure:
        figure.pop("stderr")
        print(f"  {key:<26} FAILED in Swedish: {figure['failed']}", flush=True)
        english = report_step([phase, str(size), folder, "en"], database, static)
        if "failed" in english:
            sys.stderr.write(english.pop("stderr"))
            raise SystemExit(f"report benchmark {phase} at {size} assets failed")
        figure = {**english, "failed_in_sv": figure["failed"]}
    print(
        f"  {key:<26} {figure['seconds']:7.2f} s (figures {figure['build_s']:.2f} s, "
        f"file {figure['render_s']:.2f} s; warm {figure['warm_seconds']:.2f} s)  "
        f"peak +{figure['peak_mib']:6.1f} MiB  {figure['queries']:3} queries  "
        f"{figure['bytes'] / 1024:8.0f} KiB  [{figure['language']}]"
        + busy(figure["load_1min_before"]),
        flush=True,
    )
    return figure


def busy(load: float) -> str:
    """A warning when the machine was already busy: the figure is then too slow."""
    return f"  (load {load:.1f} before: machine busy)" if load > BUSY_LOAD else ""


def checked(step: list[str], database: BenchDatabase, what: str, static: str) -> dict:
    figure = report_step(step, database, static)
    if "failed" in figure:
        sys.stderr.write(figure["stderr"])
        raise SystemExit(f"report benchmark failed: {what}")
    return figure


def code_version() -> dict:
    """The commit measured, and the files changed since it (outside bench/)."""

    def git(*args: str) -> str:
        if (program := shutil.which("git")) is None:
            return ""
        result = subprocess.run(
            [program, *args], cwd=ROOT, capture_output=True, text=True, check=False
        )
        return result.stdout if result.returncode == 0 else ""

    changed = [
        line[3:]
        for line in git("status", "--porcelain", "--untracked-files=no").splitlines()
        if not line[3:].startswith("bench/")
    ]
    return {"commit": git("rev-parse", "--short", "HEAD").strip(), "uncommitted": changed}


def run_reports(args: argparse.Namespace, sizes: list[int], static: str) -> dict:
    figures, repeat = {}, args.repeat
    for size in sizes:
        print(f"reports at {size} assets on {args.database} …", flush=True)
        files, data = {}, {}
        with fresh_database(args, f"inventera_bench_reports_{size}") as database:
            folder = str(database.folder)
            data["small"] = checked(
                ["prepare", str(size), folder], database, f"build {size}", static
            )
            print(f"  built: {data['small']}", flush=True)
            files["strategist-pdf 500 cases"] = report_file(
                "strategist-pdf", size, database, "strategist-pdf 500 cases", static
            )
            data["large"] = checked(["grow", str(size), folder], database, f"grow {size}", static)
            print(f"  grown: {data['large']}", flush=True)
            for phase in ("it-status-pdf", "it-status-xlsx", "it-status-csv", "strategist-pdf"):
                files[phase] = report_file(phase, size, database, phase, static)
            page_figures = checked(
                ["pages", str(size), folder, str(repeat)], database, f"pages {size}", static
            )
        if warning := busy(max(page_figures["load_1min_before"], page_figures["load_1min_after"])):
            print(f"  pages{warning}")
        pages = {
            f"{role} {name}": figure
            for role, role_pages in page_figures["pages"].items()
            for name, figure in role_pages.items()
        }
        for name, figure in pages.items():
            print(
                f"  {name:<26} median {figure['median_ms']:8.1f} ms   "
                f"p90 {figure['p90_ms']:8.1f} ms   {figure['queries']} queries; cold "
                f"{figure['cold_median_ms']:8.1f} ms   {figure['cold_queries']} queries"
            )
        entry = {
            "assets": size,
            "database": args.database,
            "data": data,
            "files": files,
            "pages": pages,
            "pages_load_1min": [page_figures["load_1min_before"], page_figures["load_1min_after"]],
            "strategist_queries_same_at_500_and_5000_cases": files["strategist-pdf 500 cases"][
                "queries"
            ]
            == files["strategist-pdf"]["queries"],
        }
        entry["aims"] = report_aims(entry, size)
        for aim in entry["aims"]:
            verdict = "met" if aim["met"] else f"MISSED by {aim['over']:g}"
            print(f"  aim {aim['what']:<44} {aim['value']:>9g} ≤ {aim['at_most']:<6g} {verdict}")
        figures[str(size)] = entry
    return figures


def report_aims(entry: dict, size: int) -> list[dict]:
    aims = []
    for part, name, figure, at_most in [*REPORT_AIMS.get(size, []), *REPORT_AIMS_ALWAYS]:
        value = entry[part][name][figure]
        aims.append(
            {
                "what": f"{name} {figure}",
                "value": value,
                "at_most": at_most,
                "met": value <= at_most,
                "over": round(max(0, value - at_most), 2),
            }
        )
    return aims


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["pages", "import", "reports", "load"])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the page and load databases, and use those a run with --keep left",
    )
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--import-sizes", default="10000,50000")
    parser.add_argument(
        "--default-max",
        type=int,
        default=10000,
        help="largest file also run through a plain ModelResource (slow)",
    )
    parser.add_argument("--report-sizes", default="10000,100000")
    parser.add_argument("--load-sizes", default="10000,100000")
    parser.add_argument("--duration", type=float, default=60, help="seconds of the load mix")
    parser.add_argument(
        "--page-seconds", type=float, default=8, help="seconds of each page alone (load)"
    )
    parser.add_argument("--users", type=int, default=16, help="users of the load run")
    parser.add_argument(
        "--write-every",
        type=float,
        default=1.0,
        help="seconds between writes in the load run's mix with writes",
    )
    parser.add_argument("--output", default=str(ROOT / "bench" / "results.json"))
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    # A plain `kill` stops the run as Ctrl-C does: what it started is stopped and dropped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    output = Path(args.output)
    # Running one part keeps the other parts' last figures.
    previous = json.loads(output.read_text()) if output.exists() else {}
    results = {
        **previous,
        "made": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
    }
    parts = [args.only] if args.only else ["pages", "import", "reports", "load"]
    if set(parts) & {"pages", "import", "reports"}:
        # The database of the last pages, import or reports run; each part's entries
        # say their own.
        results["database"] = args.database
    with tempfile.TemporaryDirectory(prefix="inventera-bench-static-") as static_root:
        if set(parts) & {"pages", "reports", "load"}:
            collect_static(static_root)
        if "pages" in parts:
            # Each database's pages under a key of their own: "pages" (SQLite) and
            # "pages_postgres", so that a run on one keeps the other's figures.
            key = pages_key(args)
            results.update({"repeat": args.repeat, key: {}})
            results.pop(f"ratio_largest_to_smallest{key[5:]}", None)
            run_pages(results, sizes, args, static_root)
        if "import" in parts:
            import_sizes = [int(s) for s in args.import_sizes.split(",")]
            results["import"] = run_imports(args, import_sizes, args.default_max)
        if "reports" in parts:
            report_sizes = [int(s) for s in args.report_sizes.split(",")]
            version = code_version()
            figures = run_reports(args, report_sizes, static_root)
            results["reports"] = {"code": version, "repeat": args.repeat, "sizes": figures}
            if (after := code_version()) != version:
                print(f"The code changed during the run (from {version} to {after}): run again.")
                results["reports"]["code_after"] = after
        if "load" in parts:
            version = code_version()
            results["load"] = {"code": version, **run_load(args, static_root)}
            if (after := code_version()) != version:
                print(f"The code changed during the run (from {version} to {after}): run again.")
                results["load"]["code_after"] = after

    output.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"written to {output}")


def pages_key(args: argparse.Namespace) -> str:
    return "pages" if args.database == "sqlite" else f"pages_{args.database}"


def run_pages(results: dict, sizes: list[int], args: argparse.Namespace, static: str) -> None:
    """Every size's worker built first (one after the other), then the requests
    interleaved: for each round and page, one timed request per size."""
    key = pages_key(args)
    workers: dict[int, PageWorker] = {}
    databases: list[BenchDatabase] = []
    try:
        for size in sizes:
            database = BenchDatabase(
                args.database,
                f"inventera_bench_{size}",
                keep=args.keep,
                postgres_url=args.postgres_url,
            )
            databases.append(database)
            database.prepare()
            print(f"{size} assets: {database.describe()} …", flush=True)
            workers[size] = worker = PageWorker(size, database, static)
            if not database.reused:
                database.mark_built(build_s=worker.ready["build_s"], assets=size)
                print(f"  built in {worker.ready['build_s']} s", flush=True)
        pages = list(workers[sizes[0]].ready["pages"])
        load_before = os.getloadavg()[0]
        for page in pages:
            for worker in workers.values():
                worker.ask("warm", page)  # templates, caches, the database's
        timings: dict[int, dict[str, list[float]]] = {s: {p: [] for p in pages} for s in sizes}
        cold: dict[int, dict[str, list[float]]] = {s: {p: [] for p in pages} for s in sizes}
        for round_ in range(args.repeat):
            # Each round starts with another size, so none is always first.
            order = sizes[round_ % len(sizes) :] + sizes[: round_ % len(sizes)]
            for page in pages:
                for size in order:
                    # Cold (the cache emptied, as after a write), then warm.
                    cold[size][page].append(workers[size].ask("cold", page)["ms"])
                    timings[size][page].append(workers[size].ask("time", page)["ms"])
        load_after = os.getloadavg()[0]
        for size, worker in workers.items():
            database = databases[sizes.index(size)]
            figures = {}
            for page in pages:
                ordered = sorted(timings[size][page])
                ordered_cold = sorted(cold[size][page])
                figures[page] = {
                    "url": worker.ready["pages"][page],
                    "median_ms": round(statistics.median(ordered), 2),
                    "p90_ms": round(ordered[max(0, int(len(ordered) * 0.9) - 1)], 2),
                    "queries": worker.ask("queries", page)["queries"],
                    # The first request after a write: nothing cached (inventory/figures.py).
                    "cold_median_ms": round(statistics.median(ordered_cold), 2),
                    "cold_p90_ms": round(ordered_cold[max(0, int(len(ordered_cold) * 0.9) - 1)], 2),
                    "cold_queries": worker.ask("cold_queries", page)["queries"],
                }
            results[key][str(size)] = {
                "assets": worker.ready["assets"],
                "database": args.database,
                "build_s": database.mark.get("build_s"),
                "reused": database.reused,
                "load_1min": [round(load_before, 2), round(load_after, 2)],
                "pages": figures,
            }
    finally:
        for worker in workers.values():
            worker.close()
        for database in databases:
            database.close()

    smallest = str(min(sizes))
    base = results[key][smallest]["pages"]
    for size in sizes:
        for name, figure in results[key][str(size)]["pages"].items():
            figure["ratio_to_smallest"] = round(figure["median_ms"] / base[name]["median_ms"], 2)
            figure["cold_ratio_to_smallest"] = round(
                figure["cold_median_ms"] / base[name]["cold_median_ms"], 2
            )
    if warning := busy(max(load_before, load_after)):
        print(f"pages{warning}")
    for prefix, title in (("cold_", "cold: the cache emptied first"), ("", "warm")):
        print(f"median ms per page, and its ratio to {smallest} assets ({args.database}, {title}):")
        print(f"  {'':<28}" + "".join(f"{size:>18}" for size in sizes))
        for name in base:
            cells = "".join(
                "{:>10.1f} ({:4.2f}x)".format(
                    results[key][str(size)]["pages"][name][f"{prefix}median_ms"],
                    results[key][str(size)]["pages"][name][f"{prefix}ratio_to_smallest"],
                )
                for size in sizes
            )
            queries = "/".join(
                str(results[key][str(s)]["pages"][name][f"{prefix}queries"]) for s in sizes
            )
            print(f"  {name:<28}{cells}   queries {queries}")

    if len(sizes) > 1:
        largest = str(max(sizes))
        results[f"ratio_largest_to_smallest{key[5:]}"] = {
            name: {
                "warm": results[key][largest]["pages"][name]["ratio_to_smallest"],
                "cold": results[key][largest]["pages"][name]["cold_ratio_to_smallest"],
            }
            for name in base
        }


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted: what the run started is stopped, its databases dropped")
