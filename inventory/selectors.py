"""Reads shared by pages, exports and reports; above all, who may see what."""

from datetime import date, timedelta
from typing import TypeVar

from django.conf import settings
from django.db.models import Model, QuerySet
from django.http import Http404

from .history import records_for
from .models import Asset, ChangeRecord, Library, Location, Profile
from .roles import ALL_LIBRARIES_PERMISSION, Actor, Reader

M = TypeVar("M", bound=Model)

# How far ahead "warranty ending soon" looks on dashboards and in reminders.
WARRANTY_NOTICE_DAYS = 90


def warranty_ending(assets: QuerySet[Asset], *, today: date, days: int) -> QuerySet[Asset]:
    """The assets whose warranty ends from today up to and including today + days."""
    return assets.filter(warranty_end__gte=today, warranty_end__lte=today + timedelta(days=days))


# The attribute library_ids_of caches its answer in, on the user object of the request.
_LIBRARY_IDS_ATTRIBUTE = "_inventera_library_ids"


def sees_all_libraries(user: Reader) -> bool:
    return user.is_active and user.has_perm(ALL_LIBRARIES_PERMISSION)


def library_ids_of(user: Reader) -> list[int]:
    """The libraries in the user's profile (cached on the user for the request)."""
    cached: list[int] | None = getattr(user, _LIBRARY_IDS_ATTRIBUTE, None)
    if cached is None:
        cached = (
            list(Library.objects.filter(profiles__user=user).values_list("id", flat=True))
            if user.is_authenticated
            else []
        )
        setattr(user, _LIBRARY_IDS_ATTRIBUTE, cached)
    return cached


def reader_key(user: Reader) -> tuple[object, ...]:
    """What decides what a user may see and do: their libraries (or all of them) and their
    permissions. Equal for every user of a role with the same libraries, so figures and
    fragments cached under it are shared by them (inventory/figures.py)."""
    libraries: object = "all" if sees_all_libraries(user) else tuple(library_ids_of(user))
    return (libraries, tuple(sorted(user.get_all_permissions())))


def libraries_visible_to(user: Reader) -> QuerySet[Library]:
    """Every library for IT, the strategist and administrators; the own ones otherwise."""
    if sees_all_libraries(user):
        return Library.objects.all()
    return Library.objects.filter(id__in=library_ids_of(user))


def locations_visible_to(user: Reader) -> QuerySet[Location]:
    if sees_all_libraries(user):
        return Location.objects.select_related("library")
    return Location.objects.filter(library_id__in=library_ids_of(user)).select_related("library")


def assets_visible_to(user: Reader) -> QuerySet[Asset]:
    """The one place that decides which assets a user may see.

    Every view, export and report starts from this queryset; an asset outside it is
    answered with 404, so a library manager cannot learn that it exists.
    """
    return _by_asset_library(user, Asset.objects.all(), "library_id")


def of_visible_assets(user: Reader, rows: QuerySet[M], field: str = "asset") -> QuerySet[M]:
    """`rows` (fault reports, loans...) limited to those whose `field` is an asset the
    user may see: the same rule as assets_visible_to, asked by library rather than as a
    subquery over the whole register."""
    return _by_asset_library(user, rows, f"{field}__library_id")


def _by_asset_library(user: Reader, rows: QuerySet[M], library_field: str) -> QuerySet[M]:
    """The rule of assets_visible_to, for `rows` whose asset's library is `library_field`."""
    if not user.is_active or not user.has_perm("inventory.view_asset"):
        return rows.none()
    if sees_all_libraries(user):
        return rows
    return rows.filter(**{f"{library_field}__in": library_ids_of(user)})


def asset_list(user: Reader) -> QuerySet[Asset]:
    """Visible assets with what a list row shows, in a constant number of queries."""
    return assets_visible_to(user).select_related(
        "category", "manufacturer", "model", "library", "location"
    )


def asset_get(user: Reader, tag: str) -> Asset:
    """The asset with `tag` if the user may see it, else Http404.

    A tag with a NUL character is no asset's (PostgreSQL cannot even compare text with
    one, and fails the query): a 404 before the database is asked.
    """
    if "\x00" in tag:
        raise Http404
    try:
        return asset_list(user).select_related("parent", "parent__category").get(tag=tag)
    except Asset.DoesNotExist:
        raise Http404 from None


def asset_history(asset: Asset) -> QuerySet[ChangeRecord]:
    return records_for(asset)


def language_of(user: Actor) -> str:
    """The language a user reads Inventera in (their profile's), for mail sent to them."""
    try:
        language = user.profile.language
    except Profile.DoesNotExist:
        language = ""
    known = {code for code, _name in settings.LANGUAGES}
    return language if language in known else settings.LANGUAGE_CODE
