"""`seed_demo`: what the demo is made of, counted and classified (libraries, their assets
and cases, every stage, the users and their roles), not how it is worded: titles, names
and places are the demo's to change. The command is called by its name only, wherever
the demo data lives."""

import os
from collections import Counter

import pytest
from django.apps import apps as django_apps
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db.models import F
from django.test import RequestFactory
from django.utils import timezone

from inventory import roles
from inventory.choices import (
    UNRESOLVED_FAULT_STATUSES,
    LoanState,
    Ownership,
    StocktakeOutcome,
    Usage,
)
from inventory.history import records_for
from inventory.models import Asset, FaultReport, Library, Loan, Location, Stocktake
from inventory.stocktakes import last_closed_per_library
from procurement.choices import Procedure, Stage
from procurement.models import ProcurementCase, PurchasingRuleSet, StageChange
from procurement.selectors import case_assessment
from reports.models import Budget

pytestmark = pytest.mark.django_db

PASSWORD = "inventera-demo"
USERS = {
    "chef": roles.LIBRARY_MANAGER,
    "it": roles.IT_STAFF,
    "strateg": roles.STRATEGIST,
    "admin": roles.ADMINISTRATOR,
}


def seed(**options):
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", stdout=quiet, **options)


def per_library(queryset):
    return dict(Counter(queryset.values_list("library__code", flat=True)))


def stored():
    """How many rows each table holds."""
    return {model._meta.label: model._base_manager.count() for model in django_apps.get_models()}


def login_request():
    # The login throttle (django-axes) needs the request a login comes with.
    return RequestFactory().post("/accounts/login/")


def test_seed_demo_is_idempotent():
    seed(allow_production=True)
    first = stored()
    assert first["inventory.Asset"] and first["procurement.ProcurementCase"]
    seed(allow_production=True)
    assert stored() == first


def test_refuses_without_debug_unless_told(settings):
    settings.DEBUG = False
    before = stored()
    with pytest.raises(CommandError):
        seed()
    assert stored() == before
    assert not Asset.objects.exists()


def test_without_the_municipality_it_says_what_to_set_and_writes_nothing(settings):
    settings.INVENTERA_MUNICIPALITY_NAME = ""
    settings.INVENTERA_MUNICIPALITY_ORG_NUMBER = "212000-0001"
    before = stored()
    with pytest.raises(CommandError, match="MUNICIPALITY_NAME first"):
        seed(allow_production=True)
    assert stored() == before


def test_three_libraries_with_their_places_assets_cases_and_budgets():
    seed(allow_production=True)
    assert sorted(Library.objects.values_list("code", flat=True)) == ["HB", "NO", "SO"]
    assert per_library(Location.objects) == {"HB": 4, "NO": 2, "SO": 3}
    assert per_library(Asset.objects) == {"HB": 28, "NO": 13, "SO": 12}
    assert per_library(ProcurementCase.objects) == {"HB": 6, "NO": 3, "SO": 4}
    # A whole-library budget for this year and the last, for every library.
    whole = Budget.objects.filter(category=None)
    assert Counter(whole.values_list("library__code", "year")) == {
        (code, year): 1 for code in ("HB", "NO", "SO") for year in (2025, 2026)
    }
    # Every asset stands in a place of its own library.
    in_own_place = Asset.objects.filter(location__library=F("library"))
    assert per_library(in_own_place) == per_library(Asset.objects)


def test_the_help_centre_and_the_assets_states():
    seed(allow_production=True)
    # One place of HB is the digital help centre: eight public computers, four of them
    # with a scanner, four scanners and a printer.
    places = []
    for place in Location.objects.filter(library__code="HB"):
        assets = Asset.objects.filter(location=place)
        places.append(
            (
                assets.filter(category__code="workstation", usage="public").count(),
                assets.filter(features__code="scanner").count(),
                assets.filter(category__code="scanner").count(),
                assets.filter(category__code="printer").count(),
            )
        )
    assert (8, 4, 4, 1) in places
    # One kit, whose three parts are its library's.
    [kit] = Asset.objects.filter(category__is_kit=True)
    assert kit.components.count() == 3
    assert set(kit.components.values_list("library", flat=True)) == {kit.library_id}
    statuses = Counter(Asset.objects.values_list("status", flat=True))
    assert set(statuses) == {"in_use", "in_stock", "in_repair", "retired"}
    assert (statuses["in_repair"], statuses["retired"]) == (1, 1)
    # Every asset's history starts with its creation; one has a change after it.
    records = Counter(records_for(asset).count() for asset in Asset.objects.all())
    assert min(records) == 1 and max(records) >= 2


def test_cases_show_every_stage_on_their_way():
    seed(allow_production=True)
    cases = list(ProcurementCase.objects.select_related("library"))
    # Every stage is shown: where a case stands now, or on its way there (a pause).
    assert set(StageChange.objects.values_list("to_stage", flat=True)) == set(Stage.values)
    assert {case.stage for case in cases} >= set(Stage.values) - {
        Stage.ANALYSIS,
        Stage.SPECIFICATION,
        Stage.AWARD,
        Stage.ON_HOLD,
    }
    assert {case.procedure for case in cases} == {
        Procedure.CALL_OFF,
        Procedure.DIRECT_AWARD,
        Procedure.ADVERTISED,
    }
    for case in cases:
        timeline = list(case.timeline.values_list("to_stage", flat=True))
        assert (timeline[0], timeline[-1]) == (Stage.NEED, case.stage), case.reference
        assert case.reference.startswith(f"{case.library.code} {case.year}/"), case.reference
        for delivered in case.delivered_assets.select_related("asset"):
            assert delivered.asset.library_id == case.library_id, case.reference


def test_the_cases_the_demo_walks_through():
    seed(allow_production=True)
    rules_2026 = PurchasingRuleSet.objects.get(effective_from="2026-01-01")
    assert (rules_2026.direct_award_limit, rules_2026.documentation_threshold) == (
        700000,
        100000,
    )
    assert rules_2026.eu_threshold_confirmed is False
    cases = list(ProcurementCase.objects.all())
    assessments = {case.pk: case_assessment(case) for case in cases}

    def at(stage):
        return [case for case in cases if case.stage == stage]

    # Sourcing with fewer quotes than the three the value asks for.
    assert any(
        assessments[case.pk].required_quotes == 3 and 0 < case.quotes.count() < 3
        for case in at(Stage.SOURCING)
    )
    assert any(case.procedure == Procedure.ADVERTISED for case in at(Stage.STANDSTILL))
    # Delivered, the assets not registered yet; every closed case has registered them.
    assert any(not case.delivered_assets.exists() for case in at(Stage.DELIVERED))
    assert at(Stage.CLOSED)
    assert all(case.delivered_assets.exists() for case in at(Stage.CLOSED))
    # A purchase split into parts that together reach the direct-award limit.
    assert any(
        "aggregation_over_limit" in [warning.code for warning in assessment.warnings]
        for assessment in assessments.values()
    )


def test_demo_users_log_in_with_their_roles():
    seed(allow_production=True)
    for username, role in USERS.items():
        user = authenticate(login_request(), username=username, password=PASSWORD)
        assert user is not None, username
        assert list(user.groups.values_list("name", flat=True)) == [role], username
        # Only the library manager is held to libraries: HB.
        sees_all = user.has_perm(roles.ALL_LIBRARIES_PERMISSION)
        assert sees_all is (role != roles.LIBRARY_MANAGER), username
        libraries = list(user.profile.libraries.values_list("code", flat=True))
        assert libraries == (["HB"] if role == roles.LIBRARY_MANAGER else []), username
        assert user.is_staff is (role == roles.ADMINISTRATOR), username


def test_the_work_on_the_floor():
    """A finished stocktake with one asset missing, a lendable VR kit with a loan behind it
    and one ahead, an open fault report on a public workstation, and a tablet on trial
    with three sessions logged."""
    seed(allow_production=True)
    today = timezone.localdate()

    [counted] = Stocktake.objects.filter(closed_at__isnull=False)
    [row] = [r for r in last_closed_per_library(Library.objects.all()) if r.stocktake]
    assert row.missing == 1 and row.seen == row.expected - 1 > 0
    [missing] = counted.lines.filter(expected=True, seen_at__isnull=True)
    assert missing.outcome == StocktakeOutcome.MISSING
    seen_on = timezone.localdate(counted.closed_at)
    assert seen_on < today
    assert Asset.objects.filter(last_seen_on=seen_on).count() == row.seen

    kit_loans = Loan.objects.filter(asset__category__is_kit=True, asset__lendable=True)
    assert {(loan.state, loan.due_on < today) for loan in kit_loans} == {
        (LoanState.RETURNED, True),
        (LoanState.BOOKED, False),
    }
    assert len({loan.asset_id for loan in kit_loans}) == 1
    assert all(loan.starts_on > today for loan in kit_loans if loan.state == LoanState.BOOKED)

    assert FaultReport.objects.filter(
        status__in=UNRESOLVED_FAULT_STATUSES,
        asset__usage=Usage.PUBLIC,
        asset__category__code="workstation",
    ).exists()

    [tablet] = Asset.objects.filter(category__code="tablet", ownership=Ownership.TRIAL)
    assert tablet.trial_sessions.count() == 3
    assert tablet.trial_return_by > today
