"""Where a benchmark's database lives, for bench/run.py and bench/load.py (no Django here).

A benchmark database is a SQLite file or a PostgreSQL database, one per part and size
(`inventera_bench_100000`). Without `keep` it is made fresh for the run and dropped after
it (a kept one of the same name included). With `keep` it stays afterwards, and a later
run with `keep` uses it again instead of building it: only a database whose build went to
the end is used again (it carries a mark, with how long the build took), any other is
dropped and built afresh. The schema of a kept database is migrated before use.

PostgreSQL is reached at --postgres-url (default postgres://postgres@127.0.0.1:5432/, or
BENCH_POSTGRES_URL); its user must be allowed to create databases. Kept SQLite databases
are in data/bench/.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
KEEP_DIR = ROOT / "data" / "bench"
DEFAULT_POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/")
# What marks a database as completely built (PostgreSQL: the database's comment).
MARK = "inventera-bench"


def bench_env(folder: str, database_url: str, *, static_root: str, **extra: str) -> dict:
    """The environment of a benchmark process: production settings (DEBUG off), the
    given database, uploads in `folder`, collected static files in `static_root`."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "false",
        # Set on a server (development has them as defaults); the demo's direct awards
        # cannot be documented without them.
        "MUNICIPALITY_NAME": "Exempelkommunen",
        "MUNICIPALITY_ORG_NUMBER": "212000-0001",
        "DATABASE_URL": database_url,
        "DATA_DIR": folder,
        "STATIC_ROOT": static_root,
        "PYTHONPATH": str(ROOT),
        **extra,
    }


def collect_static(static_root: str) -> None:
    """collectstatic once for a run: every page needs the manifest with DEBUG off."""
    with tempfile.TemporaryDirectory(prefix="inventera-bench-") as folder:
        env = bench_env(folder, f"sqlite:///{folder}/none.sqlite3", static_root=static_root)
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            env=env,
            cwd=ROOT,
            check=True,
        )


class BenchDatabase:
    """One benchmark database: `prepare()` it, build it unless `reused`, `mark_built()`,
    use `url` / `env()`, and `close()` (drops it unless kept)."""

    def __init__(self, engine: str, name: str, *, keep: bool, postgres_url: str) -> None:
        if engine not in ("sqlite", "postgres"):
            raise ValueError(f"unknown database {engine!r}")
        self.engine, self.name, self.keep = engine, name, keep
        self.postgres_url = postgres_url
        self.reused = False
        self.mark: dict = {}
        self._temp = tempfile.TemporaryDirectory(prefix="inventera-bench-")
        # Uploads and import files; for SQLite also the database file.
        self.folder = Path(self._temp.name)
        if engine == "sqlite" and keep:
            self.folder = KEEP_DIR / name

    @property
    def url(self) -> str:
        if self.engine == "sqlite":
            return f"sqlite:///{self.folder}/bench.sqlite3"
        parts = urlsplit(self.postgres_url)
        return urlunsplit((parts.scheme, parts.netloc, f"/{self.name}", parts.query, ""))

    def env(self, *, static_root: str, **extra: str) -> dict:
        return bench_env(str(self.folder), self.url, static_root=static_root, **extra)

    # PostgreSQL, through the maintenance database of postgres_url.
    def _admin(self):
        try:  # imported here: only PostgreSQL runs need it
            import psycopg
        except ImportError as exc:  # pragma: no cover
            raise SystemExit("PostgreSQL runs need psycopg: run with .venv/bin/python") from exc
        parts = urlsplit(self.postgres_url)
        maintenance = urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, ""))
        return psycopg.connect(maintenance, autocommit=True)

    def _pg_mark(self) -> dict | None:
        with self._admin() as conn:
            row = conn.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                [self.name],
            ).fetchone()
        if row is None:
            return None
        try:
            mark = json.loads(row[0] or "")
        except ValueError:
            mark = {}
        return mark if isinstance(mark, dict) and mark.get("mark") == MARK else {}

    def _pg(self, statement: str) -> None:
        from psycopg import sql

        with self._admin() as conn:
            conn.execute(sql.SQL(statement).format(sql.Identifier(self.name)))

    def prepare(self) -> bool:
        """Make the database ready to build, or find a kept one; True when it is reused."""
        if self.engine == "postgres":
            mark = self._pg_mark()
            if self.keep and mark:
                self.reused, self.mark = True, mark
                return True
            if mark is not None:
                self._pg("DROP DATABASE {} WITH (FORCE)")
            self._pg("CREATE DATABASE {}")
            return False
        marker = self.folder / "built.json"
        if self.keep and marker.exists():
            self.reused, self.mark = True, json.loads(marker.read_text())
            return True
        # A kept database of the name goes, as on PostgreSQL (where it must).
        shutil.rmtree(KEEP_DIR / self.name, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)
        return False

    def mark_built(self, **details) -> None:
        """Mark the database as completely built (only a marked one is used again)."""
        self.mark = {
            "mark": MARK,
            "built": datetime.now(UTC).isoformat(timespec="seconds"),
            **details,
        }
        if self.engine == "postgres":
            from psycopg import sql

            with self._admin() as conn:
                conn.execute(
                    sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                        sql.Identifier(self.name), sql.Literal(json.dumps(self.mark))
                    )
                )
        else:
            (self.folder / "built.json").write_text(json.dumps(self.mark))

    def close(self) -> None:
        """Drop the database unless it is kept and completely built."""
        keep = self.keep and bool(self.mark)
        try:
            if self.engine == "postgres" and not keep:
                with suppress(Exception):
                    self._pg("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            elif self.engine == "sqlite" and self.keep and not keep:
                shutil.rmtree(self.folder, ignore_errors=True)
        finally:
            self._temp.cleanup()

    def describe(self) -> str:
        where = self.name if self.engine == "postgres" else str(self.folder)
        if self.reused:
            took = self.mark.get("build_s")
            return f"{self.engine} {where}: kept, built {self.mark.get('built')} in {took} s"
        return f"{self.engine} {where}: fresh" + (", kept afterwards" if self.keep else "")
