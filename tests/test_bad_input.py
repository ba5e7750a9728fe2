"""Bad input is an invalid choice, a message or a 404, never a 500.

Numbers beyond the database's integers (SQLite's driver fails on them), NUL characters
(PostgreSQL cannot hold or compare them) and dates beyond the calendar's arithmetic, in
every list filter, report choice, URL kwarg and form field that takes an object or a date.
The filters and form fields are found from the FilterSets and the forms themselves, so a
new one is tried too.
"""

import pytest
from django import forms
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from inventory.filters import AssetFilterSet
from inventory.models import Asset, ChangeRecord, Location, MaintenanceEntry
from procurement.filters import CaseFilterSet
from procurement.models import CaseLine, ProcurementCase, Quote
from reports.forms import ReportForm
from reports.models import Budget, ReportSubscription
from tests.test_url_access import PATTERNS

pytestmark = pytest.mark.django_db

TOO_BIG = "9223372036854775808"  # 2**63: one more than the largest 64-bit integer
TOO_SMALL = "-9223372036854775809"
HUGE_TEXT_NUMBER = "9" * 5000  # beyond Python's limit for reading an int from text
NUL = "HB\x00X"
HOSTILE_VALUES = [TOO_BIG, TOO_SMALL, HUGE_TEXT_NUMBER, NUL, "1e400", "NaN", "-1", "\x00"]
# What a model choice is given: a key too large, too small, with NUL, or no number.
BAD_KEYS = [TOO_BIG, TOO_SMALL, HUGE_TEXT_NUMBER, "1\x00", "abc"]
BAD_DATES = ["9999-12-31", "0001-01-01", "10000-01-01", "2026-02-30", "\x00"]
WRITTEN = (
    Asset,
    ChangeRecord,
    MaintenanceEntry,
    ProcurementCase,
    CaseLine,
    Quote,
    Budget,
    ReportSubscription,
)


def rows() -> dict:
    return {model.__name__: model.objects.count() for model in WRITTEN}


@pytest.fixture
def admin(demo_module, client_for):
    """The administrator, who may use every page."""
    return client_for(demo_module["admin"])


def hb_case() -> ProcurementCase:
    return ProcurementCase.objects.filter(library__code="HB", number=1).order_by("-year")[0]


# --- the integer `in` lookup -------------------------------------------------------------


def test_a_number_out_of_range_matches_no_row_and_fails_no_query(demo_module):
    location = Location.objects.first()
    big, small = int(TOO_BIG), int(TOO_SMALL)
    assert list(Location.objects.filter(pk__in=[big])) == []
    assert list(Location.objects.filter(pk__in=[big, small, location.pk])) == [location]
    assert Location.objects.exclude(pk__in=[big]).count() == Location.objects.count()
    assert not Asset.objects.filter(location__in=[big]).exists()
    assert not Asset.objects.filter(version__in=[small]).exists()


# --- list filters and report choices -------------------------------------------------------


def test_a_location_beyond_the_integers_is_an_invalid_choice(admin):
    response = admin.get(f"/inventory/assets/?location={TOO_BIG}")
    assert response.status_code == 200
    assert "location" in response.context["filter"].form.errors
    assert "Några filter kunde inte användas" in response.content.decode()


def test_a_feature_beyond_the_integers_is_an_invalid_choice(admin):
    location = Location.objects.get(library__code="HB", name="Förråd IT")
    data = {
        "tag": "HB-NY-2",
        "category": Asset.objects.first().category_id,
        "library": location.library_id,
        "location": location.pk,
        "usage": "public",
        "ownership": "owned",
        "status": "in_use",
        "features": [TOO_BIG],
    }
    response = admin.post("/inventory/assets/add/", data)
    assert response.status_code == 200
    assert "features" in response.context["form"].errors
    assert not Asset.objects.filter(tag="HB-NY-2").exists()


@pytest.mark.parametrize(
    ("url", "filterset"),
    [("/inventory/assets/", AssetFilterSet), ("/procurement/cases/", CaseFilterSet)],
)
def test_every_list_filter_takes_hostile_values(admin, url, filterset):
    problems = []
    for name, definition in filterset.base_filters.items():
        for value in HOSTILE_VALUES:
            response = admin.get(url, {name: value})
            if response.status_code != 200:
                problems.append(f"{name}={value[:20]!r}: {response.status_code}")
                continue
            field_class = definition.field_class
            # An object or a number out of range, or a NUL anywhere but in a tick box
            # (which is ticked by any value), is an invalid choice shown as such.
            invalid = (
                value in (TOO_BIG, TOO_SMALL)
                and issubclass(field_class, forms.ModelChoiceField | forms.DecimalField)
            ) or (value == NUL and not issubclass(field_class, forms.NullBooleanField))
            if invalid and name not in response.context["filter"].form.errors:
                problems.append(f"{name}={value[:20]!r}: no error shown")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("report", ["it-status", "strategist"])
@pytest.mark.parametrize("suffix", ["", "download/"])
def test_every_report_choice_takes_hostile_values(admin, report, suffix):
    problems = []
    for name in ReportForm.base_fields:
        for value in [*HOSTILE_VALUES, *BAD_DATES]:
            response = admin.get(f"/reports/{report}/{suffix}", {name: value, "format": "csv"})
            if response.status_code not in (200, 302, 400, 404):
                problems.append(f"{name}={value[:20]!r}: {response.status_code}")
    assert not problems, "\n".join(problems)


# --- URL kwargs ----------------------------------------------------------------------------


def _hostile_urls():
    """Each walked URL with each str and int kwarg hostile in turn, the rest real."""
    real = {
        "tag": "HB-PC-01",
        "reference": None,  # filled in at run time: the year follows the demo's
        "name": "it-status",
        "pk": 1,
    }
    for name, route, kwarg_names in PATTERNS:
        if name == "password_reset_confirm":
            # Django's own: any link that does not work is answered with a page that says
            # so (tests/test_loose_ends.py), not a 404.
            continue
        for kwarg in kwarg_names:
            converter = route.split(f":{kwarg}>")[0].rsplit("<", 1)[-1]
            if converter == "uuid":  # nothing but a UUID matches the route
                continue
            if converter == "int":
                values = [TOO_BIG, "9" * 40]
            else:
                values = [NUL, "HB-2026-0001\x00", "\x00"]
            for value in values:
                yield name, kwarg, value, {k: real[k] for k in kwarg_names if k != kwarg}


HOSTILE_URLS = list(_hostile_urls())


@pytest.mark.parametrize(
    ("name", "kwarg", "value", "others"),
    HOSTILE_URLS,
    ids=[f"{name}-{kwarg}-{value[:6]!r}" for name, kwarg, value, _others in HOSTILE_URLS],
)
def test_a_hostile_url_kwarg_is_not_found(admin, name, kwarg, value, others):
    others = {k: hb_case().url_reference if k == "reference" else v for k, v in others.items()}
    placeholder = "987654321" if kwarg == "pk" else "PLACEHOLDER"
    path = reverse(name, kwargs={kwarg: placeholder, **others})
    path = path.replace(placeholder, value.replace("\x00", "%00"))
    for method in ("get", "post"):
        with transaction.atomic():
            response = getattr(admin, method)(path)
            transaction.set_rollback(True)
        assert response.status_code in (404, 405), f"{method.upper()} {path!r}"


# --- form fields that take an object or a date ---------------------------------------------


def _form_pages():
    """(the page with the form, the form's name in the page's context, where it posts)."""
    delivered = ProcurementCase.objects.filter(stage="delivered").first()
    budget = Budget.objects.filter(library__code="HB").first()
    case = hb_case().url_reference
    return [
        ("/inventory/assets/add/", "form", None),
        ("/inventory/assets/HB-PC-01/edit/", "form", None),
        ("/inventory/assets/HB-PC-01/status/", "form", None),
        ("/inventory/assets/HB-PC-01/maintenance/add/", "form", None),
        ("/inventory/assets/", "bulk_form", "/inventory/assets/bulk/"),
        ("/procurement/cases/add/", "form", None),
        (f"/procurement/cases/{case}/edit/", "form", None),
        (f"/procurement/cases/{case}/quotes/add/", "form", None),
        (f"/procurement/cases/{delivered.url_reference}/delivery/", "form", None),
        ("/reports/budgets/add/", "form", None),
        (f"/reports/budgets/{budget.pk}/", "form", None),
        ("/reports/it-status/", "subscription_form", "/reports/it-status/subscribe/"),
    ]


def test_every_object_and_date_field_of_every_form_takes_hostile_values(admin):
    problems = []
    for page, key, target in _form_pages():
        form = admin.get(page).context[key]
        base = {form.add_prefix(name): form[name].value() for name in form.fields}
        base = {name: value for name, value in base.items() if value not in (None, [])}
        for name, field in form.fields.items():
            if isinstance(field, forms.ModelChoiceField):
                values = BAD_KEYS
            elif isinstance(field, forms.DateField):
                values = BAD_DATES
            else:
                continue
            for value in values:
                before = rows()
                data = {**base, form.add_prefix(name): value}
                with transaction.atomic():
                    response = admin.post(target or page, data)
                    transaction.set_rollback(True)
                where = f"{target or page} {name}={value[:20]!r}"
                if response.status_code >= 500:
                    problems.append(f"{where}: {response.status_code}")
                    continue
                shown = response.context and response.context.get(key)
                if shown is not None and shown.is_bound and name not in shown.errors:
                    problems.append(f"{where}: no error shown on the field")
                if rows() != before:
                    problems.append(f"{where}: something was written")
    assert not problems, "\n".join(problems)


def test_a_purchase_date_beyond_the_calendar_is_a_message(admin, demo_module):
    page = admin.get("/inventory/assets/add/")
    location = Location.objects.get(library__code="HB", name="Förråd IT")
    data = {
        "tag": "HB-NY-1",
        "category": Asset.objects.first().category_id,
        "library": location.library_id,
        "location": location.pk,
        "usage": "public",
        "ownership": "owned",
        "status": "in_use",
        "purchase_date": "9999-12-01",  # its replacement would be due in 10003
    }
    assert page.status_code == 200
    response = admin.post("/inventory/assets/add/", data)
    assert response.status_code == 200
    assert response.context["form"].errors["purchase_date"] == [
        "Ange ett datum mellan åren 1900 och 2100."
    ] or response.context["form"].errors["purchase_date"] == [
        "Give a date between the years 1900 and 2100."
    ]
    assert not Asset.objects.filter(tag="HB-NY-1").exists()
    data["purchase_date"] = "2099-12-01"
    assert admin.post("/inventory/assets/add/", data).status_code == 302


def test_a_refused_tag_is_not_shown_as_the_assets(admin):
    """The page around a refused edit shows the asset as it is saved: a typed tag with a
    slash has no URL, and linking to it failed the page."""
    page = admin.get("/inventory/assets/HB-PC-01/edit/")
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {name: value for name, value in data.items() if value not in (None, [])}
    data["tag"] = "<b>HB/PC</b>"
    response = admin.post("/inventory/assets/HB-PC-01/edit/", data)
    assert response.status_code == 200
    assert "tag" in response.context["form"].errors
    assert 'href="/inventory/assets/HB-PC-01/"' in response.content.decode()
    assert "<b>HB/PC</b>" not in response.content.decode()


def test_an_award_notice_beyond_the_calendar_is_a_message(admin):
    case = hb_case()
    page = admin.get(f"/procurement/cases/{case.url_reference}/edit/")
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {name: value for name, value in data.items() if value not in (None, [])}
    data["award_notice_sent_on"] = "9999-12-31"  # its standstill would end in 10000
    response = admin.post(f"/procurement/cases/{case.url_reference}/edit/", data)
    assert response.status_code == 400
    assert "award_notice_sent_on" in response.context["form"].errors
    assert admin.get(case.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    "link",
    ["%00/x", "MQ/%00", "MQ/set-password", f"{'9' * 40}/abc-def", "MQ/" + "a" * 300],
)
def test_a_hostile_password_reset_link_says_it_does_not_work(client, link):
    response = client.get(f"/accounts/password/reset/{link}/", follow=True)
    assert response.status_code == 200
    assert _("The link does not work") in response.content.decode()
