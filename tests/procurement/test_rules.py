"""The purchasing rules engine: procedures at every boundary, aggregation, checklist and
the standstill across Swedish holidays. Pure Python: no database needed."""

import ast
import dataclasses
import subprocess
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from procurement import rules
from procurement.holidays import easter_sunday
from procurement.rules import (
    PROCEDURES,
    STAGES,
    Assessment,
    CaseFacts,
    ChecklistItem,
    RuleWarning,
    Thresholds,
    assess,
    earliest_signing_day,
    is_swedish_non_working_day,
    standstill_last_day,
    swedish_holidays,
)

D = Decimal
ORE = D("0.01")
LIMIT = D("700000")
DOCUMENTATION = D("100000")
EU_2024 = D("2389585")  # EUR 221 000, confirmed for 2024-2025 (docs/purchasing-rules.md)

# The demo rule set (rule 4): below 100 000 one quote, from 100 000 three.
DEMO_TIERS = ((D(0), 1), (D("100000"), 3))
DEMO_LEVELS = (
    (D(0), "library_manager"),
    (D("100000"), "head_of_culture"),
    (D("700000"), "committee"),
)


def thresholds(eu=None, tiers=DEMO_TIERS, levels=DEMO_LEVELS):
    return Thresholds(
        direct_award_limit=LIMIT,
        documentation_threshold=DOCUMENTATION,
        eu_threshold=eu,
        quote_tiers=tiers,
        approval_levels=levels,
    )


def codes(assessment):
    return [warning.code for warning in assessment.warnings]


def checklist_codes(assessment):
    return [item.code for item in assessment.checklist]


# --- the interface ---------------------------------------------------------------------


def test_the_module_knows_no_django():
    tree = ast.parse(Path(rules.__file__).read_text(encoding="utf-8"))
    imported = {
        name.split(".")[0]
        for node in ast.walk(tree)
        for name in (
            [alias.name for alias in node.names]
            if isinstance(node, ast.Import)
            else [node.module or ""]
            if isinstance(node, ast.ImportFrom)
            else []
        )
    }
    assert imported <= set(sys.stdlib_module_names) | {"procurement"}
    # And importing it (with the holidays) pulls in no Django at all.
    script = (
        "import sys, procurement.rules; "
        "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=Path(rules.__file__).parent.parent, check=False
    )
    assert done.returncode == 0


def test_every_procedure_is_given_and_no_other():
    facts = [
        CaseFacts(D("5000"), framework_available=True),
        CaseFacts(D("5000")),
        CaseFacts(LIMIT),
        CaseFacts(EU_2024),
    ]
    given = [assess(f, thresholds(eu=EU_2024)).procedure for f in facts]
    assert given == ["call_off", "direct_award", "advertised", "advertised_eu"]
    assert set(given) == set(PROCEDURES)


def test_an_assessment_is_immutable():
    assessment = assess(CaseFacts(D("5000")), thresholds())
    assert isinstance(assessment, Assessment)
    with pytest.raises(AttributeError):
        assessment.procedure = "advertised"  # type: ignore[misc]


# --- the direct-award limit (rules 3 and 5) ---------------------------------------


@pytest.mark.parametrize(
    ("value", "reaches"),
    [(D(0), False), (LIMIT - ORE, False), (LIMIT, True), (LIMIT + ORE, True)],
)
def test_reaches_direct_award_limit_at_the_boundary(value, reaches):
    """A direct award is allowed only below the limit: the limit itself reaches it."""
    assert rules.reaches_direct_award_limit(value, thresholds()) is reaches


def test_reaches_direct_award_limit_refuses_a_negative_value():
    with pytest.raises(ValueError):
        rules.reaches_direct_award_limit(D("-0.01"), thresholds())


@pytest.mark.parametrize(
    ("value", "procedure"),
    [
        (LIMIT - ORE, "direct_award"),
        (LIMIT, "advertised"),
        (LIMIT + ORE, "advertised"),
    ],
)
def test_direct_award_limit(value, procedure):
    assessment = assess(CaseFacts(value), thresholds(eu=EU_2024))
    assert assessment.procedure == procedure
    assert assessment.aggregated_value == value
    assert assessment.warnings == ()


def test_just_under_the_limit_is_a_direct_award_with_three_quotes_and_documentation():
    assessment = assess(CaseFacts(LIMIT - ORE), thresholds(eu=EU_2024))
    assert assessment.required_quotes == 3
    assert assessment.documentation_required is True
    assert assessment.standstill_applies is False
    assert assessment.standstill_days == 0


def test_at_the_limit_an_advertised_procedure_with_standstill():
    assessment = assess(CaseFacts(LIMIT), thresholds(eu=EU_2024))
    assert assessment.required_quotes == 1
    assert assessment.documentation_required is False
    assert assessment.standstill_applies is True
    assert assessment.standstill_days == 10


# --- the documentation duty and the quote tiers (rules 3 and 4) -------------------


@pytest.mark.parametrize(
    ("value", "documentation", "quotes"),
    [
        (D(0), False, 1),
        (ORE, False, 1),
        (DOCUMENTATION - ORE, False, 1),
        (DOCUMENTATION, True, 3),
        (DOCUMENTATION + ORE, True, 3),
    ],
)
def test_documentation_threshold_and_quote_tiers(value, documentation, quotes):
    assessment = assess(CaseFacts(value), thresholds())
    assert assessment.procedure == "direct_award"
    assert assessment.documentation_required is documentation
    assert assessment.required_quotes == quotes
    assert ("direct_award_documentation" in checklist_codes(assessment)) is documentation


@pytest.mark.parametrize(
    ("value", "quotes"),
    [
        (D("9999.99"), 1),
        (D("10000"), 2),
        (D("10000.01"), 2),
        (D("49999.99"), 2),
        (D("50000"), 3),
        (D("50000.01"), 3),
    ],
)
def test_quote_tiers_are_the_municipalitys_data(value, quotes):
    tiers = ((D(0), 1), (D("10000"), 2), (D("50000"), 3))
    assert assess(CaseFacts(value), thresholds(tiers=tiers)).required_quotes == quotes


def test_of_two_tiers_from_the_same_value_the_last_applies():
    tiers = ((D(0), 1), (D("100000"), 2), (D("100000"), 3))
    assert assess(CaseFacts(D("100000")), thresholds(tiers=tiers)).required_quotes == 3


def test_without_tiers_or_below_the_first_tier_one_quote():
    assert assess(CaseFacts(D("50000")), thresholds(tiers=())).required_quotes == 1
    tiers = ((D("10000"), 3),)
    assert assess(CaseFacts(D("9999.99")), thresholds(tiers=tiers)).required_quotes == 1
    assert assess(CaseFacts(D("10000")), thresholds(tiers=tiers)).required_quotes == 3


# --- the EU threshold (thresholds, rule 5) --------------------------------------


@pytest.mark.parametrize(
    ("value", "procedure"),
    [
        (EU_2024 - ORE, "advertised"),
        (EU_2024, "advertised_eu"),
        (EU_2024 + ORE, "advertised_eu"),
    ],
)
def test_eu_threshold(value, procedure):
    assessment = assess(CaseFacts(value), thresholds(eu=EU_2024))
    assert assessment.procedure == procedure
    assert assessment.standstill_applies is True
    assert assessment.standstill_days == 10
    assert assessment.required_quotes == 1
    assert assessment.warnings == ()


@pytest.mark.parametrize("value", [LIMIT, EU_2024, D("50000000")])
def test_unconfirmed_eu_threshold_warns_on_advertised_procedures(value):
    assessment = assess(CaseFacts(value), thresholds(eu=None))
    assert assessment.procedure == "advertised"
    assert codes(assessment) == ["eu_threshold_unconfirmed"]
    warning = assessment.warnings[0]
    assert warning.params == {"value": value}
    assert "not confirmed" in warning.render()
    assert "EU rules" in warning.render()


def test_unconfirmed_eu_threshold_does_not_warn_on_direct_awards_or_call_offs():
    assert assess(CaseFacts(LIMIT - ORE), thresholds(eu=None)).warnings == ()
    framework = CaseFacts(D("5000000"), framework_available=True)
    assert assess(framework, thresholds(eu=None)).warnings == ()


# --- aggregation (rule 2) ---------------------------------------------------------


def test_aggregation_just_under_the_limit_allows_a_direct_award():
    facts = CaseFacts(D("300000"), prior_direct_awards_same_kind=D("399999.99"))
    assessment = assess(facts, thresholds(eu=EU_2024))
    assert assessment.procedure == "direct_award"
    assert assessment.aggregated_value == LIMIT - ORE
    assert assessment.warnings == ()
    # Quotes, documentation and approval follow the case's own value, not the sum.
    assert assessment.required_quotes == 3
    assert assessment.approval_level_name == "head_of_culture"


def test_aggregation_reaching_the_limit_means_advertised_with_a_warning():
    facts = CaseFacts(D("300000"), prior_direct_awards_same_kind=D("400000"))
    assessment = assess(facts, thresholds(eu=EU_2024))
    assert assessment.procedure == "advertised"
    assert assessment.aggregated_value == LIMIT
    assert codes(assessment) == ["aggregation_over_limit"]
    warning = assessment.warnings[0]
    assert warning.params == {
        "value": D("300000"),
        "prior": D("400000"),
        "total": LIMIT,
        "limit": LIMIT,
        "excess": D(0),
    }
    text = warning.render()
    assert "reaches the direct-award limit of 700000" in text
    assert "exceeds" not in text
    assert "HFD 2017 ref. 74" in text


def test_aggregation_over_the_limit_says_by_how_much():
    facts = CaseFacts(D("300000"), prior_direct_awards_same_kind=D("400000.01"))
    assessment = assess(facts, thresholds(eu=EU_2024))
    assert assessment.procedure == "advertised"
    assert assessment.aggregated_value == LIMIT + ORE
    warning = assessment.warnings[0]
    assert warning.code == "aggregation_over_limit"
    assert warning.params["prior"] == D("400000.01")
    assert warning.params["total"] == D("700000.01")
    assert warning.params["excess"] == ORE
    assert "exceeds the direct-award limit of 700000 by 0.01" in warning.render()
    assert "same fiscal year" in warning.render()


def test_aggregation_with_unconfirmed_eu_threshold_gives_both_warnings():
    facts = CaseFacts(D("200000"), prior_direct_awards_same_kind=D("650000"))
    assessment = assess(facts, thresholds(eu=None))
    assert assessment.procedure == "advertised"
    assert codes(assessment) == ["aggregation_over_limit", "eu_threshold_unconfirmed"]
    assert assessment.warnings[0].params["excess"] == D("150000")


def test_no_aggregation_warning_when_the_value_alone_reaches_the_limit():
    facts = CaseFacts(LIMIT, prior_direct_awards_same_kind=D("500000"))
    assessment = assess(facts, thresholds(eu=EU_2024))
    assert assessment.procedure == "advertised"
    assert assessment.aggregated_value == D("1200000")
    assert assessment.warnings == ()


def test_aggregation_does_not_lift_a_purchase_into_the_eu_procedure():
    facts = CaseFacts(D("600000"), prior_direct_awards_same_kind=D("2000000"))
    assert assess(facts, thresholds(eu=EU_2024)).procedure == "advertised"


# --- framework agreements (rule 6) ------------------------------------------------


@pytest.mark.parametrize("value", [D(0), DOCUMENTATION, LIMIT - ORE, LIMIT, EU_2024, EU_2024 * 10])
@pytest.mark.parametrize("eu", [None, EU_2024])
def test_a_framework_makes_a_call_off_at_any_value(value, eu):
    facts = CaseFacts(value, prior_direct_awards_same_kind=LIMIT, framework_available=True)
    assessment = assess(facts, thresholds(eu=eu))
    assert assessment.procedure == "call_off"
    assert assessment.required_quotes == 1
    assert assessment.documentation_required is False
    assert assessment.standstill_applies is False
    assert assessment.standstill_days == 0
    assert assessment.warnings == ()
    assert assessment.aggregated_value == value + LIMIT
    assert checklist_codes(assessment) == [
        "needs_analysis",
        "approval",
        "quotes",
        "contract_or_order",
    ]


# --- approval levels ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "rank", "name"),
    [
        (D(0), 0, "library_manager"),
        (D("99999.99"), 0, "library_manager"),
        (D("100000"), 1, "head_of_culture"),
        (D("100000.01"), 1, "head_of_culture"),
        (D("699999.99"), 1, "head_of_culture"),
        (D("700000"), 2, "committee"),
        (D("700000.01"), 2, "committee"),
    ],
)
def test_approval_levels(value, rank, name):
    assessment = assess(CaseFacts(value), thresholds(eu=EU_2024))
    assert assessment.approval_level == rank
    assert assessment.approval_level_name == name


def test_no_approval_levels():
    assessment = assess(CaseFacts(D("5000")), thresholds(levels=()))
    assert assessment.approval_level == 0
    assert assessment.approval_level_name == ""


def test_below_the_first_approval_level():
    levels = ((D("1000"), "budget_holder"), (D("50000"), "head_of_culture"))
    assessment = assess(CaseFacts(D("999.99")), thresholds(levels=levels))
    assert (assessment.approval_level, assessment.approval_level_name) == (0, "")
    assessment = assess(CaseFacts(D("50000")), thresholds(levels=levels))
    assert (assessment.approval_level, assessment.approval_level_name) == (1, "head_of_culture")


# --- the checklist -----------------------------------------------------------------------


def test_checklist_of_a_small_direct_award():
    assessment = assess(CaseFacts(D("25000")), thresholds())
    assert assessment.checklist == (
        ChecklistItem("needs_analysis", "Needs analysis", "approval"),
        ChecklistItem("approval", "Approval by the budget holder", "ordered"),
        ChecklistItem("quotes", "Written quotes", "award", count=1),
        ChecklistItem("contract_or_order", "Contract or order", "delivered"),
    )


def test_checklist_of_a_documented_direct_award():
    assessment = assess(CaseFacts(D("250000")), thresholds())
    assert checklist_codes(assessment) == [
        "needs_analysis",
        "approval",
        "quotes",
        "direct_award_documentation",
        "contract_or_order",
    ]
    quotes = assessment.checklist[2]
    assert quotes.count == 3
    assert assessment.checklist[3].before_stage == "ordered"


@pytest.mark.parametrize("value", [LIMIT, EU_2024])
def test_checklist_of_an_advertised_procedure(value):
    assessment = assess(CaseFacts(value), thresholds(eu=EU_2024))
    assert [(item.code, item.before_stage, item.count) for item in assessment.checklist] == [
        ("needs_analysis", "approval", 1),
        ("approval", "ordered", 1),
        ("specification", "sourcing", 1),
        ("quotes", "award", 1),
        ("award_decision", "standstill", 1),
        ("standstill", "ordered", 1),
        ("contract_or_order", "delivered", 1),
    ]
    assert assessment.checklist[3].label == "Tenders received"


def test_checklist_of_a_call_off_names_the_call_off_response():
    assessment = assess(CaseFacts(D("5000"), framework_available=True), thresholds())
    assert assessment.checklist[2].label == "Call-off response from the framework supplier"


@pytest.mark.parametrize(
    "facts",
    [
        CaseFacts(D("5000")),
        CaseFacts(D("150000")),
        CaseFacts(D("800000")),
        CaseFacts(D("3000000")),
        CaseFacts(D("5000"), framework_available=True),
    ],
)
def test_every_checklist_item_names_a_real_stage(facts):
    for item in assess(facts, thresholds(eu=EU_2024)).checklist:
        assert item.before_stage in STAGES
        assert item.label
        assert item.count >= 1


# --- invalid input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "facts",
    [
        CaseFacts(D("-0.01")),
        CaseFacts(D("-700000")),
        CaseFacts(D("100"), prior_direct_awards_same_kind=D("-0.01")),
        CaseFacts(D("NaN")),
        CaseFacts(D("Infinity")),
    ],
)
def test_negative_or_non_finite_values_raise(facts):
    with pytest.raises(ValueError, match=r"estimated_value|prior_direct_awards_same_kind"):
        assess(facts, thresholds())


def test_a_float_is_not_money():
    with pytest.raises(TypeError):
        assess(CaseFacts(1000.5), thresholds())  # type: ignore[arg-type]


def test_whole_kronor_as_int_are_accepted():
    assessment = assess(CaseFacts(700000), thresholds())  # type: ignore[arg-type]
    assert assessment.procedure == "advertised"
    assert assessment.aggregated_value == LIMIT


@pytest.mark.parametrize(
    "kwargs",
    [
        {"direct_award_limit": D(-1)},
        {"documentation_threshold": D(-1)},
        {"eu_threshold": D(-1)},
        {"quote_tiers": ((D("100000"), 3), (D(0), 1))},
        {"quote_tiers": ((D(-1), 1), (D(0), 3))},
        {"quote_tiers": ((D(0), 0),)},
        {"approval_levels": ((D("100000"), "b"), (D(0), "a"))},
    ],
)
def test_inconsistent_thresholds_raise(kwargs):
    figures = {
        "direct_award_limit": LIMIT,
        "documentation_threshold": DOCUMENTATION,
        "eu_threshold": None,
        "quote_tiers": DEMO_TIERS,
        "approval_levels": DEMO_LEVELS,
    } | kwargs
    with pytest.raises(ValueError):
        Thresholds(**figures)


# --- warnings rendered -------------------------------------------------------------------


def test_render_translates_and_formats_money():
    warning = RuleWarning(
        code="aggregation_over_limit",
        message="Total %(total)s over %(limit)s by %(excess)s (%(count)s cases)",
        params={"total": D("700000.01"), "limit": LIMIT, "excess": ORE, "count": 3},
    )
    swedish = {
        "Total %(total)s over %(limit)s by %(excess)s (%(count)s cases)": (
            "Summan %(total)s överstiger %(limit)s med %(excess)s (%(count)s ärenden)"
        )
    }

    def money(amount):
        return f"{amount:,.2f} kr".replace(",", " ").replace(".", ",")

    assert warning.render(swedish.get, money) == (
        "Summan 700 000,01 kr överstiger 700 000,00 kr med 0,01 kr (3 ärenden)"
    )
    assert warning.render() == "Total 700000.01 over 700000 by 0.01 (3 cases)"


def test_render_without_params():
    assert RuleWarning("x", "Nothing to fill in").render() == "Nothing to fill in"


def test_render_of_real_warnings_through_a_translation():
    facts = CaseFacts(D("300000"), prior_direct_awards_same_kind=D("450000"))
    warnings = assess(facts, thresholds(eu=None)).warnings
    seen = []

    def translate(message):
        seen.append(message)
        return message

    texts = [warning.render(translate, lambda amount: f"<{amount}>") for warning in warnings]
    assert seen == [warning.message for warning in warnings]
    assert "to <750000>," in texts[0]
    assert "by <50000>" in texts[0]
    assert "<300000>" in texts[1]


# --- Swedish holidays --------------------------------------------------------------------


def test_swedish_holidays_2026():
    assert swedish_holidays(2026) == {
        date(2026, 1, 1): "Nyårsdagen",
        date(2026, 1, 6): "Trettondedag jul",
        date(2026, 4, 3): "Långfredagen",
        date(2026, 4, 5): "Påskdagen",
        date(2026, 4, 6): "Annandag påsk",
        date(2026, 5, 1): "Första maj",
        date(2026, 5, 14): "Kristi himmelsfärdsdag",
        date(2026, 5, 24): "Pingstdagen",
        date(2026, 6, 6): "Sveriges nationaldag",
        date(2026, 6, 19): "Midsommarafton",
        date(2026, 6, 20): "Midsommardagen",
        date(2026, 10, 31): "Alla helgons dag",
        date(2026, 12, 24): "Julafton",
        date(2026, 12, 25): "Juldagen",
        date(2026, 12, 26): "Annandag jul",
        date(2026, 12, 31): "Nyårsafton",
    }
    assert list(swedish_holidays(2026)) == sorted(swedish_holidays(2026))


def test_swedish_holidays_2027_moving_days():
    holidays = {name: day for day, name in swedish_holidays(2027).items()}
    assert holidays["Långfredagen"] == date(2027, 3, 26)
    assert holidays["Påskdagen"] == date(2027, 3, 28)
    assert holidays["Annandag påsk"] == date(2027, 3, 29)
    assert holidays["Kristi himmelsfärdsdag"] == date(2027, 5, 6)
    assert holidays["Pingstdagen"] == date(2027, 5, 16)
    assert holidays["Midsommarafton"] == date(2027, 6, 25)
    assert holidays["Midsommardagen"] == date(2027, 6, 26)
    assert holidays["Alla helgons dag"] == date(2027, 11, 6)


def test_ascension_day_on_first_of_may_keeps_both_names():
    assert swedish_holidays(2008)[date(2008, 5, 1)] == "Första maj, Kristi himmelsfärdsdag"


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
        (2028, date(2028, 4, 16)),
        (2038, date(2038, 4, 25)),  # the latest possible date
        (2285, date(2285, 3, 22)),  # the earliest possible date
    ],
)
def test_easter_sunday(year, easter):
    assert easter_sunday(year) == easter


@pytest.mark.parametrize(
    ("day", "non_working"),
    [
        (date(2026, 4, 2), False),  # skärtorsdagen is a working day
        (date(2026, 4, 3), True),  # långfredagen
        (date(2026, 4, 4), True),  # påskafton, a Saturday
        (date(2026, 4, 6), True),  # annandag påsk
        (date(2026, 4, 7), False),
        (date(2026, 5, 15), False),  # the Friday after Ascension Day works
        (date(2026, 6, 19), True),  # midsommarafton (a Friday)
        (date(2026, 6, 22), False),
        (date(2026, 12, 23), False),
        (date(2026, 12, 24), True),  # julafton
        (date(2026, 12, 28), False),
        (date(2026, 12, 31), True),  # nyårsafton
        (date(2027, 1, 6), True),  # trettondedag jul
        (date(2026, 9, 12), True),  # a Saturday
        (date(2026, 9, 13), True),  # a Sunday
        (date(2026, 9, 14), False),  # a Monday
    ],
)
def test_non_working_days(day, non_working):
    assert is_swedish_non_working_day(day) is non_working


def test_a_datetime_is_refused():
    with pytest.raises(TypeError):
        is_swedish_non_working_day(datetime(2026, 12, 24, 9, 0))
    with pytest.raises(TypeError):
        standstill_last_day(datetime(2026, 12, 14, 9, 0))


# --- the standstill (rule 7) ------------------------------------------------------


@pytest.mark.parametrize(
    ("sent_on", "last_day", "signing_day"),
    [
        # An ordinary period: day 10 is a working day.
        (date(2026, 9, 7), date(2026, 9, 17), date(2026, 9, 18)),
        (date(2026, 9, 4), date(2026, 9, 14), date(2026, 9, 15)),
        # Day 10 on a Saturday or a Sunday: the next Monday.
        (date(2026, 9, 2), date(2026, 9, 14), date(2026, 9, 15)),
        (date(2026, 9, 3), date(2026, 9, 14), date(2026, 9, 15)),
        # Easter 2026 (Good Friday 3 April, Easter Monday 6 April).
        (date(2026, 3, 23), date(2026, 4, 2), date(2026, 4, 3)),  # Maundy Thursday works
        (date(2026, 3, 24), date(2026, 4, 7), date(2026, 4, 8)),  # day 10 on Good Friday
        (date(2026, 3, 26), date(2026, 4, 7), date(2026, 4, 8)),  # on Easter Sunday
        (date(2026, 3, 27), date(2026, 4, 7), date(2026, 4, 8)),  # on Easter Monday
        (date(2026, 3, 30), date(2026, 4, 9), date(2026, 4, 10)),  # Easter inside: no change
        # Easter 2027 (Good Friday 26 March, Easter Monday 29 March).
        (date(2027, 3, 16), date(2027, 3, 30), date(2027, 3, 31)),
        (date(2027, 3, 19), date(2027, 3, 30), date(2027, 3, 31)),
        # First of May 2026 is a Friday; Ascension Day 14 May 2026 a Thursday.
        (date(2026, 4, 21), date(2026, 5, 4), date(2026, 5, 5)),
        (date(2026, 5, 4), date(2026, 5, 15), date(2026, 5, 16)),
        # National day 2026 is a Saturday.
        (date(2026, 5, 27), date(2026, 6, 8), date(2026, 6, 9)),
        # Midsummer 2026: eve Friday 19 June, day Saturday 20 June.
        (date(2026, 6, 9), date(2026, 6, 22), date(2026, 6, 23)),  # day 10 on the eve
        (date(2026, 6, 10), date(2026, 6, 22), date(2026, 6, 23)),  # on midsummer day
        (date(2026, 6, 15), date(2026, 6, 25), date(2026, 6, 26)),  # midsummer inside
        # Midsummer 2027: eve Friday 25 June.
        (date(2027, 6, 15), date(2027, 6, 28), date(2027, 6, 29)),
        # Christmas 2026: eve Thursday, day Friday, boxing day Saturday, then Sunday.
        (date(2026, 12, 13), date(2026, 12, 23), date(2026, 12, 24)),
        (date(2026, 12, 14), date(2026, 12, 28), date(2026, 12, 29)),  # on Christmas eve
        (date(2026, 12, 15), date(2026, 12, 28), date(2026, 12, 29)),  # on Christmas day
        (date(2026, 12, 16), date(2026, 12, 28), date(2026, 12, 29)),  # on boxing day
        (date(2026, 12, 17), date(2026, 12, 28), date(2026, 12, 29)),  # on the Sunday
        (date(2026, 12, 18), date(2026, 12, 28), date(2026, 12, 29)),  # day 10 is a Monday
        # New Year 2026/2027: eve Thursday, New Year's day Friday, then a weekend.
        (date(2026, 12, 21), date(2027, 1, 4), date(2027, 1, 5)),  # on New Year's eve
        (date(2026, 12, 22), date(2027, 1, 4), date(2027, 1, 5)),  # on New Year's day
        (date(2026, 12, 24), date(2027, 1, 4), date(2027, 1, 5)),  # sent on Christmas eve
        (date(2026, 12, 27), date(2027, 1, 7), date(2027, 1, 8)),  # on Epiphany
        # Christmas and New Year 2027: eve Friday, day Saturday; New Year's eve a Friday.
        (date(2027, 12, 14), date(2027, 12, 27), date(2027, 12, 28)),
        (date(2027, 12, 21), date(2028, 1, 3), date(2028, 1, 4)),
    ],
)
def test_electronic_standstill(sent_on, last_day, signing_day):
    assert standstill_last_day(sent_on) == last_day
    assert standstill_last_day(sent_on, electronic=True) == last_day
    assert earliest_signing_day(sent_on) == signing_day


@pytest.mark.parametrize(
    ("sent_on", "last_day", "signing_day"),
    [
        (date(2026, 9, 7), date(2026, 9, 22), date(2026, 9, 23)),  # day 15, a Tuesday
        (date(2026, 9, 4), date(2026, 9, 21), date(2026, 9, 22)),  # day 15 a Saturday
        (date(2026, 3, 25), date(2026, 4, 9), date(2026, 4, 10)),  # Easter inside
        (date(2026, 3, 19), date(2026, 4, 7), date(2026, 4, 8)),  # day 15 on Good Friday
        (date(2026, 6, 4), date(2026, 6, 22), date(2026, 6, 23)),  # on midsummer eve
        (date(2026, 12, 9), date(2026, 12, 28), date(2026, 12, 29)),  # on Christmas eve
        (date(2026, 12, 16), date(2027, 1, 4), date(2027, 1, 5)),  # on New Year's eve
    ],
)
def test_standstill_of_a_notice_not_sent_electronically(sent_on, last_day, signing_day):
    assert standstill_last_day(sent_on, electronic=False) == last_day
    assert earliest_signing_day(sent_on, electronic=False) == signing_day


def test_the_signing_day_is_not_moved_itself():
    # The rule moves the last day, not the signing day: Maundy Thursday 2026 is the last
    # day, so signing may happen on Good Friday if anyone is at work.
    assert earliest_signing_day(date(2026, 3, 23)) == date(2026, 4, 3)
    assert is_swedish_non_working_day(earliest_signing_day(date(2026, 3, 23)))


# --- the reasons carry their figures and sources ------------------------------------


def test_a_reason_carries_the_threshold_with_its_date_and_source():
    cited = dataclasses.replace(
        thresholds(),
        applies_from=date(2026, 1, 1),
        direct_award_limit_source="LOU 19 a kap. 2 §",
        documentation_threshold_source="LOU 19 a kap. 11 §",
        guidelines_source="Kommunens riktlinjer 2026",
    )
    reasons = {r.code: r for r in assess(CaseFacts(D("180000")), cited).reasons}
    assert list(reasons) == ["under_limit", "documentation", "quotes", "approval"]
    assert reasons["under_limit"].params == {
        "value": D("180000"),
        "limit": rules.Figure(LIMIT, date(2026, 1, 1), "LOU 19 a kap. 2 §"),
    }
    assert reasons["documentation"].params["threshold"] == rules.Figure(
        DOCUMENTATION, date(2026, 1, 1), "LOU 19 a kap. 11 §"
    )
    assert reasons["quotes"].params["from"].source == "Kommunens riktlinjer 2026"
    assert reasons["under_limit"].render(money=lambda d: f"{d:,.0f} kr") == (
        "The value 180,000 kr is below the direct-award limit 700,000 kr (in force from "
        "2026-01-01, source: LOU 19 a kap. 2 §), so the purchase may be a direct award "
        "(LOU 19 a kap. 2 §)."
    )


def test_a_figure_without_date_or_source_is_only_the_amount():
    assert rules.Figure(LIMIT).render(lambda s: s, str, date.isoformat) == "700000"
    assert (
        rules.Figure(LIMIT, source="LOU").render(lambda s: s, str, date.isoformat)
        == "700000 (source: LOU)"
    )
