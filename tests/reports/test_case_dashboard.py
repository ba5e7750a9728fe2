"""The open cases on each role's dashboard: by stage, who acts next, for how long."""

from datetime import timedelta

import pytest
from django.utils import timezone

from procurement import services
from procurement.choices import Stage
from reports.selectors import case_dashboard

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(make_case, chef, admin_user_role, hb, no):
    hb_need = make_case(chef, hb, title="Hörlurar")
    hb_approval = make_case(chef, hb, title="Skannrar", analysis="Fyra platser")
    for stage in (Stage.ANALYSIS, Stage.APPROVAL):
        hb_approval = services.case_transition(case=hb_approval, to_stage=stage, actor=chef)
    no_case = make_case(admin_user_role, no, title="Norrs datorer")
    return {"hb_need": hb_need, "hb_approval": hb_approval, "no": no_case}


def test_chef_sees_own_library_and_what_waits_on_the_library(cases, chef):
    data = case_dashboard(chef, now=timezone.now() + timedelta(days=5))
    assert data.open_count == 2
    assert {line.title for line in data.longest_waiting} == {"Hörlurar", "Skannrar"}
    assert [line.title for line in data.waiting_on_me] == ["Hörlurar"]
    assert data.waiting_on_me[0].days == 5
    assert data.waiting_on_me[0].waits_on == "library"


def test_strategist_sees_every_library_and_the_approvals(cases, strateg):
    data = case_dashboard(strateg)
    assert data.open_count == 3
    assert [line.title for line in data.waiting_on_me] == ["Skannrar"]
    assert {item.status: item.count for item in data.by_stage} == {"need": 2, "approval": 1}


def test_the_page_shows_cases_to_chef_but_not_another_librarys(cases, chef, client_for):
    page = client_for(chef).get("/").content.decode()
    assert "Skannrar" in page and "Hörlurar" in page
    assert "Norrs datorer" not in page


def test_what_waits_on_me_is_counted_beyond_the_ten_shown(make_case, chef, hb):
    for n in range(12):
        make_case(chef, hb, title=f"Behov {n}")
    data = case_dashboard(chef)
    assert data.open_count == 12
    assert len(data.waiting_on_me) == 10 and data.waiting_on_me_count == 12
    assert len(data.longest_waiting) == 10
