"""`manage.py backup` and `restore`: the demo municipality and an uploaded document, backed
up and restored into an empty database, found again row for row and byte for byte.

On SQLite the empty database is a new file; on PostgreSQL (DATABASE_URL=postgres://…) a
database created for the test and dropped after it. Both are reached through a second
database alias that exists only during the test. The tests are transactional: pg_dump reads
the database from another session, so the rows must be committed.
"""

import copy
import io
import json
import os
import sqlite3
import tarfile
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import load_backend
from django.utils import translation

from inventory.models import Asset, ChangeRecord, Library
from procurement import services
from procurement.models import CaseDocument, ProcurementCase
from reports.backup import (
    BackupError,
    BackupRefused,
    VerificationError,
    backup_create,
    backup_restore,
    inventera_version,
    output_path,
)

POSTGRES = connection.vendor == "postgresql"
ALIAS = "restore_target"
DOCUMENT = b"%PDF-1.7\n%Offert fr\xc3\xa5n Atea\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"


def every_model():
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


def counts(using: str) -> dict[str, int]:
    return {
        model._meta.label_lower: model._default_manager.using(using).count()
        for model in every_model()
    }


@pytest.fixture(autouse=True)
def _english():
    """The refusals are matched by their English words; the Swedish catalogue has them too."""
    with translation.override("en"):
        yield


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def demo(migration_data, media) -> CaseDocument:
    """The demo municipality (with the documents it uploads) and one more uploaded
    document, committed; returns that document."""
    call_command("seed_demo", allow_production=True, stdout=io.StringIO())
    case = ProcurementCase.objects.get(
        title="Ersätta åtta publika datorer och fyra skannrar i digitala hjälpcentret"
    )
    return services.document_add(
        case=case,
        actor=User.objects.get(username="admin"),
        kind="quote",
        upload=SimpleUploadedFile("offert-atea.pdf", DOCUMENT, "application/pdf"),
    )


@pytest.fixture
def empty_database(transactional_db, tmp_path):
    """The alias of a new, empty database: no tables at all."""
    settings_dict = copy.deepcopy(connections["default"].settings_dict)
    if POSTGRES:
        import psycopg

        name = f"inventera_restore_test_{uuid.uuid4().hex[:12]}"
        server = {
            "host": settings_dict["HOST"] or None,
            "port": settings_dict["PORT"] or None,
            "user": settings_dict["USER"] or None,
            "password": settings_dict["PASSWORD"] or None,
            "dbname": "postgres",
            "autocommit": True,
        }
        with psycopg.connect(**server) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        settings_dict["NAME"] = name
    else:
        settings_dict["NAME"] = str(tmp_path / "restored.sqlite3")
        # As in production (config.settings.base): WAL, immediate transactions.
        settings_dict["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    # A connection made here, not in settings, is one Django's test case lets the test use.
    connections[ALIAS] = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, ALIAS)
    try:
        yield ALIAS
    finally:
        connections[ALIAS].close()
        del connections[ALIAS]
        if POSTGRES:
            with psycopg.connect(**server) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def backup(demo, tmp_path) -> Path:
    path = tmp_path / "backups" / "inventera.tar.gz"
    path.parent.mkdir()
    call_command("backup", "--output", str(path), stdout=io.StringIO())
    return path


def rewrite(source: Path, target: Path, change) -> Path:
    """A copy of the archive with each member's content passed through change(name, content)."""
    with tarfile.open(source) as old, tarfile.open(target, "w:gz") as new:
        for member in old:
            content = change(member.name, old.extractfile(member).read())
            member.size = len(content)
            new.addfile(member, io.BytesIO(content))
    return target


def test_restore_into_an_empty_database_finds_every_record_and_document(
    backup, demo, empty_database, settings, tmp_path
):
    with tarfile.open(backup) as archive:
        manifest = json.loads(archive.extractfile("manifest.json").read())
        names = archive.getnames()
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["database"]["file"] in names
    assert manifest["inventera_version"] == inventera_version() != "unknown"
    applied = MigrationRecorder(connection).applied_migrations()
    for app, name in manifest["migrations"].items():
        assert (app, name) in applied
    assert {label: entry["rows"] for label, entry in manifest["counts"].items()} == counts(
        "default"
    )
    documents = {file["path"]: file for file in manifest["media"]["files"]}
    assert documents[demo.file.name]["size"] == len(DOCUMENT)
    assert manifest["media"]["count"] == CaseDocument.objects.count() == 5
    assert manifest["media"]["missing"] == []
    assert f"media/{demo.file.name}" in names
    assert oct(backup.stat().st_mode & 0o777) == oct(0o600)  # personal data, password hashes

    settings.MEDIA_ROOT = tmp_path / "restored-media"
    restored = backup_restore(path=backup, using=empty_database)

    assert restored.rows == counts("default") == counts(empty_database)
    assert sum(restored.rows.values()) > 700
    assert MigrationRecorder(connections[empty_database]).applied_migrations().keys() == (
        applied.keys()
    )
    # A few records, field for field.
    db = empty_database
    assert list(Library.objects.using(db).values_list("code", "name").order_by("code")) == [
        ("HB", "Stadsbiblioteket"),
        ("NO", "Norrbiblioteket"),
        ("SO", "Södra biblioteket"),
    ]
    kit = Asset.objects.using(db).get(tag="HB-VR-01")
    original = Asset.objects.get(tag="HB-VR-01")
    fields = [f.attname for f in Asset._meta.concrete_fields]
    assert {f: getattr(kit, f) for f in fields} == {f: getattr(original, f) for f in fields}
    assert sorted(kit.components.values_list("tag", flat=True)) == sorted(
        original.components.values_list("tag", flat=True)
    )
    assert kit.components.count() == 3
    case = ProcurementCase.objects.using(db).get(reference=demo.case.reference)
    assert case.quotes.count() == 2
    assert list(case.timeline.values_list("to_stage", flat=True)) == list(
        demo.case.timeline.values_list("to_stage", flat=True)
    )
    # The history's content types are the backup's, so it still points at the assets.
    asset_records = ChangeRecord.objects.using(db).filter(
        content_type__app_label="inventory", content_type__model="asset"
    )
    assert asset_records.count() == ChangeRecord.objects.filter(content_type__model="asset").count()
    assert asset_records.filter(object_id=Asset.objects.get(tag="HB-PC-09").pk).count() == 2
    chef = User.objects.using(db).get(username="chef")
    assert chef.check_password("inventera-demo")
    assert list(chef.groups.values_list("name", flat=True)) == ["Bibliotekschef"]
    assert list(chef.profile.libraries.values_list("code", flat=True)) == ["HB"]

    # Every document, byte for byte, where the restored database says it is.
    for document in CaseDocument.objects.using(db):
        source = Path(settings.MEDIA_ROOT) / document.file.name
        assert source.read_bytes() == (tmp_path / "media" / document.file.name).read_bytes()
    uploaded = CaseDocument.objects.using(db).get(pk=demo.pk)
    assert uploaded.original_name == "offert-atea.pdf"
    with uploaded.file.open("rb") as file:
        assert file.read() == DOCUMENT
    assert oct(Path(uploaded.file.path).stat().st_mode & 0o777) == oct(0o640)

    # New rows get new ids: the sequences came back too.
    library = Library.objects.using(db).create(code="VB", name="Västra biblioteket")
    assert library.pk > max(Library.objects.values_list("pk", flat=True))


def test_a_migrated_but_empty_database_is_empty_and_one_with_data_is_refused(
    backup, empty_database, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    # `migrate` writes content types, permissions and the roles: that is still empty.
    call_command("migrate", database=empty_database, verbosity=0)
    backup_restore(path=backup, using=empty_database)
    Library.objects.using(empty_database).create(code="VB", name="Västra biblioteket")

    with pytest.raises(BackupRefused, match="not empty") as refused:
        backup_restore(path=backup, using=empty_database)
    assert refused.value.exit_code == 2
    assert Library.objects.using(empty_database).filter(code="VB").exists()

    restored = backup_restore(path=backup, using=empty_database, force=True)
    assert not Library.objects.using(empty_database).filter(code="VB").exists()
    assert restored.rows == counts(empty_database)


def test_the_command_refuses_a_database_with_data(backup):
    with pytest.raises(CommandError, match="not empty") as refused:
        call_command("restore", str(backup), "--noinput")
    assert refused.value.returncode == 2


def test_the_command_asks_before_replacing_and_stops_unless_told_yes(
    backup, monkeypatch, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    Library.objects.create(code="VB", name="Västra biblioteket")
    questions = []
    monkeypatch.setattr("builtins.input", lambda question: questions.append(question) or "nej")
    out = io.StringIO()
    with pytest.raises(CommandError, match="cancelled") as cancelled:
        call_command("restore", str(backup), "--force", stdout=out)
    assert cancelled.value.returncode == 2
    assert len(questions) == 1
    assert connection.settings_dict["NAME"] in out.getvalue()
    assert Library.objects.filter(code="VB").exists()
    assert not Path(settings.MEDIA_ROOT).exists()


def test_a_file_of_the_same_name_that_differs_is_not_overwritten_unless_forced(
    backup, demo, empty_database, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    clash = Path(settings.MEDIA_ROOT) / demo.file.name
    clash.parent.mkdir(parents=True)
    clash.write_bytes(b"another file")
    with pytest.raises(BackupRefused, match="differ"):
        backup_restore(path=backup, using=empty_database)
    assert clash.read_bytes() == b"another file"
    assert connections[empty_database].introspection.table_names() == []
    backup_restore(path=backup, using=empty_database, force=True)
    assert clash.read_bytes() == DOCUMENT


def test_backup_never_overwrites(transactional_db, media, tmp_path):
    existing = tmp_path / "inventera.tar.gz"
    existing.write_bytes(b"yesterday's backup")
    with pytest.raises(CommandError, match="already exists") as refused:
        call_command("backup", "--output", str(existing))
    assert refused.value.returncode == 2
    assert existing.read_bytes() == b"yesterday's backup"
    assert [p.name for p in tmp_path.iterdir()] == ["inventera.tar.gz"]


def test_backup_into_a_folder_names_the_file_by_the_time(migration_data, media, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    out = io.StringIO()
    call_command("backup", "--output", str(folder), stdout=out)
    (written,) = folder.iterdir()
    assert written.name.startswith("inventera-") and written.name.endswith(".tar.gz")
    assert str(written) in out.getvalue()
    moment = datetime(2026, 3, 1, 1, 30, tzinfo=UTC)
    assert output_path(folder, now=moment) == folder / "inventera-2026-03-01-023000.tar.gz"
    with pytest.raises(BackupError, match="does not exist"):
        backup_create(output=tmp_path / "nowhere" / "backup.tar.gz")
    media.mkdir()
    with pytest.raises(BackupError, match="MEDIA_ROOT"):
        backup_create(output=media / "backup.tar.gz")


def test_a_damaged_archive_is_refused_before_anything_changes(
    backup, empty_database, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(backup.read_bytes()[: backup.stat().st_size // 2])
    with pytest.raises(BackupError, match="damaged") as damaged:
        backup_restore(path=truncated, using=empty_database)
    assert damaged.value.exit_code == 1

    def change_a_document(name, content):
        return content + b"tampered" if name.startswith("media/cases/") else content

    tampered = rewrite(backup, tmp_path / "tampered.tar.gz", change_a_document)
    with pytest.raises(BackupError, match="differs from the manifest"):
        backup_restore(path=tampered, using=empty_database)

    not_a_backup = tmp_path / "not-a-backup.tar.gz"
    not_a_backup.write_bytes(b"PK\x03\x04 a zip, perhaps")
    with pytest.raises(BackupError, match="not an Inventera backup"):
        backup_restore(path=not_a_backup, using=empty_database)

    assert connections[empty_database].introspection.table_names() == []
    assert not Path(settings.MEDIA_ROOT).exists()


def test_a_backup_of_a_newer_inventera_is_refused(backup, empty_database, tmp_path):
    def newer(name, content):
        if name != "manifest.json":
            return content
        manifest = json.loads(content)
        manifest["migrations"]["inventory"] = "9999_from_the_future"
        return json.dumps(manifest).encode()

    with pytest.raises(BackupError, match="9999_from_the_future"):
        backup_restore(path=rewrite(backup, tmp_path / "newer.tar.gz", newer), using=empty_database)
    assert connections[empty_database].introspection.table_names() == []


def test_counts_that_differ_from_the_manifest_are_reported(
    backup, empty_database, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "restored-media"

    def one_asset_more(name, content):
        if name != "manifest.json":
            return content
        manifest = json.loads(content)
        manifest["counts"]["inventory.asset"]["rows"] += 1
        return json.dumps(manifest).encode()

    with pytest.raises(VerificationError, match=r"inventory\.asset") as differs:
        backup_restore(
            path=rewrite(backup, tmp_path / "differs.tar.gz", one_asset_more),
            using=empty_database,
        )
    assert differs.value.exit_code == 3
    assert len(differs.value.problems) == 1
    assert Asset.objects.using(empty_database).count() == Asset.objects.count()


@pytest.mark.skipif(POSTGRES, reason="SQLite's online backup")
def test_sqlite_backup_is_consistent_while_another_connection_writes(
    backup, empty_database, settings, tmp_path
):
    """The restored file database is in WAL mode, as in production: back it up while
    another connection is half-way through a write."""
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    backup_restore(path=backup, using=empty_database)
    writer = sqlite3.connect(connections[empty_database].settings_dict["NAME"])
    try:
        assert writer.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO inventory_library (code, name, address) VALUES ('X', 'X', '')")
        manifest = backup_create(output=tmp_path / "online.tar.gz", using=empty_database)
    finally:
        writer.rollback()
        writer.close()
    assert manifest.rows["inventory.library"] == 3
    with tarfile.open(tmp_path / "online.tar.gz") as archive:
        archive.extract("database.sqlite3", tmp_path / "online", filter="data")
    copy = sqlite3.connect(tmp_path / "online" / "database.sqlite3")
    try:
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert copy.execute("SELECT COUNT(*) FROM inventory_library").fetchone() == (3,)
    finally:
        copy.close()


@pytest.mark.skipif(not POSTGRES, reason="pg_dump is for PostgreSQL")
def test_pg_dump_missing_or_too_old_is_a_clear_error(
    transactional_db, media, tmp_path, monkeypatch
):
    bin_folder = tmp_path / "bin"
    bin_folder.mkdir()
    monkeypatch.setenv("PATH", str(bin_folder))
    with pytest.raises(CommandError, match="pg_dump was not found") as missing:
        call_command("backup", "--output", str(tmp_path / "a.tar.gz"))
    assert missing.value.returncode == 1

    old = bin_folder / "pg_dump"
    old.write_text('#!/bin/sh\necho "pg_dump (PostgreSQL) 9.6.24"\nexit 1\n')
    old.chmod(0o755)
    with pytest.raises(BackupError, match=r"postgresql-client-\d+") as too_old:
        backup_create(output=tmp_path / "a.tar.gz")
    assert "9.6.24" in str(too_old.value)
    assert not (tmp_path / "a.tar.gz").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.skipif(not POSTGRES, reason="PostgreSQL's password")
def test_the_password_goes_to_pg_dump_in_its_environment(
    transactional_db, media, tmp_path, monkeypatch
):
    """Never on the command line, where `ps` shows it to every user of the server."""
    seen = tmp_path / "seen"
    spy = tmp_path / "bin" / "pg_dump"
    spy.parent.mkdir()
    spy.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "--version" ]; then echo "pg_dump (PostgreSQL) 99.0"; exit 0; fi\n'
        f'echo "$@" > {seen}; echo "$PGPASSWORD" >> {seen}; exit 1\n'
    )
    spy.chmod(0o755)
    monkeypatch.setenv("PATH", f"{spy.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setitem(connection.settings_dict, "PASSWORD", "hemligt-lösenord")
    with pytest.raises(BackupError, match="pg_dump failed"):
        backup_create(output=tmp_path / "a.tar.gz")
    arguments, password = seen.read_text().splitlines()
    assert "hemligt" not in arguments
    assert "--format=custom" in arguments and "--snapshot=" in arguments
    assert password == "hemligt-lösenord"
