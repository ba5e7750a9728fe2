"""Stocktaking: counting one library's equipment (or some of its places) on the floor.

Starting a stocktake lists what the register expects there (every asset of the library,
in the chosen places if any, that is not retired or disposed) as `StocktakeLine` rows.
Staff then mark assets seen, from the list or from the asset's page (the QR label); an
asset found that is not on the list is recorded as found there, unexpectedly. Closing
it decides, for each missing or unexpected asset, to leave it, to mark it missing (a
note in the asset's history; there is no "missing" status) or to move it to where it
was found (through `services.asset_update`). See docs/stocktaking.md.

Every write is here; nothing else writes a `Stocktake` or a `StocktakeLine`. A sighting
sets `Asset.last_seen_on` and `last_seen_by` with a queryset update of those two fields
only: it is not an edit, so the asset's version and history stay as they are, and an
edit saved later (which re-reads the row under its lock) keeps it.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from . import history
from .choices import AssetStatus, ChangeAction, ChangeSource, StocktakeOutcome
from .models import Asset, Library, Location, Stocktake, StocktakeLine
from .roles import Actor, Reader
from .selectors import assets_visible_to, libraries_visible_to
from .services import (
    ConcurrentEditError,
    asset_update,
    may_move_between_libraries,
    require_permission_in_library,
)

VIEW_PERMISSION = "inventory.view_stocktake"
ADD_PERMISSION = "inventory.add_stocktake"
CHANGE_PERMISSION = "inventory.change_stocktake"

# Statuses of equipment no longer expected on the floor.
NOT_COUNTED_STATUSES = (AssetStatus.RETIRED, AssetStatus.DISPOSED)

# The choices a closing gives: a missing asset may be marked missing, an unexpected one
# moved to where it was found; either may be left as it is.
MISSING_CHOICES = (StocktakeOutcome.LEFT, StocktakeOutcome.MISSING)
UNEXPECTED_CHOICES = (StocktakeOutcome.LEFT, StocktakeOutcome.MOVED)


# --- reads ---------------------------------------------------------------------------


def stocktakes_visible_to(user: Reader) -> QuerySet[Stocktake]:
    """The stocktakes of the libraries the user sees, for those who may view them."""
    if not user.is_active or not user.has_perm(VIEW_PERMISSION):
        return Stocktake.objects.none()
    return Stocktake.objects.filter(library__in=libraries_visible_to(user))


def open_stocktake_of(library: Library) -> Stocktake | None:
    """The library's open stocktake (at most one is open at a time), or None."""
    return (
        Stocktake.objects.filter(library=library, closed_at__isnull=True)
        .select_related("library")
        .first()
    )


def with_counts(stocktakes: QuerySet[Stocktake]) -> QuerySet[Stocktake]:
    """Each stocktake with `expected_count`, `seen_count` and `missing_count` (of the
    expected assets: seen, and not seen yet) and `unexpected_count`."""
    return stocktakes.annotate(
        expected_count=Count("lines", filter=Q(lines__expected=True)),
        seen_count=Count("lines", filter=Q(lines__expected=True, lines__seen_at__isnull=False)),
        missing_count=Count("lines", filter=Q(lines__expected=True, lines__seen_at__isnull=True)),
        unexpected_count=Count("lines", filter=Q(lines__expected=False)),
    )


def stocktake_list(user: Reader) -> QuerySet[Stocktake]:
    """The user's stocktakes for the list: the open ones first, then the latest closed."""
    return (
        with_counts(stocktakes_visible_to(user))
        .select_related("library", "started_by", "closed_by")
        .prefetch_related("locations")
        .order_by(F("closed_at").desc(nulls_first=True), "-started_at", "-id")
    )


def stocktake_get(user: Reader, pk: int) -> Stocktake:
    """The stocktake if the user may see it, else Http404."""
    try:
        return (
            stocktakes_visible_to(user)
            .select_related("library", "started_by", "closed_by")
            .get(pk=pk)
        )
    except Stocktake.DoesNotExist:
        raise Http404 from None


@dataclass(frozen=True)
class StocktakePage:
    """A stocktake's lines, sorted for its page."""

    stocktake: Stocktake
    locations: tuple[Location, ...]  # the places counted; empty: the whole library
    to_see: tuple[StocktakeLine, ...]  # expected, not seen yet: missing once closed
    seen: tuple[StocktakeLine, ...]  # expected and seen
    unexpected: tuple[StocktakeLine, ...]  # found, not on the list

    @property
    def expected(self) -> int:
        return len(self.to_see) + len(self.seen)

    @property
    def missing(self) -> int:
        return len(self.to_see)


def stocktake_page(stocktake: Stocktake) -> StocktakePage:
    """The lines of a stocktake: what is left to see in the order one walks (by place),
    what was seen (the latest first), and what was found unexpectedly."""
    lines = list(
        stocktake.lines.select_related(
            "asset",
            "asset__category",
            "asset__manufacturer",
            "asset__model",
            "asset__library",
            "asset__location",
            "expected_location",
            "found_location",
            "seen_by",
        ).order_by("expected_location__name", "asset__tag")
    )
    seen = [line for line in lines if line.expected and line.seen_at is not None]
    seen.sort(key=lambda line: (line.seen_at, line.pk), reverse=True)
    return StocktakePage(
        stocktake=stocktake,
        locations=tuple(stocktake.locations.order_by("name")),
        to_see=tuple(line for line in lines if line.expected and line.seen_at is None),
        seen=tuple(seen),
        unexpected=tuple(line for line in lines if not line.expected),
    )


def places_of(stocktake: Stocktake) -> QuerySet[Location]:
    """Where an asset may be recorded as found: the stocktake's places, or every place
    of its library when it counts the whole library."""
    chosen = stocktake.locations.all()
    if chosen.exists():
        return chosen.order_by("name")
    return Location.objects.filter(library_id=stocktake.library_id).order_by("name")


@dataclass(frozen=True)
class LibraryStocktake:
    """A library's last closed stocktake and its result, for dashboards and reports.

    `seen` counts the expected assets that were seen, so `expected == seen + missing`;
    `unexpected` counts the assets found there that were not on its list.
    """

    library: Library
    stocktake: Stocktake | None
    closed_on: date | None
    expected: int
    seen: int
    missing: int
    unexpected: int
    missing_tags: tuple[str, ...]


def last_closed_per_library(
    libraries: QuerySet[Library], *, closed_before: datetime | None = None
) -> list[LibraryStocktake]:
    """For each of `libraries` (in its order), its last closed stocktake (closed before
    `closed_before`, if given: a report's as-of day) with the counts and the tags of the
    missing assets; a library never counted has None and zeros.

    Three queries, whatever the number of libraries.
    """
    libraries_ = list(libraries)
    period = Q(closed_at__lt=closed_before) if closed_before is not None else Q()
    closed = with_counts(
        Stocktake.objects.filter(
            period, library__in=[library.pk for library in libraries_], closed_at__isnull=False
        )
        .order_by("library_id", "-closed_at", "-id")
        .select_related("library", "closed_by")
    )
    last: dict[int, Stocktake] = {}
    for stocktake in closed:
        last.setdefault(stocktake.library_id, stocktake)
    missing: dict[int, list[str]] = {}
    for stocktake_id, tag in (
        StocktakeLine.objects.filter(
            stocktake_id__in=[s.pk for s in last.values()], expected=True, seen_at__isnull=True
        )
        .order_by("asset__tag")
        .values_list("stocktake_id", "asset__tag")
    ):
        missing.setdefault(stocktake_id, []).append(tag)
    result = []
    for library in libraries_:
        found = last.get(library.pk)
        if found is None or found.closed_at is None:
            result.append(LibraryStocktake(library, None, None, 0, 0, 0, 0, ()))
            continue
        counts: Any = found  # the annotations of with_counts
        result.append(
            LibraryStocktake(
                library=library,
                stocktake=found,
                closed_on=timezone.localdate(found.closed_at),
                expected=counts.expected_count,
                seen=counts.seen_count,
                missing=counts.missing_count,
                unexpected=counts.unexpected_count,
                missing_tags=tuple(missing.get(found.pk, ())),
            )
        )
    return result


@dataclass(frozen=True)
class AssetStocktake:
    """The open stocktake of an asset's library, as the asset's page offers it."""

    stocktake: Stocktake
    line: StocktakeLine | None  # None: the asset is not on its list
    places: tuple[Location, ...]  # where it may be recorded as found, when not on the list
    default_place_id: int | None


def asset_stocktake(user: Reader, asset: Asset) -> AssetStocktake | None:
    """The open stocktake of the asset's library, for a user who may count in it."""
    if not user.is_active or not user.has_perm(CHANGE_PERMISSION):
        return None
    stocktake = (
        stocktakes_visible_to(user)
        .filter(library_id=asset.library_id, closed_at__isnull=True)
        .select_related("library")
        .first()
    )
    if stocktake is None:
        return None
    line = stocktake.lines.filter(asset=asset).select_related("seen_by", "found_location").first()
    places: tuple[Location, ...] = ()
    if line is None:
        places = tuple(places_of(stocktake))
    ids = {place.pk for place in places}
    return AssetStocktake(
        stocktake=stocktake,
        line=line,
        places=places,
        default_place_id=asset.location_id if asset.location_id in ids else None,
    )


def asset_panel(user: Reader, asset: Asset) -> dict[str, AssetStocktake | None]:
    """The asset page's context for templates/inventory/_asset_stocktakes.html."""
    return {"stocktake_panel": asset_stocktake(user, asset)}


# --- writes --------------------------------------------------------------------------


def _lock_open(stocktake: Stocktake) -> Stocktake:
    """The stocktake's row, locked; refused when it is closed (read-only from then)."""
    locked = Stocktake.objects.select_for_update().select_related("library").get(pk=stocktake.pk)
    if locked.closed_at is not None:
        raise ValidationError(_("This stocktake is closed; nothing more can be changed in it."))
    return locked


@transaction.atomic
def stocktake_start(
    *, actor: Actor, library: Library, locations: Iterable[Location] = ()
) -> Stocktake:
    """Start counting a library, or some of its places: the expected list is every asset
    there that is not retired or disposed, with the place the register gives it now.

    At most one stocktake of a library is open; a second is refused with a message.
    """
    require_permission_in_library(actor, ADD_PERMISSION, library)
    places = list(dict.fromkeys(locations))
    if any(place.library_id != library.pk for place in places):
        raise ValidationError(
            {"locations": _("Choose places in %(library)s only.") % {"library": library}}
        )
    # Two people starting at once: the second waits here, then finds the first one's.
    Library.objects.select_for_update().filter(pk=library.pk).first()
    current = open_stocktake_of(library)
    if current is not None:
        raise ValidationError(
            {
                "library": _(
                    "A stocktake of %(library)s is already open (started %(date)s). "
                    "Close it before starting another."
                )
                % {
                    "library": library,
                    "date": timezone.localdate(current.started_at).isoformat(),
                }
            }
        )
    stocktake = Stocktake(library=library, started_by=actor)
    stocktake.full_clean()
    stocktake.save()
    stocktake.locations.set(places)
    expected = Asset.objects.filter(library=library).exclude(status__in=NOT_COUNTED_STATUSES)
    if places:
        expected = expected.filter(location__in=places)
    StocktakeLine.objects.bulk_create(
        StocktakeLine(
            stocktake=stocktake, asset_id=asset_id, expected=True, expected_location_id=place_id
        )
        for asset_id, place_id in expected.order_by("tag").values_list("pk", "location_id")
    )
    return stocktake


@dataclass(frozen=True)
class Sighting:
    """What a stocktake_mark_seen did, by asset tag."""

    seen: tuple[str, ...] = ()  # on the list, seen now
    already: tuple[str, ...] = ()  # on the list, seen before
    unexpected: tuple[str, ...] = ()  # not on the list: recorded as found there


@transaction.atomic
def stocktake_mark_seen(
    *,
    actor: Actor,
    stocktake: Stocktake,
    assets: Iterable[Asset],
    found_location: Location | None = None,
) -> Sighting:
    """Mark assets seen in an open stocktake, and record them as last seen today.

    An asset on the list is seen (where it was found, if given, is kept too). An asset
    not on it (another library's, or from a place outside the stocktake's) is recorded
    as found unexpectedly at `found_location`, a place of the stocktake's library, which
    is then required. An asset seen before stays seen from its first sighting.
    """
    require_permission_in_library(actor, CHANGE_PERMISSION, stocktake.library)
    chosen = list({asset.pk: asset for asset in assets}.values())
    if not chosen:
        raise ValidationError({"assets": _("Choose at least one asset.")})
    if assets_visible_to(actor).filter(pk__in=[a.pk for a in chosen]).count() != len(chosen):
        raise PermissionDenied("asset outside the user's libraries")
    locked = _lock_open(stocktake)
    if found_location is not None and found_location.library_id != locked.library_id:
        raise ValidationError(
            {
                "found_location": _("Choose a place in %(library)s, where the stocktake is.")
                % {"library": locked.library}
            }
        )
    lines = {line.asset_id: line for line in locked.lines.filter(asset__in=chosen)}
    now = timezone.now()
    seen: list[str] = []
    already: list[str] = []
    unexpected: list[str] = []
    new_lines: list[StocktakeLine] = []
    changed: list[StocktakeLine] = []
    for asset in sorted(chosen, key=lambda a: a.tag):
        line = lines.get(asset.pk)
        if line is None:
            if found_location is None:
                raise ValidationError(
                    {
                        "found_location": _(
                            "%(tag)s is not on this stocktake's list: say where it was found."
                        )
                        % {"tag": asset.tag}
                    }
                )
            new_lines.append(
                StocktakeLine(
                    stocktake=locked,
                    asset=asset,
                    expected=False,
                    seen_at=now,
                    seen_by=actor,
                    found_location=found_location,
                )
            )
            unexpected.append(asset.tag)
            continue
        if line.seen_at is None:
            line.seen_at = now
            line.seen_by = actor
            seen.append(asset.tag)
        else:
            already.append(asset.tag)
        if found_location is not None:
            line.found_location = found_location
        changed.append(line)
    StocktakeLine.objects.bulk_create(new_lines)
    StocktakeLine.objects.bulk_update(changed, ["seen_at", "seen_by", "found_location"])
    # A sighting is not an edit: these two fields only, no version, no history.
    Asset.objects.filter(pk__in=[a.pk for a in chosen]).update(
        last_seen_on=timezone.localdate(now), last_seen_by=actor
    )
    return Sighting(seen=tuple(seen), already=tuple(already), unexpected=tuple(unexpected))


@transaction.atomic
def stocktake_close(
    *,
    actor: Actor,
    stocktake: Stocktake,
    decisions: Mapping[str, str] | None = None,
    versions: Mapping[str, int] | None = None,
) -> Stocktake:
    """Close a stocktake with what is done about each missing and unexpected asset.

    `decisions` maps an asset's tag to a StocktakeOutcome: a missing asset (expected,
    not seen) may be marked missing (a note in its history), an unexpected one moved to
    where it was found (library and place, by `services.asset_update`: moving it to
    another library needs `may_move_between_libraries`); one not named is left as it
    is. `versions` maps a tag to the asset's version the user saw: a move of an asset
    changed since then is refused. Either everything is done, or nothing (a
    ValidationError keyed by the tags it concerns).
    """
    require_permission_in_library(actor, CHANGE_PERMISSION, stocktake.library)
    locked = _lock_open(stocktake)
    decided = dict(decisions or {})
    lines = list(
        locked.lines.filter(Q(expected=False) | Q(seen_at__isnull=True))
        .select_related("asset", "asset__library", "found_location")
        .order_by("asset__tag")
    )
    by_tag = {line.asset.tag: line for line in lines}
    unknown = sorted(set(decided) - set(by_tag))
    if unknown:
        raise ValidationError(
            _("Neither missing nor found unexpectedly in this stocktake: %(tags)s.")
            % {"tags": ", ".join(unknown)}
        )
    errors: dict[str, list[str]] = {}
    for tag, line in by_tag.items():
        outcome = decided.get(tag, StocktakeOutcome.LEFT)
        allowed = UNEXPECTED_CHOICES if not line.expected else MISSING_CHOICES
        if outcome not in allowed:
            message = (
                _("%(tag)s was found where it was not expected: it can be moved or left.")
                if not line.expected
                else _("%(tag)s was not seen: it can be marked missing or left.")
            )
            errors[tag] = [message % {"tag": tag}]
            continue
        if outcome == StocktakeOutcome.MOVED:
            if line.found_location is None:
                errors[tag] = [
                    _("Where %(tag)s was found is no longer known: leave it.") % {"tag": tag}
                ]
            elif line.asset.library_id != locked.library_id and not may_move_between_libraries(
                actor
            ):
                errors[tag] = [
                    _(
                        "%(tag)s belongs to %(library)s: only IT staff and administrators "
                        "can move an asset to another library. Leave it, and ask IT to move it."
                    )
                    % {"tag": tag, "library": line.asset.library}
                ]
        line.outcome = outcome
    if errors:
        raise ValidationError(errors)
    label = str(locked)
    for tag, line in by_tag.items():
        if line.outcome == StocktakeOutcome.MOVED:
            try:
                asset_update(
                    asset=line.asset,
                    actor=actor,
                    expected_version=(versions or {}).get(tag, line.asset.version),
                    data={"library": locked.library, "location": line.found_location},
                    source=ChangeSource.STOCKTAKE,
                    source_detail=label,
                )
            except ConcurrentEditError:
                errors[tag] = [
                    _(
                        "%(tag)s was changed by someone else after this page was shown. "
                        "Check it, then close again."
                    )
                    % {"tag": tag}
                ]
            except ValidationError as error:
                errors[tag] = [f"{tag}: {message}" for message in error.messages]
        elif line.outcome == StocktakeOutcome.MISSING:
            history.build(
                line.asset,
                actor=actor,
                action=ChangeAction.CHANGED,
                changes={},
                source=ChangeSource.STOCKTAKE,
                source_detail=label,
                comment=_("Missing in stocktake %(stocktake)s") % {"stocktake": label},
            ).save()
    if errors:
        raise ValidationError(errors)  # nothing of the above stays: one transaction
    StocktakeLine.objects.bulk_update(lines, ["outcome"])
    locked.closed_at = timezone.now()
    locked.closed_by = actor
    locked.save(update_fields=["closed_at", "closed_by"])
    return locked
