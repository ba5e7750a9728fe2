import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from inventory.history import records_for
from inventory.models import Asset, Library

pytestmark = pytest.mark.django_db


def login_request():
    # The login throttle (django-axes) needs the request a login comes with.
    return RequestFactory().post("/accounts/login/")


def test_seed_demo_builds_the_help_centre_and_is_idempotent(settings):
    call_command("seed_demo", allow_production=True)
    first = Asset.objects.count()
    call_command("seed_demo", allow_production=True)
    assert Asset.objects.count() == first
    assert sorted(Library.objects.values_list("code", flat=True)) == ["HB", "NO", "SO"]
    help_centre = Asset.objects.filter(
        library__code="HB", location__name="Plan 2 – vid vuxeninformationen"
    )
    assert help_centre.filter(category__code="workstation", usage="public").count() == 8
    assert help_centre.filter(features__code="scanner").count() == 4
    assert help_centre.filter(category__code="scanner").count() == 4
    assert help_centre.filter(category__code="printer").count() == 1
    kit = Asset.objects.get(tag="HB-VR-01")
    assert kit.components.count() == 3
    assert Asset.objects.filter(status="in_repair").count() == 1
    assert Asset.objects.filter(status="retired").count() == 1
    assert records_for(Asset.objects.get(tag="HB-PC-09")).count() == 2


@pytest.mark.parametrize(
    ("username", "group"),
    [
        ("chef", "Bibliotekschef"),
        ("it", "IT"),
        ("strateg", "Digitaliseringsstrateg"),
        ("admin", "Systemförvaltare"),
    ],
)
def test_demo_users_log_in(username, group):
    call_command("seed_demo", allow_production=True)
    user = authenticate(login_request(), username=username, password="inventera-demo")
    assert user is not None
    assert user.groups.filter(name=group).exists()


def test_chef_manages_hb_only():
    call_command("seed_demo", allow_production=True)
    user = authenticate(login_request(), username="chef", password="inventera-demo")
    assert list(user.profile.libraries.values_list("code", flat=True)) == ["HB"]


def test_refuses_without_debug_unless_told(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not Asset.objects.exists()


def test_seed_demo_has_cases_in_every_stage_the_issue_names():
    from procurement.models import ProcurementCase, PurchasingRuleSet
    from procurement.selectors import case_assessment

    call_command("seed_demo", allow_production=True)
    call_command("seed_demo", allow_production=True)
    rules_2026 = PurchasingRuleSet.objects.get(effective_from="2026-01-01")
    assert rules_2026.direct_award_limit == 700000
    assert rules_2026.documentation_threshold == 100000
    assert rules_2026.eu_threshold_confirmed is False
    cases = {case.title: case for case in ProcurementCase.objects.all()}
    assert len(cases) == 13  # idempotent
    help_centre = cases["Ersätta åtta publika datorer och fyra skannrar i digitala hjälpcentret"]
    assert help_centre.stage == "sourcing"
    assert help_centre.quotes.count() == 2
    assert case_assessment(help_centre).required_quotes == 3
    assert cases["VR-utrustning med support för tre bibliotek"].stage == "standstill"
    tablets = cases["Surfplattor till barnavdelningen"]
    assert tablets.stage == "delivered" and not tablets.delivered_assets.exists()
    assert cases["Skärmar till personalrummet"].stage == "closed"
    assert cases["Skärmar till personalrummet"].delivered_assets.count() == 4
    split = cases["Bärbara personaldatorer för programverksamhet"]
    assert "aggregation_over_limit" in [w.code for w in case_assessment(split).warnings]
