"""Plain data for the dashboards and reports, built from the apps' visibility selectors."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from inventory.choices import (
    ACTIVE_STATUSES,
    UNRESOLVED_FAULT_STATUSES,
    AssetStatus,
    FaultStatus,
    FaultUrgency,
)
from inventory.dates import add_months
from inventory.faults import CHANGE_PERMISSION as FAULT_CHANGE_PERMISSION
from inventory.faults import faults_visible_to
from inventory.figures import cached_figures
from inventory.loans import VIEW_PERMISSION as LOAN_VIEW_PERMISSION
from inventory.loans import loans_visible_to, overdue_loans
from inventory.models import Asset
from inventory.roles import Reader
from inventory.selectors import (
    WARRANTY_NOTICE_DAYS,
    assets_visible_to,
    libraries_visible_to,
    warranty_ending,
)
from inventory.stocktakes import VIEW_PERMISSION as STOCKTAKE_VIEW_PERMISSION
from inventory.stocktakes import LibraryStocktake, last_closed_per_library
from procurement.choices import OPEN_STAGES, PARTY_PERMISSION, Party, Stage
from procurement.filters import waits_on_q
from procurement.models import ProcurementCase
from procurement.selectors import case_list, case_waits_on, days_waiting

WARRANTY_DAYS = WARRANTY_NOTICE_DAYS
REPLACEMENT_MONTHS = 12
LIST_LIMIT = 10


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


@dataclass(frozen=True)
class LibraryRow:
    code: str
    name: str
    counts: tuple[int, ...]  # in the order of AssetStatus
    total: int


@dataclass(frozen=True)
class AssetLine:
    tag: str
    name: str
    library: str
    day: date | None
    days: int  # days left (warranty, replacement) or days so far (repair)


@dataclass(frozen=True)
class FaultLine:
    url: str
    tag: str
    name: str
    urgency: str
    urgency_label: str
    status: str
    status_label: str
    since: date
    days: int  # days the report has been open


@dataclass(frozen=True)
class FaultLibrary:
    """One library's unresolved fault reports, the oldest first."""

    code: str
    name: str
    lines: tuple[FaultLine, ...]
    count: int


@dataclass(frozen=True)
class LoanLine:
    """A loan out past its due day."""

    url: str
    tag: str
    name: str
    library: str
    borrower: str
    due: date
    days_late: int


@dataclass(frozen=True)
class AssetDashboard:
    today: date
    statuses: tuple[StatusCount, ...]
    libraries: tuple[LibraryRow, ...]
    total: int
    warranty_ending: tuple[AssetLine, ...]
    warranty_ending_count: int
    replacement_due: tuple[AssetLine, ...]
    replacement_due_count: int
    in_repair: tuple[AssetLine, ...]
    in_repair_count: int
    warranty_days: int = WARRANTY_DAYS
    replacement_before: date | None = None
    status_labels: tuple[str, ...] = field(default_factory=tuple)
    # For those who handle fault reports (IT); None for everyone else.
    open_faults: tuple[FaultLibrary, ...] | None = None
    # Each visible library's last closed stocktake, for those who read stocktakes.
    stocktakes: tuple[LibraryStocktake, ...] | None = None
    # Loans out past their due day, for those who read loans; None for everyone else.
    overdue_loans: tuple[LoanLine, ...] | None = None
    overdue_loans_count: int = 0


def overdue_loan_lines(
    user: Reader, *, today: date, limit: int = LIST_LIMIT
) -> tuple[tuple[LoanLine, ...], int]:
    """The loans the user may see that are out past their due day, the most overdue first,
    and how many there are."""
    loans = (
        overdue_loans(loans_visible_to(user), today=today)
        .select_related("asset", "asset__library", "asset__manufacturer", "asset__model")
        .select_related("asset__category")
        .order_by("due_on", "id")
    )
    lines = tuple(
        LoanLine(
            url=reverse("inventory:asset_loans", args=[loan.asset.tag]),
            tag=loan.asset.tag,
            name=loan.asset.short_name,
            library=loan.asset.library.code,
            borrower=loan.borrower,
            due=loan.due_on,
            days_late=(today - loan.due_on).days,
        )
        for loan in loans[:limit]
    )
    return lines, (loans.count() if len(lines) == limit else len(lines))


def open_faults_by_library(
    user: Reader, *, now: datetime, limit: int = LIST_LIMIT
) -> tuple[FaultLibrary, ...]:
    """The unresolved fault reports the user may see, per library, the oldest first."""
    reports = (
        faults_visible_to(user)
        .filter(status__in=UNRESOLVED_FAULT_STATUSES)
        .select_related("asset", "asset__library", "asset__manufacturer", "asset__model")
        .select_related("asset__category")
        .order_by("asset__library__code", "reported_at", "id")
    )
    today = timezone.localdate(now)
    grouped: dict[str, list[FaultLine]] = {}
    names: dict[str, str] = {}
    for fault in reports:
        library = fault.asset.library
        names[library.code] = library.name
        since = timezone.localdate(fault.reported_at)
        grouped.setdefault(library.code, []).append(
            FaultLine(
                url=fault.get_absolute_url(),
                tag=fault.asset.tag,
                name=fault.asset.short_name,
                urgency=fault.urgency,
                urgency_label=str(FaultUrgency(fault.urgency).label),
                status=fault.status,
                status_label=str(FaultStatus(fault.status).label),
                since=since,
                days=(today - since).days,
            )
        )
    return tuple(
        FaultLibrary(code=code, name=names[code], lines=tuple(lines[:limit]), count=len(lines))
        for code, lines in grouped.items()
    )


@dataclass(frozen=True)
class _Counts:
    """What the asset dashboard counts over every visible asset."""

    grid: dict[int, dict[str, int]]  # library id -> status -> assets
    warranty_ending: int
    replacement_due: int
    in_repair: int


def _line(asset: Asset, day: date | None, days: int) -> AssetLine:
    return AssetLine(
        tag=asset.tag, name=asset.short_name, library=asset.library.code, day=day, days=days
    )


def asset_dashboard(
    user: Reader, *, today: date | None = None, now: datetime | None = None
) -> AssetDashboard:
    """The register's figures as one user may see them."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    assets = assets_visible_to(user)
    statuses = list(AssetStatus)

    active = assets.filter(status__in=ACTIVE_STATUSES).select_related(
        "library", "model", "manufacturer", "category"
    )
    warranty = warranty_ending(active, today=today, days=WARRANTY_DAYS).order_by(
        "warranty_end", "id"
    )
    replacement_before = add_months(today, REPLACEMENT_MONTHS)
    replacement = active.filter(replacement_due__lt=replacement_before).order_by(
        "replacement_due", "id"
    )
    repair = (
        assets.filter(status=AssetStatus.IN_REPAIR)
        .select_related("library", "model", "manufacturer", "category")
        .order_by("status_changed_at", "id")
    )

    def count() -> _Counts:
        grid: dict[int, dict[str, int]] = {}
        # COUNT(*), not of a column: the index on (library, status) answers it alone.
        for row in assets.values("library_id", "status").annotate(n=Count("*")).order_by():
            grid.setdefault(row["library_id"], {})[row["status"]] = row["n"]
        return _Counts(grid, warranty.count(), replacement.count(), repair.count())

    # Counting reads every visible asset: kept until the data changes (inventory/figures.py).
    counted = cached_figures("asset_dashboard", (today, str(assets.query)), count)
    grid = counted.grid
    library_rows = []
    for library in libraries_visible_to(user).order_by("code"):
        counts = tuple(grid.get(library.id, {}).get(s, 0) for s in statuses)
        library_rows.append(LibraryRow(library.code, library.name, counts, sum(counts)))
    totals = [sum(row.counts[i] for row in library_rows) for i in range(len(statuses))]

    loans = overdue_loan_lines(user, today=today) if user.has_perm(LOAN_VIEW_PERMISSION) else None

    return AssetDashboard(
        today=today,
        statuses=tuple(
            StatusCount(s.value, str(s.label), totals[i]) for i, s in enumerate(statuses)
        ),
        libraries=tuple(library_rows),
        total=sum(totals),
        # Both queries leave out assets without the date, so `day` is never None.
        warranty_ending=tuple(
            _line(a, day, (day - today).days)
            for a in warranty[:LIST_LIMIT]
            if (day := a.warranty_end) is not None
        ),
        warranty_ending_count=counted.warranty_ending,
        replacement_due=tuple(
            _line(a, day, (day - today).days)
            for a in replacement[:LIST_LIMIT]
            if (day := a.replacement_due) is not None
        ),
        replacement_due_count=counted.replacement_due,
        in_repair=tuple(
            _line(a, since, (today - since).days)
            for a in repair[:LIST_LIMIT]
            if (since := timezone.localdate(a.status_changed_at))
        ),
        in_repair_count=counted.in_repair,
        replacement_before=replacement_before,
        status_labels=tuple(str(s.label) for s in statuses),
        open_faults=(
            open_faults_by_library(user, now=now)
            if user.has_perm(FAULT_CHANGE_PERMISSION)
            else None
        ),
        stocktakes=(
            tuple(last_closed_per_library(libraries_visible_to(user).order_by("code")))
            if user.has_perm(STOCKTAKE_VIEW_PERMISSION)
            else None
        ),
        overdue_loans=loans[0] if loans else None,
        overdue_loans_count=loans[1] if loans else 0,
    )


@dataclass(frozen=True)
class CaseLine:
    reference: str
    url: str
    title: str
    library: str
    stage: str
    stage_label: str
    waits_on: str
    waits_on_label: str
    days: int


@dataclass(frozen=True)
class CaseDashboard:
    open_count: int
    by_stage: tuple[StatusCount, ...]
    waiting_on_me: tuple[CaseLine, ...]
    longest_waiting: tuple[CaseLine, ...]
    my_parties: tuple[str, ...]
    waiting_on_me_count: int = 0
    # Cases waiting on a party without a login of its own that the user acts for in
    # Inventera (the supplier, the procurement unit): IT follows them, but the next step is
    # not IT's.
    waiting_on_others: tuple[CaseLine, ...] = ()
    waiting_on_others_count: int = 0
    other_parties: tuple[str, ...] = ()


# The parties who have no login of their own; IT acts for them in Inventera
# (procurement.choices.PARTY_PERMISSION).
PARTIES_WITHOUT_LOGIN: tuple[str, ...] = (Party.PROCUREMENT_UNIT, Party.SUPPLIER)


def _acted_for(user: Reader) -> tuple[str, ...]:
    return tuple(
        party for party, permission in PARTY_PERMISSION.items() if user.has_perm(permission)
    )


def parties_of(user: Reader) -> tuple[str, ...]:
    """The parties a case can wait on whose step is this user's own."""
    return tuple(party for party in _acted_for(user) if party not in PARTIES_WITHOUT_LOGIN)


def parties_followed_by(user: Reader) -> tuple[str, ...]:
    """The parties without a login that this user acts for: a case waiting on them waits
    on someone else, whom the user follows up."""
    return tuple(party for party in _acted_for(user) if party in PARTIES_WITHOUT_LOGIN)


def _waiting_on(parties: tuple[str, ...]) -> Q:
    query = Q(pk__in=[])
    for party in parties:
        query |= waits_on_q(party)
    return query


def case_dashboard(user: Reader, *, now: datetime | None = None) -> CaseDashboard:
    """Open cases as one user may see them: by stage, and who acts next for how long.

    Counted by a grouped query and cut in the query, so the dashboard reads the same
    few rows whether a municipality has fifty open cases or five thousand.
    """
    now = now or timezone.now()
    open_cases = case_list(user).filter(stage__in=OPEN_STAGES).order_by("stage_changed_at", "id")
    counts = dict(open_cases.values_list("stage").annotate(n=Count("id")).order_by())
    party_labels = dict(Party.choices)

    def line(case: ProcurementCase) -> CaseLine:
        party = case_waits_on(case)
        return CaseLine(
            reference=case.reference,
            url=case.get_absolute_url(),
            title=case.title,
            library=case.library.code,
            stage=case.stage,
            stage_label=case.get_stage_display(),
            waits_on=party,
            waits_on_label=str(party_labels.get(party, "")),
            days=days_waiting(case, now=now),
        )

    mine, followed = parties_of(user), parties_followed_by(user)
    waiting_on_me = open_cases.filter(_waiting_on(mine))
    waiting_on_others = open_cases.filter(_waiting_on(followed))
    return CaseDashboard(
        open_count=sum(counts.values()),
        by_stage=tuple(
            StatusCount(stage, str(Stage(stage).label), counts[stage])
            for stage in OPEN_STAGES
            if counts.get(stage)
        ),
        waiting_on_me=tuple(line(case) for case in waiting_on_me[:LIST_LIMIT]),
        waiting_on_me_count=waiting_on_me.count() if mine else 0,
        longest_waiting=tuple(line(case) for case in open_cases[:LIST_LIMIT]),
        my_parties=mine,
        waiting_on_others=tuple(line(case) for case in waiting_on_others[:LIST_LIMIT]),
        waiting_on_others_count=waiting_on_others.count() if followed else 0,
        other_parties=followed,
    )
