"""The IT status report's figures: where the equipment is, what needs IT's attention.

Counts come from grouped queries (a constant number, whatever the size of the
register); lists are ordered and may be cut at `limit` rows, with their full length
kept beside them.
"""

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from inventory.choices import (
    ACTIVE_STATUSES,
    UNRESOLVED_FAULT_STATUSES,
    AssetStatus,
    Ownership,
)
from inventory.dates import add_months
from inventory.models import (
    INCOMPLETE_RECORD,
    Asset,
    Category,
    FaultReport,
    Library,
    Location,
    ProductModel,
    Stocktake,
)
from inventory.selectors import WARRANTY_NOTICE_DAYS, warranty_ending
from inventory.stocktakes import last_closed_per_library

from .scope import ReportScope, cached_report

REPLACEMENT_MONTHS = 12
STATUSES: tuple[str, ...] = tuple(AssetStatus.values)
# What a record should have and may lack, in the order the report lists them. A purchase
# date and price are only expected of equipment the municipality owns.
GAPS: tuple[str, ...] = ("serial_number", "location", "purchase_date", "purchase_price")
# What a list row reads: ids, not joins; the names come from the small tables (_Names).
# Each list adds the one date it is about; the data gaps add what they look at.
_ROW_FIELDS = ("tag", "status", "category_id", "model_id", "library_id", "location_id")
_GAP_FIELDS = ("serial_number", "purchase_date", "purchase_price", "ownership")


@dataclass(frozen=True)
class CountRow:
    """Assets of one library, place or category, counted by status (in STATUSES order)."""

    label: str
    library: str  # the library's code; "" for a category
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class AssetRow:
    tag: str
    name: str
    category: str
    library: str
    location: str
    status: str
    day: date | None  # the date the list is about: warranty end, replacement, since
    days: int | None  # days from the as-of day to `day` (negative: already past)
    missing: tuple[str, ...] = ()  # for data gaps: codes from GAPS


@dataclass(frozen=True)
class Listing:
    """The first rows of a list, and how many there are in all."""

    rows: tuple[AssetRow, ...]
    total: int


@dataclass(frozen=True)
class StocktakeRow:
    """A library's last stocktake closed by the as-of day, and whether one is open."""

    library: str
    name: str
    closed_on: date | None
    expected: int
    seen: int
    missing: int
    unexpected: int
    missing_tags: tuple[str, ...]
    open_since: date | None


@dataclass(frozen=True)
class FaultRow:
    """An unresolved fault report: of which asset, how urgent, how long open."""

    library: str
    tag: str
    name: str
    urgency: str  # FaultUrgency
    status: str  # FaultStatus
    reported_on: date
    days_open: int  # from the report's day to the as-of day


@dataclass(frozen=True)
class FaultCount:
    library: str
    name: str
    count: int
    oldest_days: int | None  # days the oldest unresolved report has been open


@dataclass(frozen=True)
class ITStatus:
    scope: ReportScope
    by_library: tuple[CountRow, ...]
    by_location: tuple[CountRow, ...]
    by_category: tuple[CountRow, ...]
    totals: CountRow
    warranty_ending: Listing
    warranty_ended_in_use: Listing
    replacement_due: Listing
    replacement_overdue: Listing
    in_repair: Listing
    gap_counts: tuple[tuple[str, int], ...]
    gaps: Listing
    stocktaking: tuple[StocktakeRow, ...]
    open_faults: tuple[FaultRow, ...] = ()
    fault_counts: tuple[FaultCount, ...] = ()
    open_faults_total: int = 0
    warranty_days: int = WARRANTY_NOTICE_DAYS
    replacement_before: date | None = None
    statuses: tuple[str, ...] = STATUSES


_K = TypeVar("_K", bound=Hashable)


def _grid(
    rows: Iterable[dict[str, Any]], key: Callable[[dict[str, Any]], _K]
) -> dict[_K, list[int]]:
    grid: dict[_K, list[int]] = {}
    for row in rows:
        grid.setdefault(key(row), [0] * len(STATUSES))[STATUSES.index(row["status"])] = row["n"]
    return grid


class _Names:
    """The names of the categories, models, libraries and places, read once per report
    (a few hundred rows) instead of joined onto every asset of a list."""

    def __init__(self) -> None:
        self.categories = {c.pk: c.name for c in Category.objects.all()}
        self.models = {
            m.pk: f"{m.manufacturer.name} {m.name}".strip()
            for m in ProductModel.objects.select_related("manufacturer")
        }
        self.libraries = dict(Library.objects.values_list("pk", "code"))
        self.places = dict(Location.objects.values_list("pk", "name"))

    def row(
        self,
        row: dict[str, Any],
        day: date | None = None,
        days: int | None = None,
        missing: tuple[str, ...] = (),
    ) -> AssetRow:
        return AssetRow(
            tag=row["tag"],
            name=self.models.get(row["model_id"]) or self.categories.get(row["category_id"], ""),
            category=self.categories.get(row["category_id"], ""),
            library=self.libraries.get(row["library_id"], ""),
            location=self.places.get(row["location_id"], ""),
            status=row["status"],
            day=day,
            days=days,
            missing=missing,
        )


def _listing(
    queryset: QuerySet[Asset],
    limit: int | None,
    names: _Names,
    day_field: str,
    days_of: Callable[[date], int | None],
) -> Listing:
    """The list's length, and its first `limit` rows with the day each is about."""
    total = queryset.count()
    if limit == 0:
        return Listing((), total)
    part = queryset if limit is None else queryset[:limit]
    rows = []
    for row in part.values(*_ROW_FIELDS, day_field).iterator(chunk_size=2000):
        day = row[day_field]
        if isinstance(day, datetime):
            day = timezone.localdate(day)
        rows.append(names.row(row, day, days_of(day)))
    return Listing(tuple(rows), total)


def _missing(row: dict[str, Any]) -> tuple[str, ...]:
    owned = row["ownership"] == Ownership.OWNED
    missing = []
    if not row["serial_number"]:
        missing.append("serial_number")
    if row["location_id"] is None:
        missing.append("location")
    if owned and row["purchase_date"] is None:
        missing.append("purchase_date")
    if owned and row["purchase_price"] is None:
        missing.append("purchase_price")
    return tuple(missing)


def _gap_query() -> dict[str, Q]:
    owned = Q(ownership=Ownership.OWNED)
    return {
        "serial_number": Q(serial_number=""),
        "location": Q(location__isnull=True),
        "purchase_date": owned & Q(purchase_date__isnull=True),
        "purchase_price": owned & Q(purchase_price__isnull=True),
    }


# The parts of the report that can be left out when only some are shown (a dashboard).
PARTS = frozenset({"grids", "lists", "gaps", "stocktaking", "faults"})


def _grids(
    scope: ReportScope,
) -> tuple[tuple[CountRow, ...], tuple[CountRow, ...], tuple[CountRow, ...]]:
    """Assets counted by library, place and category, each per status. Grouped by the
    ids alone (no join over every asset); the names come from the small tables."""
    assets = scope.assets
    by_library_grid = _grid(
        assets.values("library_id", "status").annotate(n=Count("*")).order_by(),
        lambda row: row["library_id"],
    )
    by_library = tuple(
        CountRow(
            library.name,
            library.code,
            tuple(by_library_grid.get(library.pk, [0] * len(STATUSES))),
        )
        for library in scope.libraries
    )
    codes = {library.pk: library.code for library in scope.libraries}
    places = dict(
        Location.objects.filter(library_id__in=scope.library_ids).values_list("pk", "name")
    )
    location_grid = _grid(
        assets.values("library_id", "location_id", "status").annotate(n=Count("*")).order_by(),
        lambda row: (codes.get(row["library_id"], ""), places.get(row["location_id"], "")),
    )
    by_location = tuple(
        CountRow(name, code, tuple(counts))
        for (code, name), counts in sorted(location_grid.items(), key=lambda item: item[0])
    )
    categories = {category.pk: category.name for category in Category.objects.all()}
    category_grid = _grid(
        assets.values("category_id", "status").annotate(n=Count("*")).order_by(),
        lambda row: categories.get(row["category_id"], ""),
    )
    by_category = tuple(
        CountRow(name, "", tuple(counts)) for name, counts in sorted(category_grid.items())
    )
    return by_library, by_location, by_category


def it_status(
    scope: ReportScope, *, limit: int | None = None, parts: frozenset[str] = PARTS
) -> ITStatus:
    """The IT status report for `scope`, lists cut at `limit` rows (None: all).

    `parts` names what to compute beyond the totals: "grids" (counts by library, place
    and category), "lists" (the rows of the warranty, replacement and repair lists; their
    lengths are always counted), "gaps" (data gaps), "stocktaking" and "faults" (the
    unresolved fault reports, per library).

    A cut report (a page, a dashboard panel) is kept until the data changes
    (inventory/figures.py); a whole one, made for a file, is made afresh.
    """
    if limit is None:
        return _it_status(scope, limit=limit, parts=parts)
    return cached_report(
        "it_status",
        scope,
        (limit, tuple(sorted(parts))),
        lambda: _it_status(scope, limit=limit, parts=parts),
    )


def _it_status(scope: ReportScope, *, limit: int | None, parts: frozenset[str]) -> ITStatus:
    today = scope.as_of
    assets = scope.assets
    active = assets.filter(status__in=ACTIVE_STATUSES)

    by_status = dict(assets.values_list("status").annotate(n=Count("*")).order_by())
    totals = CountRow("", "", tuple(by_status.get(status, 0) for status in STATUSES))
    by_library, by_location, by_category = _grids(scope) if "grids" in parts else ((), (), ())
    list_limit = limit if "lists" in parts else 0
    names = _Names()

    def days_to(day: date | None) -> int | None:
        return None if day is None else (day - today).days

    warranty = _listing(
        warranty_ending(active, today=today, days=WARRANTY_NOTICE_DAYS).order_by(
            "warranty_end", "tag"
        ),
        list_limit,
        names,
        "warranty_end",
        days_to,
    )
    ended = _listing(
        assets.filter(status=AssetStatus.IN_USE, warranty_end__lt=today).order_by(
            "warranty_end", "tag"
        ),
        list_limit,
        names,
        "warranty_end",
        days_to,
    )
    replacement_before = add_months(today, REPLACEMENT_MONTHS)
    due = _listing(
        active.filter(replacement_due__gte=today, replacement_due__lt=replacement_before).order_by(
            "replacement_due", "tag"
        ),
        list_limit,
        names,
        "replacement_due",
        days_to,
    )
    overdue = _listing(
        active.filter(replacement_due__lt=today).order_by("replacement_due", "tag"),
        list_limit,
        names,
        "replacement_due",
        days_to,
    )
    repair = _listing(
        assets.filter(status=AssetStatus.IN_REPAIR).order_by("status_changed_at", "tag"),
        list_limit,
        names,
        "status_changed_at",
        lambda day: (today - day).days,
    )

    gap_counts, gaps = _gaps(active, limit, names) if "gaps" in parts else ((), Listing((), 0))
    stocktaking = _stocktaking(scope) if "stocktaking" in parts else ()
    fault_rows, fault_counts, faults_total = (
        _open_faults(scope, limit, names) if "faults" in parts else ((), (), 0)
    )
    return ITStatus(
        scope=scope,
        by_library=by_library,
        by_location=by_location,
        by_category=by_category,
        totals=totals,
        warranty_ending=warranty,
        warranty_ended_in_use=ended,
        replacement_due=due,
        replacement_overdue=overdue,
        in_repair=repair,
        gap_counts=gap_counts,
        gaps=gaps,
        stocktaking=stocktaking,
        open_faults=fault_rows,
        fault_counts=fault_counts,
        open_faults_total=faults_total,
        replacement_before=replacement_before,
    )


def _open_faults(
    scope: ReportScope, limit: int | None, names: _Names
) -> tuple[tuple[FaultRow, ...], tuple[FaultCount, ...], int]:
    """The unresolved fault reports of the scope's assets, by library and age, and each
    library's count and oldest; days are counted to the as-of day."""
    today = scope.as_of
    unresolved = FaultReport.objects.filter(
        asset__in=scope.assets,
        status__in=UNRESOLVED_FAULT_STATUSES,
        reported_at__date__lte=today,
    )
    codes = {library.pk: library.code for library in scope.libraries}
    ordered = unresolved.order_by("asset__library__code", "reported_at", "id")
    part = ordered if limit is None else ordered[:limit]
    rows = []
    for row in part.values(
        "urgency",
        "status",
        "reported_at",
        "asset__tag",
        "asset__library_id",
        "asset__model_id",
        "asset__category_id",
    ):
        day = timezone.localdate(row["reported_at"])
        rows.append(
            FaultRow(
                library=codes.get(row["asset__library_id"], ""),
                tag=row["asset__tag"],
                name=names.models.get(row["asset__model_id"])
                or names.categories.get(row["asset__category_id"], ""),
                urgency=row["urgency"],
                status=row["status"],
                reported_on=day,
                days_open=(today - day).days,
            )
        )
    grouped = {
        row["asset__library_id"]: row
        for row in unresolved.values("asset__library_id")
        .annotate(n=Count("id"), first=Min("reported_at"))
        .order_by()
    }
    counts = []
    for library in scope.libraries:
        found = grouped.get(library.pk)
        oldest = None
        if found is not None:
            oldest = (today - timezone.localdate(found["first"])).days
        counts.append(
            FaultCount(
                library=library.code,
                name=library.name,
                count=found["n"] if found else 0,
                oldest_days=oldest,
            )
        )
    return tuple(rows), tuple(counts), sum(count.count for count in counts)


def _gaps(
    active: QuerySet[Asset], limit: int | None, names: _Names
) -> tuple[tuple[tuple[str, int], ...], Listing]:
    """Counts of each kind of gap, and the records with any, by asset tag."""
    # Every gap is an incomplete record; saying so lets the database read only those
    # (the partial index asset_incomplete) and test the finer conditions on them.
    active = active.filter(INCOMPLETE_RECORD)
    gap_filters = _gap_query()
    any_gap = Q()
    for condition in gap_filters.values():
        any_gap |= condition
    # One pass over the register counts each kind of gap and the records with any.
    counted = active.aggregate(
        any_gap=Count("id", filter=any_gap),
        **{code: Count("id", filter=condition) for code, condition in gap_filters.items()},
    )
    gap_rows = active.filter(any_gap).order_by("tag")
    gap_total = counted["any_gap"]
    part = gap_rows if limit is None else gap_rows[:limit]
    rows = [
        names.row(row, missing=_missing(row))
        for row in part.values(*_ROW_FIELDS, *_GAP_FIELDS).iterator(chunk_size=2000)
    ]

    return tuple((code, counted[code]) for code in GAPS), Listing(tuple(rows), gap_total)


def _stocktaking(scope: ReportScope) -> tuple[StocktakeRow, ...]:
    """Each library's last stocktake closed by the end of the as-of day: how many assets
    it expected, saw and missed, and which were missing (docs/stocktaking.md)."""
    end = timezone.make_aware(datetime.combine(scope.as_of + timedelta(days=1), time.min))
    library_ids = [library.pk for library in scope.libraries]
    last = last_closed_per_library(
        Library.objects.filter(pk__in=library_ids).order_by("code"), closed_before=end
    )
    open_since = {
        library_id: timezone.localdate(started)
        for library_id, started in Stocktake.objects.filter(
            library_id__in=library_ids, started_at__lt=end
        )
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=end))
        .values_list("library_id", "started_at")
    }
    return tuple(
        StocktakeRow(
            library=row.library.code,
            name=row.library.name,
            closed_on=row.closed_on,
            expected=row.expected,
            seen=row.seen,
            missing=row.missing,
            unexpected=row.unexpected,
            missing_tags=row.missing_tags,
            open_since=open_since.get(row.library.pk),
        )
        for row in last
    )
