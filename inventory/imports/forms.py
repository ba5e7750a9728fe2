"""The import's forms: the upload, and the preview's choices of how the file is read."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..choices import AssetStatus
from ..models import Category, ImportMapping, Library, Location
from ..selectors import libraries_visible_to
from .columns import PRESETS, column_choices, column_label
from .options import CREATABLE
from .reading import ENCODINGS, ImportFileError, check_size, read_table
from .uploads import COLUMN_FIELD

# The value of a value choice that creates the value (a new location).
CREATE = "+create"


def mapping_choices():
    return [("", gettext_lazy("Inventera's own columns (automatic)"))] + [
        (name, preset.label) for name, preset in PRESETS.items()
    ]


def encoding_choices():
    return [("", gettext_lazy("Automatic (UTF-8 or Windows-1252)")), *ENCODINGS.items()]


def library_choices(libraries):
    return [("", gettext_lazy("The file says, on each row"))] + [
        (library.code, f"{library.code} – {library.name}") for library in libraries
    ]


class AssetImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "CSV (comma or semicolon) or XLSX, at most 10 MB and 50 000 rows, with the "
            "column names in one of the first rows."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )
    saved = forms.ModelChoiceField(
        label=gettext_lazy("Saved choices"),
        queryset=ImportMapping.objects.all(),
        required=False,
        empty_label=gettext_lazy("None"),
        help_text=gettext_lazy("Read the file as a file from the same system was read before."),
    )
    mapping = forms.ChoiceField(
        label=gettext_lazy("Columns"), choices=mapping_choices, required=False
    )
    library = forms.ChoiceField(
        label=gettext_lazy("Library of rows that name none"),
        required=False,
        help_text=gettext_lazy(
            "For files without a library column, such as Snipe-IT's, whose locations are rooms."
        ),
    )
    encoding = forms.ChoiceField(
        label=gettext_lazy("Character encoding (CSV)"), choices=encoding_choices, required=False
    )
    create_missing = forms.BooleanField(
        label=gettext_lazy("Create missing manufacturers, models and locations"),
        required=False,
        help_text=gettext_lazy(
            "Without this, a name that is not in Inventera is an error on its row."
        ),
    )

    def __init__(self, *args, libraries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["library"].choices = library_choices(libraries)
        if not ImportMapping.objects.exists():
            del self.fields["saved"]

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is None:
            return cleaned
        try:
            check_size(upload.size)
            content = upload.read()
            upload.seek(0)
            read_table(content, upload.name, encoding=cleaned.get("encoding") or None)
        except ImportFileError as exc:
            self.add_error("file", str(exc))
        return cleaned


class ImportOptionsForm(forms.Form):
    """Change how the uploaded file is read: the preset, the library of rows without one,
    blank cells, create missing, which field each unmatched column fills, and what each
    unknown value means."""

    mapping = forms.ChoiceField(
        label=gettext_lazy("Columns"), choices=mapping_choices, required=False
    )
    library = forms.ChoiceField(
        label=gettext_lazy("Library of rows that name none"), required=False
    )
    encoding = forms.ChoiceField(
        label=gettext_lazy("Character encoding (CSV)"), choices=encoding_choices, required=False
    )
    create_missing = forms.BooleanField(
        label=gettext_lazy("Create missing manufacturers, models and locations"),
        required=False,
    )
    blank_clears = forms.BooleanField(
        label=gettext_lazy("Blank cells clear the field"),
        required=False,
        help_text=gettext_lazy(
            "Without this, a blank cell leaves what Inventera has stored for that asset alone."
        ),
    )
    save_as = forms.CharField(
        label=gettext_lazy("Save these choices for the next file as"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("For example “Snipe-IT, Norrbiblioteket”. Leave empty not to save."),
    )

    def __init__(
        self,
        *args,
        headers: list[str],
        unmatched: list[int],
        unknown: dict[str, list[str]] | None = None,
        libraries=(),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["library"].choices = library_choices(libraries)
        choices = [("", gettext_lazy("Do not import")), *column_choices()]
        self.column_names = []
        for index in unmatched:
            name = f"{COLUMN_FIELD}{index}"
            self.fields[name] = forms.ChoiceField(
                label=headers[index] or _("Column %(number)s") % {"number": index + 1},
                choices=choices,
                required=False,
            )
            self.column_names.append(name)
        # One choice per unknown value; its hidden twin carries the value itself.
        self.value_groups: list[tuple[str, list[tuple[str, str]]]] = []
        for key, values in (unknown or {}).items():
            options = value_choices(key, libraries)
            names = []
            for number, value in enumerate(values):
                name = f"value_{key}_{number}"
                self.fields[name] = forms.ChoiceField(
                    label=value, choices=options(value), required=False
                )
                self.fields[f"{name}_from"] = forms.CharField(
                    widget=forms.HiddenInput, initial=value, required=False
                )
                names.append((name, f"{name}_from"))
            self.value_groups.append((key, names))

    def column_fields(self):
        return [self[name] for name in self.column_names]

    def value_fieldsets(self):
        """(legend, [(choice, hidden value)]) per field with unknown values."""
        return [
            (column_label(key), [(self[name], self[hidden]) for name, hidden in names])
            for key, names in self.value_groups
        ]

    def clean_save_as(self):
        return self.cleaned_data["save_as"].strip()

    def mapped_values(self) -> tuple[dict[str, dict[str, str]], dict[str, list[str]]]:
        """({field: {value: meant}}, {field: [values to create]}) as chosen."""
        values: dict[str, dict[str, str]] = {}
        create: dict[str, list[str]] = {}
        for key, names in self.value_groups:
            for name, hidden in names:
                found = self.cleaned_data.get(hidden) or ""
                meant = self.cleaned_data.get(name) or ""
                if not found or not meant:
                    continue
                if meant == CREATE:
                    if key not in CREATABLE:
                        raise ValidationError(_("Only locations can be created."))
                    create.setdefault(key, []).append(found)
                else:
                    values.setdefault(key, {})[found] = meant
        return values, create


def value_choices(key: str, libraries):
    """A function giving the choices for one unknown value of the field `key`."""
    leave = ("", gettext_lazy("No match: the rows are errors"))
    if key == "library":
        existing = [(lib.code, f"{lib.code} – {lib.name}") for lib in libraries]
    elif key == "category":
        existing = [(c.code, str(c)) for c in Category.objects.all()]
    elif key == "status":
        existing = [(code, str(label)) for code, label in AssetStatus.choices]
    elif key == "location":
        places = (
            Location.objects.filter(library__in=list(libraries))
            .select_related("library")
            .order_by("library__code", "name")
        )
        existing = sorted({(p.name, p.name) for p in places}, key=lambda c: c[0].casefold())
    else:
        existing = []

    def options(value):
        extra = [(CREATE, _("Create “%(value)s”") % {"value": value})] if key in CREATABLE else []
        return [leave, *extra, *existing]

    return options


def libraries_for(user) -> list[Library]:
    """The libraries a user may import rows into."""
    return list(libraries_visible_to(user).order_by("code"))
