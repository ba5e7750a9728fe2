"""Backups: the database and the uploaded documents in one file, and back again.

`backup_create` writes one gzip-compressed tar archive:

    database.sqlite3   SQLite: a copy made with SQLite's online backup API, or
    database.pgdump    PostgreSQL: `pg_dump --format=custom` (restorable by hand too)
    media/...          every file under MEDIA_ROOT: the case documents and pending imports
    manifest.json      Inventera's version, the latest applied migration per app, the
                       database vendor, when, the rows of every table, and the size and
                       SHA-256 of the database file and of every other file (the last
                       member: it is written when everything it describes is known)

Both are made while Inventera runs. SQLite's backup API copies one consistent state of
the database and the rows are counted in that copy; for PostgreSQL a read-only
repeatable-read transaction exports its snapshot to pg_dump and counts the rows in the
same snapshot, so the manifest always describes exactly the dump.

`backup_restore` checks everything before it changes anything: every member against the
manifest, the database vendor, that this version of Inventera knows the backup's
migrations, that pg_restore can read the dump, that the database holds no data and that no
different file of the same name is in MEDIA_ROOT (both unless forced). Then:

- SQLite: the backup API copies the backup into the database, schema and rows at once;
- PostgreSQL: Inventera's tables are dropped, the empty database is migrated to the
  backup's migration state, emptied of what the migrations wrote, and its rows (and
  sequences) loaded with `pg_restore --data-only` in one transaction;

after which the rows of every table are compared with the manifest, the database is
migrated to this version, the files are copied into MEDIA_ROOT and their checksums and the
documents the database refers to are checked. Differences are reported all together.
"""

import hashlib
import importlib.metadata
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import tomllib
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import django
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import FileSystemStorage, storages
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DatabaseError, connections, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from inventory.models import DataVersion

FORMAT = "inventera-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA = "media/"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
VENDOR_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# A database is empty when these hold no rows: Inventera's own apps and the users. (What
# `migrate` writes, content types, permissions and the roles, and logs such as sessions do
# not count; a restore replaces them all the same.)
INVENTERA_APPS = frozenset({"inventory", "procurement", "reports"})
CHUNK = 1024 * 1024
# `pg_dump --version`: "pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)"
PG_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)")


def _require_uploads_in_media_root() -> None:
    """The archive holds MEDIA_ROOT; uploads kept elsewhere (an object store) are not
    backed up by it, and a backup without them would look complete."""
    if not isinstance(storages["default"], FileSystemStorage):
        raise BackupError(
            _(
                "The uploads are kept in an object store, not in MEDIA_ROOT, so this "
                "command cannot back them up. Back up the database with its own tools "
                "(pg_dump) and the bucket with the store's versioning or replication "
                "(docs/deployment.md)."
            )
        )


class BackupError(Exception):
    """The backup or restore could not be made. Exit status 1."""

    exit_code = 1


class BackupRefused(BackupError):
    """Refused, so as not to overwrite anything; nothing was changed. Exit status 2."""

    exit_code = 2


class VerificationError(BackupError):
    """Restored, but the result differs from the manifest. Exit status 3."""

    exit_code = 3

    def __init__(self, manifest: "Manifest", problems: list[str]):
        self.manifest = manifest
        self.problems = problems
        super().__init__(
            _("The restored data differs from the backup's manifest:")
            + "".join(f"\n- {problem}" for problem in problems)
        )


@dataclass(frozen=True)
class TableCount:
    table: str
    rows: int


@dataclass(frozen=True)
class MediaFile:
    path: str  # relative to MEDIA_ROOT, with forward slashes
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    created_at: str  # ISO 8601, UTC
    inventera_version: str
    django_version: str
    vendor: str  # "sqlite" or "postgresql", as Django names them
    database_file: str
    database_size: int
    database_sha256: str
    database_tool: str  # what made the dump, e.g. "pg_dump (PostgreSQL) 15.20"
    server_version: str
    migrations: dict[str, str]  # app label -> latest applied migration
    counts: dict[str, TableCount]  # model label -> its table and rows
    media: tuple[MediaFile, ...] = ()
    # Files the database refers to that were not in MEDIA_ROOT when the backup was made.
    missing_media: tuple[str, ...] = ()

    @property
    def rows(self) -> dict[str, int]:
        return {label: count.rows for label, count in self.counts.items()}

    @property
    def media_bytes(self) -> int:
        return sum(file.size for file in self.media)

    def to_json(self) -> bytes:
        data = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": self.created_at,
            "inventera_version": self.inventera_version,
            "django_version": self.django_version,
            "database": {
                "vendor": self.vendor,
                "file": self.database_file,
                "size": self.database_size,
                "sha256": self.database_sha256,
                "tool": self.database_tool,
                "server_version": self.server_version,
            },
            "migrations": self.migrations,
            "counts": {
                label: {"table": count.table, "rows": count.rows}
                for label, count in self.counts.items()
            },
            "media": {
                "count": len(self.media),
                "bytes": self.media_bytes,
                "files": [
                    {"path": file.path, "size": file.size, "sha256": file.sha256}
                    for file in self.media
                ],
                "missing": list(self.missing_media),
            },
        }
        return json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8") + b"\n"

    @classmethod
    def from_json(cls, content: bytes) -> "Manifest":
        try:
            data = json.loads(content)
            if data.get("format") != FORMAT:
                raise ValueError("not an Inventera backup manifest")
            if data["format_version"] > FORMAT_VERSION:
                raise BackupError(
                    _(
                        "The backup was made by a newer version of Inventera "
                        "(%(version)s), in a format this version cannot read."
                    )
                    % {"version": data.get("inventera_version", "?")}
                )
            database = data["database"]
            return cls(
                created_at=str(data["created_at"]),
                inventera_version=str(data["inventera_version"]),
                django_version=str(data["django_version"]),
                vendor=str(database["vendor"]),
                database_file=str(database["file"]),
                database_size=int(database["size"]),
                database_sha256=str(database["sha256"]),
                database_tool=str(database["tool"]),
                server_version=str(database["server_version"]),
                migrations={str(app): str(name) for app, name in data["migrations"].items()},
                counts={
                    str(label): TableCount(str(count["table"]), int(count["rows"]))
                    for label, count in data["counts"].items()
                },
                media=tuple(
                    MediaFile(str(file["path"]), int(file["size"]), str(file["sha256"]))
                    for file in data["media"]["files"]
                ),
                missing_media=tuple(str(name) for name in data["media"].get("missing", [])),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BackupError(
                _("%(name)s is not a valid Inventera backup manifest (%(error)s).")
                % {"name": MANIFEST, "error": exc}
            ) from None


@dataclass(frozen=True)
class RestorePlan:
    """What a restore is about to do, for a confirmation before anything is changed."""

    manifest: Manifest
    database: str  # the target, described for people
    holds_data: tuple[str, ...]  # what the target database already holds (forced)
    media_root: Path
    overwrites: tuple[str, ...]  # different files of the same name in MEDIA_ROOT (forced)


@dataclass
class _Snapshot:
    """What one consistent state of the database holds, read where it was dumped."""

    tool: str
    server_version: str
    counts: dict[str, TableCount] = field(default_factory=dict)
    applied: set[tuple[str, str]] = field(default_factory=set)
    references: set[str] = field(default_factory=set)


# Backup


def output_path(output: str | Path, *, now=None) -> Path:
    """The archive to write: OUTPUT itself, or, when OUTPUT is an existing folder, a file
    inventera-YYYY-MM-DD-HHMMSS.tar.gz (local time) in it."""
    path = Path(output).expanduser()
    if str(output).endswith(("/", os.sep)) and not path.is_dir():
        raise BackupError(_("The folder %(folder)s does not exist.") % {"folder": path})
    if path.is_dir():
        stamp = timezone.localtime(now).strftime("%Y-%m-%d-%H%M%S")
        path = path / f"inventera-{stamp}.tar.gz"
    return path


def backup_create(*, output: str | Path, using: str = "default") -> Manifest:
    """Write the database and MEDIA_ROOT to the new archive `output` (never overwritten).

    The archive is written under a temporary name in the same folder and appears under
    its own name only when complete; it is readable by its owner only (it holds personal
    data and password hashes).
    """
    _require_uploads_in_media_root()
    output = Path(output)
    if output.exists() or output.is_symlink():
        raise BackupRefused(
            _("%(path)s already exists; a backup never overwrites a file.") % {"path": output}
        )
    folder = output.parent
    if not folder.is_dir():
        raise BackupError(_("The folder %(folder)s does not exist.") % {"folder": folder})
    media_root = Path(settings.MEDIA_ROOT)
    if output.resolve().is_relative_to(media_root.resolve()):
        raise BackupError(
            _(
                "The backup cannot be written inside MEDIA_ROOT (%(media_root)s): it would "
                "become part of the next backup."
            )
            % {"media_root": media_root}
        )
    connection = connections[using]
    try:
        with tempfile.TemporaryDirectory(prefix=".inventera-backup-", dir=folder) as work:
            dump = Path(work) / DATABASE_FILES.get(connection.vendor, "database")
            snapshot = _dump_database(connection, dump)
            partial = Path(work) / "backup.tar.gz"
            with tarfile.open(partial, "w:gz") as archive:
                database = _add_file(archive, dump.name, dump)
                media = tuple(_add_media(archive, media_root))
                archived = {file.path for file in media}
                manifest = Manifest(
                    created_at=timezone.now().isoformat(timespec="seconds"),
                    inventera_version=inventera_version(),
                    django_version=django.get_version(),
                    vendor=connection.vendor,
                    database_file=dump.name,
                    database_size=database.size,
                    database_sha256=database.sha256,
                    database_tool=snapshot.tool,
                    server_version=snapshot.server_version,
                    migrations=latest_migrations(snapshot.applied),
                    counts=snapshot.counts,
                    media=media,
                    missing_media=tuple(sorted(snapshot.references - archived)),
                )
                _add_bytes(archive, MANIFEST, manifest.to_json())
            partial.chmod(0o600)
            _publish(partial, output)
    except OSError as exc:
        raise BackupError(
            _("The backup could not be written to %(path)s: %(error)s")
            % {"path": output, "error": exc.strerror or exc}
        ) from None
    return manifest


def inventera_version() -> str:
    """The version of the code that runs: its pyproject.toml, else the installed package."""
    try:
        with open(Path(settings.BASE_DIR) / "pyproject.toml", "rb") as file:
            return str(tomllib.load(file)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        pass
    try:
        return importlib.metadata.version("inventera")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def latest_migrations(applied: set[tuple[str, str]]) -> dict[str, str]:
    """The latest of each app's applied migrations, by the migration graph (by name for a
    migration this version does not know)."""
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    latest: dict[str, tuple[int, str]] = {}
    for app, name in applied:
        node = (app, name)
        rank = (len(graph.forwards_plan(node)) if node in graph.nodes else 0, name)
        latest[app] = max(latest.get(app, rank), rank)
    return {app: latest[app][1] for app in sorted(latest)}


def _dump_database(connection, path: Path) -> _Snapshot:
    if connection.in_atomic_block:
        raise BackupError(_("A backup cannot be made inside a database transaction."))
    try:
        connection.ensure_connection()
    except DatabaseError as exc:
        raise BackupError(_("Cannot connect to the database: %(error)s") % {"error": exc}) from None
    if connection.vendor == "sqlite":
        return _dump_sqlite(connection, path)
    if connection.vendor == "postgresql":
        return _dump_postgresql(connection, path)
    raise BackupError(
        _("Backups of %(vendor)s databases are not supported, only of SQLite and PostgreSQL.")
        % {"vendor": connection.display_name}
    )


def _dump_sqlite(connection, path: Path) -> _Snapshot:
    copy = sqlite3.connect(path)
    try:
        # All pages in one step: one consistent state, however busy the database is.
        connection.connection.backup(copy)
        # The copy is one self-contained file, whatever the live database's journal.
        copy.execute("PRAGMA journal_mode=DELETE")
        (check,) = copy.execute("PRAGMA quick_check").fetchone()
        if check != "ok":
            raise BackupError(
                _("The copy of the SQLite database fails its integrity check: %(error)s")
                % {"error": check}
            )
        cursor = copy.cursor()
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        existing = {name for (name,) in cursor.fetchall()}
        snapshot = _Snapshot(
            tool=f"SQLite {sqlite3.sqlite_version} online backup API",
            server_version=sqlite3.sqlite_version,
        )
        _read_snapshot(cursor, existing, snapshot)
        return snapshot
    except sqlite3.Error as exc:
        raise BackupError(
            _("SQLite could not copy the database: %(error)s") % {"error": exc}
        ) from None
    finally:
        copy.close()


def _dump_postgresql(connection, path: Path) -> _Snapshot:
    pg_dump = _pg_tool("pg_dump")
    tool, client_major = _tool_version(pg_dump)
    server_major, server_version = _server_version(connection)
    if client_major is not None and client_major < server_major:
        raise BackupError(_version_mismatch("pg_dump", tool, server_version))
    snapshot = _Snapshot(tool=tool, server_version=server_version)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        # pg_dump reads this transaction's snapshot: the rows counted here are the dump's.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot_id,) = cursor.fetchone()
        _run_pg_tool(
            [
                pg_dump,
                "--format=custom",
                f"--file={path}",
                f"--snapshot={snapshot_id}",
                "--no-password",
                *_pg_connection_args(connection.settings_dict),
            ],
            connection,
            tool,
            server_version,
        )
        existing = set(connection.introspection.table_names(cursor))
        _read_snapshot(cursor, existing, snapshot)
    return snapshot


def _read_snapshot(cursor, existing: set[str], snapshot: _Snapshot) -> None:
    snapshot.counts = _count_rows(cursor, existing)
    if "django_migrations" in existing:
        cursor.execute("SELECT app, name FROM django_migrations")
        snapshot.applied = {(app, name) for app, name in cursor.fetchall()}
    snapshot.references = _file_references(cursor, existing)


def _add_media(archive: tarfile.TarFile, media_root: Path) -> Iterator[MediaFile]:
    for relative, path in _media_files(media_root):
        try:
            file = _add_file(archive, MEDIA + relative, path)
        except FileNotFoundError:
            continue  # deleted since the folder was listed: gone with its record
        yield MediaFile(relative, file.size, file.sha256)


def _media_files(media_root: Path) -> Iterator[tuple[str, Path]]:
    """Every regular file under MEDIA_ROOT, in order (symbolic links are not followed)."""
    if not media_root.is_dir():
        return

    def fail(error: OSError):
        raise error

    for folder, subfolders, names in os.walk(media_root, onerror=fail):
        subfolders.sort()
        for name in sorted(names):
            path = Path(folder, name)
            if path.is_file() and not path.is_symlink():
                yield path.relative_to(media_root).as_posix(), path


class _Hashing:
    """Reads a file and takes its SHA-256 on the way."""

    def __init__(self, raw):
        self.raw = raw
        self.digest = hashlib.sha256()

    def read(self, size=-1):
        data = self.raw.read(size)
        self.digest.update(data)
        return data


def _add_file(archive: tarfile.TarFile, name: str, path: Path) -> MediaFile:
    """Add one file, hashing exactly the bytes that go into the archive."""
    with open(path, "rb") as raw:
        stat = os.fstat(raw.fileno())
        info = tarfile.TarInfo(name)
        info.size = stat.st_size
        info.mtime = int(stat.st_mtime)
        info.mode = 0o600
        reader = _Hashing(raw)
        try:
            archive.addfile(info, reader)
        except OSError as exc:
            if exc.errno is not None:
                raise
            raise BackupError(
                _("%(path)s changed while it was read; run the backup again.") % {"path": path}
            ) from None
    return MediaFile(name, info.size, reader.digest.hexdigest())


def _add_bytes(archive: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    info.mtime = int(timezone.now().timestamp())
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(content))


def _publish(partial: Path, output: Path) -> None:
    """Give the finished archive its name, unless something took that name meanwhile."""
    try:
        os.link(partial, output)
    except FileExistsError:
        raise BackupRefused(
            _("%(path)s already exists; a backup never overwrites a file.") % {"path": output}
        ) from None
    except OSError:
        # A file system without hard links: check, then rename.
        if output.exists():
            raise BackupRefused(
                _("%(path)s already exists; a backup never overwrites a file.") % {"path": output}
            ) from None
        os.replace(partial, output)


# Restore


def backup_restore(
    *,
    path: str | Path,
    force: bool = False,
    using: str = "default",
    confirm: Callable[[RestorePlan], bool] | None = None,
) -> Manifest:
    """Restore the archive `path` into the database `using` and MEDIA_ROOT.

    Refuses (BackupRefused) a database that holds data, or different files of the same
    names in MEDIA_ROOT, unless `force`; `confirm(plan)` is asked last, before anything is
    changed, and a False answer stops the restore. Raises VerificationError, after the
    restore, when rows or files differ from the manifest.
    """
    _require_uploads_in_media_root()
    path = Path(path)
    connection = connections[using]
    media_root = Path(settings.MEDIA_ROOT)
    # Unpacked in the system's temporary folder (TMPDIR), which needs room for it.
    if connection.in_atomic_block:
        raise BackupError(_("A backup cannot be restored inside a database transaction."))
    with tempfile.TemporaryDirectory(prefix="inventera-restore-") as work:
        work = Path(work)
        manifest = _unpack(path, work)
        _check_compatible(manifest, connection)
        pg_restore = _check_pg_restore(manifest) if manifest.vendor == "postgresql" else None
        holds_data = _models_with_rows(connection)
        overwrites = _media_conflicts(manifest, media_root)
        if holds_data and not force:
            raise BackupRefused(
                _(
                    "The database is not empty (it holds %(what)s); nothing was restored. "
                    "Restore into an empty database, or use --force to replace its data."
                )
                % {"what": what_it_holds(holds_data)}
            )
        if overwrites and not force:
            raise BackupRefused(
                ngettext(
                    "%(count)d file in %(media_root)s differs from the backup's file of the "
                    "same name (%(example)s). Nothing was restored; use --force to replace it.",
                    "%(count)d files in %(media_root)s differ from the backup's files of the "
                    "same name (e.g. %(example)s). Nothing was restored; use --force to "
                    "replace them.",
                    len(overwrites),
                )
                % {"count": len(overwrites), "media_root": media_root, "example": overwrites[0]}
            )
        plan = RestorePlan(
            manifest=manifest,
            database=describe_database(connection),
            holds_data=holds_data,
            media_root=media_root,
            overwrites=overwrites,
        )
        if confirm is not None and not confirm(plan):
            raise BackupRefused(_("Restore cancelled; nothing was changed."))

        database = work / manifest.database_file
        try:
            if manifest.vendor == "sqlite":
                _restore_sqlite(connection, database)
            else:
                _restore_postgresql(connection, database, manifest, pg_restore)
            problems = _verify_database(connection, manifest)
            call_command(
                "migrate", database=using, interactive=False, verbosity=0, stdout=io.StringIO()
            )
            _restore_media(manifest, work / MEDIA.rstrip("/"), media_root)
        except (BackupError, DatabaseError, OSError) as exc:
            raise BackupError(
                _(
                    "The restore stopped half-way: %(error)s\nThe database may be incomplete; "
                    "when the problem is fixed, run the restore again with --force."
                )
                % {"error": exc}
            ) from None
    ContentType.objects.clear_cache()  # the ids are the backup's now
    problems += _verify_media(manifest, media_root, connection)
    if problems:
        raise VerificationError(manifest, problems)
    return manifest


def count_rows(count: int) -> str:
    """ "1 row", "2 rows": the counts a backup and a restore report."""
    return ngettext("%(count)d row", "%(count)d rows", count) % {"count": count}


def count_tables(count: int) -> str:
    return ngettext("%(count)d table", "%(count)d tables", count) % {"count": count}


def count_files(count: int) -> str:
    return ngettext("%(count)d file", "%(count)d files", count) % {"count": count}


def what_it_holds(names: tuple[str, ...], most: int = 5) -> str:
    """ "assets, users, …": the first few kinds of rows a database holds."""
    return ", ".join(names[:most]) + (", …" if len(names) > most else "")


def describe_database(connection) -> str:
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        return _("SQLite database %(name)s") % {"name": settings_dict["NAME"]}
    return _("%(vendor)s database %(name)s on %(host)s") % {
        "vendor": VENDOR_NAMES.get(connection.vendor, connection.display_name),
        "name": settings_dict["NAME"],
        "host": ":".join(
            str(part)
            for part in (settings_dict["HOST"] or "localhost", settings_dict["PORT"])
            if part
        ),
    }


def _unpack(path: Path, work: Path) -> Manifest:
    """Unpack the archive into `work`, checking every member against the manifest."""
    if not path.is_file():
        raise BackupError(_("%(path)s does not exist or is not a file.") % {"path": path})
    found: dict[str, tuple[int, str]] = {}
    manifest_content = None
    try:
        with tarfile.open(path, "r:gz") as archive:
            for member in archive:
                if member.isdir():
                    continue
                name = member.name
                if not member.isreg() or not _safe_member(name) or name in found:
                    raise BackupError(
                        _(
                            "%(path)s holds an unexpected entry “%(name)s”; it is not an "
                            "Inventera backup."
                        )
                        % {"path": path, "name": name}
                    )
                source = archive.extractfile(member)
                if name == MANIFEST:
                    manifest_content = source.read()
                    found[name] = (len(manifest_content), "")
                    continue
                target = work / name
                target.parent.mkdir(parents=True, exist_ok=True)
                found[name] = _copy(source, target)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise BackupError(
            _("%(path)s is damaged or not an Inventera backup: %(error)s")
            % {"path": path, "error": getattr(exc, "strerror", None) or exc}
        ) from None
    if manifest_content is None:
        raise BackupError(
            _("%(path)s has no %(manifest)s; it is not an Inventera backup.")
            % {"path": path, "manifest": MANIFEST}
        )
    manifest = Manifest.from_json(manifest_content)
    expected = {manifest.database_file: (manifest.database_size, manifest.database_sha256)}
    expected.update({MEDIA + file.path: (file.size, file.sha256) for file in manifest.media})
    problems = []
    for name, checksum in expected.items():
        if not _safe_member(name):
            problems.append(_("the manifest names an unsafe path “%(name)s”") % {"name": name})
        elif name not in found:
            problems.append(_("%(name)s is missing") % {"name": name})
        elif found[name] != checksum:
            problems.append(_("%(name)s differs from the manifest") % {"name": name})
    problems += [
        _("%(name)s is not in the manifest") % {"name": name}
        for name in sorted(set(found) - set(expected) - {MANIFEST})
    ]
    if problems:
        raise BackupError(
            _("%(path)s is damaged or was changed; nothing was restored:") % {"path": path}
            + "".join(f"\n- {problem}" for problem in problems)
        )
    return manifest


def _safe_member(name: str) -> bool:
    parts = PurePosixPath(name).parts
    if not parts or name.startswith("/") or any(part in ("", ".", "..") for part in parts):
        return False
    if "\\" in name:
        return False
    return name in (MANIFEST, *DATABASE_FILES.values()) or (
        parts[0] == MEDIA.rstrip("/") and len(parts) > 1
    )


def _copy(source, target: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with open(target, "wb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return size, digest.hexdigest()


def _sha256(path: Path) -> tuple[int, str]:
    """The size and SHA-256 of a file."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _check_compatible(manifest: Manifest, connection) -> None:
    if manifest.database_file != DATABASE_FILES.get(manifest.vendor):
        raise BackupError(
            _("The manifest names the database file %(name)s for a %(vendor)s database.")
            % {"name": manifest.database_file, "vendor": manifest.vendor}
        )
    if manifest.vendor != connection.vendor:
        raise BackupError(
            _(
                "This is a backup of a %(backup)s database, but Inventera's database is "
                "%(target)s; a backup is restored into the same kind of database."
            )
            % {
                "backup": VENDOR_NAMES.get(manifest.vendor, manifest.vendor),
                "target": VENDOR_NAMES.get(connection.vendor, connection.display_name),
            }
        )
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    unknown = [
        f"{app}.{name}"
        for app, name in sorted(manifest.migrations.items())
        if (app, name) not in graph.nodes
    ]
    if unknown:
        raise BackupError(
            _(
                "The backup was made by a newer version of Inventera (%(version)s): this "
                "version does not know its migrations %(migrations)s. Restore it with that "
                "version or a later one."
            )
            % {"version": manifest.inventera_version, "migrations": ", ".join(unknown)}
        )


def _check_pg_restore(manifest: Manifest) -> str:
    pg_restore = _pg_tool("pg_restore")
    tool, client_major = _tool_version(pg_restore)
    _dump_tool, dump_major = _parse_version(manifest.database_tool)
    if client_major is not None and dump_major is not None and client_major < dump_major:
        raise BackupError(
            _(
                "The dump was made by %(dump)s, which %(tool)s cannot read. Install the "
                "PostgreSQL %(major)s client tools (e.g. the package postgresql-client-%(major)s) "
                "and put their folder first on PATH."
            )
            % {"dump": manifest.database_tool, "tool": tool, "major": dump_major}
        )
    return pg_restore


def _models_with_rows(connection) -> tuple[str, ...]:
    """What of Inventera's data the database holds, by model (plural names)."""
    try:
        connection.ensure_connection()
    except DatabaseError as exc:
        raise BackupError(
            _(
                "Cannot connect to the %(database)s: %(error)s\nA backup is restored into an "
                "existing database, an empty one (for PostgreSQL, made with createdb)."
            )
            % {"database": describe_database(connection), "error": exc}
        ) from None
    found = []
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        for model in _models():
            opts = model._meta
            ours = opts.app_label in INVENTERA_APPS or opts.label == settings.AUTH_USER_MODEL
            # A many-to-many row needs rows at both ends: those are enough to look at. The
            # data version is written by `migrate` itself (inventory/figures.py).
            if not ours or opts.auto_created or model is DataVersion:
                continue
            if model._meta.db_table in existing:
                table = _quote(model._meta.db_table)
                cursor.execute(f"SELECT 1 FROM {table} LIMIT 1")  # noqa: S608 - a model's table
                if cursor.fetchone():
                    found.append(str(model._meta.verbose_name_plural))
    return tuple(found)


def _media_conflicts(manifest: Manifest, media_root: Path) -> tuple[str, ...]:
    conflicts = []
    for file in manifest.media:
        target = media_root / file.path
        if target.exists() and _sha256(target) != (file.size, file.sha256):
            conflicts.append(file.path)
    return tuple(conflicts)


def _restore_sqlite(connection, database: Path) -> None:
    source = sqlite3.connect(database)
    try:
        # Replaces every page of the target: its schema and rows become the backup's.
        source.backup(connection.connection)
    except sqlite3.Error as exc:
        raise BackupError(
            _("SQLite could not restore the database: %(error)s") % {"error": exc}
        ) from None
    finally:
        source.close()


def _restore_postgresql(connection, database: Path, manifest: Manifest, pg_restore: str) -> None:
    """Migrate the emptied database to the backup's state, then load the backup's rows."""
    tool, _major = _tool_version(pg_restore)
    _server_major, server_version = _server_version(connection)
    backup_tables = {count.table for count in manifest.counts.values()}
    ours = backup_tables | {model._meta.db_table for model in _models()} | {"django_migrations"}
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
    drop = sorted(existing & ours)
    if drop:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {', '.join(map(_quote, drop))} CASCADE")
    _migrate_to(connection, manifest.migrations)
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        load = sorted(existing & (backup_tables | {"django_migrations"}))
        sequences = [
            sequence["name"]
            for table in load
            for sequence in connection.introspection.get_sequences(cursor, table)
        ]
    if not load:
        return  # (pg_restore without --table would load every table of the dump)
    # What the migrations wrote (content types, permissions, roles) comes from the backup.
    connection.ops.execute_sql_flush(
        connection.ops.sql_flush(no_style(), load, reset_sequences=False, allow_cascade=True)
    )
    _run_pg_tool(
        [
            pg_restore,
            "--data-only",
            "--single-transaction",
            "--no-password",
            *(f"--table={name}" for name in [*load, *sequences]),
            *_pg_connection_args(connection.settings_dict),
            str(database),
        ],
        connection,
        tool,
        server_version,
    )


def _migrate_to(connection, migrations: dict[str, str]) -> None:
    """Apply exactly the backup's migrations to an empty database."""
    executor = MigrationExecutor(connection)
    targets = list(migrations.items())
    targets += [(app, None) for app in executor.loader.migrated_apps if app not in migrations]
    executor.migrate(targets, plan=executor.migration_plan(targets))


def _verify_database(connection, manifest: Manifest) -> list[str]:
    problems = []
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        for label, count in manifest.counts.items():
            if count.table not in existing:
                problems.append(
                    _("the table %(table)s (%(model)s) is missing")
                    % {"table": count.table, "model": label}
                )
                continue
            # A table the database has, quoted: the manifest's name cannot inject anything.
            cursor.execute(f"SELECT COUNT(*) FROM {_quote(count.table)}")  # noqa: S608
            (rows,) = cursor.fetchone()
            if rows != count.rows:
                problems.append(
                    ngettext(
                        "%(model)s has %(found)d row; the backup has %(expected)d",
                        "%(model)s has %(found)d rows; the backup has %(expected)d",
                        rows,
                    )
                    % {"model": label, "found": rows, "expected": count.rows}
                )
        cursor.execute("SELECT app, name FROM django_migrations")
        applied = latest_migrations({(app, name) for app, name in cursor.fetchall()})
    if applied != manifest.migrations:
        problems.append(
            _("the applied migrations are %(found)s; the backup's are %(expected)s")
            % {"found": applied, "expected": manifest.migrations}
        )
    return problems


def _restore_media(manifest: Manifest, unpacked: Path, media_root: Path) -> None:
    file_mode = settings.FILE_UPLOAD_PERMISSIONS
    folder_mode = settings.FILE_UPLOAD_DIRECTORY_PERMISSIONS
    root = media_root.resolve()
    for file in manifest.media:
        target = media_root / file.path
        if not target.resolve().is_relative_to(root):
            raise BackupError(_("%(name)s is outside MEDIA_ROOT") % {"name": file.path})
        if target.exists() and _sha256(target) == (file.size, file.sha256):
            continue
        if folder_mode is None:
            target.parent.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(mode=folder_mode, parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.restoring")
        shutil.copyfile(unpacked / file.path, partial)
        if file_mode is not None:
            partial.chmod(file_mode)
        os.replace(partial, target)


def _verify_media(manifest: Manifest, media_root: Path, connection) -> list[str]:
    problems = []
    for file in manifest.media:
        target = media_root / file.path
        if not target.is_file():
            problems.append(_("the file %(name)s is missing") % {"name": file.path})
        elif _sha256(target) != (file.size, file.sha256):
            problems.append(_("the file %(name)s differs from the backup") % {"name": file.path})
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        references = _file_references(cursor, existing)
    for name in sorted(references - set(manifest.missing_media)):
        if not (media_root / name).is_file():
            problems.append(
                _("the database refers to the file %(name)s, which is missing") % {"name": name}
            )
    return problems


# The database, table by table


def _models() -> list[type[models.Model]]:
    """Every model with a table of its own, many-to-many tables included."""
    seen, found = set(), []
    for model in apps.get_models(include_auto_created=True):
        opts = model._meta
        if opts.proxy or not opts.managed or opts.db_table in seen:
            continue
        seen.add(opts.db_table)
        found.append(model)
    return sorted(found, key=lambda model: model._meta.label_lower)


def _quote(name: str) -> str:
    """An SQL identifier, quoted the same way for SQLite and PostgreSQL."""
    return '"' + name.replace('"', '""') + '"'


def _count_rows(cursor, existing: set[str]) -> dict[str, TableCount]:
    counts = {}
    for model in _models():
        table = model._meta.db_table
        if table in existing:
            cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608 - a model table
            counts[model._meta.label_lower] = TableCount(table, cursor.fetchone()[0])
    return counts


def _file_references(cursor, existing: set[str]) -> set[str]:
    """The names of the files the database refers to (FileFields), relative to MEDIA_ROOT."""
    references = set()
    for model in _models():
        table = model._meta.db_table
        if table not in existing:
            continue
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, models.FileField):
                column, quoted = _quote(model_field.column), _quote(table)
                # Names from the model, quoted.
                cursor.execute(f"SELECT {column} FROM {quoted} WHERE {column} <> ''")  # noqa: S608
                references.update(name for (name,) in cursor.fetchall() if name)
    return references


# PostgreSQL's client tools


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            _(
                "%(tool)s was not found on PATH. Install PostgreSQL's client tools of the "
                "server's version (e.g. the package postgresql-client)."
            )
            % {"tool": name}
        )
    return path


def _parse_version(text: str) -> tuple[str, int | None]:
    match = PG_VERSION.search(text)
    return text.strip(), int(match[1]) if match else None


def _tool_version(path: str) -> tuple[str, int | None]:
    try:
        result = subprocess.run(  # noqa: S603 - a PostgreSQL tool found on PATH
            [path, "--version"],
            capture_output=True,
            text=True,
            errors="replace",
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except OSError as exc:
        raise BackupError(
            _("%(tool)s could not be run: %(error)s") % {"tool": path, "error": exc}
        ) from None
    return _parse_version(result.stdout.splitlines()[0] if result.stdout else path)


def _server_version(connection) -> tuple[int, str]:
    number = connection.pg_version  # e.g. 150020 for 15.20
    major = number // 10000
    return major, f"{major}.{number % 10000}"


def _version_mismatch(name: str, tool: str, server_version: str) -> str:
    major = server_version.split(".")[0]
    return _(
        "%(tool)s cannot work with the PostgreSQL %(server)s server: %(name)s must be of the "
        "server's major version or newer. Install the PostgreSQL %(major)s client tools (e.g. "
        "the package postgresql-client-%(major)s) and put their folder first on PATH."
    ) % {"tool": tool, "server": server_version, "major": major, "name": name}


def _pg_connection_args(settings_dict) -> list[str]:
    """Host, port, user and database for pg_dump and pg_restore; never the password."""
    args = []
    for key, flag in (("HOST", "--host"), ("PORT", "--port"), ("USER", "--username")):
        if settings_dict.get(key):
            args.append(f"{flag}={settings_dict[key]}")
    name = settings_dict.get("NAME")
    if not name and not settings_dict["OPTIONS"].get("service"):
        name = "postgres"
    if name:
        args.append(f"--dbname={name}")
    return args


def _pg_environment(connection) -> dict[str, str]:
    """The environment of the tools: the password (PGPASSWORD) and TLS options, as Django's
    dbshell passes them."""
    _args, extra = connection.client.settings_to_cmd_args_env(connection.settings_dict, [])
    return {**os.environ, **(extra or {})}


def _run_pg_tool(args: list[str], connection, tool: str, server_version: str) -> None:
    try:
        result = subprocess.run(  # noqa: S603 - a PostgreSQL tool found on PATH, no shell
            args,
            env=_pg_environment(connection),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            check=False,
        )
    except OSError as exc:
        raise BackupError(
            _("%(tool)s could not be run: %(error)s") % {"tool": args[0], "error": exc}
        ) from None
    if result.returncode != 0:
        message = result.stderr.strip() or result.stdout.strip()
        name = Path(args[0]).name
        if "version mismatch" in message:
            raise BackupError(_version_mismatch(name, tool, server_version))
        raise BackupError(
            _("%(tool)s failed (exit status %(status)d): %(message)s")
            % {"tool": name, "status": result.returncode, "message": message}
        )
