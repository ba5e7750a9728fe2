"""The strategist report's figures: the pipeline, lead times, money and what comes next.

Every figure is read with a constant number of grouped queries, however many cases,
stage changes and assets there are; lead times are computed in Python from one ordered
read of the timeline. How each figure is made is written in docs/reports.md, and the
report itself states it.
"""

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any, TypeVar

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    IntegerField,
    Min,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, ExtractYear, RowNumber
from django.utils import timezone

from inventory.choices import ACTIVE_STATUSES, AssetStatus, Usage
from inventory.dates import add_months
from inventory.models import Category, Feature, ProductModel
from inventory.trials import trial_summaries
from procurement import rules
from procurement.choices import (
    DELIVERED_OR_ENDED,
    OPEN_STAGES,
    STAGE_ORDER,
    Funding,
    Stage,
)
from procurement.models import DeliveredAsset, ProcurementCase, Quote, StageChange
from procurement.selectors import (
    STALE_DAYS,
    case_waits_on,
    cases_without_movement,
    direct_awards,
    ruleset_in_force,
)

from ..models import Budget
from .scope import ReportScope, cached_report

FORECAST_YEARS = 3
# The replacement forecast prices a model by its latest purchase; failing that, the
# category's median purchase price over this many years before the as-of day.
PRICE_HISTORY_YEARS = 2
# The category of a public computer place, for the digital-access figures.
PUBLIC_WORKSTATION = "workstation"
# Stages a case has a duration in: the main line up to, not including, the last; and
# the pause, which is counted apart so that it never lengthens the stage it interrupted.
TIMED_STAGES: tuple[str, ...] = (*STAGE_ORDER[:-1], Stage.ON_HOLD)
SECONDS_PER_DAY = 86400


def percentile(values: list[float], fraction: float) -> float | None:
    """The `fraction` percentile by linear interpolation between the closest ranks (the
    method spreadsheets call PERCENTILE.INC): 0.5 is the median, 0.9 the 90th."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class Durations:
    """Days a step took over the period: how many cases, median, 90th percentile."""

    count: int
    median: float | None
    p90: float | None

    @classmethod
    def of(cls, days: list[float]) -> "Durations":
        return cls(len(days), percentile(days, 0.5), percentile(days, 0.9))


@dataclass(frozen=True)
class StageRow:
    stage: str
    open_count: int
    pipeline_value: Decimal  # estimated value of the open cases in the stage
    durations: Durations  # of the stays in this stage that ended in the period


@dataclass(frozen=True)
class CaseRow:
    reference: str
    url: str
    title: str
    library: str
    stage: str
    waits_on: str
    days_in_stage: int
    age_days: int
    value: Decimal


@dataclass(frozen=True)
class SpendRow:
    year: int
    library: str  # code
    library_name: str
    category: str  # "" for the library's whole year
    budget: Decimal | None
    committed: Decimal
    delivered: Decimal

    @property
    def left(self) -> Decimal | None:
        return None if self.budget is None else self.budget - self.committed

    @property
    def used(self) -> Decimal | None:
        if not self.budget:
            return None
        return self.committed / self.budget


@dataclass(frozen=True)
class DirectAwardRow:
    year: int
    category: str
    count: int
    total: Decimal  # the municipality's direct awards of the category in the year
    limit: Decimal | None  # the direct-award limit in force (None: no rule set)
    reaches_limit: bool  # no further direct award of the category is allowed this year
    library_part: Decimal | None  # the chosen library's share, when one is chosen

    @property
    def left(self) -> Decimal | None:
        return None if self.limit is None else self.limit - self.total


@dataclass(frozen=True)
class GrantRow:
    reference: str
    url: str
    title: str
    library: str
    grant: str
    spend_by: date | None
    days_left: int | None
    stage: str
    value: Decimal
    state: str  # "spent", "open" or "lapsed"


@dataclass(frozen=True)
class ForecastRow:
    year: int
    category: str
    count: int
    cost: Decimal
    by_model: int  # priced by the latest purchase of the same model
    by_category: int  # priced by the category's median of the last two years
    unpriced: int
    overdue: int  # already past their date at the as-of day (counted in the first year)


@dataclass(frozen=True)
class AccessRow:
    library: str
    name: str
    public_in_use: int
    workstations: int
    features: tuple[int, ...]  # public workstations in use with each of `feature_names`


@dataclass(frozen=True)
class TrialRow:
    """Equipment tried with patrons (on trial, or with sessions logged): its log in short."""

    tag: str
    name: str
    library: str
    return_by: date | None
    sessions: int
    average_rating: Decimal | None
    comments: tuple[str, ...]  # the latest, "date group (rating): text"


@dataclass(frozen=True)
class StrategistReport:
    scope: ReportScope
    open_cases: tuple[CaseRow, ...]
    open_total: int
    stages: tuple[StageRow, ...]
    lead_time: Durations  # from need to installed, pauses included
    stalled: tuple[CaseRow, ...]
    stalled_total: int
    spend: tuple[SpendRow, ...]
    years: tuple[int, ...]
    direct_awards: tuple[DirectAwardRow, ...]
    grants: tuple[GrantRow, ...]
    forecast: tuple[ForecastRow, ...]
    forecast_years: tuple[int, ...]
    access: tuple[AccessRow, ...]
    feature_names: tuple[str, ...]
    stale_days: int = STALE_DAYS
    trials: tuple[TrialRow, ...] = ()

    @property
    def pipeline_value(self) -> Decimal:
        return sum((row.pipeline_value for row in self.stages), Decimal(0))


def _end_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


_CASE_ROW_FIELDS = (
    "reference",
    "library__code",
    "year",
    "number",
    "title",
    "stage",
    "procedure",
    "stage_changed_at",
    "created_at",
    "estimated_value",
)


_M = TypeVar("_M", bound=Model)


def _first(queryset: QuerySet[_M], limit: int | None) -> QuerySet[_M]:
    return queryset if limit is None else queryset[:limit]


def _case_row(case: ProcurementCase, today: date) -> CaseRow:
    return CaseRow(
        reference=case.reference,
        url=case.get_absolute_url(),
        title=case.title,
        library=case.library.code,
        stage=case.stage,
        waits_on=case_waits_on(case),
        days_in_stage=max(0, (today - timezone.localdate(case.stage_changed_at)).days),
        age_days=max(0, (today - timezone.localdate(case.created_at)).days),
        value=case.estimated_value,
    )


def _days_between(start: datetime, end: datetime) -> float:
    """Days from `start` to `end` as people count them on the wall clock in Stockholm, so
    that a change to or from summer time does not make a day 23 or 25 hours long. Both
    are naive local times (see `_durations`)."""
    return (end - start).total_seconds() / SECONDS_PER_DAY


def _durations(scope: ReportScope) -> tuple[dict[str, list[float]], list[float]]:
    """Days per stay in each stage, for stays ended in the period, and need-to-installed
    lead times of the cases installed in the period.

    A case's time in a stage is the sum of its stays there; a pause (on hold) is a stay
    of its own, so it never counts toward the stage it interrupted. A stage is counted
    once the case has left it for the last time up to the as-of day.
    """
    start, end = _end_of(scope.period_start - timedelta(days=1)), _end_of(scope.as_of)
    here = timezone.get_current_timezone()
    # Compared and subtracted as naive wall-clock times in Stockholm (`_days_between`).
    local_start = start.astimezone(here).replace(tzinfo=None)
    local_end = end.astimezone(here).replace(tzinfo=None)
    changes = (
        StageChange.objects.filter(
            # Only a case moved in the period can have left a stage or been installed in
            # it: the others' timelines are not read at all.
            case__in=scope.cases.filter(timeline__at__gte=start, timeline__at__lt=end).values("pk"),
            at__lt=end,
        )
        .order_by("case_id", "at", "id")
        .values_list("case_id", "at", "to_stage")
    )
    per_stage: dict[str, list[float]] = defaultdict(list)
    lead_times: list[float] = []

    def close(case_changes: list[tuple[int, datetime, str]]) -> None:
        if not case_changes:
            return
        spent: dict[str, float] = defaultdict(float)
        left_at: dict[str, datetime] = {}
        for (_c, at, stage), (_n, next_at, _s) in pairwise(case_changes):
            spent[stage] += _days_between(at, next_at)
            left_at[stage] = next_at
        current = case_changes[-1][2]
        for stage, days in spent.items():
            if (
                stage in TIMED_STAGES
                and stage != current
                and local_start <= left_at[stage] < local_end
            ):
                per_stage[stage].append(days)
        installed = next((at for _c, at, stage in case_changes if stage == Stage.INSTALLED), None)
        if installed is not None and local_start <= installed < local_end:
            lead_times.append(_days_between(case_changes[0][1], installed))

    current_case: int | None = None
    buffer: list[tuple[int, datetime, str]] = []
    for case_id, at, stage in changes.iterator(chunk_size=5000):
        if case_id != current_case:
            close(buffer)
            current_case, buffer = case_id, []
        buffer.append((case_id, at.astimezone(here).replace(tzinfo=None), stage))
    close(buffer)
    return per_stage, lead_times


def _committed(scope: ReportScope, years: range) -> dict[tuple[int, int, int], Decimal]:
    """{(year, library id, category id): value} of the cases ordered in those years.

    A case's committed value is its chosen quote's amount (the tender won, or the
    framework supplier's call-off answer), else its estimated value; its year is the
    year it was first moved to "ordered". A case cancelled after its order commits
    nothing.
    """
    ordered_on = dict(
        StageChange.objects.filter(
            case__in=scope.cases.values("pk"), to_stage=Stage.ORDERED, at__lt=_end_of(scope.as_of)
        )
        .values("case_id")
        .annotate(first=Min("at"))
        .order_by()
        .values_list("case_id", "first")
    )
    chosen = Quote.objects.filter(case=OuterRef("pk"), chosen=True).values("amount")[:1]
    totals: dict[tuple[int, int, int], Decimal] = defaultdict(Decimal)
    cases = (
        scope.cases.filter(pk__in=list(ordered_on))
        .exclude(stage=Stage.CANCELLED)
        .annotate(chosen_amount=Subquery(chosen, output_field=DecimalField()))
        .values_list("pk", "library_id", "category_id", "estimated_value", "chosen_amount")
    )
    for pk, library_id, category_id, estimated, chosen_amount in cases:
        year = timezone.localdate(ordered_on[pk]).year
        if year in years:
            value = chosen_amount if chosen_amount is not None else estimated
            totals[(year, library_id, category_id)] += value
    return totals


def _delivered(scope: ReportScope, years: range) -> dict[tuple[int, int, int], Decimal]:
    """{(year, library id, category id): purchase prices} of the assets registered from
    the scope's deliveries, by the year of delivery (their purchase date)."""
    rows = (
        DeliveredAsset.objects.filter(
            case__in=scope.cases.values("pk"),
            asset__purchase_date__gte=date(years.start, 1, 1),
            asset__purchase_date__lte=min(date(years.stop - 1, 12, 31), scope.as_of),
        )
        .annotate(year=ExtractYear("asset__purchase_date"))
        .values("year", "case__library_id", "asset__category_id")
        .annotate(total=Sum("asset__purchase_price"))
        .order_by()
    )
    return {
        (row["year"], row["case__library_id"], row["asset__category_id"]): row["total"]
        or Decimal(0)
        for row in rows
    }


def _spend(scope: ReportScope, years: range, categories: dict[int, str]) -> tuple[SpendRow, ...]:
    committed = _committed(scope, years)
    delivered = _delivered(scope, years)
    budgets = {
        (b.year, b.library_id, b.category_id): b.amount
        for b in Budget.objects.filter(library_id__in=scope.library_ids, year__in=list(years))
    }
    # Each amount added once to its library's year and to its category in that year.
    whole: dict[tuple[int, int], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    parts: dict[tuple[int, int, int], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for column, source in enumerate((committed, delivered)):
        for (year, library_id, category_id), amount in source.items():
            whole[(year, library_id)][column] += amount
            parts[(year, library_id, category_id)][column] += amount
    for year, library_id, budget_category_id in budgets:
        if budget_category_id is not None:
            parts[(year, library_id, budget_category_id)]  # a category budget, no spend yet
    categories_of: dict[tuple[int, int], set[int]] = defaultdict(set)
    for year, library_id, category_id in parts:
        if category_id is not None:
            categories_of[(year, library_id)].add(category_id)
    rows = []
    for year in years:
        for library in scope.libraries:
            committed_sum, delivered_sum = whole[(year, library.pk)]
            rows.append(
                SpendRow(
                    year,
                    library.code,
                    library.name,
                    "",
                    budgets.get((year, library.pk, None)),
                    committed_sum,
                    delivered_sum,
                )
            )
            category_ids = categories_of[(year, library.pk)]
            for category_id in sorted(category_ids, key=lambda pk: categories.get(pk, "")):
                committed_part, delivered_part = parts[(year, library.pk, category_id)]
                rows.append(
                    SpendRow(
                        year,
                        library.code,
                        library.name,
                        categories.get(category_id, ""),
                        budgets.get((year, library.pk, category_id)),
                        committed_part,
                        delivered_part,
                    )
                )
    return tuple(rows)


def _direct_awards(
    scope: ReportScope, years: range, categories: dict[int, str]
) -> tuple[DirectAwardRow, ...]:
    """The municipality's direct awards per category and fiscal year, against the limit
    of the rule set in force at the year's end (or the as-of day, this year): the sum
    the anti-splitting rule adds up, the same one the case page warns about."""
    grouped = (
        direct_awards()
        .filter(year__in=list(years))
        .values("year", "category_id")
        .annotate(n=Count("id"), total=Sum("estimated_value"))
        .order_by()
    )
    mine: dict[tuple[int, int], Decimal] = {}
    if scope.library is not None:
        mine = {
            (row["year"], row["category_id"]): row["total"]
            for row in direct_awards()
            .filter(year__in=list(years), library=scope.library)
            .values("year", "category_id")
            .annotate(total=Sum("estimated_value"))
            .order_by()
        }
    thresholds: dict[int, rules.Thresholds | None] = {}
    for year in years:
        ruleset = ruleset_in_force(min(date(year, 12, 31), scope.as_of))
        thresholds[year] = ruleset.thresholds() if ruleset else None
    rows = []
    for row in grouped:
        total = row["total"] or Decimal(0)
        figures = thresholds.get(row["year"])
        rows.append(
            DirectAwardRow(
                year=row["year"],
                category=categories.get(row["category_id"], ""),
                count=row["n"],
                total=total,
                limit=figures.direct_award_limit if figures else None,
                reaches_limit=bool(figures and rules.reaches_direct_award_limit(total, figures)),
                library_part=(
                    mine.get((row["year"], row["category_id"]), Decimal(0))
                    if scope.library is not None
                    else None
                ),
            )
        )
    return tuple(sorted(rows, key=lambda r: (-r.year, r.category)))


def _grants(scope: ReportScope) -> tuple[GrantRow, ...]:
    cases = (
        scope.cases.filter(funding=Funding.GRANT)
        .exclude(stage=Stage.CANCELLED)
        .select_related("library")
        .order_by("grant_spend_by", "reference")
    )
    rows = []
    for case in cases:
        stage = case.stage_before_hold if case.stage == Stage.ON_HOLD else case.stage
        spent = stage in DELIVERED_OR_ENDED
        spend_by = case.grant_spend_by
        if spent:
            state = "spent"
        elif spend_by is not None and spend_by < scope.as_of:
            state = "lapsed"
        else:
            state = "open"
        if spent and spend_by is not None and spend_by < scope.period_start:
            continue  # spent before the period: history, not something to act on
        rows.append(
            GrantRow(
                reference=case.reference,
                url=case.get_absolute_url(),
                title=case.title,
                library=case.library.code,
                grant=case.grant_name,
                spend_by=spend_by,
                days_left=None if spend_by is None else (spend_by - scope.as_of).days,
                stage=case.stage,
                value=case.estimated_value,
                state=state,
            )
        )
    return tuple(rows)


def _median_prices(scope: ReportScope, category_ids: set[int]) -> dict[int, Decimal]:
    """Each category's median purchase price over the PRICE_HISTORY_YEARS years up to the
    as-of day: the middle price (or the mean of the two middle ones), read from the
    database by its rank, so no category's prices are all loaded."""
    since = add_months(scope.as_of, -12 * PRICE_HISTORY_YEARS)
    priced = scope.assets.filter(
        purchase_price__isnull=False, purchase_date__gte=since, purchase_date__lte=scope.as_of
    )
    # Each price's rank within its category and the category's count, and of those only
    # the middle one or two: one query however many categories there are.
    ranked = priced.filter(category_id__in=category_ids).annotate(
        rank=Window(
            RowNumber(),
            partition_by=[F("category_id")],
            order_by=[F("purchase_price").asc(), F("id").asc()],
        ),
        n=Window(Count("id"), partition_by=[F("category_id")]),
    )
    middle_rows = ranked.filter(rank__gte=(F("n") + 1) / 2, rank__lte=F("n") / 2 + 1)
    middles: dict[int, list[Decimal]] = defaultdict(list)
    for category_id, price in middle_rows.values_list("category_id", "purchase_price"):
        # None never comes (`priced` has a price), but the column may hold one.
        if price is not None:
            middles[category_id].append(price)
    medians = {
        category_id: sum(prices, Decimal(0)) / len(prices)
        for category_id, prices in middles.items()
    }
    return medians


def _forecast(scope: ReportScope, categories: dict[int, str]) -> tuple[ForecastRow, ...]:
    """What reaches its replacement date in each of the next FORECAST_YEARS calendar
    years (this one first, with what is already overdue), at today's prices."""
    first = scope.as_of.year
    end = date(first + FORECAST_YEARS, 1, 1)
    # One count per year: the first year takes what is overdue as well.
    year_ends = [date(first + offset + 1, 1, 1) for offset in range(FORECAST_YEARS)]
    per_year = {
        f"y{offset}": Count(
            "id",
            filter=Q(replacement_due__lt=year_end)
            & (Q(replacement_due__gte=year_ends[offset - 1]) if offset else Q()),
        )
        for offset, year_end in enumerate(year_ends)
    }
    due = (
        scope.assets.filter(status__in=ACTIVE_STATUSES, replacement_due__lt=end)
        # Grouped by expressions, not the bare columns: SQLite would otherwise walk an
        # index that starts with the model or category to have the groups in order, and
        # read every asset row, where the index on (status, replacement_due, category,
        # model) answers alone.
        .annotate(model_key=Coalesce("model_id", 0), category_key=Coalesce("category_id", 0))
        .values("model_key", "category_key")
        .annotate(late=Count("id", filter=Q(replacement_due__lt=scope.as_of)), **per_year)
        .order_by()
    )
    groups = [
        {
            "model_id": row["model_key"] or None,
            "category_id": row["category_key"],
            **row,
            "year": first + offset,
            "n": row[f"y{offset}"],
            "late": row["late"] if not offset else 0,
        }
        for row in due
        for offset in range(FORECAST_YEARS)
        if row[f"y{offset}"]
    ]
    model_ids = {row["model_id"] for row in groups if row["model_id"]}
    latest = Subquery(
        scope.assets.filter(
            model=OuterRef("pk"), purchase_price__isnull=False, purchase_date__lte=scope.as_of
        )
        .order_by("-purchase_date", "-id")
        .values("purchase_price")[:1],
        output_field=DecimalField(),
    )
    model_price = {
        pk: price
        for pk, price in ProductModel.objects.filter(pk__in=model_ids)
        .annotate(price=latest)
        .values_list("pk", "price")
        if price is not None
    }
    need_median = {
        row["category_id"]
        for row in groups
        if not row["model_id"] or row["model_id"] not in model_price
    }
    median_price = _median_prices(scope, need_median)

    table: dict[tuple[int, int], dict[str, Any]] = {}
    for row in groups:
        year = max(row["year"], first)
        entry = table.setdefault(
            (year, row["category_id"]),
            {"count": 0, "cost": Decimal(0), "model": 0, "category": 0, "none": 0, "late": 0},
        )
        entry["count"] += row["n"]
        entry["late"] += row["late"]
        price = model_price.get(row["model_id"]) if row["model_id"] else None
        if price is not None:
            entry["cost"] += price * row["n"]
            entry["model"] += row["n"]
        elif row["category_id"] in median_price:
            entry["cost"] += median_price[row["category_id"]] * row["n"]
            entry["category"] += row["n"]
        else:
            entry["none"] += row["n"]
    return tuple(
        ForecastRow(
            year=year,
            category=categories.get(category_id, ""),
            count=entry["count"],
            cost=entry["cost"],
            by_model=entry["model"],
            by_category=entry["category"],
            unpriced=entry["none"],
            overdue=entry["late"],
        )
        for (year, category_id), entry in sorted(
            table.items(), key=lambda item: (item[0][0], categories.get(item[0][1], ""))
        )
    )


def _access(scope: ReportScope) -> tuple[tuple[AccessRow, ...], tuple[str, ...]]:
    """Public equipment in use per library, and the public computer places with each
    feature patrons ask for (screen reader, scanner…): what digital inclusion reports."""
    features = list(Feature.objects.order_by("name_sv"))
    public = scope.assets.filter(usage=Usage.PUBLIC, status=AssetStatus.IN_USE)
    in_use = dict(
        public.values("library_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("library_id", "n")
    )
    places = public.filter(category__code=PUBLIC_WORKSTATION)
    workstations = dict(
        places.values("library_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("library_id", "n")
    )
    with_feature: dict[tuple[int, int], int] = {
        (row["library_id"], row["features"]): row["n"]
        for row in places.filter(features__isnull=False)
        .values("library_id", "features")
        .annotate(n=Count("id", distinct=True))
        .order_by()
    }
    rows = tuple(
        AccessRow(
            library=library.code,
            name=library.name,
            public_in_use=in_use.get(library.pk, 0),
            workstations=workstations.get(library.pk, 0),
            features=tuple(with_feature.get((library.pk, f.pk), 0) for f in features),
        )
        for library in scope.libraries
    )
    return rows, tuple(f.name for f in features)


# How many of a trial's comments the report quotes, the newest first.
TRIAL_COMMENTS = 3


def _trials(scope: ReportScope) -> tuple[TrialRow, ...]:
    """Equipment tried with patrons in the scope's libraries, with the log's summary
    (docs/trials.md), the next to go back first."""
    rows = []
    for asset, summary in trial_summaries(scope.assets.order_by("library__code", "tag")):
        rows.append(
            TrialRow(
                tag=asset.tag,
                name=asset.short_name,
                library=asset.library.code,
                return_by=summary.return_by,
                sessions=summary.sessions,
                average_rating=summary.average_rating,
                comments=tuple(
                    f"{comment.held_on.isoformat()} {comment.group} ({comment.rating}): "
                    f"{' '.join(comment.text.split())}"
                    for comment in summary.comments[:TRIAL_COMMENTS]
                ),
            )
        )
    return tuple(sorted(rows, key=lambda row: (row.return_by or date.max, row.library, row.tag)))


def strategist_report(scope: ReportScope, *, limit: int | None = None) -> StrategistReport:
    """The strategist report for `scope`; lists of cases cut at `limit` rows (None: all).

    A cut report (a page, a dashboard panel) is kept until the data changes
    (inventory/figures.py); a whole one, made for a file, is made afresh.
    """
    if limit is None:
        return _strategist_report(scope, limit=None)
    return cached_report(
        "strategist", scope, (limit,), lambda: _strategist_report(scope, limit=limit)
    )


def _strategist_report(scope: ReportScope, *, limit: int | None) -> StrategistReport:
    today = scope.as_of
    categories = {category.pk: category.name for category in Category.objects.all()}
    pipeline = {
        row["stage"]: (row["n"], row["value"] or Decimal(0))
        for row in scope.cases.filter(stage__in=OPEN_STAGES)
        .values("stage")
        .annotate(n=Count("id"), value=Sum("estimated_value"))
        .order_by()
    }
    # By stage, then the longest waiting first; cut in the query, so a page that shows
    # ten of five thousand open cases reads ten.
    stage_rank = Case(
        *[When(stage=stage, then=Value(rank)) for rank, stage in enumerate(OPEN_STAGES)],
        output_field=IntegerField(),
    )
    open_cases = (
        scope.cases.filter(stage__in=OPEN_STAGES)
        .select_related("library")
        .only(*_CASE_ROW_FIELDS)
        .order_by(stage_rank, "stage_changed_at", "reference")
    )
    open_rows = [_case_row(case, today) for case in _first(open_cases, limit)]
    per_stage, lead_times = _durations(scope)
    stages = tuple(
        StageRow(
            stage=stage,
            open_count=pipeline.get(stage, (0, Decimal(0)))[0],
            pipeline_value=pipeline.get(stage, (0, Decimal(0)))[1],
            durations=Durations.of(per_stage.get(stage, [])),
        )
        for stage in TIMED_STAGES
    )
    stalled_cases = (
        cases_without_movement(scope.cases, today=today)
        .select_related("library")
        .only(*_CASE_ROW_FIELDS)
        .order_by("stage_changed_at", "reference")
    )
    stalled = [_case_row(case, today) for case in _first(stalled_cases, limit)]
    years = range(scope.period_start.year, today.year + 1)
    access, feature_names = _access(scope)
    return StrategistReport(
        scope=scope,
        open_cases=tuple(open_rows),
        open_total=sum(count for count, _value in pipeline.values()),
        stages=stages,
        lead_time=Durations.of(lead_times),
        stalled=tuple(stalled),
        stalled_total=stalled_cases.count() if limit is not None else len(stalled),
        spend=_spend(scope, years, categories),
        years=tuple(years),
        direct_awards=_direct_awards(scope, years, categories),
        grants=_grants(scope),
        forecast=_forecast(scope, categories),
        forecast_years=tuple(range(today.year, today.year + FORECAST_YEARS)),
        access=access,
        feature_names=feature_names,
        trials=_trials(scope),
    )
