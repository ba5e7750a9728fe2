"""The columns of an asset file: their keys, their names in both languages, and how a
file's header is matched to them.

A header matches leniently: case, accents, spacing, punctuation and a unit in
parentheses ("Inköpspris (kr exkl. moms)") do not matter. Each column has the names
the export writes (the model field's label in Swedish and English) and a few more that
other registers and spreadsheets use. A mapping preset (`snipeit`) names another
system's columns; whatever still has no match is listed for the user to map by hand.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache

from django.conf import settings
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ..choices import AssetStatus
from ..fieldlists import ASSET_FIELDS, FILE
from ..models import Asset

# The columns an asset file can have, in the order the export writes them.
ASSET_COLUMNS = ASSET_FIELDS.names(FILE)

# Columns of other systems' files that fill in an asset field (see the resource).
EXTRA_COLUMNS = {
    "warranty_months": _("Warranty (months)"),
    "supplier": _("Supplier"),
    "model_number": _("Model number"),
}

# More names people give the columns, in both languages, compared leniently.
ALIASES = {
    "tag": ("tag", "asset", "asset id", "inventory number", "inventarienr", "inv nr"),
    "category": ("kind", "type", "typ", "category code", "kategorikod"),
    "manufacturer": ("make", "brand", "vendor", "märke", "fabrikat"),
    "model": ("model name", "modellnamn", "product", "produkt"),
    "serial_number": ("serial", "serial no", "s/n", "sn", "serienr"),
    "library": ("library code", "bibliotekskod", "site", "branch", "enhet"),
    "location": ("place", "room", "placering", "rum"),
    "status": ("state", "tillstånd"),
    "usage": ("public or staff", "publik eller personal"),
    "ownership": ("owner", "ägare"),
    "lease_end": ("lease end date", "leasing slutar", "leasingslut"),
    "trial_return_by": ("return by", "återlämnas senast"),
    "purchase_date": ("purchased", "bought", "inköpt", "köpdatum"),
    "purchase_price": ("price", "cost", "purchase cost", "pris", "kostnad", "inköpspris"),
    "warranty_end": ("warranty", "warranty expires", "garanti", "garanti till", "garanti tom"),
    "replacement_due": ("replace by", "ersätts", "ersätts senast"),
    "hostname": ("host", "host name", "computer name", "network name", "nätverksnamn"),
    "it_reference": ("ticket", "cmdb", "cmdb id", "ärende", "ärendenummer"),
    "features": ("tags", "taggar", "egenskaper"),
    "parent": ("kit", "parent", "parent tag", "ingår i kit"),
    "notes": ("note", "comment", "comments", "kommentar", "anmärkning", "asset notes"),
}


@dataclass(frozen=True)
class Preset:
    """Another system's file: its column names, its status labels, how it writes numbers
    and dates, and what a new row without a status is."""

    label: str
    columns: dict[str, str]
    statuses: dict[str, str] = field(default_factory=dict)
    number_language: str = "sv"
    # strptime formats of the system's dates; the day order is the system's, never
    # guessed from a cell
    date_formats: tuple[str, ...] = ()
    # the status of a new row whose status cell is empty
    default_status: str = AssetStatus.IN_STOCK
    # the location column holds a path "Library > Place" (GLPI's tree of locations)
    location_path: bool = False
    # what the system writes before a cell that starts like a formula, to keep
    # spreadsheets from running it (Snipe-IT: a backtick)
    formula_guard: str = ""


# Snipe-IT's date formats: the sample files' US dates ("1/23/23", "1/23/2023"), and ISO
# dates with or without the time its reports add ("2023-05-12 00:00:00").
_SNIPEIT_DATES = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%m/%d/%y", "%m/%d/%Y")

PRESETS = {
    "snipeit": Preset(
        label="Snipe-IT",
        columns={
            "Item Name": "hostname",
            "Asset Name": "hostname",
            "Name": "hostname",
            "Asset Tag": "tag",
            "Serial Number": "serial_number",
            "Serial": "serial_number",
            "Model Name": "model",
            "Model": "model",
            "Model Number": "model_number",
            "Model No.": "model_number",
            "Manufacturer": "manufacturer",
            "Category": "category",
            # Snipe-IT's locations are rooms and buildings: our places. Which library a
            # file is from is chosen on import (or mapped from "Company" by hand).
            "Location": "location",
            "Status": "status",
            "Purchase Date": "purchase_date",
            "Purchase Cost": "purchase_price",
            "Supplier": "supplier",
            "Order Number": "it_reference",
            "Warranty Months": "warranty_months",
            "Warranty": "warranty_months",
            "Warranty Expires": "warranty_end",
            "EOL": "replacement_due",
            "Asset EOL Date": "replacement_due",
            "EOL Date": "replacement_due",
            "Asset Notes": "notes",
            "Notes": "notes",
            # Kept in the notes, so that nothing the file says is lost.
            "Company": "notes",
            "Checkout Type": "notes",
            "Checked Out To": "notes",
            "Checked Out To: Username": "notes",
            "Checked Out To: First Name": "notes",
            "Checked Out To: Last Name": "notes",
            "Checked Out To: Email": "notes",
            "Checked Out To: Location": "notes",
            "Checked Out": "notes",
            "Username": "notes",
        },
        # Snipe-IT's default status labels, and the types its reports add in parentheses.
        statuses={
            "Ready to Deploy": AssetStatus.IN_STOCK,
            "Ready to Deploy (deployed)": AssetStatus.IN_USE,
            "Deployed": AssetStatus.IN_USE,
            "Pending": AssetStatus.ORDERED,
            "Pending (deployed)": AssetStatus.IN_USE,
            "Pending Diagnostics": AssetStatus.IN_REPAIR,
            "Out for Diagnostics": AssetStatus.IN_REPAIR,
            "Out for Repair": AssetStatus.IN_REPAIR,
            "Broken": AssetStatus.IN_REPAIR,
            "Undeployable": AssetStatus.IN_REPAIR,
            "Broken - Not Fixable": AssetStatus.RETIRED,
            "Archived": AssetStatus.RETIRED,
            "Lost": AssetStatus.RETIRED,
            "Stolen": AssetStatus.RETIRED,
            "Lost/Stolen": AssetStatus.RETIRED,
        },
        number_language="en",
        date_formats=_SNIPEIT_DATES,
        default_status=AssetStatus.IN_USE,
        formula_guard="`",
    ),
    "glpi": Preset(
        label="GLPI",
        columns={
            "Name": "hostname",
            "Inventory number": "tag",
            "Serial number": "serial_number",
            "Manufacturer": "manufacturer",
            "Model": "model",
            "Type": "category",
            "Status": "status",
            "Location": "location",
            "Comments": "notes",
            "Supplier": "supplier",
            "Date of purchase": "purchase_date",
            "Purchase date": "purchase_date",
            "Value": "purchase_price",
            "Warranty expiration date": "warranty_end",
        },
        number_language="en",
        date_formats=("%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"),
        default_status=AssetStatus.IN_USE,
        location_path=True,
    ),
}

# Columns of which a file may have several: each further one adds a line to the field.
MULTI_COLUMNS = frozenset({"notes"})


@lru_cache(maxsize=8192)
def compact(text) -> str:
    """A name reduced to what matters for matching: lower-case letters and digits.

    A unit in parentheses is dropped, accents are removed ("Inköpspris (kr exkl. moms)"
    -> "inkopspris"), and so is everything that is not a letter or a digit.
    """
    text = re.sub(r"\([^)]*\)", " ", str(text))
    return _letters(text)


@lru_cache(maxsize=8192)
def compact_all(text) -> str:
    """As compact(), keeping what is in parentheses ("Ready to Deploy (deployed)")."""
    return _letters(str(text))


def _letters(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z]+", "", text)


# Endings of plural and definite forms, Swedish and English, longest first: "Kategorier",
# "Platserna", "Anteckningar", "Serial numbers", "Categories".
_ENDINGS = ("erna", "arna", "orna", "ies", "er", "ar", "or", "na", "en", "et", "es", "s", "n")


def word_forms(name: str) -> list[str]:
    """A compacted name without each plural or definite ending it may have."""
    forms = []
    for ending in _ENDINGS:
        if name.endswith(ending) and len(name) - len(ending) >= 4:
            stem = name[: -len(ending)]
            forms.append(stem + "y" if ending == "ies" else stem)
    return forms


def column_label(key: str) -> str:
    """The column's name in the active language, as the export writes it."""
    if key in EXTRA_COLUMNS:
        return str(EXTRA_COLUMNS[key])
    return capfirst(str(Asset._meta.get_field(key).verbose_name))


def column_choices() -> list[tuple[str, str]]:
    """(key, name) of every column a user can map a file's column to."""
    return [(key, column_label(key)) for key in (*ASSET_COLUMNS, *EXTRA_COLUMNS)]


# How surely a header names a column: chosen by hand, named exactly (the column's key,
# its label in either language, or the preset's name), by another common name, or by
# another form of one of those.
BY_HAND, EXACT, ALIAS, FORM = 4, 3, 2, 1


@cache
def _name_index() -> dict[str, tuple[str, int]]:
    """compacted name -> (key, strength) of every name a column is known by."""
    index: dict[str, tuple[str, int]] = {}

    def add(name, key, strength):
        found = index.get(name)
        if found is None or found[1] < strength:
            index[name] = (key, strength)

    for key in (*ASSET_COLUMNS, *EXTRA_COLUMNS):
        exact = [key]
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                exact.append(column_label(key))
        for name in exact:
            add(compact(name), key, EXACT)
        for name in ALIASES.get(key, ()):
            add(compact(name), key, ALIAS)
    for name, (key, strength) in list(index.items()):
        for form in word_forms(name):
            add(form, key, min(strength, FORM))
    return index


def names_field(header: str, key: str) -> bool:
    """Whether a header is one of the field's own names (not a preset's other column)."""
    found = _match_header(header, None)
    return found is not None and found[0] == key


def _match_header(header: str, preset: "Preset | None") -> tuple[str, int] | None:
    if preset is not None:
        for name, key in preset.columns.items():
            if compact_all(name) == compact_all(header):
                return key, EXACT
    name = compact(header)
    if not name:
        return None
    index = _name_index()
    if name in index:
        return index[name]
    for form in word_forms(name):
        if form in index:
            return index[form][0], FORM
    return None


@dataclass
class ColumnMatch:
    """Which column of the file fills which field."""

    headers: list[str]
    # column number (0-based) -> key
    columns: dict[int, str]
    # column numbers not matched automatically; the user may map them by hand
    unmatched: list[int]
    # column numbers whose key a column that names it more exactly fills
    duplicates: list[int] = field(default_factory=list)
    # key -> column numbers that name it equally well: the user must choose one
    ambiguous: dict[str, list[int]] = field(default_factory=dict)

    @property
    def ignored(self) -> list[str]:
        """Headers of the columns that will not be imported."""
        return [self.headers[i] for i in range(len(self.headers)) if i not in self.columns]

    @property
    def keys(self) -> set[str]:
        return set(self.columns.values())

    def header_of(self, key: str) -> str | None:
        for index, mapped in self.columns.items():
            if mapped == key:
                return self.headers[index]
        return None

    def columns_of(self, key: str) -> list[int]:
        return [index for index, mapped in self.columns.items() if mapped == key]


def match_columns(
    headers: list[str], *, mapping: str = "", manual: dict[int, str] | None = None
) -> ColumnMatch:
    """Match each header to a column key: by hand first, then the preset, then by name.

    A key named by several columns goes to the one that names it most exactly; where two
    name it equally well, neither is taken and the key is `ambiguous` until the user
    chooses. Notes may come from several columns.
    """
    preset = PRESETS.get(mapping)
    manual = manual or {}
    candidates: dict[str, list[tuple[int, int]]] = {}
    unmatched = []
    for index, header in enumerate(headers):
        found = _match_header(header, preset) if header else None
        if found is None:
            unmatched.append(index)
        if index in manual:
            found = (manual[index], BY_HAND) if manual[index] else None
        if found is not None:
            candidates.setdefault(found[0], []).append((index, found[1]))
    columns: dict[int, str] = {}
    duplicates: list[int] = []
    ambiguous: dict[str, list[int]] = {}
    for key, found in candidates.items():
        if key in MULTI_COLUMNS:
            columns.update((index, key) for index, _strength in found)
            continue
        best = max(strength for _index, strength in found)
        winners = [index for index, strength in found if strength == best]
        if len(winners) == 1 or best == BY_HAND:
            columns[winners[0]] = key
            duplicates.extend(i for i, _s in found if i != winners[0])
        else:
            ambiguous[key] = winners
            duplicates.extend(i for i, strength in found if strength != best)
    columns = dict(sorted(columns.items()))
    # A column that needs the user's choice is offered to map by hand.
    unmatched = sorted({*unmatched, *(i for winners in ambiguous.values() for i in winners)})
    return ColumnMatch(
        headers=list(headers),
        columns=columns,
        unmatched=unmatched,
        duplicates=sorted(duplicates),
        ambiguous=ambiguous,
    )
