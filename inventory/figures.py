"""Figures computed once per version of the data, not once per request.

The dashboards and reports count every asset and case; at a hundred thousand assets that
is tens of milliseconds of database time per request, for figures that change only when
someone writes. So the figures are cached, keyed on the *data version*: a value the
database changes, in the same transaction, whenever a row of a watched table is
inserted, updated or deleted (docs/architecture.md, "Figures cached until the data
changes").

- Correct to the last write: the version is changed by a trigger inside the writing
  transaction, so a reader sees the new version exactly when it sees the new rows, on
  every app server. Nothing has to remember to invalidate: bulk updates, imports, the
  admin and raw SQL all fire the trigger.
- Never reused: each change writes a value not used before (a sequence on PostgreSQL, a
  64-bit random number on SQLite), so figures cached by a transaction that was rolled
  back can never be read again.
- No waiting between writers (PostgreSQL): the version is spread over a few rows; a
  writer takes the first row no one else holds (SKIP LOCKED), so two transactions never
  wait for each other on it.

The cache itself may be per process (the default local-memory cache): an entry is only
ever read under the version it was computed for, so each server computes a figure at most
once per version.
"""

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar, cast

from django.apps import AppConfig, apps
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import get_language

T = TypeVar("T")

VERSION_TABLE = "inventory_dataversion"
SEQUENCE = "inventory_dataversion_seq"
SLOTS = 8
TRIGGER = "inventera_data_changed"
CACHE_ALIAS = "default"
# An entry outlives no day: the day the figures were counted to is part of every key.
TIMEOUT = 24 * 60 * 60
_MISSING = object()

# The apps whose tables the figures are made of (each app adds itself in ready()).
_watched: list[str] = []
# Users, their roles and permissions: names appear in the figures, and the permissions
# are cached too (config/backends.py).
AUTH_TABLES = (
    "auth_user",
    "auth_group",
    "auth_permission",
    "auth_user_groups",
    "auth_group_permissions",
    "auth_user_user_permissions",
    "django_content_type",
)
# The version read once for a request that only reads (see one_version).
_memo: ContextVar[dict[str, tuple[int, ...] | None] | None] = ContextVar(
    "inventera_data_version", default=None
)


def watch(app_config: AppConfig) -> None:
    """Count every table of `app_config` as data the figures are made of."""
    if app_config.label not in _watched:
        _watched.append(app_config.label)


def watched_tables() -> list[str]:
    """The tables whose writes change the data version, in a stable order."""
    tables = set(AUTH_TABLES)
    for label in _watched:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if model._meta.managed and not model._meta.proxy:
                tables.add(model._meta.db_table)
    tables.discard(VERSION_TABLE)
    return sorted(tables)


def data_version(using: str = DEFAULT_DB_ALIAS) -> tuple[int, ...] | None:
    """The current data version as this transaction sees it; None when the version rows
    are missing (a database emptied by a test), in which case nothing is cached."""
    memo = _memo.get()
    if memo is not None and using in memo:
        return memo[using]
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT value FROM {VERSION_TABLE} ORDER BY slot")  # noqa: S608
        values = tuple(row[0] for row in cursor.fetchall())
    version = values if len(values) == SLOTS else None
    if memo is not None:
        memo[using] = version
    return version


@contextmanager
def one_version() -> Iterator[None]:
    """Read the data version once for everything inside: for a request that only reads
    (GET, HEAD), whose figures then all come from the same version (config/middleware.py).
    Never around a write: what it wrote would not change the version read before."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def cached_figures(name: str, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """`compute()`, or what it returned before for the same `name`, `key`, language and
    data version. `key` holds everything else the figures depend on (the reader's scope,
    the day, the options) as plain values whose repr() identifies them."""
    version = data_version()
    if version is None:
        return compute()
    digest = hashlib.blake2b(
        repr((name, version, get_language(), key)).encode(), digest_size=20
    ).hexdigest()
    cache_key = f"inventera:figures:{name}:{digest}"
    cache = caches[CACHE_ALIAS]
    found = cache.get(cache_key, _MISSING)
    if found is _MISSING:
        computed = compute()
        cache.set(cache_key, computed, TIMEOUT)
        return computed
    return cast(T, found)


# The statements that keep the version, per database vendor.
# Only this module's constants and table names from the models go into the SQL below.
_POSTGRES_SETUP = f"""
CREATE SEQUENCE IF NOT EXISTS {SEQUENCE};
-- Never behind the clock in microseconds: after a restore or a flush the values go on
-- past any a running server may have seen before.
SELECT setval('{SEQUENCE}', GREATEST(
    (SELECT last_value FROM {SEQUENCE}),
    (extract(epoch FROM clock_timestamp()) * 1000000)::bigint
));
INSERT INTO {VERSION_TABLE} (slot, value)
    SELECT slot, nextval('{SEQUENCE}') FROM generate_series(0, {SLOTS - 1}) AS slot
    ON CONFLICT (slot) DO NOTHING;
CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    chosen smallint;
BEGIN
    -- The first slot no other transaction holds (this one's own included), so that
    -- writers never wait for each other here; only when every slot is held, wait.
    SELECT slot INTO chosen FROM {VERSION_TABLE} ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED;
    IF chosen IS NULL THEN
        SELECT slot INTO chosen FROM {VERSION_TABLE} ORDER BY slot LIMIT 1 FOR UPDATE;
    END IF;
    UPDATE {VERSION_TABLE} SET value = nextval('{SEQUENCE}') WHERE slot = chosen;
    RETURN NULL;
END
$$;
"""  # noqa: S608
_POSTGRES_TRIGGER = """
DROP TRIGGER IF EXISTS {trigger} ON "{table}";
CREATE TRIGGER {trigger} AFTER INSERT OR UPDATE OR DELETE ON "{table}"
    FOR EACH STATEMENT EXECUTE FUNCTION {trigger}();
"""
_SQLITE_SETUP = f"INSERT OR IGNORE INTO {VERSION_TABLE} (slot, value) VALUES (%s, random())"  # noqa: S608
# SQLite has only row triggers; it also has a single writer, so one slot does.
_SQLITE_TRIGGER = (
    'CREATE TRIGGER IF NOT EXISTS "{trigger}_{table}_{event}" AFTER {event} ON "{table}" '  # noqa: S608
    f"BEGIN UPDATE {VERSION_TABLE} SET value = random() WHERE slot = 0; END"
)


def install(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Create the version rows and the triggers on every watched table that exists;
    idempotent (run after every migrate and flush). Returns the tables covered."""
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    if VERSION_TABLE not in existing:
        return []
    tables = [table for table in watched_tables() if table in existing]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_POSTGRES_SETUP)
            for table in tables:
                cursor.execute(_POSTGRES_TRIGGER.format(trigger=TRIGGER, table=table))
        else:
            for slot in range(SLOTS):
                cursor.execute(_SQLITE_SETUP, [slot])
            for table in tables:
                for event in ("INSERT", "UPDATE", "DELETE"):
                    cursor.execute(
                        _SQLITE_TRIGGER.format(trigger=TRIGGER, table=table, event=event)
                    )
    return tables


def tables_with_trigger(using: str = DEFAULT_DB_ALIAS) -> set[str]:
    """The tables that change the data version today (for the tests and checks)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT event_object_table FROM information_schema.triggers "
                "WHERE trigger_name = %s",
                [TRIGGER],
            )
            return {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
            [f"{TRIGGER}_%"],
        )
        events: dict[str, int] = {}
        for table, _name in cursor.fetchall():
            events[table] = events.get(table, 0) + 1
        return {table for table, count in events.items() if count == 3}


def install_after_migrate(sender: AppConfig, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """post_migrate: a migration that rebuilds a table (SQLite does for many changes)
    drops its triggers, and a flush empties the version rows; both are put back."""
    install(using)
