"""`make bench`: how the register's pages scale with the number of assets.

For each size (1 000, 10 000, 100 000 assets by default) a fresh SQLite database is
built in a temporary folder, then each page is requested repeatedly through Django's
test client as an IT user. Every size runs in its own process. Results – median and
90th-percentile milliseconds and queries per request – go to bench/results.json.

    python bench/run.py [--sizes 1000,10000] [--repeat 15] [--output bench/results.json]
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


def run_size(size: int, repeat: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="inventera-bench-") as folder:
        env = {
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--output", default=str(ROOT / "bench" / "results.json"))
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    results = {
        "made": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "database": "sqlite",
        "repeat": args.repeat,
        "pages": {},
    }
    for size in sizes:
        print(f"{size} assets …", flush=True)
        figures = run_size(size, args.repeat)
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

    Path(args.output).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"written to {args.output}")


if __name__ == "__main__":
    main()
