"""`make bench`: how the register's pages scale with the number of assets, how fast
asset files import, and how fast the reports and their pages are made.

Pages: for each size (1 000, 10 000, 100 000 assets by default) a fresh SQLite database is
built in a temporary folder, then each page is requested repeatedly through Django's
test client as an IT user. Every size runs in its own process. Results – median and
90th-percentile milliseconds and queries per request – go to bench/results.json.

Import: for each size (10 000 and 50 000 rows) a Swedish CSV file is imported into a
fresh database: the preview, the commit of the new rows, the same file again (every row
unchanged) and a file that changes every row; beside it, up to --default-max rows,
django-import-export's default per-row path on the same file. Each phase runs in its own
process (bench/imports.py); rows per second, peak memory and the ratio go to the
"import" key of bench/results.json.

Reports: for each size (10 000 and 100 000 assets) a fresh database built as for the
pages, with 500 procurement cases (5 000 stage changes), then 5 000 (50 000): the IT
status report as PDF, XLSX and CSV and the strategist report as PDF for every library,
in Swedish, each made in its own process (bench/report_files.py): seconds, peak memory,
queries and file size; then the report pages and the dashboards as the strategist and as
IT. They go to the "reports" key, with the aims each figure is held to.

    python bench/run.py [--only pages|import|reports] [--sizes 1000,10000] [--repeat 15]
                        [--import-sizes 10000,50000] [--default-max 10000]
                        [--report-sizes 10000,100000] [--output bench/results.json]
"""

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def bench_env(folder: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
        "DATA_DIR": folder,
        "STATIC_ROOT": f"{folder}/static",
        "PYTHONPATH": str(ROOT),
    }


def run_size(size: int, repeat: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="inventera-bench-") as folder:
        env = bench_env(folder)
        result = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "pages.py"), str(size), str(repeat)],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            sys.stderr.write(result.stdout + result.stderr)
            raise SystemExit(f"benchmark at {size} assets failed")
        return json.loads(result.stdout.strip().splitlines()[-1])


def import_phase(phase: str, size: int, folder: str) -> dict:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "imports.py"), phase, str(size), folder],
        env=bench_env(folder),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"import benchmark {phase} at {size} rows failed")
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_imports(sizes: list[int], default_max: int) -> dict:
    figures = {}
    for size in sizes:
        print(f"import of {size} rows …", flush=True)
        phases = {}
        with tempfile.TemporaryDirectory(prefix="inventera-bench-") as folder:
            import_phase("prepare", size, folder)
            for phase in ("preview", "new", "again", "changed"):
                phases[phase] = import_phase(phase, size, folder)
        if size <= default_max:
            with tempfile.TemporaryDirectory(prefix="inventera-bench-") as folder:
                import_phase("prepare", size, folder)
                for phase in ("default-new", "default-again"):
                    phases[phase] = import_phase(phase, size, folder)
        for name, figure in phases.items():
            print(
                f"  {name:<14} {figure['seconds']:8.2f} s  {figure['rows_per_s']:7} rows/s  "
                f"peak +{figure['peak_mib']:6.1f} MiB   {figure['summary']}"
            )
        entry = {"rows": size, "phases": phases}
        if "default-new" in phases:
            entry["speed_ratio_to_default"] = {
                "new": round(phases["default-new"]["seconds"] / phases["new"]["seconds"], 1),
                "again": round(phases["default-again"]["seconds"] / phases["again"]["seconds"], 1),
            }
            ratio = entry["speed_ratio_to_default"]
            print(f"  times faster than django-import-export's default path: {ratio}")
        figures[str(size)] = entry
    return figures


# What the reports are held to: (part, name, figure, at most), per number of assets.
REPORT_AIMS: dict[int, list[tuple[str, str, str, float]]] = {
    10000: [("files", "it-status-pdf", "seconds", 2)],
    100000: [
        ("files", "it-status-pdf", "seconds", 20),
        ("files", "it-status-pdf", "peak_mib", 300),
        ("files", "it-status-xlsx", "seconds", 15),
        ("pages", "strategist catalogue", "median_ms", 150),
        ("pages", "strategist dashboard", "median_ms", 150),
        ("pages", "it catalogue", "median_ms", 150),
        ("pages", "it dashboard", "median_ms", 150),
    ],
}
# At every size.
REPORT_AIMS_ALWAYS = [("files", "strategist-pdf", "seconds", 3)]
# A one-minute load average above this means something besides the benchmark (about
# 1.0 by itself) was running.
BUSY_LOAD = 1.5


def report_step(args: list[str], folder: str) -> dict:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "report_files.py"), *args],
        env=bench_env(folder),
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


def report_file(phase: str, size: int, folder: str, key: str) -> dict:
    """One report file, in Swedish; in English when Swedish fails (the failure is kept)."""
    figure = report_step([phase, str(size), folder, "sv"], folder)
    if "failed" in figure:
        figure.pop("stderr")
        print(f"  {key:<26} FAILED in Swedish: {figure['failed']}", flush=True)
        english = report_step([phase, str(size), folder, "en"], folder)
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


def checked(step: list[str], folder: str, what: str) -> dict:
    figure = report_step(step, folder)
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


def run_reports(sizes: list[int], repeat: int) -> dict:
    figures = {}
    for size in sizes:
        print(f"reports at {size} assets …", flush=True)
        files, data = {}, {}
        with tempfile.TemporaryDirectory(prefix="inventera-bench-") as folder:
            data["small"] = checked(["prepare", str(size), folder], folder, f"build {size}")
            print(f"  built: {data['small']}", flush=True)
            files["strategist-pdf 500 cases"] = report_file(
                "strategist-pdf", size, folder, "strategist-pdf 500 cases"
            )
            data["large"] = checked(["grow", str(size), folder], folder, f"grow {size}")
            print(f"  grown: {data['large']}", flush=True)
            for phase in ("it-status-pdf", "it-status-xlsx", "it-status-csv", "strategist-pdf"):
                files[phase] = report_file(phase, size, folder, phase)
            page_figures = checked(
                ["pages", str(size), folder, str(repeat)], folder, f"pages {size}"
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
                f"p90 {figure['p90_ms']:8.1f} ms   {figure['queries']} queries"
            )
        entry = {
            "assets": size,
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
    parser.add_argument("--only", choices=["pages", "import", "reports"])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--import-sizes", default="10000,50000")
    parser.add_argument(
        "--default-max",
        type=int,
        default=10000,
        help="largest file also run through django-import-export's default path (slow)",
    )
    parser.add_argument("--report-sizes", default="10000,100000")
    parser.add_argument("--output", default=str(ROOT / "bench" / "results.json"))
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    output = Path(args.output)
    # Running one part keeps the other part's last figures.
    previous = json.loads(output.read_text()) if output.exists() else {}
    results = {
        **previous,
        "made": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "database": "sqlite",
    }
    parts = [args.only] if args.only else ["pages", "import", "reports"]
    if "pages" in parts:
        results.update(repeat=args.repeat, pages={})
        results.pop("ratio_largest_to_smallest", None)
        run_pages(results, sizes, args.repeat)
    if "import" in parts:
        import_sizes = [int(s) for s in args.import_sizes.split(",")]
        results["import"] = run_imports(import_sizes, args.default_max)
    if "reports" in parts:
        report_sizes = [int(s) for s in args.report_sizes.split(",")]
        version = code_version()
        figures = run_reports(report_sizes, args.repeat)
        results["reports"] = {"code": version, "repeat": args.repeat, "sizes": figures}
        if (after := code_version()) != version:
            print(f"The code changed during the run (from {version} to {after}): run it again.")
            results["reports"]["code_after"] = after

    output.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"written to {output}")


def run_pages(results: dict, sizes: list[int], repeat: int) -> None:
    for size in sizes:
        print(f"{size} assets …", flush=True)
        figures = run_size(size, repeat)
        results["pages"][str(size)] = figures
        for name, figure in figures["pages"].items():
            print(
                f"  {name:<28} median {figure['median_ms']:8.1f} ms   "
                f"p90 {figure['p90_ms']:8.1f} ms   {figure['queries']} queries"
            )

    if len(sizes) > 1:
        smallest, largest = str(min(sizes)), str(max(sizes))
        results["ratio_largest_to_smallest"] = {
            name: round(
                results["pages"][largest]["pages"][name]["median_ms"]
                / results["pages"][smallest]["pages"][name]["median_ms"],
                2,
            )
            for name in results["pages"][smallest]["pages"]
        }
        print(f"median at {largest} / median at {smallest}:")
        for name, ratio in results["ratio_largest_to_smallest"].items():
            print(f"  {name:<28} {ratio:.2f}x")


if __name__ == "__main__":
    main()
