import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from inventory.history import records_for
from inventory.models import Asset, Library

pytestmark = pytest.mark.django_db


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
    user = authenticate(username=username, password="inventera-demo")
    assert user is not None
    assert user.groups.filter(name=group).exists()


def test_chef_manages_hb_only():
    call_command("seed_demo", allow_production=True)
    user = authenticate(username="chef", password="inventera-demo")
    assert list(user.profile.libraries.values_list("code", flat=True)) == ["HB"]


def test_refuses_without_debug_unless_told(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not Asset.objects.exists()
