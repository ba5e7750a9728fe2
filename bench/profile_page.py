"""Where one page's CPU time goes: cProfile of requests through Django's test client.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/inventera_bench_load_10000 \\
        .venv/bin/python bench/profile_page.py /inventory/assets/ [--user it] [--repeat 20]

Production settings (DEBUG off) as the other benchmarks use; the static files are
collected into a temporary folder first. The user is logged in without the login page;
one request warms up, then --repeat requests are profiled. Prints the time per request
and the --top functions by cumulative time (less the frames every request passes
through: the test client, the handler, the middleware), by cumulative time outside the
template engine, and by own time; cProfile's times are wall-clock, so waiting for the
database counts (psycopg's `wait`). Then the --slowest queries of one request. A database kept by
`make bench-load BENCH_ARGS=--keep` has the demo users it, chef and strateg.
"""

import argparse
import cProfile
import os
import pstats
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
for name, value in {
    "DJANGO_SETTINGS_MODULE": "config.settings.base",
    "DEBUG": "false",
    "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "testserver",
    "SECURE_SSL_REDIRECT": "false",
    "MUNICIPALITY_NAME": "Exempelkommunen",
    "MUNICIPALITY_ORG_NUMBER": "212000-0001",
}.items():
    os.environ.setdefault(name, value)
# What every request passes through: left out of the cumulative list (--all-frames keeps it).
WRAPPERS = re.compile(
    r"django/test/|django/core/handlers/|django/utils/deprecation\.py|middleware\.py|"
    r"config/health\.py|django/views/generic/base\.py|django/utils/decorators\.py|"
    r"contextlib\.py|django/contrib/auth/mixins\.py|\{built-in method builtins\.exec\}"
)
TEMPLATE_ENGINE = re.compile(
    WRAPPERS.pattern + r"|django/template/|django/templatetags/|django/views/generic/"
    r"|django/utils/safestring\.py|django/utils/functional\.py|inventory/views/|"
    r"procurement/views/|reports/views"
)
static_root = tempfile.TemporaryDirectory(prefix="inventera-bench-static-")
os.environ["STATIC_ROOT"] = static_root.name

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url")
    parser.add_argument("--user", default="it")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--slowest", type=int, default=5, help="queries to show")
    parser.add_argument(
        "--all-frames",
        dest="skip_wrappers",
        action="store_false",
        help="keep the test client, the handler and the middleware in the cumulative list",
    )
    args = parser.parse_args()
    call_command("collectstatic", interactive=False, verbosity=0)
    client = Client()
    client.force_login(User.objects.get(username=args.user))
    response = client.get(args.url)
    if response.status_code != 200:
        raise SystemExit(f"{args.url} answered {response.status_code}")
    with CaptureQueriesContext(connection) as captured:
        client.get(args.url)
    # Now: the log is emptied when the connection is opened again.
    queries = len(captured)
    slowest = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[: args.slowest]
    profile = cProfile.Profile()
    start = time.perf_counter()
    profile.enable()
    for _ in range(args.repeat):
        client.get(args.url)
    profile.disable()
    each = (time.perf_counter() - start) * 1000 / args.repeat
    print(
        f"{args.url} as {args.user}: {each:.1f} ms per request under the profiler, "
        f"{queries} queries, {len(response.content) // 1024} KiB"
    )
    prefixes = sorted({p for p in sys.path if p.startswith("/")}, key=len, reverse=True)

    def short(path: str) -> str:
        """A path from the project or the installed package, not the whole way."""
        return next((path[len(p) :].lstrip("/") for p in prefixes if path.startswith(p)), path)

    stats = pstats.Stats(profile)
    lists = {
        "cumulative time": ("cumulative", WRAPPERS if args.skip_wrappers else None),
        # What the templates call: forms, the ORM, our template tags and filters.
        "cumulative time outside the template engine": ("cumulative", TEMPLATE_ENGINE),
        "own time": ("tottime", None),
    }
    for title, (order, skip) in lists.items():
        stats.sort_stats(order)
        print(f"--- top {args.top} by {title} ({args.repeat} requests)")
        print(f"{'calls':>9} {'own s':>8} {'cum s':>8} {'cum ms/req':>10}  function")
        shown = 0
        for function in stats.fcn_list:
            _, calls, own, cumulative, _ = stats.stats[function]
            file, line, name = function
            label = f"{short(file)}:{line}({name})"
            if skip is not None and skip.search(label):
                continue
            ms = cumulative * 1000 / args.repeat
            print(f"{calls:>9} {own:8.3f} {cumulative:8.3f} {ms:10.1f}  {label}")
            shown += 1
            if shown == args.top:
                break
    print(f"--- the {len(slowest)} slowest queries of one request (seconds)")
    for query in slowest:
        sql = query["sql"]
        if len(sql) > 500 and " FROM " in sql:  # the columns are the least telling part
            sql = sql[:80] + " … " + sql[sql.index(" FROM ") :]
        print(f"{query['time']:>7}  {sql[:900]}")
    static_root.cleanup()


if __name__ == "__main__":
    main()
