"""Free-text search of the register: one selector, an index on each database.

`search_assets(queryset, text)` narrows a queryset of assets to those whose asset tag,
serial number, hostname or model name contains `text`, whatever the case (Å finds å).
Three characters or more are searched as a substring through a trigram index: FTS5 on
SQLite, pg_trgm on PostgreSQL (made by migration 0011). One or two characters are too
few for a trigram: they find the assets whose tag or serial number *starts* with them,
through the columns' ordinary indexes. docs/search.md says why, and what each database
is asked.
"""

from __future__ import annotations

import itertools
import sys

from django.db import connections
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from .models import Asset, ProductModel

# Fewer characters than this are searched as the start of the tag or serial number.
TRIGRAM = 3

# On SQLite, above this many matching assets the query walks the list's own order and
# tests each row (it soon has a page's worth); up to it, it fetches the matches through
# the index and sorts them. SQLite cannot tell the two apart by itself (docs/search.md).
SQLITE_FEW_MATCHES = 5000

# The SQLite index (migration 0011): one FTS5 row per asset and per product model, with
# the same rowid. Constant SQL: the searched text is always a parameter.
_ASSET_MATCHES = "SELECT rowid FROM inventory_asset_search WHERE inventory_asset_search MATCH %s"
_MODEL_MATCHES = (
    "SELECT rowid FROM inventory_productmodel_search WHERE inventory_productmodel_search MATCH %s"
)
_MODEL_ASSETS = f"SELECT id FROM inventory_asset WHERE model_id IN ({_MODEL_MATCHES})"  # noqa: S608
_FEW = f"{_ASSET_MATCHES} UNION {_MODEL_ASSETS}"
_PROBE = (
    f"SELECT (SELECT count(*) FROM ({_ASSET_MATCHES} LIMIT %s))"  # noqa: S608
    f" + (SELECT count(*) FROM ({_MODEL_ASSETS} LIMIT %s))"
)


def search_assets(queryset: QuerySet[Asset], text: str) -> QuerySet[Asset]:
    """The assets of `queryset` that `text` finds (the module's docstring says how)."""
    text = text.strip()
    if not text:
        return queryset
    if "\x00" in text:  # in no text column (PostgreSQL cannot even compare one)
        return queryset.none()
    vendor = connections[queryset.db].vendor
    if len(text) < TRIGRAM:
        return queryset.filter(_starts_with(queryset.db, vendor, text))
    if vendor == "sqlite":
        return queryset.filter(_sqlite_contains(queryset.db, text))
    return queryset.filter(_contains(queryset.db, text, model_ids=True))


def _contains(db: str, text: str, *, model_ids: bool) -> Q:
    """`text` in the tag, serial number or hostname, or in the model's name.

    This is the search as it was before the indexes, Django's `icontains`. On
    PostgreSQL it is UPPER(column::text) LIKE UPPER('%text%'), the expression the GIN
    trigram indexes are made on. The matching models are looked up first (`model_ids`),
    so that each of the four conditions can use its own index: a subquery in an OR would
    make PostgreSQL read the whole table.
    """
    models = ProductModel.objects.using(db).filter(name__icontains=text).values("pk")
    by_model = (
        Q(model__in=list(models.values_list("pk", flat=True))) if model_ids else Q(model__in=models)
    )
    return (
        Q(tag__icontains=text)
        | Q(serial_number__icontains=text)
        | Q(hostname__icontains=text)
        | by_model
    )


def _sqlite_contains(db: str, text: str) -> Q:
    """`text` anywhere in the tag, serial number, hostname or model name, on SQLite.

    The FTS5 trigram index answers a phrase of three characters or more as a substring,
    folding case across Unicode (Å finds å, which SQLite's LIKE does not). How the list
    then reads the rows depends on how many assets match, counted up to
    SQLITE_FEW_MATCHES in the index alone.
    """
    phrase = '"' + text.replace('"', '""') + '"'
    with connections[db].cursor() as cursor:
        cursor.execute(_PROBE, [phrase, SQLITE_FEW_MATCHES + 1, phrase, SQLITE_FEW_MATCHES + 1])
        (matches,) = cursor.fetchone()
    if matches <= SQLITE_FEW_MATCHES:
        # Few: the rows are fetched by their ids and sorted.
        return Q(pk__in=RawSQL(_FEW, (phrase, phrase)))  # noqa: S611
    if text.isascii():
        # Many, in plain ASCII: LIKE gives the same answer, and is cheaper to test
        # row by row while the list walks its order than a list of all the matches.
        return _contains(db, text, model_ids=False)
    return Q(pk__in=RawSQL(_ASSET_MATCHES, (phrase,))) | Q(  # noqa: S611
        model__in=RawSQL(_MODEL_MATCHES, (phrase,))  # noqa: S611
    )


def _starts_with(db: str, vendor: str, text: str) -> Q:
    """The tag or serial number starts with `text` (one or two characters)."""
    if vendor != "sqlite":
        # PostgreSQL: UPPER(column::text) LIKE 'TEXT%', which its btree indexes on
        # UPPER(column) text_pattern_ops (migration 0011) answer.
        return Q(tag__istartswith=text) | Q(serial_number__istartswith=text)
    spellings = _spellings(text)
    ranges = Q()
    for spelling in spellings:
        ranges |= _prefix_range("tag", spelling) | _prefix_range("serial_number", spelling)
    many = (
        Asset.objects.using(db).filter(ranges).order_by()[: SQLITE_FEW_MATCHES + 1].count()
        > SQLITE_FEW_MATCHES
    )
    if not many:
        # A range of the column's own index per way of spelling it; as a subquery of
        # ids, or SQLite may walk the list's order through every row to save a sort.
        return Q(pk__in=Asset.objects.using(db).filter(ranges).values("pk"))
    # Many: LIKE, tested row by row as the list walks its order. SQLite's LIKE folds
    # ASCII letters itself; the other letters' spellings are listed.
    likes = Q()
    for spelling in {s.lower() if s.isascii() else s for s in spellings}:
        likes |= Q(tag__istartswith=spelling) | Q(serial_number__istartswith=spelling)
    return likes


def _spellings(text: str) -> set[str]:
    """Every way to write `text` in upper and lower case, letter by letter ("åb" ->
    åb, åB, Åb, ÅB): SQLite's comparisons and LIKE fold no letter outside ASCII."""
    choices = [{c, *(v for v in (c.lower(), c.upper()) if len(v) == 1)} for c in text]
    return {"".join(letters) for letters in itertools.product(*choices)}


def _prefix_range(field: str, prefix: str) -> Q:
    """`field` starts with `prefix`, as a range of the column's index (binary order)."""
    following = _following(prefix)
    if following is None:
        return Q(**{f"{field}__gte": prefix})
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": following})


def _following(prefix: str) -> str | None:
    """The first text after every text that starts with `prefix`: the last character
    one higher (None if every character is the highest there is)."""
    while prefix and ord(prefix[-1]) == sys.maxunicode:
        prefix = prefix[:-1]
    if not prefix:
        return None
    following = ord(prefix[-1]) + 1
    if following == 0xD800:  # surrogates are no characters: skip them
        following = 0xE000
    return prefix[:-1] + chr(following)
