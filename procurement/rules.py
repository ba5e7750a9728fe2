"""The purchasing rules engine: which procedure a purchase needs and what it requires.

Pure Python on purpose (no Django, no database, no clock): the figures come in as
`Thresholds` built from the rule set in force, the facts of a case as `CaseFacts`, and dates
are passed in. The rule numbers in the docstrings are those of docs/purchasing-rules.md,
which sets out the Swedish Public Procurement Act (LOU, SFS 2016:1145) as applied here.

Messages are English msgids marked with `gettext_noop` so `makemessages` finds them; the
caller translates them when it renders a `RuleWarning` or a `ChecklistItem` label.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

from procurement.holidays import (
    is_swedish_non_working_day,
    next_working_day_from,
    swedish_holidays,
)

__all__ = [
    "PROCEDURES",
    "STAGES",
    "Assessment",
    "CaseFacts",
    "ChecklistItem",
    "DocumentationFacts",
    "Figure",
    "Reason",
    "RuleWarning",
    "Thresholds",
    "assess",
    "documentation_missing",
    "earliest_signing_day",
    "gettext_noop",
    "is_swedish_non_working_day",
    "reaches_direct_award_limit",
    "standstill_last_day",
    "swedish_holidays",
]

PROCEDURES = ("call_off", "direct_award", "advertised", "advertised_eu")
ADVERTISED = frozenset({"advertised", "advertised_eu"})
STAGES = (
    "need",
    "analysis",
    "approval",
    "specification",
    "sourcing",
    "award",
    "standstill",
    "ordered",
    "delivered",
    "installed",
    "closed",
)

STANDSTILL_DAYS_ELECTRONIC = 10  # LOU 20 kap. 1 §, notice sent electronically
STANDSTILL_DAYS_OTHERWISE = 15  # LOU 20 kap. 1 §, notice sent by other means


def gettext_noop(message: str) -> str:
    """Mark a string for translation without translating it (Django's makemessages finds it)."""
    return message


# How a figure of the rule set cites where it comes from; the caller translates.
_CITED_BOTH = gettext_noop("%(amount)s (in force from %(date)s, source: %(source)s)")
_CITED_DATE = gettext_noop("%(amount)s (in force from %(date)s)")
_CITED_SOURCE = gettext_noop("%(amount)s (source: %(source)s)")


@dataclass(frozen=True)
class Figure:
    """An amount of the rule set a case was measured against, with where it comes from:
    the date the rule set applies from and the figure's source (a section of LOU, the
    Commission's communication, the municipality's guidelines), as the administrator
    entered them. Either may be unknown."""

    amount: Decimal
    applies_from: date | None = None
    source: str = ""

    def render(
        self,
        translate: Callable[[str], str],
        money: Callable[[Decimal], str],
        day: Callable[[date], str],
    ) -> str:
        """`700 000 kr (in force from 2026-01-01, source: LOU 19 a kap. 2 §)`."""
        amount = money(self.amount)
        if self.applies_from is None and not self.source:
            return amount
        if self.applies_from is None:
            message = _CITED_SOURCE
        elif not self.source:
            message = _CITED_DATE
        else:
            message = _CITED_BOTH
        return translate(message) % {
            "amount": amount,
            "date": day(self.applies_from) if self.applies_from else "",
            "source": self.source,
        }


@dataclass(frozen=True)
class _Message:
    """A message with its figures kept apart, so each reader gets it in their language."""

    code: str
    message: str
    params: Mapping[str, object] = field(default_factory=dict)

    def render(
        self,
        translate: Callable[[str], str] = lambda s: s,
        money: Callable[[Decimal], str] = str,
        day: Callable[[date], str] = date.isoformat,
    ) -> str:
        """The message in the reader's language, amounts written with `money`, a figure
        of the rule set with its date and source (`Figure.render`)."""
        values = {key: _param(value, translate, money, day) for key, value in self.params.items()}
        return translate(self.message) % values


def _param(
    value: object,
    translate: Callable[[str], str],
    money: Callable[[Decimal], str],
    day: Callable[[date], str],
) -> object:
    if isinstance(value, Figure):
        return value.render(translate, money, day)
    if isinstance(value, Decimal):
        return money(value)
    if isinstance(value, date):
        return day(value)
    return value


class RuleWarning(_Message):
    """Something about a case a person must look at; the engine warns, people decide."""


class Reason(_Message):
    """Why the rules came to a conclusion: the case's value, and the threshold or tier it
    was compared with as a `Figure` (with the rule set's date and the figure's source)."""


@dataclass(frozen=True)
class Thresholds:
    """The figures of one purchasing rule set (the thresholds and rule 4), in SEK excl. VAT.

    `quote_tiers` and `approval_levels` are (from value, ...) pairs in ascending order of
    from-value; the tier or level that applies is the last one whose from-value is at most
    the estimated value. An approval level's index is its rank. Raises ValueError for a
    negative figure, a tier asking for fewer than one quote, or pairs out of order.

    Where the figures come from, for the reasons to cite: the date the rule set applies
    from, the source of each threshold, and the rule set's name, which stands for the
    municipality's guidelines (the tiers and levels). Empty when not known.
    """

    direct_award_limit: Decimal
    documentation_threshold: Decimal
    eu_threshold: Decimal | None
    quote_tiers: tuple[tuple[Decimal, int], ...]
    approval_levels: tuple[tuple[Decimal, str], ...] = ()
    applies_from: date | None = None
    direct_award_limit_source: str = ""
    documentation_threshold_source: str = ""
    eu_threshold_source: str = ""
    guidelines_source: str = ""

    def figure(self, amount: Decimal, source: str) -> Figure:
        """`amount` of this rule set, cited with its date and `source`."""
        return Figure(amount, self.applies_from, source)

    def __post_init__(self) -> None:
        _check_amount("direct_award_limit", self.direct_award_limit)
        _check_amount("documentation_threshold", self.documentation_threshold)
        if self.eu_threshold is not None:
            _check_amount("eu_threshold", self.eu_threshold)
        _check_ascending("quote_tiers", [start for start, _quotes in self.quote_tiers])
        for _start, quotes in self.quote_tiers:
            if isinstance(quotes, bool) or not isinstance(quotes, int) or quotes < 1:
                raise ValueError(f"quote_tiers: quotes must be a whole number >= 1, not {quotes!r}")
        _check_ascending("approval_levels", [start for start, _name in self.approval_levels])


@dataclass(frozen=True)
class CaseFacts:
    """What the rules need to know about one case (rules 1, 2 and 6)."""

    estimated_value: Decimal
    prior_direct_awards_same_kind: Decimal = Decimal(0)
    framework_available: bool = False


@dataclass(frozen=True)
class ChecklistItem:
    """Something the rules require, and the stage a case cannot enter until it is done."""

    code: str
    label: str
    before_stage: str
    count: int = 1


@dataclass(frozen=True)
class Assessment:
    """What the rules say about a case: procedure, duties, warnings and checklist."""

    procedure: str
    required_quotes: int
    documentation_required: bool
    standstill_applies: bool
    warnings: tuple[RuleWarning, ...]
    checklist: tuple[ChecklistItem, ...]
    approval_level: int
    approval_level_name: str
    aggregated_value: Decimal
    standstill_days: int
    reasons: tuple[Reason, ...] = ()


def _check_amount(name: str, value: object) -> Decimal:
    # Floats are refused: money is Decimal in this project and 0.1 + 0.2 is not 0.3.
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}")
    amount = Decimal(value)
    if not amount.is_finite():
        raise ValueError(f"{name} must be a finite amount, not {value}")
    if amount < 0:
        raise ValueError(f"{name} must not be negative, not {value}")
    return amount


def _check_ascending(name: str, starts: list[object]) -> None:
    amounts = [_check_amount(name, start) for start in starts]
    if any(later < earlier for earlier, later in pairwise(amounts)):
        raise ValueError(f"{name} must be in ascending order of their from-values")


def _last_from(pairs: tuple[tuple[Decimal, object], ...], value: Decimal) -> int | None:
    """Index of the last (from value, ...) pair whose from-value is at most `value`."""
    found = None
    for index, (start, _item) in enumerate(pairs):
        if start <= value:
            found = index
    return found


# Messages. Each is an English msgid; the keys in params are the placeholders.
_AGGREGATION_REACHES = gettext_noop(
    "This purchase (%(value)s) and this year's earlier direct awards in the same category "
    "(%(prior)s) add up to %(total)s, which reaches the direct-award limit of %(limit)s. "
    "Purchases of the same kind in the same fiscal year are counted together and splitting "
    "a need to stay under the limit is forbidden, so a direct award is not allowed if the "
    "earlier purchases are of the same kind. The app adds up per category; whether they are "
    "the same kind is a legal judgement (HFD 2017 ref. 74)."
)
_AGGREGATION_EXCEEDS = gettext_noop(
    "This purchase (%(value)s) and this year's earlier direct awards in the same category "
    "(%(prior)s) add up to %(total)s, which exceeds the direct-award limit of %(limit)s by "
    "%(excess)s. Purchases of the same kind in the same fiscal year are counted together and "
    "splitting a need to stay under the limit is forbidden, so a direct award is not allowed "
    "if the earlier purchases are of the same kind. The app adds up per category; whether "
    "they are the same kind is a legal judgement (HFD 2017 ref. 74)."
)
_EU_THRESHOLD_UNCONFIRMED = gettext_noop(
    "The EU threshold's figure in SEK is not confirmed, so it cannot be told whether EU rules "
    "apply to this purchase of %(value)s. Check the value against the threshold once an "
    "administrator has confirmed it in the purchasing rules."
)

_REASONS = {
    "framework": gettext_noop(
        "A framework agreement the municipality has joined, valid today, covers the "
        "category, so the purchase is a call-off from it (LOU 7 kap.)."
    ),
    "eu_threshold": gettext_noop(
        "The value %(value)s is at or above the EU threshold %(threshold)s, so the purchase "
        "needs an advertised procedure under the EU rules."
    ),
    "over_limit": gettext_noop(
        "The value %(value)s is at or above the direct-award limit %(limit)s, so the "
        "purchase must be advertised (LOU 19 a kap. 2 §)."
    ),
    "aggregated": gettext_noop(
        "The value %(value)s is below the direct-award limit %(limit)s, but with this "
        "year's earlier direct awards in the same category (%(prior)s) the total %(total)s "
        "reaches it, so the purchase must be advertised."
    ),
    "under_limit": gettext_noop(
        "The value %(value)s is below the direct-award limit %(limit)s, so the purchase may "
        "be a direct award (LOU 19 a kap. 2 §)."
    ),
    "documentation": gettext_noop(
        "The value is at or above %(threshold)s, so the reasons for the direct award must "
        "be documented (LOU 19 a kap. 11 §)."
    ),
    "no_documentation": gettext_noop(
        "The value is below %(threshold)s, so the law asks for no documentation of the "
        "direct award."
    ),
    "quotes": gettext_noop(
        "Written quotes the municipality's guidelines ask for from %(from)s: %(quotes)s."
    ),
    "approval": gettext_noop("Approval from %(from)s, by the delegation rules: %(level)s."),
}

_LABELS = {
    "needs_analysis": gettext_noop("Needs analysis"),
    "approval": gettext_noop("Approval by the budget holder"),
    "specification": gettext_noop("Requirements specification"),
    "quotes_call_off": gettext_noop("Call-off response from the framework supplier"),
    "quotes_direct_award": gettext_noop("Written quotes"),
    "quotes_advertised": gettext_noop("Tenders received"),
    "direct_award_documentation": gettext_noop("Direct-award documentation"),
    "award_decision": gettext_noop("Award decision sent to all tenderers"),
    "standstill": gettext_noop("Standstill period passed"),
    "contract_or_order": gettext_noop("Contract or order"),
}


def _checklist(
    procedure: str, required_quotes: int, documentation_required: bool
) -> tuple[ChecklistItem, ...]:
    """The usual steps, with the documents and waits the procedure adds."""
    advertised = procedure in ADVERTISED
    quotes_label = _LABELS[
        "quotes_advertised"
        if advertised
        else ("quotes_call_off" if procedure == "call_off" else "quotes_direct_award")
    ]
    items = [
        ChecklistItem("needs_analysis", _LABELS["needs_analysis"], "approval"),
        ChecklistItem("approval", _LABELS["approval"], "ordered"),
    ]
    if advertised:
        items.append(ChecklistItem("specification", _LABELS["specification"], "sourcing"))
    items.append(ChecklistItem("quotes", quotes_label, "award", count=required_quotes))
    if documentation_required:
        items.append(
            ChecklistItem(
                "direct_award_documentation", _LABELS["direct_award_documentation"], "ordered"
            )
        )
    if advertised:
        items.append(ChecklistItem("award_decision", _LABELS["award_decision"], "standstill"))
        items.append(ChecklistItem("standstill", _LABELS["standstill"], "ordered"))
    items.append(ChecklistItem("contract_or_order", _LABELS["contract_or_order"], "delivered"))
    return tuple(items)


def reaches_direct_award_limit(value: Decimal, thresholds: Thresholds) -> bool:
    """Whether `value` (one purchase, or the fiscal year's direct awards of the same kind
    added up) is too much for a direct award: a direct award is allowed only BELOW the
    limit (LOU 19 a kap. 2 §), so a value equal to it reaches it."""
    return _check_amount("value", value) >= thresholds.direct_award_limit


def assess(facts: CaseFacts, thresholds: Thresholds) -> Assessment:
    """Apply rules 2-7 to one case.

    A covering framework agreement makes it a call-off (rule 6). Otherwise: at or above a
    known EU threshold an EU procedure (rule 5); at or above the direct-award limit, alone
    or added to the same category's earlier direct awards this fiscal year, an advertised
    procedure (rules 2, 5); below it a direct award with the quotes of the municipality's
    tier and documentation from the documentation threshold (rules 3, 4). Raises
    ValueError for a negative or non-finite amount.
    """
    value = _check_amount("estimated_value", facts.estimated_value)
    prior = _check_amount("prior_direct_awards_same_kind", facts.prior_direct_awards_same_kind)
    total = value + prior
    limit = thresholds.direct_award_limit
    eu_threshold = thresholds.eu_threshold
    warnings: list[RuleWarning] = []

    if facts.framework_available:
        procedure = "call_off"
    elif eu_threshold is not None and value >= eu_threshold:
        procedure = "advertised_eu"
    elif reaches_direct_award_limit(value, thresholds):
        procedure = "advertised"
    elif reaches_direct_award_limit(total, thresholds):
        procedure = "advertised"
        excess = total - limit
        warnings.append(
            RuleWarning(
                code="aggregation_over_limit",
                message=_AGGREGATION_EXCEEDS if excess else _AGGREGATION_REACHES,
                params={
                    "value": value,
                    "prior": prior,
                    "total": total,
                    "limit": limit,
                    "excess": excess,
                },
            )
        )
    else:
        procedure = "direct_award"

    advertised = procedure in ADVERTISED
    if advertised and eu_threshold is None:
        warnings.append(
            RuleWarning(
                code="eu_threshold_unconfirmed",
                message=_EU_THRESHOLD_UNCONFIRMED,
                params={"value": value},
            )
        )

    if procedure == "direct_award":
        tier = _last_from(thresholds.quote_tiers, value)
        required_quotes = 1 if tier is None else thresholds.quote_tiers[tier][1]
        documentation_required = value >= thresholds.documentation_threshold
    else:
        # One call-off response, or at least one tender in an advertised procedure.
        required_quotes = 1
        documentation_required = False

    level = _last_from(thresholds.approval_levels, value)
    reasons = _reasons(
        facts, thresholds, procedure=procedure, value=value, prior=prior, total=total
    )
    if level is not None:
        start, name = thresholds.approval_levels[level]
        reasons.append(
            Reason(
                "approval",
                _REASONS["approval"],
                {"from": thresholds.figure(start, thresholds.guidelines_source), "level": name},
            )
        )
    return Assessment(
        procedure=procedure,
        required_quotes=required_quotes,
        documentation_required=documentation_required,
        standstill_applies=advertised,
        warnings=tuple(warnings),
        checklist=_checklist(procedure, required_quotes, documentation_required),
        approval_level=0 if level is None else level,
        approval_level_name="" if level is None else thresholds.approval_levels[level][1],
        aggregated_value=total,
        standstill_days=STANDSTILL_DAYS_ELECTRONIC if advertised else 0,
        reasons=tuple(reasons),
    )


def _reasons(
    facts: CaseFacts,
    thresholds: Thresholds,
    *,
    procedure: str,
    value: Decimal,
    prior: Decimal,
    total: Decimal,
) -> list[Reason]:
    """Why `assess` chose the procedure and the duties it did, in the order it decided.

    Each threshold or tier is given as a `Figure`, with the rule set's date and its source.
    """
    limit = thresholds.figure(thresholds.direct_award_limit, thresholds.direct_award_limit_source)
    if facts.framework_available:
        reasons = [Reason("framework", _REASONS["framework"])]
    elif procedure == "advertised_eu" and thresholds.eu_threshold is not None:
        eu_threshold = thresholds.figure(thresholds.eu_threshold, thresholds.eu_threshold_source)
        reasons = [
            Reason(
                "eu_threshold",
                _REASONS["eu_threshold"],
                {"value": value, "threshold": eu_threshold},
            )
        ]
    elif reaches_direct_award_limit(value, thresholds):
        reasons = [Reason("over_limit", _REASONS["over_limit"], {"value": value, "limit": limit})]
    elif procedure == "advertised":
        reasons = [
            Reason(
                "aggregated",
                _REASONS["aggregated"],
                {"value": value, "limit": limit, "prior": prior, "total": total},
            )
        ]
    else:
        reasons = [Reason("under_limit", _REASONS["under_limit"], {"value": value, "limit": limit})]
    if procedure == "direct_award":
        threshold = thresholds.documentation_threshold
        code = "documentation" if value >= threshold else "no_documentation"
        cited = thresholds.figure(threshold, thresholds.documentation_threshold_source)
        reasons.append(Reason(code, _REASONS[code], {"threshold": cited}))
        tier = _last_from(thresholds.quote_tiers, value)
        if tier is not None:
            start, quotes = thresholds.quote_tiers[tier]
            reasons.append(
                Reason(
                    "quotes",
                    _REASONS["quotes"],
                    {
                        "from": thresholds.figure(start, thresholds.guidelines_source),
                        "quotes": quotes,
                    },
                )
            )
    return reasons


def standstill_last_day(sent_on: date, *, electronic: bool = True) -> date:
    """Last day of the standstill after an award decision sent on `sent_on` (rule 7).

    LOU 20 kap. 1 §: the sending day is day 0 and the period runs 10 days (15 if the notice
    was not sent electronically). Lag (1930:173): a last day on a Saturday, Sunday, public
    holiday, midsummer eve, Christmas eve or New Year's eve moves to the next working day;
    holidays inside the period change nothing.
    """
    days = STANDSTILL_DAYS_ELECTRONIC if electronic else STANDSTILL_DAYS_OTHERWISE
    return next_working_day_from(sent_on + timedelta(days=days))


def earliest_signing_day(sent_on: date, *, electronic: bool = True) -> date:
    """The first day the contract may be signed: the day after the standstill's last day
    (rule 7, LOU 20 kap. 1 §)."""
    return standstill_last_day(sent_on, electronic=electronic) + timedelta(days=1)


@dataclass(frozen=True)
class DocumentationFacts:
    """What a case has recorded of the documentation a direct award at or above the
    documentation threshold needs (LOU 19 a kap. 11 §, with the minimum content named in
    the preparatory works of LOU, as Upphandlingsmyndigheten quotes them). The subject and
    the value are always known."""

    authority_known: bool  # the municipality's name and organisation number
    competition_method: str  # "" until recorded
    supplier_chosen: bool
    supplier_organisation_number: bool
    award_reason: bool
    period_known: bool  # the time of delivery or the contract period


DOCUMENTATION_FACTS = {
    "authority": gettext_noop("the municipality's name and organisation number"),
    "competition": gettext_noop("how competition was sought"),
    "supplier": gettext_noop("the chosen supplier"),
    "supplier_organisation_number": gettext_noop("the chosen supplier's organisation number"),
    "award_reason": gettext_noop("the main reason for the choice"),
    "period": gettext_noop("the time of delivery or the contract period"),
}


def documentation_missing(facts: DocumentationFacts) -> tuple[str, ...]:
    """The codes (keys of DOCUMENTATION_FACTS) of what the documentation still lacks."""
    missing = []
    if not facts.authority_known:
        missing.append("authority")
    if not facts.competition_method:
        missing.append("competition")
    if not facts.supplier_chosen:
        missing.append("supplier")
    elif not facts.supplier_organisation_number:
        missing.append("supplier_organisation_number")
    if not facts.award_reason:
        missing.append("award_reason")
    if not facts.period_known:
        missing.append("period")
    return tuple(missing)
