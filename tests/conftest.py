import importlib

import pytest
from django.apps import apps as django_apps
from django.test import Client
from django.utils import translation

from inventory import roles
from tests.factories import (
    AssetFactory,
    CategoryFactory,
    LibraryFactory,
    LocationFactory,
    make_role_user,
)


@pytest.fixture(autouse=True)
def _swedish(settings):
    """Tests run in Swedish, the product's default, unless they switch."""
    settings.LANGUAGE_CODE = "sv"
    with translation.override("sv"):
        yield


pytest_plugins = ["tests.procurement_fixtures", "tests.demo_fixtures"]

# The forward functions of the data migrations, as (module, function).
DATA_MIGRATIONS = [
    ("inventory.migrations.0002_roles", "create_roles"),
    ("inventory.migrations.0008_fault_report_roles", "add_permissions"),
    ("inventory.migrations.0010_floor_roles", "add_permissions"),
    ("procurement.migrations.0002_roles", "add_permissions"),
    ("procurement.migrations.0005_trial_evidence_roles", "add_permissions"),
    ("reports.migrations.0002_roles", "add_permissions"),
]


@pytest.fixture
def migration_data(transactional_db):
    """What the data migrations made (the roles), back in place.

    A transactional test (the browser tests' live server needs one) empties every table
    when it ends, the migrations' data included; each such test puts it back first. The
    functions are idempotent.
    """
    for module, function in DATA_MIGRATIONS:
        getattr(importlib.import_module(module), function)(django_apps, None)


@pytest.fixture
def hb(db):
    return LibraryFactory(code="HB", name="Stadsbiblioteket")


@pytest.fixture
def no(db):
    return LibraryFactory(code="NO", name="Norrbiblioteket")


@pytest.fixture
def hb_floor2(hb):
    return LocationFactory(library=hb, name="Plan 2 – vid vuxeninformationen")


@pytest.fixture
def hb_store(hb):
    return LocationFactory(library=hb, name="Förråd IT")


@pytest.fixture
def no_public(no):
    return LocationFactory(library=no, name="Publika datorer")


@pytest.fixture
def workstation(db):
    return CategoryFactory()


@pytest.fixture
def vr_kit(db):
    return CategoryFactory(
        code="vr_kit",
        name_sv="VR-kit",
        name_en="VR kit",
        lifecycle_months=36,
        is_kit=True,
        stores_data=False,
    )


@pytest.fixture
def chef(hb):
    """Library manager of HB only."""
    return make_role_user(roles.LIBRARY_MANAGER, "chef", [hb])


@pytest.fixture
def it_user(db):
    return make_role_user(roles.IT_STAFF, "it")


@pytest.fixture
def strateg(db):
    return make_role_user(roles.STRATEGIST, "strateg")


@pytest.fixture
def admin_user_role(db):
    user = make_role_user(roles.ADMINISTRATOR, "admin")
    user.is_staff = True
    user.save()
    return user


@pytest.fixture
def users(chef, it_user, strateg, admin_user_role):
    return {"chef": chef, "it": it_user, "strateg": strateg, "admin": admin_user_role}


@pytest.fixture
def client_for():
    """A logged-in client for a user: client_for(user)."""

    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def hb_asset(hb_floor2, workstation):
    return AssetFactory(
        tag="HB-PC-01", library=hb_floor2.library, location=hb_floor2, category=workstation
    )


@pytest.fixture
def no_asset(no_public, workstation):
    return AssetFactory(
        tag="NO-PC-01", library=no_public.library, location=no_public, category=workstation
    )
