"""The pages of procurement cases: list, create, the case page and every action on it.

Texts that are translated are compared with the catalogue's own translation (gettext
under the Swedish the tests run in), so the tests hold before and after the Swedish
catalogue is compiled.
"""

import re
from datetime import date, timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.formatting import format_sek
from inventory.models import Asset, Manufacturer
from procurement import services
from procurement.choices import Decision, Party, Procedure, Stage
from procurement.models import (
    CaseDocument,
    Comment,
    DeliveredAsset,
    ProcurementCase,
    PurchasingRuleSet,
    Quote,
    StageChange,
)
from tests.factories import CategoryFactory, ManufacturerFactory, ProductModelFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_uploads(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"


def pdf(name="offert.pdf", body=b"%PDF-1.4\n%test\n"):
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def url(name, case=None, **kwargs):
    if case is not None:
        kwargs["reference"] = case.url_reference
    return reverse(f"procurement:{name}", kwargs=kwargs)


def advance(case, actor, *stages, **kwargs):
    for stage in stages:
        case = services.case_transition(case=case, to_stage=stage, actor=actor, **kwargs)
    return case


def line(category, quantity=2, price="9995.50", description="Publik dator"):
    return {
        "category": category,
        "description": description,
        "quantity": quantity,
        "estimated_unit_price": Decimal(price),
    }


def approved(case, chef, strateg, level=0):
    """need -> analysis -> approval -> (decision) -> specification."""
    case = advance(case, chef, Stage.ANALYSIS, Stage.APPROVAL)
    return services.case_decide(
        case=case, actor=strateg, decision=Decision.APPROVED, level=level, comment="Ja"
    )


def walk_to_delivered(case, *, chef, strateg, it, supplier):
    """A direct award (under 100 000 kr) through every guard to `delivered`."""
    case = approved(case, chef, strateg)
    case = advance(case, it, Stage.SOURCING)
    quote = services.quote_add(
        case=case,
        actor=it,
        supplier=supplier,
        amount=Decimal("19000"),
        received_on=timezone.localdate(),
    )
    case = advance(case, it, Stage.AWARD)
    services.quote_choose(case=case, quote=quote, actor=it)
    case = advance(case, it, Stage.ORDERED)
    case = services.case_update(
        case=case, actor=it, expected_version=case.version, data={"order_reference": "IO-1"}
    )
    return advance(case, it, Stage.DELIVERED)


class _DataTable(HTMLParser):
    """The header texts and the body rows of a page's data table (class="data-table"):
    each row a list of its cells (th and td), each cell its text and the links in it."""

    def __init__(self):
        super().__init__()
        self.headers, self.rows = [], []
        self._in_table, self._part, self._cell = False, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "data-table" in (attrs.get("class") or "").split():
            self._in_table = True
        elif not self._in_table:
            return
        elif tag in ("thead", "tbody"):
            self._part = tag
        elif tag == "tr" and self._part == "tbody":
            self.rows.append([])
        elif tag in ("th", "td"):
            self._cell = {"text": "", "links": []}
        elif tag == "a" and self._cell is not None:
            self._cell["links"].append(attrs.get("href"))

    def handle_endtag(self, tag):
        if not self._in_table:
            return
        if tag == "table":
            self._in_table = False
        elif tag in ("th", "td") and self._cell is not None:
            # Runs of markup whitespace become one space; a no-break space (as in an
            # amount) stays what it is.
            self._cell["text"] = re.sub(r"[ \t\r\n]+", " ", self._cell["text"]).strip()
            if self._part == "thead":
                self.headers.append(self._cell["text"])
            else:
                self.rows[-1].append(self._cell)
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell["text"] += data


def table_rows(response):
    """The body rows of the page's data table, each a dict from column header to cell."""
    table = _DataTable()
    table.feed(response.content.decode())
    table.close()
    assert table.headers, "the page has no data table"
    return [dict(zip(table.headers, row, strict=True)) for row in table.rows]


@pytest.fixture
def hb_case(make_case, chef, hb, workstation):
    return make_case(
        chef, hb, analysis="Åtta platser vid informationsdisken.", lines=[line(workstation)]
    )


@pytest.fixture
def delivered_case(hb_case, chef, strateg, it_user, suppliers):
    return walk_to_delivered(hb_case, chef=chef, strateg=strateg, it=it_user, supplier=suppliers[0])


class TestList:
    def test_shows_the_columns(self, make_case, chef, hb, client_for):
        case = make_case(chef, hb, value="123456.50", title="Skannrar till hjälpcentret")
        response = client_for(chef).get(url("case_list"))
        assert response.status_code == 200
        # The cells of the case's row, not the whole page: the filters offer every stage,
        # party and procedure, so each label is on the page whatever the table shows.
        [cells] = table_rows(response)
        assert {header: cell["text"] for header, cell in cells.items()} == {
            f"{_('Reference')} / {_('Library')}": f"{case.reference} {hb.name}",
            _("Title"): "Skannrar till hjälpcentret",
            _("Stage"): str(Stage.NEED.label),
            _("Who acts next"): str(Party.LIBRARY.label),
            _("Days waiting"): "0",
            _("Estimated value"): format_sek(Decimal("123456.50")),
            _("Procedure"): str(Procedure.DIRECT_AWARD.label),
        }
        assert cells[f"{_('Reference')} / {_('Library')}"]["links"] == [case.get_absolute_url()]
        row = response.context["rows"][0]
        assert (row["case"], row["days"], row["waits_on"]) == (case, 0, Party.LIBRARY.label)

    def test_days_waiting(self, make_case, chef, hb, client_for):
        case = make_case(chef, hb)
        ProcurementCase.objects.filter(pk=case.pk).update(
            stage_changed_at=timezone.now() - timedelta(days=12)
        )
        response = client_for(chef).get(url("case_list"))
        assert response.context["rows"][0]["days"] == 12

    def test_filters(self, make_case, chef, admin_user_role, hb, no, client_for):
        direct = make_case(chef, hb, title="Datorer")
        advertised = make_case(chef, hb, value="900000", title="Stor upphandling")
        other = make_case(admin_user_role, no, title="Norr")
        advertised = advance(advertised, chef, Stage.ANALYSIS)
        ProcurementCase.objects.filter(pk=direct.pk).update(
            expected_delivery=timezone.localdate() - timedelta(days=1)
        )
        client = client_for(admin_user_role)

        def refs(query):
            response = client.get(url("case_list") + query)
            assert response.status_code == 200
            return {row["case"].reference for row in response.context["rows"]}

        assert refs("") == {direct.reference, advertised.reference, other.reference}
        assert refs("?stage=analysis") == {advertised.reference}
        assert refs("?library=NO") == {other.reference}
        assert refs("?procedure=advertised") == {advertised.reference}
        assert refs("?category=workstation") == {
            direct.reference,
            advertised.reference,
            other.reference,
        }
        assert refs(f"?year={direct.year}") == {
            direct.reference,
            advertised.reference,
            other.reference,
        }
        assert refs(f"?year={direct.year - 1}") == set()
        assert refs(f"?q={direct.url_reference}") == {direct.reference}
        assert refs("?q=stor") == {advertised.reference}
        assert refs("?waits_on=library") == {
            direct.reference,
            advertised.reference,
            other.reference,
        }
        assert refs("?waits_on=it") == set()
        assert refs("?overdue=on") == {direct.reference}

    def test_who_acts_next_follows_the_procedure(
        self, make_case, chef, hb, client_for, admin_user_role
    ):
        small = make_case(chef, hb, analysis="x", title="Liten")
        large = make_case(chef, hb, analysis="x", value="900000", title="Stor")
        for case in (small, large):
            advance(
                case,
                admin_user_role,
                Stage.ANALYSIS,
                Stage.APPROVAL,
                Stage.SPECIFICATION,
                Stage.SOURCING,
                override_reason="test",
            )
        client = client_for(chef)
        response = client.get(url("case_list") + "?waits_on=procurement_unit")
        assert [row["case"] for row in response.context["rows"]] == [large]
        assert response.context["rows"][0]["waits_on"] == Party.PROCUREMENT_UNIT.label
        response = client.get(url("case_list") + "?waits_on=it")
        assert [row["case"] for row in response.context["rows"]] == [small]

    def test_sorting(self, make_case, chef, hb, client_for):
        old = make_case(chef, hb, value="1000", title="B")
        new = make_case(chef, hb, value="2000", title="A")
        ProcurementCase.objects.filter(pk=old.pk).update(
            stage_changed_at=timezone.now() - timedelta(days=30)
        )
        new = advance(new, chef, Stage.ANALYSIS)
        client = client_for(chef)

        def order(ordering):
            response = client.get(url("case_list") + f"?ordering={ordering}")
            return [row["case"].pk for row in response.context["rows"]]

        assert order("title") == [new.pk, old.pk]
        assert order("-estimated_value") == [new.pk, old.pk]
        assert order("days_waiting") == [new.pk, old.pk]
        assert order("-days_waiting") == [old.pk, new.pk]
        assert order("stage") == [old.pk, new.pk]
        assert order("-stage") == [new.pk, old.pk]

    def test_chef_cannot_filter_into_another_library(
        self, make_case, chef, admin_user_role, hb, no, client_for
    ):
        mine = make_case(chef, hb)
        other = make_case(admin_user_role, no)
        response = client_for(chef).get(url("case_list") + "?library=NO")
        assert response.status_code == 200
        assert other.reference not in response.content.decode()
        response = client_for(chef).get(url("case_list"))
        assert [row["case"] for row in response.context["rows"]] == [mine]
        assert b"Norrbiblioteket" not in response.content

    def test_constant_number_of_queries(
        self, make_case, chef, admin_user_role, hb, client_for, django_assert_max_num_queries
    ):
        client = client_for(admin_user_role)
        make_case(chef, hb)
        client.get(url("case_list"))  # warm the session and permission caches
        with CaptureQueriesContext(connection) as few:
            client.get(url("case_list"))
        budget = len(few.captured_queries)  # (the next request empties the query log)
        assert budget <= 12
        for _n in range(30):
            make_case(chef, hb)
        # Warm again: the new cases changed the data version, so the list counted afresh
        # once (inventory/figures.py).
        client.get(url("case_list") + "?per_page=25")
        with django_assert_max_num_queries(budget):
            response = client.get(url("case_list") + "?per_page=25")
        assert len(response.context["rows"]) == 25
        assert response.context["paginator"].count == 31


def create_data(library, category, **overrides):
    data = {
        "library": library.pk,
        "title": "Nya publika datorer",
        "need": "Datorerna vid informationsdisken är för gamla.",
        "analysis": "Åtta platser, fyra med skanner.",
        "category": category.pk,
        "estimated_value": "80 000",
        "funding": "operating",
        "grant_name": "",
        "grant_spend_by": "",
        "expected_delivery": "",
        "lines-TOTAL_FORMS": "3",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-category": category.pk,
        "lines-0-description": "Publik dator",
        "lines-0-quantity": "8",
        "lines-0-estimated_unit_price": "9 995,50",
    }
    for index in (1, 2):
        for name in ("category", "description", "quantity", "estimated_unit_price"):
            data[f"lines-{index}-{name}"] = ""
    data.update(overrides)
    return data


class TestCreate:
    def test_chef_opens_a_case_with_lines(self, ruleset, chef, hb, workstation, client_for):
        response = client_for(chef).post(url("case_create"), create_data(hb, workstation))
        case = ProcurementCase.objects.get()
        assert response.status_code == 302
        assert response["Location"] == case.get_absolute_url()
        assert (case.library, case.requested_by, case.stage) == (hb, chef, Stage.NEED)
        assert case.estimated_value == Decimal("80000")
        assert case.procedure == Procedure.DIRECT_AWARD
        assert [(x.description, x.quantity, x.estimated_unit_price) for x in case.lines.all()] == [
            ("Publik dator", 8, Decimal("9995.50"))
        ]
        assert case.timeline.get().to_stage == Stage.NEED

    def test_only_own_libraries_are_offered(self, ruleset, chef, hb, no, workstation, client_for):
        client = client_for(chef)
        form = client.get(url("case_create")).context["form"]
        assert list(form.fields["library"].queryset) == [hb]
        response = client.post(url("case_create"), create_data(no, workstation))
        assert response.status_code == 400
        assert "library" in response.context["form"].errors
        assert not ProcurementCase.objects.exists()

    def test_refused_form_keeps_what_was_typed(self, ruleset, chef, hb, workstation, client_for):
        response = client_for(chef).post(
            url("case_create"),
            create_data(
                hb, workstation, title="", estimated_value="-5", need="Skannrar som klarar A3"
            ),
        )
        assert response.status_code == 400
        form = response.context["form"]
        assert {"title", "estimated_value"} <= set(form.errors)
        content = response.content.decode()
        assert "Skannrar som klarar A3" in content
        assert 'id="error-summary"' in content
        assert not ProcurementCase.objects.exists()

    def test_at_least_one_line(self, ruleset, chef, hb, workstation, client_for):
        data = create_data(hb, workstation)
        for name in ("category", "description", "quantity", "estimated_unit_price"):
            data[f"lines-0-{name}"] = ""
        response = client_for(chef).post(url("case_create"), data)
        assert response.status_code == 400
        assert response.context["formset"].non_form_errors()
        assert not ProcurementCase.objects.exists()

    def test_a_started_extra_line_needs_all_its_fields(
        self, ruleset, chef, hb, workstation, client_for
    ):
        client = client_for(chef)
        form = client.get(url("case_create")).context["formset"].forms[1]
        assert not form.fields["quantity"].required  # the extra lines may stay empty
        response = client.post(
            url("case_create"),
            create_data(hb, workstation, **{"lines-1-description": "Skanner"}),
        )
        assert response.status_code == 400
        errors = response.context["formset"].forms[1].errors
        assert {"category", "quantity", "estimated_unit_price"} <= set(errors)
        assert 'href="#id_lines-1-quantity"' in response.content.decode()
        assert not ProcurementCase.objects.exists()

    def test_two_lines(self, ruleset, chef, hb, workstation, client_for):
        scanner = CategoryFactory(code="scanner", name_sv="Skanner", name_en="Scanner")
        data = create_data(
            hb,
            workstation,
            **{
                "lines-2-category": scanner.pk,
                "lines-2-description": "Skanner A3",
                "lines-2-quantity": "4",
                "lines-2-estimated_unit_price": "4 500",
            },
        )
        assert client_for(chef).post(url("case_create"), data).status_code == 302
        lines = ProcurementCase.objects.get().lines.all()
        assert [(x.category, x.quantity) for x in lines] == [(workstation, 8), (scanner, 4)]

    def test_grant_needs_its_name(self, ruleset, chef, hb, workstation, client_for):
        response = client_for(chef).post(
            url("case_create"), create_data(hb, workstation, funding="grant")
        )
        assert response.status_code == 400
        assert {"grant_name", "grant_spend_by"} <= set(response.context["form"].errors)


class TestDetail:
    def test_shows_the_facts_assessment_and_checklist(self, hb_case, chef, client_for):
        response = client_for(chef).get(hb_case.get_absolute_url())
        assert response.status_code == 200
        content = response.content.decode()
        assert hb_case.reference in content
        assert "Åtta platser vid informationsdisken." in content
        assert str(Procedure.DIRECT_AWARD.label) in content
        assert "Bibliotekschef" in content  # the approval level's name
        labels = [row["label"] for row in response.context["checklist"]]
        assert _("Needs analysis") in labels
        assert _("Written quotes") in labels
        done = {row["label"]: row["done"] for row in response.context["checklist"]}
        assert done[_("Needs analysis")] is True
        assert done[_("Written quotes")] is False
        assert _("Missing") in content and _("Done") in content
        assert "Publik dator" in content  # the line

    def test_warnings_are_rendered_with_amounts(self, make_case, chef, hb, client_for):
        case = make_case(chef, hb, value="900000")
        response = client_for(chef).get(case.get_absolute_url())
        [warning] = response.context["warnings"]
        assert format_sek(Decimal("900000")) in warning
        assert str(Procedure.ADVERTISED.label) in response.content.decode()

    def test_aggregation_warning(self, make_case, chef, hb, client_for):
        make_case(chef, hb, value="400000")
        second = make_case(chef, hb, value="400000")
        response = client_for(chef).get(second.get_absolute_url())
        warnings = response.context["warnings"]
        assert any(format_sek(Decimal("100000")) in w for w in warnings)  # over by 100 000

    def test_without_a_rule_set(self, hb_case, chef, client_for):
        PurchasingRuleSet.objects.all().delete()
        response = client_for(chef).get(hb_case.get_absolute_url())
        assert response.status_code == 200
        assert response.context["assessment"] is None
        message = _(
            "No purchasing rule set is in force for this case, so the rules cannot say what "
            "it needs. Ask the administrator to enter the rule set."
        )
        assert message in response.content.decode()

    def test_moves_offered_per_role(self, hb_case, users, client_for):
        def moves(role):
            response = client_for(users[role]).get(hb_case.get_absolute_url())
            return [m["to_stage"] for m in response.context.get("moves", [])], response

        chef_moves, response = moves("chef")
        assert chef_moves == [Stage.ANALYSIS, Stage.ON_HOLD, Stage.CANCELLED]
        assert "override_reason" not in response.context["move_form"].fields
        it_moves, _r = moves("it")
        assert it_moves == [Stage.ON_HOLD, Stage.CANCELLED]
        strateg_moves, response = moves("strateg")
        assert strateg_moves == []
        assert "move_form" not in response.context
        _m, response = moves("admin")
        assert "override_reason" in response.context["move_form"].fields

    def test_missing_steps_are_shown_with_the_move(self, make_case, chef, hb, client_for):
        case = advance(make_case(chef, hb), chef, Stage.ANALYSIS)
        response = client_for(chef).get(case.get_absolute_url())
        [approval] = [m for m in response.context["moves"] if m["to_stage"] == Stage.APPROVAL]
        assert [item["text"] for item in approval["missing"]] == [_("Needs analysis")]

    def test_decision_form_only_for_approvers_at_approval(
        self, hb_case, chef, strateg, it_user, client_for
    ):
        case = advance(hb_case, chef, Stage.ANALYSIS, Stage.APPROVAL)
        response = client_for(strateg).get(case.get_absolute_url())
        form = response.context["decide_form"]
        assert [label for _v, label in form.fields["level"].choices] == [
            "Bibliotekschef",
            "Kultur- och fritidschef",
            "Kultur- och fritidsnämnden",
        ]
        for user in (chef, it_user):
            assert "decide_form" not in client_for(user).get(case.get_absolute_url()).context

    def test_timeline_marks_overrides(self, hb_case, admin_user_role, client_for):
        advance(hb_case, admin_user_role, Stage.ANALYSIS)
        case = ProcurementCase.objects.get()
        advance(
            case,
            admin_user_role,
            Stage.APPROVAL,
            Stage.SPECIFICATION,
            override_reason="Brådskande: gammal utrustning har gått sönder",
        )
        response = client_for(admin_user_role).get(hb_case.get_absolute_url())
        content = response.content.decode()
        assert "Brådskande: gammal utrustning har gått sönder" in content
        assert "timeline__override" in content

    def test_case_of_another_library_is_404(self, make_case, chef, admin_user_role, no, client_for):
        other = make_case(admin_user_role, no)
        assert client_for(chef).get(other.get_absolute_url()).status_code == 404
        assert client_for(chef).get("/procurement/cases/HB-2026-9999/").status_code == 404
        assert client_for(chef).get("/procurement/cases/not-a-case/").status_code == 404


def edit_data(case, **overrides):
    data = {
        "title": case.title,
        "need": case.need,
        "analysis": case.analysis,
        "category": case.category_id,
        "estimated_value": str(case.estimated_value),
        "funding": case.funding,
        "grant_name": "",
        "grant_spend_by": "",
        "expected_delivery": "",
        "version": case.version,
    }
    data.update(overrides)
    return data


class TestUpdate:
    def test_chef_edits_the_library_fields_only(self, hb_case, chef, client_for):
        client = client_for(chef)
        form = client.get(url("case_update", hb_case)).context["form"]
        assert "order_reference" not in form.fields
        assert "handler" not in form.fields
        response = client.post(
            url("case_update", hb_case),
            edit_data(hb_case, title="Nya datorer till hjälpcentret", order_reference="HACK"),
        )
        assert response.status_code == 302
        hb_case.refresh_from_db()
        assert hb_case.title == "Nya datorer till hjälpcentret"
        assert hb_case.order_reference == ""
        assert hb_case.version == 2

    def test_it_edits_the_procurement_fields(self, hb_case, it_user, client_for):
        data = edit_data(
            hb_case,
            handler=it_user.pk,
            advertisement_id="",
            award_notice_sent_on="2026-03-02",
            award_notice_electronic="on",
            order_reference="IO-2026-77",
            framework_agreement="",
        )
        response = client_for(it_user).post(url("case_update", hb_case), data)
        assert response.status_code == 302
        hb_case.refresh_from_db()
        assert (hb_case.order_reference, hb_case.handler) == ("IO-2026-77", it_user)
        assert str(hb_case.award_notice_sent_on) == "2026-03-02"

    def test_second_of_two_saves_is_refused_and_keeps_the_input(
        self, hb_case, chef, it_user, client_for
    ):
        first = client_for(it_user).post(
            url("case_update", hb_case),
            edit_data(
                hb_case,
                title="IT:s rubrik",
                handler="",
                framework_agreement="",
                award_notice_electronic="on",
            ),
        )
        assert first.status_code == 302
        second = client_for(chef).post(
            url("case_update", hb_case), edit_data(hb_case, title="Chefens rubrik")
        )
        assert second.status_code == 409
        content = second.content.decode()
        assert "Chefens rubrik" in content
        assert "IT:s rubrik" in content.replace("&#x27;", "'")  # what the other one changed
        hb_case.refresh_from_db()
        assert hb_case.title == "IT:s rubrik"
        # Saving again after reading the message is a deliberate choice, and works.
        assert second.context["form"]["version"].value() == hb_case.version
        third = client_for(chef).post(
            url("case_update", hb_case),
            edit_data(hb_case, title="Chefens rubrik", version=hb_case.version),
        )
        assert third.status_code == 302
        hb_case.refresh_from_db()
        assert hb_case.title == "Chefens rubrik"

    def test_refused_values_are_shown(self, hb_case, chef, client_for):
        response = client_for(chef).post(
            url("case_update", hb_case), edit_data(hb_case, funding="grant")
        )
        assert response.status_code == 400
        assert "grant_name" in response.context["form"].errors

    def test_closed_case_cannot_be_changed(self, hb_case, chef, client_for):
        case = advance(hb_case, chef, Stage.CANCELLED, comment="Behövs inte")
        response = client_for(chef).post(url("case_update", case), edit_data(case, title="X"))
        assert response.status_code == 400
        case.refresh_from_db()
        assert case.title != "X"


class TestMove:
    def test_chef_moves_the_case_on(self, hb_case, chef, client_for):
        response = client_for(chef).post(
            url("case_move", hb_case),
            {"move-to_stage": "analysis", "move-comment": "Vi börjar", "move-version": 1},
        )
        assert response.status_code == 302
        hb_case.refresh_from_db()
        assert hb_case.stage == Stage.ANALYSIS
        change = StageChange.objects.latest("id")
        assert (change.actor, change.from_stage, change.to_stage, change.comment) == (
            chef,
            Stage.NEED,
            Stage.ANALYSIS,
            "Vi börjar",
        )

    def test_refused_move_says_why_and_keeps_the_comment(self, make_case, chef, hb, client_for):
        case = advance(make_case(chef, hb), chef, Stage.ANALYSIS)
        response = client_for(chef).post(
            url("case_move", case),
            {
                "move-to_stage": "approval",
                "move-comment": "Klart för beslut",
                "move-version": case.version,
            },
        )
        assert response.status_code == 400
        content = response.content.decode()
        assert "Klart för beslut" in content
        assert _("Needs analysis") in content
        assert _("The rules require this first:") in content
        case.refresh_from_db()
        assert case.stage == Stage.ANALYSIS

    def test_pause_needs_a_reason(self, hb_case, chef, client_for):
        response = client_for(chef).post(
            url("case_move", hb_case),
            {"move-to_stage": "on_hold", "move-comment": "", "move-version": 1},
        )
        assert response.status_code == 400
        assert "comment" in response.context["move_form"].errors
        hb_case.refresh_from_db()
        assert hb_case.stage == Stage.NEED

    def test_a_move_outside_the_role_is_403(self, hb_case, strateg, it_user, client_for):
        for user in (strateg, it_user):
            response = client_for(user).post(
                url("case_move", hb_case),
                {"move-to_stage": "analysis", "move-version": 1},
            )
            assert response.status_code == 403
        hb_case.refresh_from_db()
        assert hb_case.stage == Stage.NEED

    def test_override_with_reason(self, make_case, chef, hb, admin_user_role, client_for):
        case = advance(make_case(chef, hb), chef, Stage.ANALYSIS)
        response = client_for(admin_user_role).post(
            url("case_move", case),
            {
                "move-to_stage": "approval",
                "move-override_reason": "Analysen finns på papper",
                "move-version": case.version,
            },
        )
        assert response.status_code == 302
        change = StageChange.objects.latest("id")
        assert change.to_stage == Stage.APPROVAL
        assert change.overridden
        assert "Analysen finns på papper" in change.comment

    def test_chef_cannot_override(self, make_case, chef, hb, client_for):
        case = advance(make_case(chef, hb), chef, Stage.ANALYSIS)
        response = client_for(chef).post(
            url("case_move", case),
            {
                "move-to_stage": "approval",
                "move-override_reason": "Jag vill",
                "move-version": case.version,
            },
        )
        # The override field is not on the chef's form: the reason is ignored.
        assert response.status_code == 400
        case.refresh_from_db()
        assert case.stage == Stage.ANALYSIS

    def test_stale_move_is_refused(self, hb_case, chef, client_for):
        advance(hb_case, chef, Stage.ANALYSIS)
        response = client_for(chef).post(
            url("case_move", hb_case),
            {"move-to_stage": "on_hold", "move-comment": "Paus", "move-version": 1},
        )
        assert response.status_code == 409
        assert "Paus" in response.content.decode()
        hb_case.refresh_from_db()
        assert hb_case.stage == Stage.ANALYSIS


class TestDecide:
    @pytest.fixture
    def at_approval(self, hb_case, chef):
        return advance(hb_case, chef, Stage.ANALYSIS, Stage.APPROVAL)

    def test_strategist_approves(self, at_approval, strateg, client_for):
        response = client_for(strateg).post(
            url("case_decide", at_approval),
            {"decide-decision": "approved", "decide-level": "0", "decide-comment": "Bra"},
        )
        assert response.status_code == 302
        at_approval.refresh_from_db()
        assert at_approval.stage == Stage.SPECIFICATION
        approval = at_approval.approvals.get()
        assert (approval.decided_by, approval.level_name) == (strateg, "Bibliotekschef")

    def test_rejection_needs_a_reason(self, at_approval, strateg, client_for):
        response = client_for(strateg).post(
            url("case_decide", at_approval),
            {"decide-decision": "rejected", "decide-level": "0", "decide-comment": ""},
        )
        assert response.status_code == 400
        assert "comment" in response.context["decide_form"].errors
        at_approval.refresh_from_db()
        assert at_approval.stage == Stage.APPROVAL

    def test_only_approvers(self, at_approval, chef, it_user, client_for):
        for user in (chef, it_user):
            response = client_for(user).post(
                url("case_decide", at_approval),
                {"decide-decision": "approved", "decide-level": "2"},
            )
            assert response.status_code == 403
        assert not at_approval.approvals.exists()

    def test_not_at_approval(self, hb_case, strateg, client_for):
        response = client_for(strateg).post(
            url("case_decide", hb_case), {"decide-decision": "approved", "decide-level": "0"}
        )
        assert response.status_code == 400
        assert not hb_case.approvals.exists()


class TestQuotes:
    def test_it_adds_a_quote(self, hb_case, it_user, suppliers, client_for):
        response = client_for(it_user).post(
            url("quote_create", hb_case),
            {
                "supplier": suppliers[1].pk,
                "amount": "18 990,50",
                "received_on": "2026-03-01",
                "valid_until": "2026-04-01",
                "notes": "Inkl. frakt",
            },
        )
        assert response.status_code == 302
        quote = Quote.objects.get()
        assert (quote.supplier, quote.amount, quote.created_by) == (
            suppliers[1],
            Decimal("18990.50"),
            it_user,
        )

    def test_refused_quote_keeps_input(self, hb_case, it_user, suppliers, client_for):
        response = client_for(it_user).post(
            url("quote_create", hb_case),
            {
                "supplier": suppliers[1].pk,
                "amount": "18 990",
                "received_on": "2026-03-01",
                "valid_until": "2026-02-01",
                "notes": "Fel datum",
            },
        )
        assert response.status_code == 400
        assert "valid_until" in response.context["form"].errors
        assert "Fel datum" in response.content.decode()
        assert not Quote.objects.exists()

    def test_chef_cannot_add_quotes(self, hb_case, chef, suppliers, client_for):
        response = client_for(chef).post(
            url("quote_create", hb_case),
            {"supplier": suppliers[1].pk, "amount": "1", "received_on": "2026-03-01"},
        )
        assert response.status_code == 403
        assert not Quote.objects.exists()

    def test_it_chooses_a_quote(self, hb_case, chef, strateg, it_user, suppliers, client_for):
        case = advance(approved(hb_case, chef, strateg), it_user, Stage.SOURCING)
        quotes = [
            services.quote_add(
                case=case,
                actor=it_user,
                supplier=s,
                amount=Decimal(amount),
                received_on=timezone.localdate(),
            )
            for s, amount in zip(suppliers, ("1000", "900", "1100"), strict=True)
        ]
        case = advance(case, it_user, Stage.AWARD)
        client = client_for(it_user)
        page = client.get(case.get_absolute_url())
        assert page.context["can_choose_quote"]
        assert url("quote_choose", case, pk=quotes[1].pk) in page.content.decode()
        response = client.post(url("quote_choose", case, pk=quotes[1].pk))
        assert response.status_code == 302
        assert [q.chosen for q in Quote.objects.order_by("id")] == [False, True, False]
        client.post(url("quote_choose", case, pk=quotes[0].pk))
        assert [q.chosen for q in Quote.objects.order_by("id")] == [True, False, False]

    def test_chef_cannot_choose(self, hb_case, it_user, chef, suppliers, client_for):
        quote = services.quote_add(
            case=hb_case,
            actor=it_user,
            supplier=suppliers[0],
            amount=Decimal("1"),
            received_on=timezone.localdate(),
        )
        response = client_for(chef).post(url("quote_choose", hb_case, pk=quote.pk))
        assert response.status_code == 403
        quote.refresh_from_db()
        assert not quote.chosen

    def test_quote_of_another_case_is_404(
        self, hb_case, make_case, chef, hb, it_user, suppliers, client_for
    ):
        other = make_case(chef, hb)
        quote = services.quote_add(
            case=other,
            actor=it_user,
            supplier=suppliers[0],
            amount=Decimal("1"),
            received_on=timezone.localdate(),
        )
        response = client_for(it_user).post(url("quote_choose", hb_case, pk=quote.pk))
        assert response.status_code == 404


class TestDocuments:
    def test_upload_and_download(self, hb_case, chef, strateg, client_for):
        response = client_for(chef).post(
            url("document_create", hb_case),
            {"kind": "needs_analysis", "file": pdf("behovsanalys hjälpcentret.pdf")},
        )
        assert response.status_code == 302
        document = CaseDocument.objects.get()
        assert (document.kind, document.uploaded_by) == ("needs_analysis", chef)
        page = client_for(strateg).get(hb_case.get_absolute_url()).content.decode()
        download = url("document_download", hb_case, pk=document.pk)
        assert download in page
        response = client_for(strateg).get(download)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert "behovsanalys" in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content) == b"%PDF-1.4\n%test\n"

    def test_wrong_type_is_refused(self, hb_case, chef, client_for):
        response = client_for(chef).post(
            url("document_create", hb_case),
            {
                "kind": "quote",
                "file": SimpleUploadedFile("sida.pdf", b"<html><script>", "application/pdf"),
            },
        )
        assert response.status_code == 400
        assert "file" in response.context["form"].errors
        assert not CaseDocument.objects.exists()

    def test_too_large_is_refused(self, hb_case, chef, client_for, settings):
        settings.INVENTERA_MAX_UPLOAD_BYTES = 5
        response = client_for(chef).post(
            url("document_create", hb_case), {"kind": "quote", "file": pdf()}
        )
        assert response.status_code == 400
        assert "file" in response.context["form"].errors
        assert not CaseDocument.objects.exists()

    def test_document_of_another_case_is_404(self, hb_case, make_case, chef, hb, client_for):
        other = make_case(chef, hb)
        document = services.document_add(case=other, actor=chef, kind="quote", upload=pdf())
        response = client_for(chef).get(url("document_download", hb_case, pk=document.pk))
        assert response.status_code == 404

    def test_missing_file_is_404_not_500(self, hb_case, chef, client_for):
        document = services.document_add(case=hb_case, actor=chef, kind="quote", upload=pdf())
        document.file.delete(save=False)
        response = client_for(chef).get(url("document_download", hb_case, pk=document.pk))
        assert response.status_code == 404


class TestComments:
    def test_add_a_comment(self, hb_case, strateg, client_for):
        response = client_for(strateg).post(
            url("comment_create", hb_case), {"comment-text": "Hör med IT om skannrarna."}
        )
        assert response.status_code == 302
        comment = Comment.objects.get()
        assert (comment.author, comment.text) == (strateg, "Hör med IT om skannrarna.")
        page = client_for(strateg).get(hb_case.get_absolute_url())
        assert "Hör med IT om skannrarna." in page.content.decode()

    def test_empty_comment_is_refused(self, hb_case, chef, client_for):
        response = client_for(chef).post(url("comment_create", hb_case), {"comment-text": "  "})
        assert response.status_code == 400
        assert "text" in response.context["comment_form"].errors
        assert not Comment.objects.exists()


def delivery_data(case, location, serials, tags="", delivered_on="2026-11-20", **given):
    """The form's fields; `given` the line's other fields by name (manufacturer=...)."""
    line = case.lines.get()
    return {
        "location": location.pk,
        "delivered_on": delivered_on,
        f"serials_{line.pk}": serials,
        f"tags_{line.pk}": tags,
        **{f"{name}_{line.pk}": value for name, value in given.items()},
    }


class TestDelivery:
    def test_it_registers_the_delivery(self, delivered_case, it_user, hb_floor2, client_for):
        client = client_for(it_user)
        page = client.get(url("case_delivery", delivered_case))
        assert page.status_code == 200
        assert page.context["at_delivered"]
        response = client.post(
            url("case_delivery", delivered_case),
            delivery_data(delivered_case, hb_floor2, "SN-0001\r\nSN-0002\r\n"),
        )
        assert response.status_code == 302
        assets = Asset.objects.filter(delivery__case=delivered_case).order_by("serial_number")
        assert [a.serial_number for a in assets] == ["SN-0001", "SN-0002"]
        assert {a.purchase_price for a in assets} == {Decimal("9995.50")}
        assert {str(a.purchase_date) for a in assets} == {"2026-11-20"}
        assert {a.location for a in assets} == {hb_floor2}
        page = client.get(delivered_case.get_absolute_url()).content.decode()
        for asset in assets:
            assert reverse("inventory:asset_detail", args=[asset.tag]) in page

    def test_typed_tags(self, delivered_case, it_user, hb_floor2, client_for):
        response = client_for(it_user).post(
            url("case_delivery", delivered_case),
            delivery_data(delivered_case, hb_floor2, "SN-1\nSN-2", tags="HB-PC-31\nHB-PC-32"),
        )
        assert response.status_code == 302
        assert set(Asset.objects.values_list("tag", flat=True)) == {"HB-PC-31", "HB-PC-32"}

    def test_errors_are_shown_per_line_and_nothing_is_written(
        self, delivered_case, it_user, hb_floor2, client_for
    ):
        response = client_for(it_user).post(
            url("case_delivery", delivered_case),
            delivery_data(delivered_case, hb_floor2, "SN-1\nSN-2\nSN-3"),
        )
        assert response.status_code == 400
        form = response.context["form"]
        line = delivered_case.lines.get()
        content = response.content.decode()
        assert "SN-1\nSN-2\nSN-3" in content  # what was pasted is kept
        assert 'id="error-summary"' in content
        assert not Asset.objects.exists()
        assert not DeliveredAsset.objects.exists()
        # The message sits at its line's field (and in the summary, linked to it).
        [message] = form.errors[f"serials_{line.pk}"]
        assert message.startswith("Rad 1 (Publik dator): 3 serienummer")
        assert f'href="#id_serials_{line.pk}"' in content

    def test_duplicate_tag_refuses_everything(
        self, delivered_case, it_user, hb_floor2, hb_asset, client_for
    ):
        response = client_for(it_user).post(
            url("case_delivery", delivered_case),
            delivery_data(delivered_case, hb_floor2, "SN-1\nSN-2", tags="HB-NY-1\nHB-PC-01"),
        )
        assert response.status_code == 400
        assert list(Asset.objects.values_list("tag", flat=True)) == ["HB-PC-01"]

    def test_not_before_delivered(self, hb_case, it_user, hb_floor2, client_for):
        client = client_for(it_user)
        page = client.get(url("case_delivery", hb_case))
        assert page.status_code == 200
        assert not page.context["at_delivered"]
        response = client.post(
            url("case_delivery", hb_case), delivery_data(hb_case, hb_floor2, "SN-1")
        )
        assert response.status_code == 400
        assert not Asset.objects.exists()

    def test_only_locations_of_the_case_library(
        self, delivered_case, it_user, no_public, client_for
    ):
        form = client_for(it_user).get(url("case_delivery", delivered_case)).context["form"]
        assert no_public not in form.fields["location"].queryset
        response = client_for(it_user).post(
            url("case_delivery", delivered_case),
            delivery_data(delivered_case, no_public, "SN-1"),
        )
        assert response.status_code == 400
        assert not Asset.objects.exists()

    def test_chef_and_strategist_cannot_register(
        self, delivered_case, chef, strateg, hb_floor2, client_for
    ):
        for user in (chef, strateg):
            response = client_for(user).post(
                url("case_delivery", delivered_case),
                delivery_data(delivered_case, hb_floor2, "SN-1"),
            )
            assert response.status_code == 403
        assert not Asset.objects.exists()

    def test_asset_page_shows_the_case_it_came_from(
        self, delivered_case, it_user, chef, hb_floor2, client_for
    ):
        [asset] = services.assets_register_delivery(
            case=delivered_case,
            actor=it_user,
            items=[services.DeliveryItem(line=delivered_case.lines.get(), serial_numbers=["SN-9"])],
            location=hb_floor2,
        )
        page = client_for(chef).get(asset.get_absolute_url())
        content = page.content.decode()
        assert delivered_case.get_absolute_url() in content
        assert delivered_case.reference in content
        assert _("Bought through case") in content

    def test_the_form_proposes_the_model_the_case_line_names(
        self, make_case, chef, strateg, it_user, hb, workstation, suppliers, client_for
    ):
        lenovo = ManufacturerFactory(name="Lenovo")
        ProductModelFactory(manufacturer=lenovo, name="ThinkCentre M70q")
        case = make_case(
            chef,
            hb,
            analysis="Åtta platser.",
            lines=[line(workstation, description="Lenovo ThinkCentre M70q med skärm")],
        )
        case = walk_to_delivered(
            case, chef=chef, strateg=strateg, it=it_user, supplier=suppliers[0]
        )
        case_line = case.lines.get()
        page = client_for(it_user).get(url("case_delivery", case))
        assert page.status_code == 200
        html = page.content.decode()
        for name, value in (("manufacturer", "Lenovo"), ("model", "ThinkCentre M70q")):
            field = f'name="{name}_{case_line.pk}"'
            tag = html[html.rindex("<input", 0, html.index(field)) :]
            assert tag[: tag.index(">")].count(f'value="{value}"') == 1, tag[:200]
        # Labelled inputs, with the registered names offered as suggestions.
        assert f'<label for="id_warranty_end_{case_line.pk}">' in html
        assert '<datalist id="manufacturer-names"><option value="Lenovo"></option>' in html

    def test_delivered_assets_carry_manufacturer_model_and_warranty(
        self, delivered_case, it_user, hb_floor2, client_for
    ):
        lenovo = ManufacturerFactory(name="Lenovo")
        m70q = ProductModelFactory(manufacturer=lenovo, name="ThinkCentre M70q")
        response = client_for(it_user).post(
            url("case_delivery", delivered_case),
            delivery_data(
                delivered_case,
                hb_floor2,
                "SN-1\nSN-2",
                manufacturer="Lenovo",
                model="ThinkCentre M70q",
                warranty_end="2029-11-20",
            ),
        )
        assert response.status_code == 302
        rows = Asset.objects.filter(delivery__case=delivered_case).values_list(
            "serial_number", "manufacturer", "model", "warranty_end"
        )
        assert sorted(rows) == [
            ("SN-1", lenovo.pk, m70q.pk, date(2029, 11, 20)),
            ("SN-2", lenovo.pk, m70q.pk, date(2029, 11, 20)),
        ]
        # The next delivery of the line proposes the same.
        form = client_for(it_user).get(url("case_delivery", delivered_case)).context["form"]
        pk = delivered_case.lines.get().pk
        assert (
            form[f"manufacturer_{pk}"].value(),
            form[f"model_{pk}"].value(),
            form[f"warranty_end_{pk}"].value(),
        ) == ("Lenovo", "ThinkCentre M70q", date(2029, 11, 20))

    def test_a_bad_warranty_date_is_refused_at_its_field(
        self, delivered_case, it_user, hb_floor2, client_for
    ):
        response = client_for(it_user).post(
            url("case_delivery", delivered_case),
            delivery_data(delivered_case, hb_floor2, "SN-1", warranty_end="2029-02-30"),
        )
        assert response.status_code == 400
        pk = delivered_case.lines.get().pk
        [message] = response.context["form"].errors[f"warranty_end_{pk}"]
        assert message == _(
            "Line %(n)d: enter the warranty end as a date, for example 2029-06-30."
        ) % {"n": 1}
        html = response.content.decode()
        assert f'href="#id_warranty_end_{pk}"' in html
        assert f'id="id_warranty_end_{pk}_error"' in html
        assert not Asset.objects.exists()
        assert not DeliveredAsset.objects.exists()

    def test_a_warranty_ending_before_the_delivery_is_refused_at_its_field(
        self, delivered_case, it_user, hb_floor2, client_for
    ):
        response = client_for(it_user).post(
            url("case_delivery", delivered_case),
            delivery_data(
                delivered_case,
                hb_floor2,
                "SN-1",
                delivered_on="2026-11-20",
                warranty_end="2026-11-19",
            ),
        )
        assert response.status_code == 400
        pk = delivered_case.lines.get().pk
        assert list(response.context["form"].errors) == [f"warranty_end_{pk}"]
        assert not Asset.objects.exists()

    def test_an_unknown_manufacturer_is_refused_unless_created_on_purpose(
        self, delivered_case, it_user, hb_floor2, client_for
    ):
        client = client_for(it_user)
        data = delivery_data(
            delivered_case, hb_floor2, "SN-1", manufacturer="Framework", model="Laptop 13"
        )
        response = client.post(url("case_delivery", delivered_case), data)
        assert response.status_code == 400
        pk = delivered_case.lines.get().pk
        [message] = response.context["form"].errors[f"manufacturer_{pk}"]
        assert "”Framework”" in message
        assert f'href="#id_manufacturer_{pk}"' in response.content.decode()
        assert not Manufacturer.objects.exists()
        assert not Asset.objects.exists()

        response = client.post(
            url("case_delivery", delivered_case), {**data, "create_missing": "on"}
        )
        assert response.status_code == 302
        asset = Asset.objects.select_related("manufacturer", "model").get()
        assert (asset.manufacturer.name, asset.model.name) == ("Framework", "Laptop 13")

    def test_asset_page_without_a_case(self, hb_asset, chef, client_for):
        content = client_for(chef).get(hb_asset.get_absolute_url()).content.decode()
        assert _("Bought through case") not in content


class TestNavigation:
    def test_procurement_in_the_main_menu(self, users, client_for):
        for user in users.values():
            content = client_for(user).get("/").content.decode()
            assert f'href="{url("case_list")}"' in content

    def test_not_for_a_user_without_the_permission(self, client_for):
        from tests.factories import UserFactory

        content = client_for(UserFactory(username="ingen")).get("/").content.decode()
        assert f'href="{url("case_list")}"' not in content


def test_category_filter_offers_every_category(make_case, chef, hb, client_for):
    CategoryFactory(code="scanner", name_sv="Skanner", name_en="Scanner")
    response = client_for(chef).get(url("case_list"))
    codes = [c.code for c in response.context["filter"].form.fields["category"].queryset]
    assert "scanner" in codes
