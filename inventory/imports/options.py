"""How a file is read: the options of one import, and saving them for the next file.

The same options come from the preview page, from `manage.py import_assets` and from a
mapping file or a saved mapping (ImportMapping), so that a file from the same system is
read the same way the next time. As a dict (the mapping file's YAML or JSON, and the
saved mapping):

    mapping: snipeit            # a preset, see columns.PRESETS
    library: HB                 # the library of rows that name none
    create_missing: true
    blank_clears: false
    columns: {Company: notes}   # a file's header -> the field it fills ("" = not imported)
    values:                     # {field: {value in the file: the value it means}}
      category: {Desktop: Publik dator}
    create: {location: [Rum 12]}
"""

from dataclasses import asdict, dataclass, field, replace

from django.utils.translation import gettext as _

from .columns import compact, match_columns

# The fields whose values can be mapped, and those whose unknown values can be created.
MAPPABLE = ("library", "location", "category", "status")
CREATABLE = ("location",)


class OptionsError(ValueError):
    """Options that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class ImportOptions:
    mapping: str = ""
    # column number -> key, chosen by hand for this file ("" = not imported)
    columns: dict[int, str] = field(default_factory=dict)
    # header -> key, for any file with that header (a saved mapping's)
    columns_by_name: dict[str, str] = field(default_factory=dict)
    create_missing: bool = False
    blank_clears: bool = False
    library: str = ""
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    create: dict[str, list[str]] = field(default_factory=dict)
    encoding: str | None = None
    delimiter: str | None = None

    def manual_columns(self, headers: list[str]) -> dict[int, str]:
        by_name = {compact(name): key for name, key in self.columns_by_name.items()}
        manual = {
            index: by_name[compact(header)]
            for index, header in enumerate(headers)
            if header and compact(header) in by_name
        }
        manual.update(self.columns)
        return manual

    def to_dict(self, headers: list[str] | None = None) -> dict:
        """The options to save for the next file: columns by their header's name."""
        data = asdict(self)
        columns = dict(self.columns_by_name)
        for index, key in self.columns.items():
            if headers and index < len(headers) and headers[index]:
                columns[headers[index]] = key
        data["columns"] = columns
        for name in ("columns_by_name", "encoding", "delimiter"):
            data.pop(name)
        return {key: value for key, value in data.items() if value not in ("", {}, [], False)}


def options_from_dict(data, **overrides) -> ImportOptions:
    """ImportOptions from a mapping file's or a saved mapping's dict; OptionsError names
    what is wrong."""
    if not isinstance(data, dict):
        raise OptionsError(_("The mapping must be a set of names and values."))
    known = {"mapping", "library", "create_missing", "blank_clears", "columns", "values", "create"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise OptionsError(
            _("Unknown settings in the mapping: %(names)s.") % {"names": ", ".join(unknown)}
        )
    columns = data.get("columns") or {}
    values = data.get("values") or {}
    create = data.get("create") or {}
    if not all(isinstance(x, dict) for x in (columns, values, create)):
        raise OptionsError(
            _("“columns”, “values” and “create” must each be a set of names and values.")
        )
    options = ImportOptions(
        mapping=str(data.get("mapping") or ""),
        library=str(data.get("library") or ""),
        create_missing=bool(data.get("create_missing")),
        blank_clears=bool(data.get("blank_clears")),
        columns_by_name={str(k): str(v or "") for k, v in columns.items()},
        values={
            field_key(name): {str(k): str(v) for k, v in (mapped or {}).items()}
            for name, mapped in values.items()
        },
        create={field_key(name): [str(v) for v in (items or [])] for name, items in create.items()},
    )
    for name in options.create:
        if name not in CREATABLE:
            raise OptionsError(_("Only locations can be created from the file's values."))
    return replace_options(options, **overrides)


def replace_options(options: ImportOptions, **changes) -> ImportOptions:
    """The options with the changes that are given (not None)."""
    return replace(options, **{k: v for k, v in changes.items() if v is not None})


def field_key(name: str) -> str:
    """The field a name means: its key ("category") or its header in Swedish or English
    ("Kategori", "Category"); only fields whose values can be mapped."""
    match = match_columns([str(name)])
    key = match.columns.get(0) or (str(name) if str(name) in MAPPABLE else "")
    if key not in MAPPABLE:
        raise OptionsError(
            _("Values of “%(name)s” cannot be mapped; only those of %(fields)s.")
            % {"name": name, "fields": ", ".join(MAPPABLE)}
        )
    return key


def parse_map_value(text: str) -> tuple[str, str, str]:
    """`FIELD:FROM=TO` -> (field key, from, to); OptionsError if it is not that."""
    name, colon, rest = text.partition(":")
    found, equals, meant = rest.partition("=")
    if not (colon and equals and name.strip() and found.strip() and meant.strip()):
        raise OptionsError(
            _("“%(text)s” is not FIELD:FROM=TO, e.g. “category:Desktop=Publik dator”.")
            % {"text": text}
        )
    return field_key(name.strip()), found.strip(), meant.strip()
