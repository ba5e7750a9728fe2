"""A trial of equipment with patrons attached to a case as evidence of its need: who may
attach and remove one, and what the case page shows of it. Also checks that the pages of
trials are valid HTML (the Nu HTML Checker), the trial log and asset page included."""

import html
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from inventory import trials
from inventory.choices import AssetStatus, Ownership
from procurement import evidence, services
from procurement.choices import Stage
from procurement.models import TrialEvidence
from tests.factories import AssetFactory
from tests.test_html import require_java, vnu_errors

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def trial_unit(location, tag, **fields):
    fields.setdefault("ownership", Ownership.TRIAL)
    fields.setdefault("trial_return_by", today() + timedelta(days=20))
    return AssetFactory(
        tag=tag, library=location.library, location=location, status=AssetStatus.IN_STOCK, **fields
    )


def session(actor, asset, rating, group="Seniorkursen", comment="", days_ago=0):
    return trials.trial_session_log(
        actor=actor,
        asset=asset,
        held_on=today() - timedelta(days=days_ago),
        tried="Läsplatta",
        group=group,
        rating=rating,
        comment=comment,
    )


@pytest.fixture
def hb_trial(chef, hb_floor2):
    unit = trial_unit(hb_floor2, "HB-TR-01")
    session(chef, unit, 5, comment="Alla kom igång", days_ago=3)
    session(chef, unit, 4, group="Läxhjälpen", comment="Skärmen blänker")
    return unit


@pytest.fixture
def no_trial(it_user, no_public):
    unit = trial_unit(no_public, "NO-TR-01")
    session(it_user, unit, 2, comment="Svårt att logga in")
    return unit


@pytest.fixture
def hb_case(make_case, chef, hb):
    return make_case(chef, hb, title="Surfplattor till seniorkursen")


@pytest.fixture
def no_case(make_case, admin_user_role, no):
    return make_case(admin_user_role, no)


def attach_url(case):
    return reverse("procurement:case_trial_attach", kwargs={"reference": case.url_reference})


def detach_url(case, row):
    return reverse(
        "procurement:case_trial_detach", kwargs={"reference": case.url_reference, "pk": row.pk}
    )


def page(response) -> str:
    return html.unescape(response.content.decode())


# --- the services ---------------------------------------------------------------------


class TestAttach:
    def test_the_library_manager_attaches_their_trial(self, chef, hb_case, hb_trial):
        row = evidence.case_attach_trial(actor=chef, case=hb_case, asset=hb_trial)
        assert TrialEvidence.objects.get() == row
        assert (row.case, row.asset, row.attached_by) == (hb_case, hb_trial, chef)

    def test_twice_is_refused_clearly(self, chef, hb_case, hb_trial):
        evidence.case_attach_trial(actor=chef, case=hb_case, asset=hb_trial)
        with pytest.raises(ValidationError) as excinfo:
            evidence.case_attach_trial(actor=chef, case=hb_case, asset=hb_trial)
        message = " ".join(excinfo.value.message_dict["asset"])
        assert "HB-TR-01" in message and hb_case.reference in message
        assert TrialEvidence.objects.count() == 1

    def test_equipment_without_a_trial_is_refused(self, chef, hb_case, hb_asset):
        with pytest.raises(ValidationError) as excinfo:
            evidence.case_attach_trial(actor=chef, case=hb_case, asset=hb_asset)
        assert "HB-PC-01" in " ".join(excinfo.value.message_dict["asset"])
        assert not TrialEvidence.objects.exists()

    def test_a_trial_that_ended_with_sessions_may_be_attached(self, chef, hb_case, hb_trial):
        type(hb_trial).objects.filter(pk=hb_trial.pk).update(ownership=Ownership.OWNED)
        hb_trial.refresh_from_db()
        assert evidence.case_attach_trial(actor=chef, case=hb_case, asset=hb_trial)

    def test_another_librarys_trial_cannot_be_attached(self, chef, hb_case, no_trial):
        with pytest.raises(PermissionDenied):
            evidence.case_attach_trial(actor=chef, case=hb_case, asset=no_trial)
        assert not TrialEvidence.objects.exists()

    def test_nothing_is_attached_to_another_librarys_case(self, chef, no_case, hb_trial):
        with pytest.raises(PermissionDenied):
            evidence.case_attach_trial(actor=chef, case=no_case, asset=hb_trial)
        assert not TrialEvidence.objects.exists()

    def test_the_strategist_and_it_attach_any_librarys_trial(
        self, strateg, it_user, hb_case, no_case, hb_trial, no_trial
    ):
        evidence.case_attach_trial(actor=strateg, case=no_case, asset=no_trial)
        evidence.case_attach_trial(actor=it_user, case=hb_case, asset=no_trial)
        assert TrialEvidence.objects.count() == 2

    def test_a_user_without_the_permission_is_refused(self, chef, hb_case, hb_trial):
        chef.groups.clear()
        chef = type(chef).objects.get(pk=chef.pk)
        with pytest.raises(PermissionDenied):
            evidence.case_attach_trial(actor=chef, case=hb_case, asset=hb_trial)

    def test_a_cancelled_case_takes_a_trial_as_it_takes_a_comment(self, chef, hb_case, hb_trial):
        case = services.case_transition(
            case=hb_case, to_stage=Stage.CANCELLED, actor=chef, comment="Ingen budget i år"
        )
        services.comment_add(case=case, actor=chef, text="Vi tar upp det igen nästa år.")
        assert evidence.case_attach_trial(actor=chef, case=case, asset=hb_trial)


class TestDetach:
    def test_the_library_manager_removes_a_trial_and_the_log_stays(self, chef, hb_case, hb_trial):
        row = evidence.case_attach_trial(actor=chef, case=hb_case, asset=hb_trial)
        evidence.case_detach_trial(actor=chef, evidence=row)
        assert not TrialEvidence.objects.exists()
        assert hb_trial.trial_sessions.count() == 2

    def test_not_from_another_librarys_case(self, chef, admin_user_role, no_case, no_trial):
        row = evidence.case_attach_trial(actor=admin_user_role, case=no_case, asset=no_trial)
        with pytest.raises(PermissionDenied):
            evidence.case_detach_trial(actor=chef, evidence=row)
        assert TrialEvidence.objects.filter(pk=row.pk).exists()

    def test_not_another_librarys_trial_on_the_own_case(self, chef, it_user, hb_case, no_trial):
        row = evidence.case_attach_trial(actor=it_user, case=hb_case, asset=no_trial)
        with pytest.raises(PermissionDenied):
            evidence.case_detach_trial(actor=chef, evidence=row)
        assert TrialEvidence.objects.filter(pk=row.pk).exists()


# --- the case page and its forms ------------------------------------------------------------


class TestCasePage:
    def test_the_attached_trial_is_summarised(self, chef, hb_case, hb_trial, client_for):
        evidence.case_attach_trial(actor=chef, case=hb_case, asset=hb_trial)
        response = client_for(chef).get(hb_case.get_absolute_url())
        text = page(response)
        assert 'id="trials-heading"' in text
        assert reverse("inventory:trial_log", kwargs={"tag": "HB-TR-01"}) in text
        assert "Alla kom igång" in text and "Skärmen blänker" in text
        assert "4,5" in text  # the average of 5 and 4, in Swedish
        row = response.context["trial_evidence"][0]
        assert row.summary.sessions == 2 and row.summary.average_rating == Decimal("4.5")
        # Already attached: nothing more to offer.
        assert response.context["trial_choices"] == ()

    def test_the_attach_form_offers_the_visible_trials(
        self, chef, hb_case, hb_trial, no_trial, client_for
    ):
        response = client_for(chef).get(hb_case.get_absolute_url())
        assert [a.tag for a in response.context["trial_choices"]] == ["HB-TR-01"]
        text = page(response)
        assert 'value="HB-TR-01"' in text and "NO-TR-01" not in text
        assert attach_url(hb_case) in text

    def test_no_section_without_trials(self, chef, hb_case, client_for):
        response = client_for(chef).get(hb_case.get_absolute_url())
        assert 'id="trials-heading"' not in response.content.decode()

    def test_another_librarys_trial_on_the_own_case_is_not_shown(
        self, chef, it_user, hb_case, no_trial, client_for
    ):
        evidence.case_attach_trial(actor=it_user, case=hb_case, asset=no_trial)
        response = client_for(chef).get(hb_case.get_absolute_url())
        assert response.context["trial_evidence"] == ()
        assert "NO-TR-01" not in response.content.decode()
        # IT, who attached it, sees it.
        response = client_for(it_user).get(hb_case.get_absolute_url())
        assert [row.asset.tag for row in response.context["trial_evidence"]] == ["NO-TR-01"]

    def test_the_number_of_queries_does_not_grow_with_the_trials(
        self, chef, it_user, hb_case, hb_floor2, client_for, django_assert_max_num_queries
    ):
        client = client_for(it_user)
        first = trial_unit(hb_floor2, "HB-TR-10")
        session(chef, first, 3, comment="Ok")
        evidence.case_attach_trial(actor=it_user, case=hb_case, asset=first)
        client.get(hb_case.get_absolute_url())  # warm the caches
        with django_assert_max_num_queries(200) as few:
            client.get(hb_case.get_absolute_url())
        budget = len(few.captured_queries)  # (the next request empties the query log)
        for n in range(1, 6):
            unit = trial_unit(hb_floor2, f"HB-TR-1{n}")
            for rating in (2, 4, 5):
                session(chef, unit, rating, comment="Bra")
            evidence.case_attach_trial(actor=it_user, case=hb_case, asset=unit)
        trial_unit(hb_floor2, "HB-TR-20")  # one more to offer
        # Warm again: the new rows changed the data version (inventory/figures.py).
        client.get(hb_case.get_absolute_url())
        with django_assert_max_num_queries(budget):
            response = client.get(hb_case.get_absolute_url())
        assert len(response.context["trial_evidence"]) == 6
        assert [a.tag for a in response.context["trial_choices"]] == ["HB-TR-20"]

    def test_attaching_from_the_page(self, chef, hb_case, hb_trial, client_for):
        response = client_for(chef).post(attach_url(hb_case), {"trial-asset": "HB-TR-01"})
        assert response.status_code == 302
        assert response["Location"].endswith("#trials-heading")
        assert TrialEvidence.objects.get().asset == hb_trial

    def test_a_refused_choice_shows_the_page_again_with_why(
        self, chef, hb_case, hb_trial, client_for
    ):
        client = client_for(chef)
        evidence.case_attach_trial(actor=chef, case=hb_case, asset=hb_trial)
        response = client.post(attach_url(hb_case), {"trial-asset": "HB-TR-01"})
        assert response.status_code == 400
        assert "HB-TR-01" in " ".join(response.context["trial_form"].errors["asset"])
        text = page(response)
        assert 'id="error-summary"' in text and 'aria-invalid="true"' in text
        assert TrialEvidence.objects.count() == 1

    @pytest.mark.parametrize("tag", ["", "NO-TR-01", "FINNS-INTE", "HB-PC-01"])
    def test_a_choice_not_offered_is_a_form_error(
        self, chef, hb_case, hb_trial, no_trial, hb_asset, client_for, tag
    ):
        response = client_for(chef).post(attach_url(hb_case), {"trial-asset": tag})
        assert response.status_code == 400
        assert "asset" in response.context["trial_form"].errors
        assert not TrialEvidence.objects.exists()

    def test_another_librarys_case_is_not_found(self, chef, no_case, hb_trial, client_for):
        response = client_for(chef).post(attach_url(no_case), {"trial-asset": "HB-TR-01"})
        assert response.status_code == 404
        assert not TrialEvidence.objects.exists()

    def test_removing_from_the_page(self, chef, hb_case, hb_trial, client_for):
        row = evidence.case_attach_trial(actor=chef, case=hb_case, asset=hb_trial)
        client = client_for(chef)
        assert client.get(detach_url(hb_case, row)).status_code == 405
        response = client.post(detach_url(hb_case, row))
        assert response.status_code == 302
        assert not TrialEvidence.objects.exists()

    def test_removing_what_the_manager_may_not_see_is_not_found(
        self, chef, it_user, admin_user_role, hb_case, no_case, hb_trial, no_trial, client_for
    ):
        on_own_case = evidence.case_attach_trial(actor=it_user, case=hb_case, asset=no_trial)
        on_other_case = evidence.case_attach_trial(
            actor=admin_user_role, case=no_case, asset=no_trial
        )
        own = evidence.case_attach_trial(actor=chef, case=hb_case, asset=hb_trial)
        client = client_for(chef)
        assert client.post(detach_url(hb_case, on_own_case)).status_code == 404
        assert client.post(detach_url(no_case, on_other_case)).status_code == 404
        # A trial named under another case than its own is not found either.
        assert client_for(it_user).post(detach_url(no_case, own)).status_code == 404
        assert TrialEvidence.objects.count() == 3


# --- valid HTML ------------------------------------------------------------------------------


def test_the_trial_pages_are_valid_html(
    chef, strateg, hb_case, hb_trial, hb_asset, client_for, tmp_path
):
    require_java()
    evidence.case_attach_trial(actor=chef, case=hb_case, asset=hb_trial)
    trial_unit(hb_case.library.locations.first(), "HB-TR-02")  # one to offer on the case
    log_url = reverse("inventory:trial_log", kwargs={"tag": "HB-TR-01"})
    client = client_for(chef)
    responses = {
        "case page": client.get(hb_case.get_absolute_url()),
        "case page, refused attach": client.post(attach_url(hb_case), {"trial-asset": "X"}),
        "trial log": client.get(log_url),
        "trial log, refused form": client.post(log_url, {"rating": "5", "group": "Kurs"}),
        "trial log of owned equipment": client.get(
            reverse("inventory:trial_log", kwargs={"tag": "HB-PC-01"})
        ),
        "asset page": client.get(hb_trial.get_absolute_url()),
        "asset page, strategist": client_for(strateg).get(hb_trial.get_absolute_url()),
        "trial log, strategist": client_for(strateg).get(log_url),
    }
    files = {}
    for n, (what, response) in enumerate(responses.items()):
        assert response.status_code in (200, 400), what
        name = f"trial-{n:02d}.html"
        (tmp_path / name).write_bytes(response.content)
        files[name] = what
    assert 'id="trials-heading"' in responses["asset page"].content.decode()
    assert 'id="trials-heading"' in responses["case page"].content.decode()
    problems = vnu_errors(tmp_path, files)
    assert not problems, "\n".join(problems)
