"""The case page says what to do next and why: the next step first, the rules' reasons
with their figures and sources, what is missing linked to where it is put right, and a
history in the reader's language.

Texts are compared with the catalogue's own translation (gettext under the Swedish the
tests run in), so the tests hold before and after the catalogue has the new texts.
"""

import html
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from inventory.formatting import format_sek
from procurement import services
from procurement.choices import Decision, Party, Stage
from procurement.models import ProcurementCase
from procurement.selectors import ChecklistRow, case_history, case_page, missing_item
from reports.layouts import case_sheet_document
from reports.selectors import case_sheet

pytestmark = pytest.mark.django_db

LIMIT_SOURCE = "LOU (SFS 2016:1145) 19 a kap. 2 §"
DOCUMENTATION_SOURCE = "LOU 19 a kap. 11 §"


@pytest.fixture
def cited_ruleset(ruleset):
    """The demo rule set with the sources an administrator enters."""
    ruleset.direct_award_limit_source = LIMIT_SOURCE
    ruleset.documentation_threshold_source = DOCUMENTATION_SOURCE
    ruleset.save()
    return ruleset


def page_html(client, case) -> str:
    response = client.get(case.get_absolute_url())
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def cited(amount: Decimal, source: str = "") -> str:
    """A figure of the 2026 rule set as the reasons cite it."""
    values = {"amount": format_sek(amount), "date": "2026-01-01", "source": source}
    if source:
        return _("%(amount)s (in force from %(date)s, source: %(source)s)") % values
    return _("%(amount)s (in force from %(date)s)") % values


def advance(case, actor, *stages, **kwargs):
    for stage in stages:
        case = services.case_transition(case=case, to_stage=stage, actor=actor, **kwargs)
    return case


def approved(case, chef, strateg, level=0):
    case = services.case_update(
        case=case, actor=chef, expected_version=case.version, data={"analysis": "Åtta platser."}
    )
    case = advance(case, chef, Stage.ANALYSIS, Stage.APPROVAL)
    return services.case_decide(
        case=case, actor=strateg, decision=Decision.APPROVED, level=level, comment="Ja"
    )


# --- 1. the next step at the top ---------------------------------------------------


def test_the_next_step_comes_before_the_rules_and_the_details(make_case, chef, hb, client_for):
    case = make_case(chef, hb)
    page = page_html(client_for(chef), case)
    order = [
        page.index('class="case-status"'),
        page.index('id="moves-heading"'),
        page.index('action="' + reverse("procurement:case_move", args=[case.url_reference])),
        page.index('id="assessment-heading"'),
        page.index('id="checklist-heading"'),
        page.index('id="facts-heading"'),
        page.index('id="timeline-heading"'),
    ]
    assert order == sorted(order)


def test_the_status_line_says_who_acts_next_since_today(make_case, chef, hb, client_for):
    case = make_case(chef, hb)
    page = page_html(client_for(chef), case)
    status = page[page.index('class="case-status"') : page.index('id="moves-heading"')]
    assert _("Waits on %(party)s, since today.") % {"party": Party.LIBRARY.label} in status
    assert timezone.localdate().isoformat() in status


@pytest.mark.parametrize("days", [1, 3])
def test_the_status_line_counts_the_days(make_case, chef, hb, client_for, days):
    case = make_case(chef, hb)
    ProcurementCase.objects.filter(pk=case.pk).update(
        stage_changed_at=timezone.now() - timedelta(days=days)
    )
    page = page_html(client_for(chef), case)
    expected = ngettext(
        "Waits on %(party)s, for %(days)s day.", "Waits on %(party)s, for %(days)s days.", days
    ) % {"party": Party.LIBRARY.label, "days": days}
    status = page[page.index('class="case-status"') : page.index('id="moves-heading"')]
    assert expected in status
    since = timezone.localdate(timezone.now() - timedelta(days=days)).isoformat()
    assert f'<time datetime="{since}">{since}</time>' in status


# --- 2. why: the reasons with their figures and sources ----------------------------


def reasons_of_180000() -> list[str]:
    return [
        _(
            "The value %(value)s is below the direct-award limit %(limit)s, so the purchase "
            "may be a direct award (LOU 19 a kap. 2 §)."
        )
        % {"value": format_sek(Decimal("180000")), "limit": cited(Decimal(700000), LIMIT_SOURCE)},
        _(
            "The value is at or above %(threshold)s, so the reasons for the direct award must "
            "be documented (LOU 19 a kap. 11 §)."
        )
        % {"threshold": cited(Decimal(100000), DOCUMENTATION_SOURCE)},
        _("Written quotes the municipality's guidelines ask for from %(from)s: %(quotes)s.")
        % {
            "from": cited(Decimal(100000), "LOU och kommunens riktlinjer 2026"),
            "quotes": 3,
        },
        _("Approval from %(from)s, by the delegation rules: %(level)s.")
        % {
            "from": cited(Decimal(100000), "LOU och kommunens riktlinjer 2026"),
            "level": "Kultur- och fritidschef",
        },
    ]


def test_the_page_says_why_with_the_figures_and_their_sources(
    cited_ruleset, make_case, chef, hb, client_for
):
    case = make_case(chef, hb, value="180000")
    page = page_html(client_for(chef), case)
    why = page[page.index('id="assessment-heading"') : page.index('id="checklist-heading"')]
    for reason in reasons_of_180000():
        assert f"<li>{reason}</li>" in why
    # The figures as a Swedish reader reads them, with the rule set's date.
    assert "700\xa0000,00\xa0kr" in why and "2026-01-01" in why and LIMIT_SOURCE in why


def test_the_status_sheet_says_the_same_as_the_page(cited_ruleset, make_case, chef, hb):
    case = make_case(chef, hb, value="180000")
    document = case_sheet_document(case_sheet(case))
    [rules_section] = [s for s in document.sections if s.key == "rules"]
    assert list(rules_section.paragraphs) == reasons_of_180000()
    assert list(case_page(case=case, user=chef).reasons) == reasons_of_180000()


# --- 3. what is missing links to where it is put right -----------------------------


def missing_links(page: str) -> list[str]:
    """The hrefs in the move options' "still missing" notes."""
    hrefs = []
    start = page.find('_missing">')
    while start != -1:
        end = page.index("</span>", start)
        note = page[start:end]
        hrefs += [part.split('"', 1)[0] for part in note.split('<a href="')[1:]]
        start = page.find('_missing">', end)
    return hrefs


def test_a_missing_field_links_to_the_edit_forms_field(make_case, chef, hb, client_for):
    case = advance(make_case(chef, hb), chef, Stage.ANALYSIS)
    page = page_html(client_for(chef), case)
    edit = reverse("procurement:case_update", args=[case.url_reference])
    assert missing_links(page) == [f"{edit}#id_analysis"]
    assert f'<a href="{edit}#id_analysis">{_("Needs analysis")}</a>' in page


def test_missing_quotes_link_to_the_quotes_section_and_a_refused_move_says_so(
    make_case, chef, strateg, it_user, hb, client_for
):
    case = advance(
        approved(make_case(chef, hb, value="180000"), chef, strateg, level=1), it_user, "sourcing"
    )
    client = client_for(it_user)
    page = page_html(client, case)
    assert missing_links(page) == ["#quotes"]
    assert 'id="quotes"' in page
    quotes = _("%(have)s of %(count)s") % {"have": 0, "count": 3}
    assert f'<a href="#quotes">{_("Written quotes")} ({quotes})</a>' in page

    response = client.post(
        reverse("procurement:case_move", args=[case.url_reference]),
        {"move-to_stage": Stage.AWARD, "move-version": case.version, "move-comment": ""},
    )
    assert response.status_code == 400
    refused = html.unescape(response.content.decode())
    fix = refused[refused.index('id="move-missing"') : refused.index('id="move-form"')]
    assert f'<li><a href="#quotes">{_("Written quotes")} ({quotes})</a></li>' in fix


def test_missing_documentation_links_each_part_to_its_field(
    make_case, chef, strateg, it_user, hb, client_for, suppliers
):
    case = advance(
        approved(make_case(chef, hb, value="180000"), chef, strateg, level=1), it_user, "sourcing"
    )
    for supplier, amount in zip(suppliers, ("171500", "175000", "179000"), strict=True):
        services.quote_add(
            case=case,
            actor=it_user,
            supplier=supplier,
            amount=Decimal(amount),
            received_on=timezone.localdate(),
        )
    case = advance(case, it_user, Stage.AWARD)
    page = page_html(client_for(it_user), case)
    edit = reverse("procurement:case_update", args=[case.url_reference])
    # Before "ordered": the documentation's parts, then a chosen quote.
    assert missing_links(page) == [
        f"{edit}#id_competition_method",
        "#quotes",
        f"{edit}#id_award_reason",
        f"{edit}#id_expected_delivery",
        "#quotes",
    ]
    assert (
        f'{_("Direct-award documentation")}: <a href="{edit}#id_competition_method">'
        f"{_('how competition was sought')}</a>"
    ) in page


def test_a_missing_document_links_to_the_upload(make_case, chef, strateg, it_user, hb, client_for):
    case = approved(make_case(chef, hb, value="800000"), chef, strateg, level=2)
    page = page_html(client_for(it_user), case)
    upload = reverse("procurement:document_create", args=[case.url_reference])
    assert f"{upload}?kind=specification" in missing_links(page)
    # and the upload form opens with that kind chosen
    form = client_for(it_user).get(f"{upload}?kind=specification").context["form"]
    assert form["kind"].value() == "specification"
    unknown = client_for(it_user).get(f"{upload}?kind=nonsense").context["form"]
    assert unknown["kind"].value() is None


def test_who_cannot_put_it_right_gets_no_link(make_case, chef, it_user, hb):
    """The library manager may not record how competition was sought: named, not linked;
    the quotes section is on the page for everyone."""
    case = make_case(chef, hb, value="180000")
    row = ChecklistRow(
        "direct_award_documentation",
        "Direct-award documentation",
        Stage.ORDERED,
        1,
        False,
        missing=("how competition was sought", "the chosen supplier"),
        missing_codes=("competition", "supplier"),
    )
    edit = reverse("procurement:case_update", args=[case.url_reference])
    assert [part["href"] for part in missing_item(row, case, chef)["parts"]] == ["", "#quotes"]
    assert [part["href"] for part in missing_item(row, case, it_user)["parts"]] == [
        f"{edit}#id_competition_method",
        "#quotes",
    ]


# --- 5. the history in the reader's language ----------------------------------------


def test_history_names_the_category_in_the_readers_language(make_case, chef, hb):
    case = make_case(chef, hb)  # recorded under Swedish: "Publik dator"
    with translation.override("en"):
        [(_entry, rows)] = case_history(case)
        category = _("category")
    assert {row.name: row.new for row in rows}["category"] == "Public workstation"
    assert category  # the label, too, is the reader's language's


def test_sent_electronically_is_told_once_with_the_day_and_not_before(make_case, chef, it_user, hb):
    case = make_case(chef, hb)
    case = services.case_update(
        case=case,
        actor=it_user,
        expected_version=case.version,
        data={"award_notice_electronic": False, "title": "Nya datorer"},
    )
    case = services.case_update(
        case=case,
        actor=it_user,
        expected_version=case.version,
        data={"award_notice_sent_on": date(2026, 3, 2)},
    )
    sent, unticked, created = case_history(case)
    names = [[row.name for row in rows] for _entry, rows in (sent, unticked, created)]
    # Nothing known of how it was sent until it was: no "Yes", no "No".
    assert "award_notice_electronic" not in names[1] + names[2]
    assert names[0] == ["award_notice_sent_on"]
    [row] = sent[1]
    assert (row.old, row.new) == ("–", _("%(date)s, not electronically") % {"date": "2026-03-02"})


def test_page_history_shows_no_sent_electronically_before_it_is_known(
    make_case, chef, hb, client_for
):
    case = make_case(chef, hb)
    page = page_html(client_for(chef), case)
    history = page[page.index('id="history-heading"') :]
    label = str(ProcurementCase._meta.get_field("award_notice_electronic").verbose_name)
    assert label[:1].upper() + label[1:] not in history
    assert "Publik dator" in history
