"""What every report's layout shares: the header facts, the notes, the columns of lists."""

from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from inventory.choices import AssetStatus
from inventory.formatting import format_date
from procurement.choices import Party, Stage
from procurement.selectors import municipality

from ..document import Column, Kind, Table
from ..selectors.scope import ReportScope


def made(facts: Any) -> dict[str, Any]:
    """A document's header facts that every report takes from its data: the as-of date,
    when and by whom it was made, and the language it is written in."""
    return {
        "as_of": facts.as_of,
        "made_at": facts.made_at,
        "author": facts.author,
        "language": language(),
    }


def vat_note() -> str:
    return _("All amounts are in SEK excluding VAT, as every amount in Inventera.")


def language() -> str:
    return (get_language() or "sv")[:2]


def organisation(scope: ReportScope | None = None, library=None) -> str:
    library = library if library is not None else (scope.library if scope else None)
    name = municipality()[0] or "Inventera"
    return f"{name} – {library.name}" if library is not None else name


def library_filter(scope: ReportScope) -> tuple[str, str]:
    if scope.library is not None:
        return _("Library"), f"{scope.library.name} ({scope.library.code})"
    codes = ", ".join(library.code for library in scope.libraries)
    return _("Libraries"), _("All you may see: %(codes)s") % {"codes": codes or "–"}


def period_filter(scope: ReportScope) -> tuple[str, str]:
    return _("Period"), f"{format_date(scope.period_start)} – {format_date(scope.as_of)}"


def stage_label(code: str) -> str:
    return str(Stage(code).label) if code else ""


def party_label(code: str) -> str:
    return str(Party(code).label) if code else ""


def status_label(code: str) -> str:
    return str(AssetStatus(code).label) if code else ""


def listing_table(listing, columns: tuple[Column, ...], row, *, caption: str, sheet: str = ""):
    """A Table of the rows of a Listing (or any rows with .total), built by `row`."""
    return Table(
        columns=columns,
        rows=[row(item) for item in listing.rows],
        caption=caption,
        total=listing.total,
        sheet=sheet,
    )


def money_column(label: str, width: float = 1.0) -> Column:
    return Column(label, Kind.MONEY, width)
