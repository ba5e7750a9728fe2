"""What a report covers: whose view, which libraries, as of which day, over which period.

Built from the apps' visibility selectors, the same ones every page uses, so a report
never shows a library manager more than the pages do. Commands, which act for the
municipality, build a scope of every library.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, TypeVar, cast

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from inventory.dates import add_months
from inventory.figures import cached_figures
from inventory.models import Asset, Library
from inventory.roles import Actor
from inventory.selectors import assets_visible_to, libraries_visible_to
from procurement.models import ProcurementCase
from procurement.selectors import cases_visible_to

# The strategist report's default period: the twelve months up to the as-of day.
DEFAULT_PERIOD_MONTHS = 12


@dataclass(frozen=True)
class ReportScope:
    """The rows a report may read, and the days it counts from.

    `assets` and `cases` are already limited to what the reader may see and to the
    chosen library; `libraries` are the libraries covered, in code order.
    """

    as_of: date
    period_start: date
    made_at: datetime
    library: Library | None
    libraries: tuple[Library, ...]
    assets: QuerySet[Asset]
    cases: QuerySet[ProcurementCase]
    author: str = ""

    @property
    def library_ids(self) -> list[int]:
        return [library.pk for library in self.libraries]


def _dates(as_of: date | None, period_start: date | None, now: datetime) -> tuple[date, date]:
    as_of = as_of or timezone.localdate(now)
    period_start = period_start or add_months(as_of, -DEFAULT_PERIOD_MONTHS)
    if period_start > as_of:
        raise ValueError("the period cannot start after the as-of day")
    return as_of, period_start


def _scope(
    libraries: QuerySet[Library],
    assets: QuerySet[Asset],
    cases: QuerySet[ProcurementCase],
    *,
    library: Library | None,
    as_of: date | None,
    period_start: date | None,
    now: datetime | None,
    author: str = "",
) -> ReportScope:
    """The scope over `libraries`, or over the one `library` among them."""
    now = now or timezone.now()
    as_of, period_start = _dates(as_of, period_start, now)
    if library is not None:
        assets, cases = assets.filter(library=library), cases.filter(library=library)
    return ReportScope(
        as_of=as_of,
        period_start=period_start,
        made_at=now,
        library=library,
        libraries=(library,) if library is not None else tuple(libraries.order_by("code")),
        assets=assets,
        cases=cases,
        author=author,
    )


def report_scope(
    user: Actor,
    *,
    library_code: str | None = None,
    as_of: date | None = None,
    period_start: date | None = None,
    now: datetime | None = None,
) -> ReportScope:
    """The scope of a report for `user`: every library they may see, or the one named.

    A library the user may not see is a 404, like its pages (its existence is not
    leaked).
    """
    visible = libraries_visible_to(user)
    library = None
    if library_code:
        library = visible.filter(code=library_code).first()
        if library is None:
            raise Http404
    return _scope(
        visible,
        assets_visible_to(user),
        cases_visible_to(user),
        library=library,
        as_of=as_of,
        period_start=period_start,
        now=now,
        author=user.get_full_name() or user.get_username(),
    )


def municipality_scope(
    *,
    library_code: str | None = None,
    as_of: date | None = None,
    period_start: date | None = None,
    now: datetime | None = None,
) -> ReportScope:
    """Every library of the municipality (or the one named), for commands run by cron.

    Raises Library.DoesNotExist for an unknown library code.
    """
    library = Library.objects.get(code=library_code) if library_code else None
    return _scope(
        Library.objects.all(),
        Asset.objects.all(),
        ProcurementCase.objects.all(),
        library=library,
        as_of=as_of,
        period_start=period_start,
        now=now,
    )


R = TypeVar("R")


def cached_report(
    name: str, scope: ReportScope, options: tuple[Any, ...], compute: Callable[[], R]
) -> R:
    """`compute()`, a report's data for `scope`, kept until the data it is made of
    changes (inventory/figures.py). The report's `scope` (its querysets, the time it was
    made) is the caller's, never a cached one."""
    key = (
        scope.as_of,
        scope.period_start,
        tuple(scope.library_ids),
        # The reader's visibility, exactly as the database is asked it.
        str(scope.assets.query),
        str(scope.cases.query),
        options,
    )

    def without_scope() -> Any:
        return replace(cast(Any, compute()), scope=None)

    return cast(R, replace(cached_figures(name, key, without_scope), scope=scope))
