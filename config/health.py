"""`/healthz`: whether this instance can serve users, for the load balancer and monitoring.

200 `{"status": "ok"}` only when the database answers, every migration is applied, and a
write can be made (the probe's write is rolled back); 503 with what is wrong otherwise.

The probe answers plain HTTP on loopback even when the site redirects to HTTPS and
whatever Host header the local probe sends (HealthCheckMiddleware, first in the chain):
a health check run on the server itself must not depend on TLS or the public host name.
"""

import time

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

PATH = "/healthz"
LOOPBACK = {"127.0.0.1", "::1"}
# Once every migration is applied, the migration graph is read again only this often.
MIGRATIONS_CHECKED_FOR = 60.0
_migrations_ok_until = 0.0


def _unapplied_migrations() -> int:
    global _migrations_ok_until
    if time.monotonic() < _migrations_ok_until:
        return 0
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        _migrations_ok_until = time.monotonic() + MIGRATIONS_CHECKED_FOR
    return len(plan)


def _write_probe() -> None:
    """A write the database must accept, rolled back: a read-only or locked database
    fails here."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE django_migrations SET app = app "
            "WHERE id = (SELECT MIN(id) FROM django_migrations)"
        )
        transaction.set_rollback(True)


def check() -> tuple[int, dict]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return 503, {"status": "error", "database": "unavailable"}
    try:
        pending = _unapplied_migrations()
    except DatabaseError:
        return 503, {"status": "error", "migrations": "unreadable"}
    if pending:
        return 503, {"status": "error", "migrations": f"{pending} not applied"}
    try:
        _write_probe()
    except DatabaseError:
        return 503, {"status": "error", "database": "cannot write"}
    return 200, {"status": "ok"}


def _response() -> JsonResponse:
    status, body = check()
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    return response


@login_not_required
@never_cache
@require_GET
def healthz(request):
    return _response()


class HealthCheckMiddleware:
    """Answers GET /healthz from loopback before host checks and the HTTPS redirect."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.path == PATH
            and request.method == "GET"
            and request.META.get("REMOTE_ADDR") in LOOPBACK
        ):
            return _response()
        return self.get_response(request)
