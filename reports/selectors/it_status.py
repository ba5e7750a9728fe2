"""The IT status report's figures: where the equipment is, what needs IT's attention.

Counts come from grouped queries (a constant number, whatever the size of the
register); lists are ordered and may be cut at `limit` rows, with their full length
kept beside them.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from inventory.choices import ACTIVE_STATUSES, AssetStatus, Ownership
from inventory.dates import add_months
from inventory.selectors import WARRANTY_NOTICE_DAYS, warranty_ending

from .scope import ReportScope

REPLACEMENT_MONTHS = 12
STATUSES: tuple[str, ...] = tuple(AssetStatus.values)
# What a record should have and may lack, in the order the report lists them. A purchase
# date and price are only expected of equipment the municipality owns.
GAPS: tuple[str, ...] = ("serial_number", "location", "purchase_date", "purchase_price")
_LIST_FIELDS = (
    "tag",
    "status",
    "status_changed_at",
    "warranty_end",
    "replacement_due",
    "serial_number",
    "purchase_date",
    "purchase_price",
    "ownership",
    "category__name_sv",
    "category__name_en",
    "model__name",
    "manufacturer__name",
    "library__code",
    "location__name",
)


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
    library: str
    name: str
    last_seen: date | None
    seen_that_day: int
    active: int


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
    warranty_days: int = WARRANTY_NOTICE_DAYS
    replacement_before: date | None = None
    statuses: tuple[str, ...] = STATUSES


def _grid(rows, key) -> dict:
    grid: dict = {}
    for row in rows:
        grid.setdefault(key(row), [0] * len(STATUSES))[STATUSES.index(row["status"])] = row["n"]
    return grid


def _name(row: dict) -> str:
    """A list row's model name, else its category's, in the active language."""
    if row["model__name"]:
        return f"{row['manufacturer__name'] or ''} {row['model__name']}".strip()
    return _category(row)


def _category(row: dict) -> str:
    english = (get_language() or "sv").startswith("en")
    return (row["category__name_en"] if english else "") or row["category__name_sv"]


def _listing(queryset: QuerySet, limit: int | None, day_of, days_of) -> Listing:
    total = queryset.count()
    part = queryset if limit is None else queryset[:limit]
    rows = []
    for row in part.values(*_LIST_FIELDS).iterator(chunk_size=2000):
        day = day_of(row)
        rows.append(
            AssetRow(
                tag=row["tag"],
                name=_name(row),
                category=_category(row),
                library=row["library__code"],
                location=row["location__name"] or "",
                status=row["status"],
                day=day,
                days=days_of(day),
            )
        )
    return Listing(tuple(rows), total)


def _missing(row: dict) -> tuple[str, ...]:
    owned = row["ownership"] == Ownership.OWNED
    missing = []
    if not row["serial_number"]:
        missing.append("serial_number")
    if not row["location__name"]:
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


def it_status(scope: ReportScope, *, limit: int | None = None) -> ITStatus:
    """The IT status report for `scope`, lists cut at `limit` rows (None: all)."""
    today = scope.as_of
    assets = scope.assets
    active = assets.filter(status__in=ACTIVE_STATUSES)

    by_library_grid = _grid(
        assets.values("library_id", "status").annotate(n=Count("id")).order_by(),
        lambda row: row["library_id"],
    )
    by_library = tuple(
        CountRow(library.name, library.code, tuple(by_library_grid.get(library.pk, [0] * 7)))
        for library in scope.libraries
    )
    codes = {library.pk: library.code for library in scope.libraries}
    location_grid = _grid(
        assets.values("library_id", "location__name", "status").annotate(n=Count("id")).order_by(),
        lambda row: (codes.get(row["library_id"], ""), row["location__name"] or ""),
    )
    by_location = tuple(
        CountRow(name, code, tuple(counts))
        for (code, name), counts in sorted(location_grid.items(), key=lambda item: item[0])
    )
    category_grid = _grid(
        assets.values("category__name_sv", "category__name_en", "status")
        .annotate(n=Count("id"))
        .order_by(),
        lambda row: _category(row),
    )
    by_category = tuple(
        CountRow(name, "", tuple(counts)) for name, counts in sorted(category_grid.items())
    )
    totals = CountRow(
        "", "", tuple(sum(row.counts[i] for row in by_library) for i in range(len(STATUSES)))
    )

    def days_to(day):
        return None if day is None else (day - today).days

    warranty = _listing(
        warranty_ending(active, today=today, days=WARRANTY_NOTICE_DAYS).order_by(
            "warranty_end", "tag"
        ),
        limit,
        lambda row: row["warranty_end"],
        days_to,
    )
    ended = _listing(
        assets.filter(status=AssetStatus.IN_USE, warranty_end__lt=today).order_by(
            "warranty_end", "tag"
        ),
        limit,
        lambda row: row["warranty_end"],
        days_to,
    )
    replacement_before = add_months(today, REPLACEMENT_MONTHS)
    due = _listing(
        active.filter(replacement_due__gte=today, replacement_due__lt=replacement_before).order_by(
            "replacement_due", "tag"
        ),
        limit,
        lambda row: row["replacement_due"],
        days_to,
    )
    overdue = _listing(
        active.filter(replacement_due__lt=today).order_by("replacement_due", "tag"),
        limit,
        lambda row: row["replacement_due"],
        days_to,
    )
    repair = _listing(
        assets.filter(status=AssetStatus.IN_REPAIR).order_by("status_changed_at", "tag"),
        limit,
        lambda row: timezone.localdate(row["status_changed_at"]),
        lambda day: (today - day).days,
    )

    gap_filters = _gap_query()
    counted = active.aggregate(
        **{code: Count("id", filter=condition) for code, condition in gap_filters.items()}
    )
    any_gap = Q()
    for condition in gap_filters.values():
        any_gap |= condition
    gap_rows = active.filter(any_gap).order_by("library__code", "tag")
    gap_total = gap_rows.count()
    rows = []
    for row in (
        (gap_rows if limit is None else gap_rows[:limit])
        .values(*_LIST_FIELDS)
        .iterator(chunk_size=2000)
    ):
        rows.append(
            AssetRow(
                tag=row["tag"],
                name=_name(row),
                category=_category(row),
                library=row["library__code"],
                location=row["location__name"] or "",
                status=row["status"],
                day=None,
                days=None,
                missing=_missing(row),
            )
        )

    seen = {
        row["library_id"]: row
        for row in active.values("library_id")
        .annotate(last=Max("last_seen_on"), n=Count("id"))
        .order_by()
    }
    last_days = {pk: row["last"] for pk, row in seen.items() if row["last"]}
    seen_that_day: dict[int, int] = {}
    if last_days:
        condition = Q(pk__in=[])
        for pk, day in last_days.items():
            condition |= Q(library_id=pk, last_seen_on=day)
        seen_that_day = {
            row["library_id"]: row["n"]
            for row in active.filter(condition)
            .values("library_id")
            .annotate(n=Count("id"))
            .order_by()
        }
    stocktaking = tuple(
        StocktakeRow(
            library=library.code,
            name=library.name,
            last_seen=last_days.get(library.pk),
            seen_that_day=seen_that_day.get(library.pk, 0),
            active=seen.get(library.pk, {}).get("n", 0),
        )
        for library in scope.libraries
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
        gap_counts=tuple((code, counted[code]) for code in GAPS),
        gaps=Listing(tuple(rows), gap_total),
        stocktaking=stocktaking,
        replacement_before=replacement_before,
    )
