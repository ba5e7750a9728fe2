"""`make bench`: how the register's pages scale with the number of assets, and how fast
asset files import.

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

    python bench/run.py [--only pages|import] [--sizes 1000,10000] [--repeat 15]
                        [--import-sizes 10000,50000] [--default-max 10000]
                        [--output bench/results.json]
"""

import argparse
import json
import os
import platform
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["pages", "import"])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--import-sizes", default="10000,50000")
    parser.add_argument(
        "--default-max",
        type=int,
        default=10000,
        help="largest file also run through django-import-export's default path (slow)",
    )
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
    if args.only != "import":
        results.update(repeat=args.repeat, pages={})
        results.pop("ratio_largest_to_smallest", None)
        run_pages(results, sizes, args.repeat)
    if args.only != "pages":
        import_sizes = [int(s) for s in args.import_sizes.split(",")]
        results["import"] = run_imports(import_sizes, args.default_max)

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
