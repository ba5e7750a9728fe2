"""Importing asset records: a dry run for the preview, then all rows or none (or, by the
user's explicit choice, the valid rows only).

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
from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from import_export.results import RowResult

from .. import history
from ..choices import AssetStatus
from ..models import Asset, Library
from .cells import FORMULA_START, text_of
from .columns import (
    MULTI_COLUMNS,
    PRESETS,
    ColumnMatch,
    column_label,
    compact,
    match_columns,
    names_field,
)
from .options import ImportOptions
from .reading import Table, read_table
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

    def change_row(self, name: str) -> history.ChangeRow:
        """The change of one field, as change_rows() shows it."""
        return history.rows(
            Asset, RowOutcome(self.number, self.tag, self.kind, {name: self.changes[name]})
        )[0]


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
    # the file as read: its header row and cells, for the rejected rows' file
    table: Table | None = None
    # values of the file that name nothing in Inventera, by field, for the user to map
    unknown: dict[str, list[str]] = field(default_factory=dict)
    # how many new rows had no status and take the default (`default_status`)
    defaulted_status: int = 0
    default_status: str = AssetStatus.IN_STOCK
    # how many blank cells left a stored value alone
    blanks_kept: int = 0
    # row numbers the user chose to leave out, with their errors
    left_out: list[int] = field(default_factory=list)

    @property
    def counts(self) -> Counter:
        return Counter(row.kind for row in self.rows)

    @property
    def default_status_label(self) -> str:
        return str(AssetStatus(self.default_status).label)

    @property
    def error_rows(self) -> list[RowOutcome]:
        return [row for row in self.rows if row.kind == ERROR]

    @property
    def has_errors(self) -> bool:
        return bool(self.problems or self.error_rows)

    @property
    def can_leave_out_errors(self) -> bool:
        """Whether importing only the valid rows is possible: no file-level problem,
        some rows with errors and some without."""
        return not self.problems and bool(self.error_rows) and len(self.error_rows) < len(self.rows)

    @property
    def cleared(self) -> list[tuple[RowOutcome, str]]:
        """(row, field) of every stored value the import would empty."""
        return [
            (row, name)
            for row in self.rows
            if row.kind == UPDATE
            for name, (old, new) in row.changes.items()
            if old not in _EMPTY and new in _EMPTY
        ]

    def summary(self) -> str:
        """`N new, N updated, N unchanged, N errors`: a fixed form that scripts can read."""
        counts = self.counts
        errors = counts[ERROR] or len(self.problems)
        return (
            f"{counts[NEW]} new, {counts[UPDATE]} updated, "
            f"{counts[UNCHANGED]} unchanged, {errors} errors"
        )


_EMPTY = (None, "", [])


@transaction.atomic
def assets_import(
    *,
    content: bytes,
    file_name: str,
    actor,
    commit: bool = False,
    options: ImportOptions | None = None,
    leave_out_errors: bool = False,
    resource_class: type[AssetResource] = AssetResource,
    progress=None,
    **option_values,
) -> ImportOutcome:
    """Check every row of an asset file and, with `commit`, write them.

    All or nothing by default: with any error, nothing is written. With
    `leave_out_errors`, the rows without errors are written and the others left out;
    the history of each written asset names the file and the rows left out.

    `options` says how the file is read (see ImportOptions; its fields may also be given
    as keyword arguments). `progress(phase, rows_done, rows)` is told how far a long
    import has come; phase is "checking" or "writing". Raises ImportFileError for a file
    that cannot be read at all.
    Every change is recorded in the asset's history as an import by `actor` from
    `file_name`.
    """
    options = options or ImportOptions(**option_values)
    with _without_cyclic_gc():
        if commit and leave_out_errors:
            return _import_leaving_out(content, file_name, actor, options, resource_class, progress)
        return _import(
            content=content,
            file_name=file_name,
            actor=actor,
            commit=commit,
            options=options,
            resource_class=resource_class,
            progress=progress,
        )


def _import_leaving_out(
    content, file_name, actor, options, resource_class, progress=None
) -> ImportOutcome:
    """The valid rows of a file, in one transaction: a dry run finds the rows with
    errors, and the commit writes every other row (or none, if one fails now)."""

    def attempt(*, commit: bool, left_out=None) -> ImportOutcome:
        return _import(
            content=content,
            file_name=file_name,
            actor=actor,
            commit=commit,
            options=options,
            resource_class=resource_class,
            left_out=left_out,
            progress=progress,
        )

    checked = attempt(commit=False)
    if checked.problems or len(checked.error_rows) == len(checked.rows):
        # Nothing that could be written: the file's errors, as an all-or-nothing run.
        return checked
    left_out = [row.number for row in checked.error_rows]
    outcome = attempt(commit=True, left_out=left_out)
    if outcome.committed and left_out:
        # The rows left out, with the errors they had, among the rows written.
        outcome.rows = sorted(outcome.rows + checked.error_rows, key=lambda row: row.number)
        outcome.left_out = left_out
    return outcome


def header_scorer(mapping: str):
    """How well a row serves as the header: the number of columns it names."""

    def score(cells: list[str]) -> int:
        return len(match_columns(cells, mapping=mapping).columns)

    return score


def _import(
    *,
    content,
    file_name,
    actor,
    commit,
    options: ImportOptions,
    resource_class,
    left_out: list[int] | None = None,
    progress=None,
) -> ImportOutcome:
    table = read_table(
        content,
        file_name,
        encoding=options.encoding,
        delimiter=options.delimiter,
        header_score=header_scorer(options.mapping),
    )
    match = match_columns(
        table.headers, mapping=options.mapping, manual=options.manual_columns(table.headers)
    )
    preset = PRESETS.get(options.mapping)
    outcome = ImportOutcome(file_name=file_name, columns=match, table=table)
    if preset is not None:
        outcome.default_status = preset.default_status
    if not match.columns:
        outcome.problems.append(
            _(
                "No row at the top of the file names the columns: none of these names is "
                "known: %(names)s. Is the header row missing?"
            )
            % {"names": ", ".join(f"“{h}”" for h in table.headers if h)}
        )
        return outcome
    for key, indexes in match.ambiguous.items():
        outcome.problems.append(
            _(
                "The columns %(columns)s could each be “%(label)s”. Choose below which one "
                "is; the others are not imported."
            )
            % {
                "columns": ", ".join(f"“{table.headers[i]}”" for i in indexes),
                "label": column_label(key),
            }
        )
    if "tag" not in match.keys:
        outcome.problems.append(
            _("No column holds the asset tag (“%(label)s”), which tells the rows apart.")
            % {"label": column_label("tag")}
        )
    default_library = None
    if options.library:
        default_library = Library.objects.filter(code__iexact=options.library).first()
        if default_library is None:
            outcome.problems.append(
                _("No library has the code “%(code)s”.") % {"code": options.library}
            )
    if outcome.problems:
        return outcome

    skipped = set(left_out or ())
    rows = [(number, cells) for number, cells in table.rows if number not in skipped]
    dataset, keys = _dataset(match, rows, preset)
    row_numbers = [number for number, _cells in rows]

    resource = resource_class(
        actor=actor,
        file_name=file_name,
        create_missing=options.create_missing,
        preset=preset,
        lock_rows=commit,
        blank_clears=options.blank_clears,
        default_library=default_library,
        value_map=_value_map(options.values),
        create_values={
            name: {compact(value) for value in values} for name, values in options.create.items()
        },
        left_out=_left_out_note(left_out),
        progress=_phase_progress(progress, commit, len(rows)),
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
    outcome.unknown = {name: sorted(values) for name, values in resource.unknown.items() if values}
    outcome.defaulted_status = resource.defaulted_status
    outcome.blanks_kept = resource.blanks_kept
    if commit and outcome.has_errors:
        # import_data rolled its work back; make sure nothing else of this call stays.
        transaction.set_rollback(True)
    outcome.committed = commit and not outcome.has_errors
    return outcome


def _phase_progress(progress, commit: bool, rows: int):
    if progress is None:
        return None
    phase = "writing" if commit else "checking"
    progress(phase, 0, rows)
    return lambda done: progress(phase, done, rows)


def _dataset(match: ColumnMatch, rows, preset) -> tuple[tablib.Dataset, list[str]]:
    """The rows as the resource reads them: one column per key.

    Several note columns become one, each after the first as a "Header: value" line; a
    location written as a path (GLPI's "Library > Place") gives the library and the place.
    """
    keys = list(dict.fromkeys(match.columns.values()))
    split_path = preset is not None and preset.location_path and "location" in keys
    if split_path and "library" not in keys:
        keys.append("library")
    positions = {key: match.columns_of(key) for key in keys}
    headers = match.headers
    libraries = _library_names() if split_path else set()
    guard = preset.formula_guard if preset is not None else ""
    dataset = tablib.Dataset(headers=keys)
    for _number, cells in rows:
        values = {}
        for key in keys:
            indexes = positions[key]
            if key in MULTI_COLUMNS and len(indexes) > 1:
                values[key] = _joined_lines(headers, cells, indexes, key)
            else:
                values[key] = cells[indexes[0]] if indexes else None
            if guard and isinstance(values[key], str) and values[key].startswith(guard):
                rest = values[key][len(guard) :]
                if rest.startswith(FORMULA_START):
                    values[key] = rest
        if split_path:
            _split_location(values, libraries)
        dataset.append([values[key] for key in keys])
    return dataset, keys


def _joined_lines(headers, cells, indexes, key) -> str:
    """The cells of several columns as one text: the field's own column first, as it is;
    each other column's cell as a "Header: value" line."""
    own = next((i for i in indexes if names_field(headers[i], key)), indexes[0])
    lines = [text_of(cells[own])]
    for index in indexes:
        text = text_of(cells[index])
        if text and index != own:
            lines.append(f"{headers[index]}: {text}")
    return "\n".join(line for line in lines if line)


def _library_names() -> set[str]:
    names = set()
    for code, name in Library.objects.values_list("code", "name"):
        names.update((compact(code), compact(name)))
    return names


def _split_location(values: dict, libraries: set[str]) -> None:
    """ "Huvudbiblioteket > Plan 2 > Rum 12" -> library "Huvudbiblioteket", place
    "Plan 2 > Rum 12". A path of one part is a library if it names one, else a place."""
    parts = [part.strip() for part in text_of(values["location"]).split(">") if part.strip()]
    if not parts:
        return
    if len(parts) == 1 and compact(parts[0]) not in libraries:
        values["location"] = parts[0]
        return
    if not text_of(values.get("library")):
        values["library"] = parts[0]
    values["location"] = " > ".join(parts[1:])


def _value_map(values: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    return {
        name: {compact(found): meant for found, meant in mapped.items() if meant}
        for name, mapped in values.items()
    }


def _left_out_note(left_out: list[int] | None) -> str:
    if not left_out:
        return ""
    # In the deployment's language, as the history's other import notes.
    with translation.override(settings.LANGUAGE_CODE):
        return ngettext(
            "row %(rows)s left out",
            "rows %(rows)s left out",
            len(left_out),
        ) % {"rows": ", ".join(str(n) for n in left_out)}


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
