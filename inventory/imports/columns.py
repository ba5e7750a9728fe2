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
from ..models import Asset

# The columns an asset file can have, in the order the export writes them.
ASSET_COLUMNS = (
    "tag",
    "category",
    "manufacturer",
    "model",
    "serial_number",
    "library",
    "location",
    "status",
    "usage",
    "ownership",
    "lease_end",
    "trial_return_by",
    "purchase_date",
    "purchase_price",
    "warranty_end",
    "replacement_due",
    "hostname",
    "it_reference",
    "features",
    "parent",
    "notes",
)

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
    "notes": ("note", "comment", "comments", "kommentar", "anmärkning"),
}


@dataclass(frozen=True)
class Preset:
    """Another system's file: its column names, its status labels, how it writes numbers."""

    label: str
    columns: dict[str, str]
    statuses: dict[str, str] = field(default_factory=dict)
    number_language: str = "sv"


PRESETS = {
    "snipeit": Preset(
        label="Snipe-IT",
        columns={
            "Item Name": "hostname",
            "Asset Name": "hostname",
            "Asset Tag": "tag",
            "Serial Number": "serial_number",
            "Serial": "serial_number",
            "Model Name": "model",
            "Model": "model",
            "Model Number": "model_number",
            "Model No.": "model_number",
            "Manufacturer": "manufacturer",
            "Category": "category",
            # Snipe-IT's locations are sites: they are our libraries.
            "Location": "library",
            "Status": "status",
            "Purchase Date": "purchase_date",
            "Purchase Cost": "purchase_price",
            "Supplier": "supplier",
            "Order Number": "it_reference",
            "Warranty Months": "warranty_months",
            "Warranty": "warranty_months",
            "Notes": "notes",
        },
        # Snipe-IT's default status labels.
        statuses={
            "Ready to Deploy": AssetStatus.IN_STOCK,
            "Deployed": AssetStatus.IN_USE,
            "Pending": AssetStatus.ORDERED,
            "Archived": AssetStatus.RETIRED,
            "Out for Repair": AssetStatus.IN_REPAIR,
            "Broken": AssetStatus.IN_REPAIR,
        },
        number_language="en",
    ),
}


@lru_cache(maxsize=8192)
def _compact(text: str) -> str:
    text = re.sub(r"\([^)]*\)", " ", text)
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z]+", "", text)


def compact(text) -> str:
    """A name reduced to what matters for matching: lower-case letters and digits.

    A unit in parentheses is dropped, accents are removed ("Inköpspris (kr exkl. moms)"
    -> "inkopspris"), and so is everything that is not a letter or a digit.
    """
    text = re.sub(r"\([^)]*\)", " ", str(text))
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z]+", "", text)


def column_label(key: str) -> str:
    """The column's name in the active language, as the export writes it."""
    if key in EXTRA_COLUMNS:
        return str(EXTRA_COLUMNS[key])
    return capfirst(str(Asset._meta.get_field(key).verbose_name))


def column_choices() -> list[tuple[str, str]]:
    """(key, name) of every column a user can map a file's column to."""
    return [(key, column_label(key)) for key in (*ASSET_COLUMNS, *EXTRA_COLUMNS)]


@cache
def _alias_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for key in ASSET_COLUMNS:
        names = [key, *ALIASES.get(key, ())]
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                names.append(column_label(key))
        for name in names:
            index.setdefault(compact(name), key)
    return index


@dataclass
class ColumnMatch:
    """Which column of the file fills which field."""

    headers: list[str]
    # column number (0-based) -> key
    columns: dict[int, str]
    # column numbers not matched automatically; the user may map them by hand
    unmatched: list[int]
    # column numbers whose key an earlier column already fills
    duplicates: list[int]

    @property
    def ignored(self) -> list[str]:
        """Headers of the columns that will not be imported."""
        return [self.headers[i] for i in range(len(self.headers)) if i not in self.columns]

    def header_of(self, key: str) -> str | None:
        for index, mapped in self.columns.items():
            if mapped == key:
                return self.headers[index]
        return None


def match_columns(
    headers: list[str], *, mapping: str = "", manual: dict[int, str] | None = None
) -> ColumnMatch:
    """Match each header to a column key: by hand first, then the preset, then by name."""
    preset = PRESETS.get(mapping)
    preset_index = {compact(name): key for name, key in preset.columns.items()} if preset else {}
    names = _alias_index()
    manual = manual or {}
    columns: dict[int, str] = {}
    unmatched, duplicates = [], []
    taken: set[str] = set()
    for index, header in enumerate(headers):
        name = compact(header)
        automatic = preset_index.get(name) or names.get(name) if name else None
        if not automatic:
            unmatched.append(index)
        key = manual.get(index, automatic)
        if not key:
            continue
        if key in taken:
            duplicates.append(index)
            continue
        taken.add(key)
        columns[index] = key
    return ColumnMatch(
        headers=list(headers), columns=columns, unmatched=unmatched, duplicates=duplicates
    )
