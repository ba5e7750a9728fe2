"""/healthz tells the truth: ok only when the database answers, every migration is
applied and a write can be made; answered on loopback over plain HTTP."""

import pytest
from django.db import connection

from config import health

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_check(monkeypatch):
    # Each test reads the migration state anew.
    monkeypatch.setattr(health, "_migrations_ok_until", 0.0)


def test_ok_when_migrated_and_writable(client):
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert (
        response["Cache-Control"].startswith("no-store") or "no-cache" in response["Cache-Control"]
    )


def test_an_unapplied_migration_is_an_error(client):
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM django_migrations WHERE app = 'inventory' AND name = "
            "(SELECT MAX(name) FROM django_migrations WHERE app = 'inventory')"
        )
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "migrations": "1 not applied"}


def test_loopback_over_http_behind_the_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["inventera.kommun.example"]
    local = client.get("/healthz", REMOTE_ADDR="127.0.0.1", HTTP_HOST="127.0.0.1:8000")
    assert (local.status_code, local.json()) == (200, {"status": "ok"})
    # Not on loopback: the host must be the site's, and the answer is still plain HTTP.
    outside = client.get("/healthz", REMOTE_ADDR="10.0.0.7", HTTP_HOST="inventera.kommun.example")
    assert outside.status_code == 200
    assert (
        client.get("/", REMOTE_ADDR="10.0.0.7", HTTP_HOST="inventera.kommun.example").status_code
        == 301
    )
    assert (
        client.get("/healthz", REMOTE_ADDR="10.0.0.7", HTTP_HOST="evil.example").status_code == 400
    )


def test_only_get(client):
    assert client.post("/healthz").status_code == 405
