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


def _moved(case, admin, *stages):
    for stage in stages:
        case = services.case_transition(
            case=case, to_stage=stage, actor=admin, override_reason="test"
        )
    return case


@pytest.fixture
def it_and_others(make_case, chef, admin_user_role, hb):
    """One case waiting on IT (requirements) and one on the supplier (ordered)."""
    to_spec = (Stage.ANALYSIS, Stage.APPROVAL, Stage.SPECIFICATION)
    spec = _moved(make_case(chef, hb, title="Kravlista"), admin_user_role, *to_spec)
    ordered = _moved(
        make_case(chef, hb, title="Beställda skärmar"),
        admin_user_role,
        *to_spec,
        Stage.SOURCING,
        Stage.AWARD,
        Stage.ORDERED,
    )
    return {"spec": spec, "ordered": ordered}


@pytest.mark.parametrize("role", ["it_user", "admin_user_role"])
def test_what_waits_on_the_supplier_is_not_waiting_on_it(it_and_others, role, request):
    data = case_dashboard(request.getfixturevalue(role))
    assert "Beställda skärmar" not in [line.title for line in data.waiting_on_me]
    assert "Kravlista" in [line.title for line in data.waiting_on_me]
    assert [line.title for line in data.waiting_on_others] == ["Beställda skärmar"]
    assert data.waiting_on_others[0].waits_on == "supplier"
    assert data.waiting_on_others_count == 1
    assert set(data.other_parties) == {"procurement_unit", "supplier"}


def test_a_library_manager_has_no_list_of_others(it_and_others, chef):
    data = case_dashboard(chef)
    assert data.other_parties == () and data.waiting_on_others == ()
    assert [line.title for line in data.waiting_on_me] == []


def _section(page, heading_id):
    start = page.index(f'id="{heading_id}"')
    return page[start : page.index("</section>", start)]


def test_the_it_dashboard_shows_the_two_lists(it_and_others, it_user, chef, client_for):
    from django.utils.translation import gettext as _

    page = client_for(it_user).get("/").content.decode()
    mine, others = _section(page, "mine-heading"), _section(page, "others-heading")
    assert "Kravlista" in mine and "Beställda skärmar" not in mine
    assert "Beställda skärmar" in others and "Kravlista" not in others
    assert _("Waiting for others") in others
    assert 'id="others-heading"' not in client_for(chef).get("/").content.decode()


def test_a_case_that_moved_today_waits_since_today(make_case, chef, hb, client_for):
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    make_case(chef, hb, title="Hörlurar")
    mine = _section(client_for(chef).get("/").content.decode(), "mine-heading")
    assert "Hörlurar" in mine
    party = _("Library")
    assert _("waits on %(party)s since today") % {"party": party} in mine
    zero_days = ngettext(
        "waits on %(party)s (%(days)s day)", "waits on %(party)s (%(days)s days)", 0
    ) % {"party": party, "days": 0}
    assert zero_days not in mine
