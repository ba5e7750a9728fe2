"""The lines of a case: added, changed and removed until the order is placed, by whoever
may change the case's need, each change in the case's history; locked after."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from inventory.history import records_for
from inventory.history import rows as history_rows
from inventory.models import ChangeRecord
from procurement import services
from procurement.choices import Stage
from procurement.models import CaseLine, ProcurementCase

pytestmark = pytest.mark.django_db

LOCKED = (
    "The order has been placed, so the lines can no longer be changed: they are what was ordered."
)


def url(name, case, **kwargs):
    return reverse(f"procurement:{name}", kwargs={"reference": case.url_reference, **kwargs})


def a_line(category, description="Publik dator", quantity=2, price="9995.50"):
    return {
        "category": category,
        "description": description,
        "quantity": quantity,
        "estimated_unit_price": Decimal(price),
    }


def moved(case, admin, *stages):
    for stage in stages:
        case = services.case_transition(
            case=case, to_stage=stage, actor=admin, override_reason="test"
        )
    return case


TO_ORDERED = (
    Stage.ANALYSIS,
    Stage.APPROVAL,
    Stage.SPECIFICATION,
    Stage.SOURCING,
    Stage.AWARD,
    Stage.ORDERED,
)


@pytest.fixture
def hb_case(make_case, chef, hb, workstation):
    return make_case(chef, hb, lines=[a_line(workstation)])


@pytest.fixture
def ordered_case(hb_case, admin_user_role):
    return moved(hb_case, admin_user_role, *TO_ORDERED)


def line_records(case):
    return [r for r in records_for(case) if "lines" in r.changes]


class TestServices:
    def test_the_manager_changes_a_line_and_the_case_history_records_it(self, hb_case, chef):
        line = hb_case.lines.get()
        services.line_update(case=hb_case, line=line, actor=chef, data={"quantity": 3})
        line.refresh_from_db()
        assert line.quantity == 3
        [record] = line_records(hb_case)
        assert (record.actor, record.action) == (chef, "changed")
        old, new = record.changes["lines"]
        assert old.startswith("2 × Publik dator") and new.startswith("3 × Publik dator")
        [row] = history_rows(ProcurementCase, record)
        assert row.label == _("line")[:1].upper() + _("line")[1:]
        assert (row.old, row.new) == (old, new)

    def test_a_save_that_changes_nothing_records_nothing(self, hb_case, chef):
        line = hb_case.lines.get()
        services.line_update(case=hb_case, line=line, actor=chef, data={"quantity": 2})
        assert line_records(hb_case) == []

    def test_it_adds_and_removes_a_line_each_recorded(self, hb_case, it_user, workstation):
        added = services.line_add(
            case=hb_case, actor=it_user, **a_line(workstation, "Skärm", 1, "2000")
        )
        services.line_remove(case=hb_case, line=hb_case.lines.first(), actor=it_user)
        assert list(hb_case.lines.all()) == [added]
        removed, made = line_records(hb_case)  # newest first
        assert made.changes["lines"][0] is None and made.changes["lines"][1].startswith("1 × Skärm")
        assert removed.changes["lines"][0].startswith("2 × Publik dator")
        assert removed.changes["lines"][1] is None

    def test_a_line_that_breaks_a_rule_is_refused(self, hb_case, chef):
        line = hb_case.lines.get()
        with pytest.raises(ValidationError) as refused:
            services.line_update(case=hb_case, line=line, actor=chef, data={"quantity": 0})
        assert "quantity" in refused.value.message_dict
        line.refresh_from_db()
        assert line.quantity == 2

    def test_another_librarys_manager_is_refused(
        self, make_case, admin_user_role, chef, no, workstation
    ):
        no_case = make_case(admin_user_role, no, lines=[a_line(workstation)])
        line = no_case.lines.get()
        with pytest.raises(PermissionDenied):
            services.line_update(case=no_case, line=line, actor=chef, data={"quantity": 5})
        with pytest.raises(PermissionDenied):
            services.line_remove(case=no_case, line=line, actor=chef)
        assert CaseLine.objects.get(pk=line.pk).quantity == 2
        assert not ChangeRecord.objects.filter(changes__has_key="lines").exists()

    def test_the_strategist_may_not_change_lines(self, hb_case, strateg):
        with pytest.raises(PermissionDenied):
            services.line_remove(case=hb_case, line=hb_case.lines.get(), actor=strateg)
        assert hb_case.lines.count() == 1

    def test_a_line_of_another_case_is_refused(self, hb_case, make_case, chef, hb, workstation):
        other = make_case(chef, hb, lines=[a_line(workstation, "Annan")])
        with pytest.raises(ValidationError):
            services.line_remove(case=hb_case, line=other.lines.get(), actor=chef)
        assert other.lines.count() == 1

    @pytest.mark.parametrize("what", ["add", "update", "remove"])
    def test_after_the_order_the_lines_are_locked(self, ordered_case, admin_user_role, what):
        line = ordered_case.lines.get()
        calls = {
            "add": lambda: services.line_add(
                case=ordered_case, actor=admin_user_role, **a_line(line.category, "Ny")
            ),
            "update": lambda: services.line_update(
                case=ordered_case, line=line, actor=admin_user_role, data={"quantity": 9}
            ),
            "remove": lambda: services.line_remove(
                case=ordered_case, line=line, actor=admin_user_role
            ),
        }
        with pytest.raises(ValidationError) as refused:
            calls[what]()
        assert refused.value.messages == [_(LOCKED)]
        assert list(ordered_case.lines.values_list("quantity", flat=True)) == [2]
        assert line_records(ordered_case) == []

    def test_a_case_paused_after_the_order_stays_locked(self, ordered_case, admin_user_role):
        paused = services.case_transition(
            case=ordered_case, to_stage=Stage.ON_HOLD, actor=admin_user_role, comment="Vänta"
        )
        assert services.line_lock_reason(paused) == _(LOCKED)

    def test_a_case_paused_before_the_order_is_open(self, hb_case, chef):
        paused = services.case_transition(
            case=hb_case, to_stage=Stage.ON_HOLD, actor=chef, comment="Vänta"
        )
        assert services.line_lock_reason(paused) == ""
        services.line_update(
            case=paused, line=paused.lines.get(), actor=chef, data={"description": "Ny text"}
        )
        assert paused.lines.get().description == "Ny text"

    def test_a_cancelled_case_is_locked(self, hb_case, chef):
        cancelled = services.case_transition(
            case=hb_case, to_stage=Stage.CANCELLED, actor=chef, comment="Behövs inte"
        )
        with pytest.raises(ValidationError):
            services.line_remove(case=cancelled, line=cancelled.lines.get(), actor=chef)
        assert cancelled.lines.count() == 1


class TestPages:
    def test_the_case_page_offers_the_manager_to_change_and_remove(self, hb_case, chef, client_for):
        page = client_for(chef).get(hb_case.get_absolute_url()).content.decode()
        line = hb_case.lines.get()
        assert url("line_update", hb_case, pk=line.pk) in page
        assert url("line_remove", hb_case, pk=line.pk) in page
        assert url("line_create", hb_case) in page

    def test_the_strategist_sees_the_lines_without_the_buttons(self, hb_case, strateg, client_for):
        page = client_for(strateg).get(hb_case.get_absolute_url()).content.decode()
        assert "Publik dator" in page
        assert url("line_create", hb_case) not in page

    def test_the_manager_changes_a_line_on_its_page(self, hb_case, chef, client_for, workstation):
        line = hb_case.lines.get()
        response = client_for(chef).post(
            url("line_update", hb_case, pk=line.pk),
            {
                "category": workstation.pk,
                "description": "Publik dator med skärm",
                "quantity": "4",
                "estimated_unit_price": "9995,50",
            },
        )
        assert response.status_code == 302
        assert response["Location"].endswith("#lines-heading")
        line.refresh_from_db()
        assert (line.description, line.quantity) == ("Publik dator med skärm", 4)
        [record] = line_records(hb_case)
        assert record.changes["lines"][1].startswith("4 × Publik dator med skärm")
        page = client_for(chef).get(hb_case.get_absolute_url()).content.decode()
        assert "4 × Publik dator med skärm" in page  # in the case's history

    def test_the_manager_adds_a_line(self, hb_case, chef, client_for, workstation):
        response = client_for(chef).post(
            url("line_create", hb_case),
            {
                "category": workstation.pk,
                "description": "Hörlurar",
                "quantity": "10",
                "estimated_unit_price": "199",
            },
        )
        assert response.status_code == 302
        assert hb_case.lines.filter(description="Hörlurar", quantity=10).exists()

    def test_the_manager_removes_a_line(self, hb_case, chef, client_for):
        line = hb_case.lines.get()
        response = client_for(chef).post(url("line_remove", hb_case, pk=line.pk), follow=True)
        assert not hb_case.lines.exists()
        page = response.content.decode()
        assert _("No lines.") in page

    def test_after_the_order_the_page_says_why_and_offers_nothing(
        self, ordered_case, admin_user_role, client_for
    ):
        client = client_for(admin_user_role)
        line = ordered_case.lines.get()
        page = client.get(ordered_case.get_absolute_url()).content.decode()
        assert _(LOCKED) in page
        assert url("line_update", ordered_case, pk=line.pk) not in page
        assert url("line_create", ordered_case) not in page
        response = client.post(
            url("line_update", ordered_case, pk=line.pk),
            {
                "category": line.category_id,
                "description": "Ändrad",
                "quantity": "9",
                "estimated_unit_price": "1",
            },
        )
        assert response.status_code == 400
        assert _(LOCKED) in response.content.decode()
        line.refresh_from_db()
        assert (line.description, line.quantity) == ("Publik dator", 2)
        client.post(url("line_remove", ordered_case, pk=line.pk))
        assert ordered_case.lines.count() == 1

    def test_another_librarys_line_is_not_found(
        self, make_case, admin_user_role, chef, no, client_for, workstation
    ):
        no_case = make_case(admin_user_role, no, lines=[a_line(workstation)])
        line = no_case.lines.get()
        response = client_for(chef).post(url("line_remove", no_case, pk=line.pk))
        assert response.status_code == 404
        assert no_case.lines.count() == 1
