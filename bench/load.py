"""The load run of `make bench` / `make bench-load`: the site under many users at once.

For each size (10 000 and 100 000 assets by default) a PostgreSQL database of its own
(`inventera_bench_load_10000`): the demo municipality (`manage.py seed_demo
--allow-production`), generated assets up to the size and 500 procurement cases
(bench/load_data.py). Then gunicorn as production runs it (`config.wsgi`, 3 sync workers,
DEBUG off, static files through WhiteNoise), on loopback only, and 16 users logged in
through the login page (CSRF and django-axes as for anyone; a failed login stops the run
and is never retried, so no bench user gets locked out): the demo roles IT, library
manager and strategist in turn. Each user is a thread with its own HTTP/1.1 connection
(gunicorn's sync workers close it after every answer; the client then opens another),
asking for the next page as soon as it has the answer to the last (no think time).

1. Warm-up: each user opens every page of the mix once (not counted).
2. The mix for --duration seconds: dashboard, the asset list (plain, `?status=in_use`,
   `?q=PC`), asset pages, the case list and case pages, drawn at random with the weights
   of MIX from the assets and cases the user may see.
3. The same mix again while the register changes: every --write-every seconds one asset
   is updated in the database, as an edit would be. Each write changes the data version,
   so every cached figure, list total and fragment (inventory/figures.py) is made afresh
   at the next request that needs it: what the caches are worth when people work.
4. Each page alone, for --page-seconds: the CPU time per request of that page.

Requests per second, p50/p95/p99 milliseconds and errors per page, and the CPU time per
request: of the gunicorn workers (their utime + stime from /proc over the phase, divided
by its requests), of the database's backends for the run's database (sampled twice a
second, so a backend that ends loses its last half second) and of this client. Everything
it started – gunicorn, the databases unless --keep – is stopped at the end, on Ctrl-C
and on failure.
"""

import http.client
import json
import math
import os
import random
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from contextlib import suppress
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode

from bench.databases import BenchDatabase

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_WORKERS = 3
ROLES = ("it", "chef", "strateg")
# The pages of the mix, and how often each is asked for relative to the others.
MIX = {
    "dashboard": 3,
    "asset list": 3,
    "asset list in use": 2,
    "asset list search PC": 2,
    "asset page": 5,
    "case list": 2,
    "case page": 3,
}
CASES = 500
TICKS = os.sysconf("SC_CLK_TCK")


def page_path(page: str, user: dict, rng: random.Random) -> str:
    if page == "dashboard":
        return "/"
    if page == "asset list":
        return "/inventory/assets/"
    if page == "asset list in use":
        return "/inventory/assets/?status=in_use"
    if page == "asset list search PC":
        return "/inventory/assets/?q=PC"
    if page == "asset page":
        return f"/inventory/assets/{quote(rng.choice(user['asset_tags']))}/"
    if page == "case list":
        return "/procurement/cases/"
    if page == "case page":
        return f"/procurement/cases/{quote(rng.choice(user['case_references']))}/"
    raise ValueError(page)


class LoginFailed(Exception):
    pass


class Browser:
    """One user: a keep-alive HTTP connection and the cookies the site set."""

    def __init__(self, port: int, username: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.username = username
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes]:
        headers = {"Accept": "text/html", "Accept-Language": "sv"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            content = response.read()
        except (http.client.HTTPException, ConnectionError):
            self.connection.close()
            if method != "GET":
                raise
            # A connection the server had closed: once more on a new one.
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            content = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response.status, content

    def log_in(self, password: str) -> None:
        """Through the login page, as a person does; never tried twice (django-axes)."""
        status, page = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or token is None:
            raise LoginFailed(f"{self.username}: login page answered {status}")
        form = {
            "csrfmiddlewaretoken": token.group(1).decode(),
            "username": self.username,
            "password": password,
            "next": "/",
        }
        status, page = self.request("POST", "/accounts/login/", urlencode(form))
        if status != 302 or "sessionid" not in self.cookies:
            locked = b"error-summary" in page
            raise LoginFailed(
                f"{self.username}: login answered {status}"
                + (" with an error (wrong password or locked out)" if locked else "")
            )


class CpuMeter(threading.Thread):
    """CPU ticks of the gunicorn workers (children of the master) and of the PostgreSQL
    backends serving the run's database, read from /proc twice a second. A process that
    ends keeps its last reading."""

    def __init__(self, master: int, database: str) -> None:
        super().__init__(daemon=True)
        self.master, self.database = master, database
        self.seen: dict[tuple[str, int], int] = {}
        self.lock = threading.Lock()
        self.stopping = threading.Event()

    def sample(self) -> None:
        found = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat", "rb") as stat:
                    text = stat.read()
                name = text[text.index(b"(") + 1 : text.rindex(b")")]
                fields = text[text.rindex(b")") + 2 :].split()
                ticks = int(fields[11]) + int(fields[12])
                if int(fields[1]) == self.master:
                    found[("gunicorn", int(entry))] = ticks
                elif name == b"postgres":
                    with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                        title = cmdline.read()
                    if f" {self.database} ".encode() in title:
                        found[("database", int(entry))] = ticks
            except (OSError, ValueError, IndexError):
                continue  # ended meanwhile
        with self.lock:
            self.seen.update(found)

    def run(self) -> None:
        while not self.stopping.wait(0.5):
            self.sample()

    def reading(self) -> dict[tuple[str, int], int]:
        self.sample()
        with self.lock:
            return dict(self.seen)

    @staticmethod
    def used_ms(before: dict, after: dict, group: str) -> float:
        ticks = sum(v - before.get(k, 0) for k, v in after.items() if k[0] == group)
        return ticks * 1000 / TICKS


def machine_ticks() -> tuple[int, int]:
    """All CPUs' busy and total ticks since boot (/proc/stat)."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return sum(values) - idle, sum(values)


def percentile(ordered: list[float], share: float) -> float:
    """The nearest-rank percentile of sorted values."""
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def figures(timings: list[float], errors: int, seconds: float) -> dict:
    ordered = sorted(timings)
    if not ordered:
        return {"requests": 0, "errors": errors}
    return {
        "requests": len(ordered),
        "errors": errors,
        "per_s": round(len(ordered) / seconds, 1),
        "p50_ms": round(percentile(ordered, 0.50), 1),
        "p95_ms": round(percentile(ordered, 0.95), 1),
        "p99_ms": round(percentile(ordered, 0.99), 1),
        "mean_ms": round(statistics.fmean(ordered), 1),
    }


def drive(
    browser: Browser,
    user: dict,
    weights: dict[str, int],
    until: float,
    seed: int,
    stop: threading.Event,
    out: list,
) -> None:
    rng = random.Random(seed)
    pages, shares = list(weights), list(weights.values())
    while time.perf_counter() < until and not stop.is_set():
        page = rng.choices(pages, shares)[0]
        path = page_path(page, user, rng)
        start = time.perf_counter()
        try:
            status, _ = browser.request("GET", path)
            error = None if status == 200 else f"{path}: {status}"
        except (OSError, http.client.HTTPException) as exc:
            error = f"{path}: {type(exc).__name__}"
        out.append((page, (time.perf_counter() - start) * 1000, error))


def write_now_and_then(database_url: str, every: float, until: float, done: list) -> None:
    """Update one generated asset's notes every `every` seconds until `until` (perf
    counter), each in a transaction of its own, as an edit through the site commits one."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as connection:
        rng = random.Random(1)
        (low, high) = connection.execute(
            "SELECT min(id), max(id) FROM inventory_asset WHERE tag LIKE 'INV-%%'"
        ).fetchone()
        while time.perf_counter() < until:
            connection.execute(
                "UPDATE inventory_asset SET notes = %s, version = version + 1 WHERE id = %s",
                [f"bench write {len(done)}", rng.randint(low, high)],
            )
            done.append(time.perf_counter())
            time.sleep(every)


def phase(
    browsers: list[Browser],
    users: list[dict],
    weights: dict[str, int],
    seconds: float,
    meter: CpuMeter,
    stop: threading.Event,
    writes: tuple[str, float] | None = None,
) -> dict:
    """All users at once for `seconds`; the figures per page and overall, and CPU.
    `writes`: (database URL, seconds between writes) to change the register meanwhile."""
    records: list[list] = [[] for _ in browsers]
    written: list[float] = []
    before, client_before = meter.reading(), resource.getrusage(resource.RUSAGE_SELF)
    machine_before = machine_ticks()
    start = time.perf_counter()
    threads = [
        threading.Thread(
            target=drive,
            args=(browser, user, weights, start + seconds, n, stop, records[n]),
            daemon=True,
        )
        for n, (browser, user) in enumerate(zip(browsers, users, strict=True))
    ]
    if writes is not None:
        threads.append(
            threading.Thread(
                target=write_now_and_then,
                args=(writes[0], writes[1], start + seconds, written),
                daemon=True,
            )
        )
    for thread in threads:
        thread.start()
    for thread in threads:
        while thread.is_alive():
            thread.join(0.5)
    elapsed = time.perf_counter() - start
    after, client_after = meter.reading(), resource.getrusage(resource.RUSAGE_SELF)
    machine_after = machine_ticks()
    if stop.is_set():
        raise KeyboardInterrupt
    rows = [row for user_rows in records for row in user_rows]
    result = {
        "seconds": round(elapsed, 1),
        **figures([ms for _, ms, _ in rows], sum(1 for *_, e in rows if e), elapsed),
    }
    if writes is not None:
        result["writes"] = len(written)
    requests = max(1, len(rows))
    client_s = (client_after.ru_utime + client_after.ru_stime) - (
        client_before.ru_utime + client_before.ru_stime
    )
    result["cpu_ms_per_request"] = {
        "gunicorn": round(CpuMeter.used_ms(before, after, "gunicorn") / requests, 1),
        "database": round(CpuMeter.used_ms(before, after, "database") / requests, 1),
        "client": round(client_s * 1000 / requests, 1),
    }
    busy = machine_after[0] - machine_before[0]
    total = machine_after[1] - machine_before[1]
    # How busy all CPUs were: the server, the database, this client, and anything else.
    result["machine_busy"] = round(busy / max(1, total), 2)
    result["pages"] = {
        page: figures(
            [ms for p, ms, _ in rows if p == page],
            sum(1 for p, _, e in rows if p == page and e),
            elapsed,
        )
        for page in weights
    }
    if errors := [e for *_, e in rows if e]:
        result["first_errors"] = errors[:5]
    return result


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def step(command: list[str], env: dict, what: str) -> str:
    """A set-up command; its last line of output, or the run stops with its output."""
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise SystemExit(f"load run: {what} failed")
    return (result.stdout.strip().splitlines() or [""])[-1]


def start_gunicorn(env: dict, port: int, log: Path) -> subprocess.Popen:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [
        str(gunicorn),
        "config.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(GUNICORN_WORKERS),
        "--timeout",
        "120",
        "--error-logfile",
        str(log),
    ]
    # A session of its own: Ctrl-C reaches only this process, which then stops gunicorn.
    # Its output (the security log's logins too) goes to the log, shown if it fails.
    with log.open("ab") as output:
        server = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        with suppress(OSError, http.client.HTTPException):
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            probe.request("GET", "/healthz")
            if probe.getresponse().status == 200:
                return server
        time.sleep(0.3)
    stop_gunicorn(server)
    sys.stderr.write(log.read_text()[-4000:] if log.exists() else "")
    raise SystemExit("load run: gunicorn did not start")


def stop_gunicorn(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)  # graceful: the workers finish their request
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGKILL)  # its own session, started above
            server.wait()


def run_size(size: int, args, static_root: str) -> dict:
    python = sys.executable
    database = BenchDatabase(
        "postgres", f"inventera_bench_load_{size}", keep=args.keep, postgres_url=args.postgres_url
    )
    server = None
    stop = threading.Event()
    try:
        reused = database.prepare()
        env = database.env(static_root=static_root, DEMO="true")
        print(f"load run at {size} assets: {database.describe()}", flush=True)
        if reused:
            step([python, "manage.py", "migrate", "--noinput", "-v0"], env, "migrate")
            built = database.mark
        else:
            start = time.perf_counter()
            step([python, "manage.py", "migrate", "--noinput", "-v0"], env, "migrate")
            step([python, "manage.py", "seed_demo", "--allow-production"], env, "seed_demo")
            loader = str(ROOT / "bench" / "load_data.py")
            built = json.loads(step([python, loader, "build", str(size), str(CASES)], env, "build"))
            built["build_s"] = round(time.perf_counter() - start, 1)
            database.mark_built(**built)
            print(f"  built in {built['build_s']} s: {built}", flush=True)
        described = json.loads(
            step([python, str(ROOT / "bench" / "load_data.py"), "describe"], env, "describe")
        )
        users = [described["roles"][ROLES[n % len(ROLES)]] for n in range(args.users)]
        names = [ROLES[n % len(ROLES)] for n in range(args.users)]

        port = free_port()
        server_env = database.env(
            static_root=static_root,
            ALLOWED_HOSTS="127.0.0.1",
            SECURE_COOKIES="false",
            SECURE_SSL_REDIRECT="false",
        )
        server = start_gunicorn(server_env, port, database.folder / "gunicorn.log")
        meter = CpuMeter(server.pid, database.name)
        meter.start()
        browsers = [Browser(port, name) for name in names]
        for browser in browsers:
            browser.log_in(described["password"])
        load_before = os.getloadavg()[0]
        print(f"  {len(browsers)} users logged in; warming up …", flush=True)
        for browser, user in zip(browsers, users, strict=True):
            for page in MIX:
                status, _ = browser.request("GET", page_path(page, user, random.Random(0)))
                if status != 200:
                    raise SystemExit(f"load run: {page} answered {status} to {browser.username}")
        print(f"  the mix for {args.duration} s …", flush=True)
        mixed = phase(browsers, users, MIX, args.duration, meter, stop)
        print_phase("mix", mixed)
        print(f"  the mix with a write every {args.write_every} s …", flush=True)
        writing = phase(
            browsers,
            users,
            MIX,
            args.duration,
            meter,
            stop,
            writes=(database.url.replace("postgres://", "postgresql://", 1), args.write_every),
        )
        print_phase(f"mix with {writing['writes']} writes", writing)
        single = {}
        for page in MIX:
            single[page] = phase(browsers, users, {page: 1}, args.page_seconds, meter, stop)
            single[page].pop("pages")
        print_single(single)
        meter.stopping.set()
        return {
            "assets": described["assets"],
            "cases": described["cases"],
            "visible": {role: {"assets": described["roles"][role]["assets"]} for role in ROLES},
            "database": database.describe(),
            "reused": reused,
            "build": built,
            "load_1min_before": round(load_before, 2),
            "load_1min_after": round(os.getloadavg()[0], 2),
            "mix": mixed,
            "mix_with_writes": writing,
            "single_page": single,
        }
    except BaseException:  # Ctrl-C, kill, a failure: the users stop first
        stop.set()
        raise
    finally:
        if server is not None:
            stop_gunicorn(server)
        database.close()


def print_phase(title: str, result: dict) -> None:
    cpu = result["cpu_ms_per_request"]
    print(
        f"  {title}: {result['requests']} requests in {result['seconds']} s, "
        f"{result['per_s']}/s, {result['errors']} errors, p50 {result['p50_ms']} ms, "
        f"p95 {result['p95_ms']} ms, p99 {result['p99_ms']} ms; CPU per request: "
        f"gunicorn {cpu['gunicorn']} ms, database {cpu['database']} ms, "
        f"client {cpu['client']} ms; CPUs {result['machine_busy']:.0%} busy"
    )
    for page, figure in result["pages"].items():
        if figure["requests"]:
            print(
                f"    {page:<22} {figure['requests']:6} req {figure['per_s']:6}/s "
                f"{figure['errors']:3} err  p50 {figure['p50_ms']:7} ms  "
                f"p95 {figure['p95_ms']:7} ms  p99 {figure['p99_ms']:7} ms"
            )
    for error in result.get("first_errors", []):
        print(f"    error: {error}")


def print_single(single: dict) -> None:
    print("  each page alone (CPU ms per request: gunicorn workers / database):")
    for page, figure in single.items():
        cpu = figure["cpu_ms_per_request"]
        print(
            f"    {page:<22} {figure['per_s']:6}/s  p50 {figure['p50_ms']:7} ms  "
            f"p95 {figure['p95_ms']:7} ms  {figure['errors']} err  "
            f"CPU {cpu['gunicorn']:6} ms / {cpu['database']:5} ms"
        )


def run_load(args, static_root: str) -> dict:
    """The load run at each of --load-sizes; STATIC_ROOT already collected."""
    results = {}
    for size in (int(s) for s in args.load_sizes.split(",")):
        results[str(size)] = run_size(size, args, static_root)
    return {
        "database": "postgresql",
        "server": (
            f"gunicorn config.wsgi, {GUNICORN_WORKERS} sync workers on 127.0.0.1, DEBUG off, "
            "static files through WhiteNoise"
        ),
        "users": args.users,
        "roles": ROLES,
        "duration_s": args.duration,
        "page_seconds": args.page_seconds,
        "mix": MIX,
        "write_every_s": args.write_every,
        "think_time": "none: each user asks again as soon as it has its answer",
        "sizes": results,
    }
