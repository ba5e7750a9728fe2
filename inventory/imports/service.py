"""Importing asset records: a dry run for the preview, then all rows or none.

`assets_import()` reads the file, matches its columns, and runs the django-import-export
resource (`inventory.imports.resource.AssetResource`) over it. Without `commit` it is the
preview: every row is checked as the form would check it, nothing is kept. With
`commit`, the rows are written in one transaction, and only if no row has an error.
"""

import gc
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

import tablib
from django.db import transaction
from django.utils.translation import gettext as _
from import_export.results import RowResult

from .. import history
from ..models import Asset
from .cells import text_of
from .columns import PRESETS, ColumnMatch, column_label, match_columns
from .reading import read_table
from .resource import AssetResource, error_messages

NEW, UPDATE, UNCHANGED, ERROR = "new", "update", "unchanged", "error"
_KINDS = {
    RowResult.IMPORT_TYPE_NEW: NEW,
    RowResult.IMPORT_TYPE_UPDATE: UPDATE,
    RowResult.IMPORT_TYPE_SKIP: UNCHANGED,
}


@dataclass(frozen=True)
class RowError:
    column: str
    message: str


@dataclass
class RowOutcome:
    """What the import does, or would do, with one row of the file."""

    number: int
    tag: str
    kind: str
    changes: dict = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)

    def change_rows(self) -> list[history.ChangeRow]:
        """The changes as labelled, localised old -> new text, as the history shows them."""
        return history.rows(Asset, self)


@dataclass
class ImportOutcome:
    file_name: str
    columns: ColumnMatch
    rows: list[RowOutcome] = field(default_factory=list)
    # problems with the file as a whole; no row is imported while there is one
    problems: list[str] = field(default_factory=list)
    # manufacturers, models and locations that "create missing" adds
    created: dict[str, list[str]] = field(default_factory=dict)
    committed: bool = False

    @property
    def counts(self) -> Counter:
        return Counter(row.kind for row in self.rows)

    @property
    def error_rows(self) -> list[RowOutcome]:
        return [row for row in self.rows if row.kind == ERROR]

    @property
    def has_errors(self) -> bool:
        return bool(self.problems or self.error_rows)

    def summary(self) -> str:
        """`N new, N updated, N unchanged, N errors`: a fixed form that scripts can read."""
        counts = self.counts
        errors = counts[ERROR] or len(self.problems)
        return (
            f"{counts[NEW]} new, {counts[UPDATE]} updated, "
            f"{counts[UNCHANGED]} unchanged, {errors} errors"
        )


@transaction.atomic
def assets_import(
    *,
    content: bytes,
    file_name: str,
    actor,
    commit: bool = False,
    create_missing: bool = False,
    mapping: str = "",
    columns: dict[int, str] | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    resource_class: type[AssetResource] = AssetResource,
) -> ImportOutcome:
    """Check every row of an asset file and, with `commit`, write them all or none.

    `mapping` names a preset for another system's file (see columns.PRESETS); `columns`
    maps column numbers to keys by hand. Raises ImportFileError for a file that cannot be
    read at all. Every change is recorded in the asset's history as an import by `actor`
    from `file_name`.
    """
    with _without_cyclic_gc():
        return _import(
            content=content,
            file_name=file_name,
            actor=actor,
            commit=commit,
            create_missing=create_missing,
            mapping=mapping,
            columns=columns,
            encoding=encoding,
            delimiter=delimiter,
            resource_class=resource_class,
        )


def _import(
    *,
    content,
    file_name,
    actor,
    commit,
    create_missing,
    mapping,
    columns,
    encoding,
    delimiter,
    resource_class,
) -> ImportOutcome:
    table = read_table(content, file_name, encoding=encoding, delimiter=delimiter)
    match = match_columns(table.headers, mapping=mapping, manual=columns)
    outcome = ImportOutcome(file_name=file_name, columns=match)
    if not match.columns:
        outcome.problems.append(
            _(
                "The first row must name the columns, and none of its names is known: "
                "%(names)s. Is the header row missing?"
            )
            % {"names": ", ".join(f"“{h}”" for h in table.headers if h)}
        )
        return outcome
    if "tag" not in match.columns.values():
        outcome.problems.append(
            _("No column holds the asset tag (“%(label)s”), which tells the rows apart.")
            % {"label": column_label("tag")}
        )
        return outcome

    keys = list(match.columns.values())
    dataset = tablib.Dataset(headers=keys)
    for _number, cells in table.rows:
        dataset.append([cells[index] for index in match.columns])
    row_numbers = [number for number, _cells in table.rows]

    resource = resource_class(
        actor=actor,
        file_name=file_name,
        create_missing=create_missing,
        preset=PRESETS.get(mapping),
        lock_rows=commit,
    )
    result = resource.import_data(
        dataset,
        dry_run=not commit,
        use_transactions=True,
        rollback_on_validation_errors=True,
        row_numbers=row_numbers,
    )

    for index, row_result in enumerate(result.rows, 1):
        number = row_numbers[index - 1]
        tag, changes = resource.row_changes.get(index, ("", {}))
        tag = tag or text_of(dataset[index - 1][keys.index("tag")])
        if row_result.import_type == RowResult.IMPORT_TYPE_INVALID:
            errors = [
                RowError(_column(match, name), message)
                for name, message in error_messages(row_result.validation_error)
            ]
            outcome.rows.append(RowOutcome(number, tag, ERROR, errors=errors))
        elif row_result.import_type == RowResult.IMPORT_TYPE_ERROR:
            errors = [
                RowError("", _("Unexpected error: %(error)s") % {"error": error.error})
                for error in row_result.errors
            ]
            outcome.rows.append(RowOutcome(number, tag, ERROR, errors=errors))
        else:
            outcome.rows.append(RowOutcome(number, tag, _KINDS[row_result.import_type], changes))
    outcome.problems.extend(
        _("The rows could not be written: %(error)s") % {"error": error.error}
        for error in result.base_errors
    )
    outcome.created = {kind: sorted(set(names)) for kind, names in resource.created.items()}
    if commit and outcome.has_errors:
        # import_data rolled its work back; make sure nothing else of this call stays.
        transaction.set_rollback(True)
    outcome.committed = commit and not outcome.has_errors
    return outcome


@contextmanager
def _without_cyclic_gc():
    """Python's cycle collector off while the rows are imported.

    An import makes tens of thousands of objects that all live until it ends, and each
    full collection scans them all again: 13 % of a 10 000-row import, and more the
    larger the file (bench/imports.py). Reference counting still frees what is dropped; the
    collector runs again as soon as the import is done.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _column(match: ColumnMatch, name: str) -> str:
    """The column an error is about: the file's header if the file has it."""
    if not name:
        return ""
    return match.header_of(name) or column_label(name)
