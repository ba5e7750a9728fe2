"""A case on paper: the status sheet, the documentation of a direct award, and the facts
the documentation needs, which the checklist requires before the order (LOU 19 a kap.
11 §: at or above the documentation threshold)."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from pypdf import PdfReader

from procurement import services
from procurement.choices import CompetitionMethod, Decision, Stage
from procurement.models import Supplier
from procurement.validators import validate_organisation_number
from reports.layouts import case_sheet_document, direct_award_document_layout
from reports.render import render
from reports.selectors import case_sheet, direct_award_document

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return " ".join(text.replace("\xa0", " ").split()), len(reader.pages)


@pytest.fixture
def quoted(make_case, chef, strateg, it_user, hb):
    """A direct award of 180 000 kr with three quotes, the cheapest chosen, at award."""

    def make(value="180000", org_number="556036-0793"):
        case = make_case(chef, hb, value=value, analysis="Åtta platser.")
        for stage in (Stage.ANALYSIS, Stage.APPROVAL):
            case = services.case_transition(case=case, to_stage=stage, actor=chef)
        case = services.case_decide(
            case=case, actor=strateg, decision=Decision.APPROVED, level=1, comment="Ja."
        )
        case = services.case_transition(case=case, to_stage=Stage.SOURCING, actor=it_user)
        suppliers = [
            Supplier.objects.create(name="Alfa Data AB", organisation_number=org_number),
            Supplier.objects.create(name="Beta IT AB", organisation_number="556000-1116"),
            Supplier.objects.create(name="Gamma AB", organisation_number="556000-2221"),
        ]
        quotes = [
            services.quote_add(
                case=case,
                actor=it_user,
                supplier=supplier,
                amount=Decimal(amount),
                received_on=date(2026, 3, 1),
            )
            for supplier, amount in zip(suppliers, ("171500.50", "179000", "182000"), strict=True)
        ]
        case = services.case_transition(case=case, to_stage=Stage.AWARD, actor=it_user)
        services.quote_choose(case=case, quote=quotes[0], actor=it_user)
        case.refresh_from_db()
        return case, suppliers

    return make


def record_facts(case, it_user, suppliers, **data):
    facts = {
        "competition_method": CompetitionMethod.ASKED,
        "suppliers_asked": suppliers,
        "award_reason": "Lägsta pris bland tre offerter.",
        "expected_delivery": date(2026, 5, 4),
        **data,
    }
    return services.case_update(case=case, actor=it_user, expected_version=case.version, data=facts)


def test_the_order_waits_for_the_documentation_facts(quoted, it_user):
    case, suppliers = quoted()
    with pytest.raises(services.MoveRefused) as refused:
        services.case_transition(case=case, to_stage=Stage.ORDERED, actor=it_user)
    message = " ".join(refused.value.messages)
    assert "Dokumentation av direktupphandlingen: saknar" in message
    for missing in (
        "hur konkurrens har eftersökts",
        "främsta skälet till valet",
        "leveranstid eller avtalsperiod",
    ):
        assert missing in message
    case = record_facts(case, it_user, suppliers)
    moved = services.case_transition(case=case, to_stage=Stage.ORDERED, actor=it_user)
    assert moved.stage == Stage.ORDERED


def test_a_contract_period_is_as_good_as_a_delivery_time(quoted, it_user):
    case, suppliers = quoted()
    case = record_facts(
        case,
        it_user,
        suppliers,
        expected_delivery=None,
        contract_start=date(2026, 4, 1),
        contract_end=date(2030, 3, 31),
    )
    assert services.case_transition(case=case, to_stage=Stage.ORDERED, actor=it_user)


def test_a_contract_period_ending_before_it_starts_is_refused(quoted, it_user):
    case, suppliers = quoted()
    with pytest.raises(ValidationError) as refused:
        record_facts(
            case,
            it_user,
            suppliers,
            contract_start=date(2026, 4, 1),
            contract_end=date(2026, 3, 31),
        )
    assert "contract_end" in refused.value.error_dict


def test_the_chosen_suppliers_organisation_number_is_required(quoted, it_user):
    case, suppliers = quoted(org_number="")
    case = record_facts(case, it_user, suppliers)
    with pytest.raises(services.MoveRefused) as refused:
        services.case_transition(case=case, to_stage=Stage.ORDERED, actor=it_user)
    assert "vald leverantörs organisationsnummer" in " ".join(refused.value.messages)


def test_the_municipality_must_be_named(quoted, it_user, settings):
    settings.INVENTERA_MUNICIPALITY_ORG_NUMBER = ""
    case, suppliers = quoted()
    case = record_facts(case, it_user, suppliers)
    with pytest.raises(services.MoveRefused) as refused:
        services.case_transition(case=case, to_stage=Stage.ORDERED, actor=it_user)
    assert "kommunens namn och organisationsnummer" in " ".join(refused.value.messages)


@pytest.mark.parametrize(("value", "required"), [("99999.99", False), ("100000", True)])
def test_documentation_is_required_from_the_threshold(quoted, it_user, value, required):
    case, _suppliers = quoted(value=value)
    # 99 999,99 needs one quote, 100 000 three: both have three here.
    if required:
        with pytest.raises(services.MoveRefused):
            services.case_transition(case=case, to_stage=Stage.ORDERED, actor=it_user)
    else:
        moved = services.case_transition(case=case, to_stage=Stage.ORDERED, actor=it_user)
        assert moved.stage == Stage.ORDERED


def test_the_direct_award_documentation_pdf(quoted, it_user, strateg):
    case, suppliers = quoted()
    other = Supplier.objects.create(name="Delta Data AB", organisation_number="556000-3336")
    case = record_facts(case, it_user, [*suppliers, other])
    data = direct_award_document(case, author="Sara Nilsson")
    assert data.missing == ()
    assert data.answers == 3 and len(data.suppliers) == 4
    assert [s.answered for s in data.suppliers] == [True, True, False, True]  # by name
    assert data.contract_value == Decimal("171500.50")
    text, pages = pdf_text(render(direct_award_document_layout(data), "pdf"))
    assert pages == 1
    for expected in (
        "Dokumentation av direktupphandling",
        "Upphandlande myndighet",
        "Exempelkommunen",
        "212000-0001",
        "Nya publika datorer",
        "Förfrågan direkt till leverantörer",
        "Tillfrågade leverantörer 4",
        "Leverantörer som svarade 3",
        "Delta Data AB 556000-3336 Nej",
        "Vald leverantör Alfa Data AB",
        "556036-0793",
        "Lägsta pris bland tre offerter.",
        "Kontraktsvärde (exkl. moms) 171 500,50 kr",
        "Uppskattat värde (exkl. moms) 180 000,00 kr",
        "Leveranstid 2026-05-04",
        "19 a kap. 11 §",
        "Beslutat av Test Strateg (Kultur- och fritidschef)",
    ):
        assert expected in text, expected
    assert "Inte komplett" not in text


def test_incomplete_documentation_says_what_is_missing(quoted):
    case, _suppliers = quoted()
    text, _pages = pdf_text(
        render(direct_award_document_layout(direct_award_document(case)), "pdf")
    )
    assert "Inte komplett" in text
    assert "hur konkurrens har eftersökts" in text
    assert "främsta skälet till valet" in text


def test_the_case_status_sheet(quoted, it_user):
    case, suppliers = quoted()
    case = record_facts(case, it_user, suppliers)
    sheet = case_sheet(case, as_of=date(2026, 11, 27), author="Karin Berg")
    assert sheet.is_open and sheet.waits_on == "it"
    assert [row.to_stage for row in sheet.timeline] == [
        Stage.NEED,
        Stage.ANALYSIS,
        Stage.APPROVAL,
        Stage.SPECIFICATION,
        Stage.SOURCING,
        Stage.AWARD,
    ]
    text, pages = pdf_text(render(case_sheet_document(sheet), "pdf"))
    assert pages <= 2
    for expected in (
        f"Statusblad för ärende {case.reference}",
        "Nya publika datorer",
        "Datorerna vid informationsdisken är för gamla.",
        "Behovsanalys: Åtta platser.",
        "Förfarande och varför",
        # Each figure with the date its rule set applies from, and its source if known.
        "Värdet 180 000,00 kr är under direktupphandlingsgränsen "
        + cited("700 000,00 kr", "2026-01-01"),
        "Värdet når "
        + cited("100 000,00 kr", "2026-01-01")
        + ", så skälen för direktupphandlingen ska dokumenteras",
        "Skriftliga offerter som kommunens riktlinjer kräver från "
        + cited("100 000,00 kr", "2026-01-01", "LOU och kommunens riktlinjer 2026")
        + ": 3.",
        "Direktupphandlingsgräns 700 000 kr",
        "Checklista",
        "Skriftliga offerter (3/3)",
        "Alfa Data AB 171 500,50 kr",
        "Beviljad Kultur- och fritidschef",
        "Sida 1 av",
    ):
        assert expected in text, expected


def cited(amount: str, day: str, source: str = "") -> str:
    """A figure of the rule set as the reasons cite it (procurement.rules.Figure)."""
    if source:
        return gettext("%(amount)s (in force from %(date)s, source: %(source)s)") % {
            "amount": amount,
            "date": day,
            "source": source,
        }
    return gettext("%(amount)s (in force from %(date)s)") % {"amount": amount, "date": day}


@pytest.mark.parametrize("number", ["556036-0793", "5560360793", "212000-0001"])
def test_valid_organisation_numbers(number):
    validate_organisation_number(number)


@pytest.mark.parametrize(
    ("number", "code"),
    [("556036-0794", "check_digit"), ("55603-0793", "format"), ("organisation", "format")],
)
def test_invalid_organisation_numbers(number, code):
    with pytest.raises(ValidationError) as refused:
        validate_organisation_number(number)
    assert refused.value.code == code
