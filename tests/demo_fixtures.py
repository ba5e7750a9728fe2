"""The demo data once per test module, for tests that only read it or roll back what they
write (registered in tests/conftest.py)."""

import os

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

DEMO_USERS = ("chef", "it", "strateg", "admin")


@pytest.fixture(scope="module")
def demo_module(django_db_setup, django_db_blocker, tmp_path_factory):
    """`seed_demo`'s data, made once for the test module, its uploads in a folder of
    their own; yields the demo users by name.

    It is made in a transaction rolled back when the module's tests are done; each test
    (with the `db` fixture) runs in a savepoint inside it, as with Django's
    setUpTestData. A test that writes must roll back what it writes before the next
    test, which the savepoint does.
    """
    media = tmp_path_factory.mktemp("demo-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media)):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with open(os.devnull, "w") as quiet:
                call_command("seed_demo", allow_production=True, stdout=quiet)
            yield {user.username: user for user in User.objects.filter(username__in=DEMO_USERS)}
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
