"""Trials of equipment with patrons: logging a session (who may, on which equipment, with
which date and rating), the summary of a trial, the units to return soon, and the pages
(the trial log and the asset page's panel)."""

import html
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from inventory import trials
from inventory.choices import AssetStatus, ChangeAction, Ownership
from inventory.history import records_for
from inventory.models import Asset, TrialSession
from inventory.selectors import assets_visible_to
from tests.factories import AssetFactory

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


@pytest.fixture
def tablet(hb_floor2, workstation):
    """A supplier's demo tablet on trial at HB, to be returned in 24 days."""
    return AssetFactory(
        tag="HB-TR-01",
        library=hb_floor2.library,
        location=hb_floor2,
        category=workstation,
        status=AssetStatus.IN_STOCK,
        ownership=Ownership.TRIAL,
        trial_return_by=today() + timedelta(days=24),
        purchase_price=None,
    )


@pytest.fixture
def no_headset(no_public, workstation):
    """A unit on trial at NO, which the library manager of HB may not see."""
    return AssetFactory(
        tag="NO-TR-01",
        library=no_public.library,
        location=no_public,
        category=workstation,
        ownership=Ownership.TRIAL,
        trial_return_by=today() + timedelta(days=10),
    )


def log(actor, asset, **overrides):
    values = {
        "held_on": today(),
        "tried": "E-böcker och videosamtal",
        "group": "Seniorkursen",
        "rating": 4,
        "comment": "",
    }
    values.update(overrides)
    return trials.trial_session_log(actor=actor, asset=asset, **values)


def error_keys(excinfo) -> set[str]:
    return set(excinfo.value.message_dict)


def url(tag: str) -> str:
    return reverse("inventory:trial_log", kwargs={"tag": tag})


# --- logging a session ------------------------------------------------------------------


class TestLogging:
    def test_a_session_is_stored_and_its_creation_recorded(self, chef, tablet):
        session = log(chef, tablet, tried="  Läsplatta  ", group=" Seniorkursen ", comment=" Bra ")
        stored = TrialSession.objects.get()
        assert stored == session and stored.asset == tablet and stored.logged_by == chef
        assert (stored.tried, stored.group, stored.comment) == ("Läsplatta", "Seniorkursen", "Bra")
        entry = records_for(stored).get()
        assert entry.action == ChangeAction.CREATED and entry.actor == chef
        assert entry.changes["rating"] == [None, 4]
        assert entry.changes["group"] == [None, "Seniorkursen"]

    @pytest.mark.parametrize("rating", [1, 5])
    def test_ratings_one_and_five_are_accepted(self, chef, tablet, rating):
        assert log(chef, tablet, rating=rating).rating == rating

    @pytest.mark.parametrize("rating", [0, 6, -1, "4", True, None])
    def test_a_rating_outside_one_to_five_is_refused(self, chef, tablet, rating):
        with pytest.raises(ValidationError) as excinfo:
            log(chef, tablet, rating=rating)
        assert error_keys(excinfo) == {"rating"}
        assert not TrialSession.objects.exists()

    def test_the_date_may_be_today_or_a_year_back(self, chef, tablet):
        log(chef, tablet, held_on=today())
        log(chef, tablet, held_on=today() - timedelta(days=trials.MAX_DAYS_BACK))
        assert TrialSession.objects.count() == 2

    @pytest.mark.parametrize("days", [-1, trials.MAX_DAYS_BACK + 1, 3650])
    def test_a_date_in_the_future_or_too_far_back_is_refused(self, chef, tablet, days):
        with pytest.raises(ValidationError) as excinfo:
            log(chef, tablet, held_on=today() - timedelta(days=days))
        assert error_keys(excinfo) == {"held_on"}
        assert not TrialSession.objects.exists()

    def test_the_group_and_what_was_tried_are_required(self, chef, tablet):
        with pytest.raises(ValidationError) as excinfo:
            log(chef, tablet, group="   ", tried="")
        assert error_keys(excinfo) == {"group", "tried"}

    def test_equipment_not_on_trial_is_refused_saying_why(self, chef, hb_asset):
        assert hb_asset.ownership == Ownership.OWNED
        with pytest.raises(ValidationError) as excinfo:
            log(chef, hb_asset)
        message = " ".join(excinfo.value.messages)
        assert "HB-PC-01" in message and str(Ownership.OWNED.label) in message
        assert not TrialSession.objects.exists()

    def test_a_retired_unit_on_trial_is_refused(self, chef, tablet):
        Asset.objects.filter(pk=tablet.pk).update(status=AssetStatus.RETIRED)
        tablet.refresh_from_db()
        with pytest.raises(ValidationError, match="HB-TR-01"):
            log(chef, tablet)

    def test_the_strategist_may_read_but_not_log(self, strateg, tablet):
        assert strateg.has_perm(trials.VIEW_PERMISSION)
        with pytest.raises(PermissionDenied):
            log(strateg, tablet)
        assert not TrialSession.objects.exists()

    def test_a_library_manager_cannot_log_for_another_library(self, chef, no_headset):
        with pytest.raises(PermissionDenied):
            log(chef, no_headset)
        assert not TrialSession.objects.exists()

    def test_it_staff_log_in_every_library(self, it_user, no_headset):
        assert log(it_user, no_headset).asset == no_headset


# --- the summary ------------------------------------------------------------------------


class TestSummary:
    def test_a_trial_is_summarised(self, chef, tablet):
        first = today() - timedelta(days=20)
        log(chef, tablet, held_on=first, rating=5, group="Seniorkursen", comment="Lätt att läsa")
        log(chef, tablet, held_on=today() - timedelta(days=10), rating=4, group="Läxhjälpen")
        log(chef, tablet, held_on=today(), rating=4, group="Språkcafé", comment="För tung")
        summary = trials.trial_summary(tablet)
        assert summary.on_trial and summary.has_trial
        assert summary.return_by == tablet.trial_return_by
        assert summary.sessions == 3
        # 13 / 3 = 4.333…
        assert summary.average_rating == Decimal("4.3")
        assert (summary.first_session, summary.last_session) == (first, today())
        assert summary.rating_counts == ((1, 0), (2, 0), (3, 0), (4, 2), (5, 1))
        # Only the sessions with a comment, newest first.
        assert [(c.held_on, c.group, c.rating, c.text) for c in summary.comments] == [
            (today(), "Språkcafé", 4, "För tung"),
            (first, "Seniorkursen", 5, "Lätt att läsa"),
        ]

    def test_the_average_is_rounded_half_up_to_one_decimal(self, chef, tablet):
        for rating in (1, 1, 1, 2):  # 1.25
            log(chef, tablet, rating=rating)
        assert trials.trial_summary(tablet).average_rating == Decimal("1.3")

    def test_a_trial_without_sessions(self, tablet):
        summary = trials.trial_summary(tablet)
        assert summary.sessions == 0 and summary.average_rating is None
        assert summary.first_session is None and summary.last_session is None
        assert summary.comments == () and summary.has_trial

    def test_equipment_bought_after_its_trial_keeps_its_log(self, chef, tablet):
        log(chef, tablet, rating=5)
        Asset.objects.filter(pk=tablet.pk).update(ownership=Ownership.OWNED)
        tablet.refresh_from_db()
        summary = trials.trial_summary(tablet)
        assert not summary.on_trial and summary.return_by is None
        assert summary.sessions == 1 and summary.has_trial

    def test_summaries_of_many_trials_in_two_queries(
        self, chef, tablet, hb_asset, hb_floor2, workstation, django_assert_num_queries
    ):
        log(chef, tablet, rating=3)
        with django_assert_num_queries(2):
            few = trials.trial_summaries(Asset.objects.all())
        assert [asset.tag for asset, _summary in few] == ["HB-TR-01"]
        for n in range(4):
            unit = AssetFactory(
                tag=f"HB-TR-1{n}",
                library=hb_floor2.library,
                location=hb_floor2,
                category=workstation,
                ownership=Ownership.TRIAL,
                trial_return_by=today(),
            )
            log(chef, unit, rating=5)
            log(chef, unit, rating=4)
        # An owned asset with sessions (bought after its trial) is among them; one
        # without is not.
        Asset.objects.filter(tag="HB-TR-10").update(ownership=Ownership.OWNED)
        with django_assert_num_queries(2):
            many = dict(trials.trial_summaries(Asset.objects.all()))
            [asset.library.code for asset in many]  # what a report row reads
        by_tag = {asset.tag: summary for asset, summary in many.items()}
        assert set(by_tag) == {"HB-TR-01", "HB-TR-10", "HB-TR-11", "HB-TR-12", "HB-TR-13"}
        assert by_tag["HB-TR-11"].average_rating == Decimal("4.5")
        assert by_tag["HB-TR-01"].sessions == 1
        assert not by_tag["HB-TR-10"].on_trial

    def test_summaries_start_from_what_the_reader_sees(self, chef, tablet, no_headset):
        tags = [asset.tag for asset, _s in trials.trial_summaries(assets_visible_to(chef))]
        assert tags == ["HB-TR-01"]


# --- the reminder of the return date ------------------------------------------------------


class TestReturning:
    def unit(self, tag, days, **fields):
        fields.setdefault("ownership", Ownership.TRIAL)
        return AssetFactory(tag=tag, trial_return_by=today() + timedelta(days=days), **fields)

    def test_the_boundaries(self):
        self.unit("OVERDUE", -1)
        self.unit("TODAY", 0)
        self.unit("IN-7", 7)
        self.unit("IN-8", 8)
        found = trials.trials_returning(Asset.objects.all(), today=today())
        # Overdue first: it must go back all the more.
        assert [asset.tag for asset in found] == ["OVERDUE", "TODAY", "IN-7"]

    def test_days_is_the_look_ahead(self):
        self.unit("IN-8", 8)
        self.unit("IN-9", 9)
        found = trials.trials_returning(Asset.objects.all(), today=today(), days=8)
        assert [asset.tag for asset in found] == ["IN-8"]

    def test_only_units_on_trial_and_still_here(self):
        self.unit("RETIRED", 1, status=AssetStatus.RETIRED)
        self.unit("DISPOSED", 1, status=AssetStatus.DISPOSED)
        self.unit("OWNED", 1, ownership=Ownership.OWNED)  # bought: the old date stays
        self.unit("REPAIR", 1, status=AssetStatus.IN_REPAIR)
        found = trials.trials_returning(Asset.objects.all(), today=today())
        assert [asset.tag for asset in found] == ["REPAIR"]

    def test_from_the_readers_assets(self, chef, tablet, no_headset):
        later = today() + timedelta(days=30)
        assert [a.tag for a in trials.trials_returning(Asset.objects.all(), today=later)] == [
            "NO-TR-01",
            "HB-TR-01",
        ]
        visible = trials.trials_returning(assets_visible_to(chef), today=later)
        assert [asset.tag for asset in visible] == ["HB-TR-01"]


# --- the pages ----------------------------------------------------------------------------


def page(response) -> str:
    return html.unescape(response.content.decode())


class TestTrialLogPage:
    def test_the_library_manager_reads_the_log_and_the_form(self, chef, tablet, client_for):
        log(chef, tablet, rating=5, group="Seniorkursen", comment="Mycket uppskattad")
        log(chef, tablet, rating=4, group="Läxhjälpen")
        response = client_for(chef).get(url(tablet.tag))
        assert response.status_code == 200
        text = page(response)
        assert "Seniorkursen" in text and "Läxhjälpen" in text and "Mycket uppskattad" in text
        assert response.context["summary"].average_rating == Decimal("4.5")
        assert 'id="log-heading"' in text and 'name="rating"' in text
        assert tablet.trial_return_by.isoformat() in text

    def test_the_strategist_reads_without_a_form_and_may_not_post(
        self, chef, strateg, tablet, client_for
    ):
        log(chef, tablet)
        client = client_for(strateg)
        response = client.get(url(tablet.tag))
        assert response.status_code == 200
        assert 'id="log-heading"' not in response.content.decode()
        response = client.post(url(tablet.tag), form_data())
        assert response.status_code == 403
        assert TrialSession.objects.count() == 1

    def test_another_librarys_trial_is_not_found(self, chef, no_headset, client_for):
        client = client_for(chef)
        assert client.get(url(no_headset.tag)).status_code == 404
        assert client.post(url(no_headset.tag), form_data()).status_code == 404
        assert not TrialSession.objects.exists()

    def test_a_session_is_logged_from_the_page(self, chef, tablet, client_for):
        response = client_for(chef).post(url(tablet.tag), form_data(comment="Fungerade fint"))
        assert response.status_code == 302
        assert response["Location"].endswith(f"{url(tablet.tag)}#sessions-heading")
        session = TrialSession.objects.get()
        assert (session.rating, session.comment, session.logged_by) == (5, "Fungerade fint", chef)

    def test_a_refused_form_keeps_what_was_typed(self, chef, tablet, client_for):
        future = (today() + timedelta(days=1)).isoformat()
        response = client_for(chef).post(
            url(tablet.tag), form_data(held_on=future, group="", tried="Surfplatta X")
        )
        assert response.status_code == 400
        form = response.context["form"]
        assert set(form.errors) == {"held_on", "group"}
        text = page(response)
        assert 'value="Surfplatta X"' in text and f'value="{future}"' in text
        assert re.search(r'value="5"[^>]*checked', text)
        assert not TrialSession.objects.exists()

    @pytest.mark.parametrize("rating", ["0", "6", "fem"])
    def test_a_rating_not_offered_is_a_form_error(self, chef, tablet, client_for, rating):
        response = client_for(chef).post(url(tablet.tag), form_data(rating=rating))
        assert response.status_code == 400
        assert set(response.context["form"].errors) == {"rating"}

    def test_equipment_not_on_trial_says_why(self, chef, hb_asset, client_for):
        client = client_for(chef)
        response = client.get(url(hb_asset.tag))
        assert response.status_code == 200
        assert 'id="log-heading"' not in response.content.decode()
        response = client.post(url(hb_asset.tag), form_data())
        assert response.status_code == 400
        assert "HB-PC-01" in " ".join(response.context["form"].non_field_errors())
        assert not TrialSession.objects.exists()


def form_data(**overrides):
    data = {
        "held_on": today().isoformat(),
        "tried": "E-böcker",
        "group": "Seniorkursen",
        "rating": "5",
        "comment": "",
    }
    data.update(overrides)
    return data


class TestAssetPanel:
    def test_a_unit_on_trial_shows_its_summary(self, chef, tablet, client_for):
        log(chef, tablet, rating=3)
        log(chef, tablet, rating=4)
        response = client_for(chef).get(tablet.get_absolute_url())
        text = page(response)
        assert 'id="trials-heading"' in text
        assert url(tablet.tag) in text
        assert response.context["trial_summary"].average_rating == Decimal("3.5")
        assert "3,5" in text  # in Swedish
        assert tablet.trial_return_by.isoformat() in text

    def test_owned_equipment_without_sessions_has_no_panel(self, chef, hb_asset, client_for):
        response = client_for(chef).get(hb_asset.get_absolute_url())
        assert response.status_code == 200
        assert 'id="trials-heading"' not in response.content.decode()

    def test_the_strategist_sees_the_panel_without_the_log_button(
        self, strateg, tablet, client_for
    ):
        text = page(client_for(strateg).get(tablet.get_absolute_url()))
        assert 'id="trials-heading"' in text
        assert f"{url(tablet.tag)}#log-heading" not in text
