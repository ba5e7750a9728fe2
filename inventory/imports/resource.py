"""django-import-export resources of the register: how an asset row reads and writes.

`AssetResource` is used by `inventory.imports` for the import (with its dry run as the
preview) and for the export. Each row gets the same rules as the asset form and the
services: the model's `full_clean()`, the derived values of `services.set_derived`, the
status moves of `choices.allowed_moves`, a version bump on every change, and a history
record attributed to the importing user and marked as an import with the file name.

How it is fast: django-import-export's `use_bulk` collects the rows and writes them with
`bulk_create` / `bulk_update` in batches; the existing assets of a file are loaded in a
few queries (`AssetLoader`), and names of libraries, categories, manufacturers, models,
locations and features are looked up in memory. The checks `full_clean()` would make
with one query per row – that a related row exists, that the tag and serial number are
unique – are made for the whole file at once instead (`bulk_checks`). bench/imports.py
measures this against the library's default path, one query and one save per row
(bench/per_row.py).
"""

import re
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import resources
from import_export.fields import Field
from import_export.instance_loaders import BaseInstanceLoader

from .. import history, services
from ..choices import (
    AssetStatus,
    ChangeAction,
    ChangeSource,
    Ownership,
    Usage,
)
from ..dates import add_months
from ..fieldlists import ASSET_FIELDS
from ..formatting import parse_decimal
from ..models import (
    Asset,
    Category,
    ChangeRecord,
    Feature,
    Library,
    Location,
    Manufacturer,
    ProductModel,
)
from .cells import (
    AMBIGUOUS,
    AmountWidget,
    ChoiceWidget,
    FeaturesWidget,
    IsoDateWidget,
    LookupWidget,
    RelatedNameWidget,
    TextWidget,
    UnknownValue,
    text_of,
)
from .columns import ASSET_COLUMNS, EXTRA_COLUMNS, compact
from .writer import CHUNK, chunks, insert_rows, update_rows

# How often a long import says how far it has come.
PROGRESS_EVERY = 500


class AssetLoader(BaseInstanceLoader):
    """The file's existing assets in a few queries, with their related rows attached from
    the resource's lookups (no join per relation) and their features' ids."""

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        tags = []
        if dataset is not None and "tag" in dataset.headers:
            tags = sorted({text_of(t) for t in dataset["tag"]} - {""})
        queryset = Asset.objects.all()
        if resource.lock_rows:
            queryset = queryset.select_for_update()
        self.instances = {}
        for part in chunks(tags):
            self.instances.update((a.tag, a) for a in queryset.filter(tag__in=part))
        resource.attach_related(list(self.instances.values()))

    def get_instance(self, row):
        return self.instances.get(text_of(row.get("tag")))


# What full_clean() leaves out, as the asset form's full_clean() does (a ModelForm
# excludes the fields it has no input for): fields no column sets, whose values the
# services keep; and the related rows, which come from lookups that only find rows that
# exist, where full_clean() would ask the database once per row and field to confirm it.
# Asset.clean(), the rules across fields, always runs.
_NOT_CLEANED = frozenset(
    {f.name for f in Asset._meta.concrete_fields if f.name not in ASSET_COLUMNS}
    | {"category", "manufacturer", "model", "library", "location", "parent"}
)
_TRACKED = [Asset._meta.get_field(name) for name in ASSET_FIELDS.tracked]


class AssetResource(resources.ModelResource):
    """One asset per row, matched by its tag: a new tag creates, a known one updates.

    Keyword arguments: `actor` (the importing user), `file_name` (recorded in the
    history, with `left_out`: what the user chose to leave out), `create_missing`
    (manufacturers, models and locations not found are created instead of being row
    errors), `preset` (another system's file, see inventory.imports.columns.PRESETS),
    `lock_rows` (lock the existing assets; for a committing import), `blank_clears` (an
    empty cell of an existing asset empties the field; by default it leaves the stored
    value alone), `default_library` (the library of new rows that name none),
    `value_map` ({field: {compacted value: the value it means}}) and `create_values`
    ({field: compacted values to create even without `create_missing`}).

    What the rows held that Inventera does not know is collected in `unknown`
    ({field: values}), for the user to map.
    """

    tag = Field("tag", "tag", TextWidget())
    category = Field(
        "category",
        "category",
        LookupWidget(Category, ("code", "name_sv", "name_en"), gettext_lazy("category")),
    )
    manufacturer = Field("manufacturer", "manufacturer", RelatedNameWidget(), readonly=True)
    model = Field("model", "model", RelatedNameWidget(), readonly=True)
    serial_number = Field("serial_number", "serial_number", TextWidget())
    library = Field(
        "library",
        "library",
        LookupWidget(Library, ("code", "name"), gettext_lazy("library"), render_field="code"),
    )
    location = Field("location", "location", RelatedNameWidget(), readonly=True)
    status = Field(
        "status",
        "status",
        ChoiceWidget(AssetStatus, gettext_lazy("status"), field="status"),
        readonly=True,
    )
    usage = Field(
        "usage", "usage", ChoiceWidget(Usage, gettext_lazy("use")), saves_null_values=False
    )
    ownership = Field(
        "ownership",
        "ownership",
        ChoiceWidget(Ownership, gettext_lazy("ownership")),
        saves_null_values=False,
    )
    lease_end = Field("lease_end", "lease_end", IsoDateWidget())
    trial_return_by = Field("trial_return_by", "trial_return_by", IsoDateWidget())
    purchase_date = Field("purchase_date", "purchase_date", IsoDateWidget())
    purchase_price = Field("purchase_price", "purchase_price", AmountWidget())
    warranty_end = Field("warranty_end", "warranty_end", IsoDateWidget())
    replacement_due = Field("replacement_due", "replacement_due", IsoDateWidget())
    hostname = Field("hostname", "hostname", TextWidget(lower=True))
    it_reference = Field("it_reference", "it_reference", TextWidget())
    features = Field("features", "features", FeaturesWidget(), readonly=True)
    parent = Field("parent", "parent", RelatedNameWidget("tag"), readonly=True)
    notes = Field("notes", "notes", TextWidget())

    # Lookups in memory and whole-file checks; False gives the library's default path.
    bulk_checks = True

    class Meta:
        model = Asset
        fields = ASSET_COLUMNS
        import_id_fields = ["tag"]
        instance_loader_class = AssetLoader
        use_bulk = True
        batch_size = 1000
        use_transactions = True
        skip_diff = True
        skip_unchanged = True
        clean_model_instances = True

    def __init__(
        self,
        *,
        actor=None,
        file_name: str = "",
        create_missing: bool = False,
        preset=None,
        lock_rows: bool = False,
        blank_clears: bool = False,
        default_library: Library | None = None,
        value_map: dict[str, dict[str, str]] | None = None,
        create_values: dict[str, set[str]] | None = None,
        left_out: str = "",
        progress=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        # called with the number of rows done, every PROGRESS_EVERY rows
        self.progress = progress
        self.rows_done = 0
        self.actor = actor if getattr(actor, "pk", None) else None
        self.file_name = file_name
        self.source_detail = f"{file_name} ({left_out})"[:255] if left_out else file_name
        self.create_missing = create_missing
        self.lock_rows = lock_rows
        self.preset = preset
        self.blank_clears = blank_clears
        self.default_library = default_library
        self.value_map = value_map or {}
        self.create_values = create_values or {}
        self.default_status = AssetStatus.IN_STOCK
        if preset is not None:
            self.fields["purchase_price"].widget.language = preset.number_language
            self.fields["status"].widget.aliases.update(preset.statuses)
            self.default_status = preset.default_status
            for field in self.fields.values():
                if isinstance(field.widget, IsoDateWidget):
                    field.widget.formats = preset.date_formats
        # What the rows held that is not known, by field; how many new rows took the
        # default status; how many blank cells left a stored value alone.
        self.unknown: dict[str, set[str]] = defaultdict(set)
        self.defaulted_status = 0
        self.blanks_kept = 0
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.content_type = ContentType.objects.get_for_model(Asset)
        # row number in the dataset -> (tag, changes); created rows by kind
        self.row_changes: dict[int, tuple[str, dict]] = {}
        self.created: dict[str, list[str]] = defaultdict(list)
        self._row_number = 0
        self._duplicates: dict[str, list[int]] = {}
        self._serial_owners: dict[tuple[int, str], str] = {}
        self._serials_seen: dict[tuple[int, str], str] = {}
        self._manufacturers: dict[str, Manufacturer] | None = None
        self._models: dict[tuple[int, str], ProductModel] | None = None
        self._models_by_name: dict[str, list[ProductModel]] | None = None
        self._locations: dict[tuple[int, str], Location] | None = None
        self._parents: dict[str, Asset] | None = None
        self._by_pk: dict[type, dict] = {}
        self._feature_ids: dict[int, list[int]] = defaultdict(list)
        self._features = LookupWidget(
            Feature, ("code", "name_sv", "name_en"), gettext_lazy("feature")
        )
        self._failed = False
        self._fields_of_file: list[tuple] | None = None
        self._texts: dict[tuple[str, int], str] = {}

    # The export ---------------------------------------------------------------------

    def iter_queryset(self, queryset):
        return queryset.iterator(chunk_size=2000)

    # Before the rows ----------------------------------------------------------------

    def before_import(self, dataset, **kwargs):
        headers = dataset.headers or []
        row_numbers = kwargs.get("row_numbers")
        if "tag" in headers:
            rows_of: dict[str, list[int]] = defaultdict(list)
            for index, tag in enumerate(dataset["tag"], 1):
                tag = text_of(tag)
                if tag:
                    rows_of[tag].append(row_numbers[index - 1] if row_numbers else index + 1)
            self._duplicates = {tag: rows for tag, rows in rows_of.items() if len(rows) > 1}
        if not self.bulk_checks:
            return
        for model in (Category, Library, Manufacturer, ProductModel, Location, Feature):
            self._by_pk[model] = {obj.pk: obj for obj in model.objects.all()}
        for name in ("category", "library"):
            self.fields[name].widget.prime(
                self._by_pk[Category if name == "category" else Library].values()
            )
        self._features.prime(self._by_pk[Feature].values())
        self._manufacturers = {m.name.casefold(): m for m in self._by_pk[Manufacturer].values()}
        self._models, self._models_by_name = {}, defaultdict(list)
        for product in self._by_pk[ProductModel].values():
            product.manufacturer = self._by_pk[Manufacturer][product.manufacturer_id]
            self._models[(product.manufacturer_id, product.name.casefold())] = product
            self._models_by_name[product.name.casefold()].append(product)
        self._locations = {}
        for place in self._by_pk[Location].values():
            place.library = self._by_pk[Library][place.library_id]
            self._locations[(place.library_id, place.name.casefold())] = place
        file_tags = set()
        if "tag" in headers:
            file_tags = {text_of(t) for t in dataset["tag"]} - {""}
        self._parents = {}
        if "parent" in headers:
            parent_tags = sorted({text_of(t) for t in dataset["parent"]} - {""})
            for part in chunks(parent_tags):
                self._parents.update(
                    (a.tag, a)
                    for a in Asset.objects.select_related("category").filter(tag__in=part)
                )
        if "serial_number" in headers:
            serials = sorted({text_of(s) for s in dataset["serial_number"]} - {""})
            for part in chunks(serials):
                owners = Asset.objects.filter(serial_number__in=part, manufacturer__isnull=False)
                for tag, maker, serial in owners.values_list(
                    "tag", "manufacturer_id", "serial_number"
                ):
                    if tag not in file_tags:
                        self._serial_owners[(maker, serial)] = tag

    def attach_related(self, assets: list[Asset]) -> None:
        """Give loaded assets their related rows and features from memory."""
        relations = (
            ("category", Category),
            ("manufacturer", Manufacturer),
            ("model", ProductModel),
            ("library", Library),
            ("location", Location),
        )
        for asset in assets:
            for name, model in relations:
                pk = getattr(asset, f"{name}_id")
                if pk is not None:
                    setattr(asset, name, self._by_pk[model][pk])
        parent_ids = sorted({a.parent_id for a in assets if a.parent_id})
        parents = {}
        for part in chunks(parent_ids):
            parents.update(
                (p.pk, p) for p in Asset.objects.select_related("category").filter(pk__in=part)
            )
        through = Asset.features.through
        for part in chunks([a.pk for a in assets]):
            for asset_id, feature_id in through.objects.filter(asset_id__in=part).values_list(
                "asset_id", "feature_id"
            ):
                self._feature_ids[asset_id].append(feature_id)
        for asset in assets:
            if asset.parent_id:
                asset.parent = parents[asset.parent_id]

    def before_import_row(self, row, **kwargs):
        self._row_number = kwargs.get("row_number", 0)
        # The user's mapping of values the file writes otherwise: "Desktop" means
        # "Publik dator".
        for name, mapped in self.value_map.items():
            if name in row:
                meant = mapped.get(compact(text_of(row[name])))
                if meant is not None:
                    row[name] = meant

    def _leaves_alone(self, instance, name, row) -> bool:
        """Whether the row's cell for `name` is blank and so keeps the stored value."""
        if instance._import_new or self.blank_clears or text_of(row[name]):
            return False
        if name == "features":
            stored = instance._import_before.get("features")
        else:
            stored = getattr(instance, Asset._meta.get_field(name).attname, None)
        if stored not in (None, "", []):
            self.blanks_kept += 1
        return True

    def _unknown(self, name: str, exc: ValueError) -> None:
        if isinstance(exc, UnknownValue):
            self.unknown[name].add(exc.value)

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        # The library's per-row path (bench/per_row.py): the same rule for blank cells.
        if field.column_name in row and self._leaves_alone(instance, field.column_name, row):
            return
        super().import_field(field, instance, row, is_m2m=is_m2m, **kwargs)

    def after_init_instance(self, instance, new, row, **kwargs):
        instance._import_new = new
        instance._import_version = instance.version
        instance._import_features = None
        if new:
            instance._import_before = {}
        else:
            instance._import_before = self._snapshot(instance, self._feature_names(instance))

    # Each row -----------------------------------------------------------------------

    def import_instance(self, instance, row, **kwargs):
        errors: dict = {}
        if self.bulk_checks:
            # The library's loop over every field, without its per-field bookkeeping.
            for name, widget, keep_empty in self._row_fields(row):
                if self._leaves_alone(instance, name, row):
                    continue
                try:
                    value = widget.clean(row[name], row=row)
                except ValueError as exc:
                    errors[name] = [str(exc)]
                    self._unknown(name, exc)
                    continue
                if value is not None or keep_empty:
                    setattr(instance, name, value)
        else:
            try:
                super().import_instance(instance, row, **kwargs)
            except ValidationError as exc:
                errors = exc.update_error_dict(errors)
        new = instance._import_new
        if (
            new
            and instance.library_id is None
            and self.default_library is not None
            and not text_of(row.get("library"))
        ):
            instance.library = self.default_library
        if not instance.tag:
            errors["tag"] = [_("The row has no asset tag.")]
        elif instance.tag in self._duplicates:
            errors["tag"] = [
                _("The asset tag %(tag)s is on more than one row: %(rows)s.")
                % {
                    "tag": instance.tag,
                    "rows": ", ".join(str(n) for n in self._duplicates[instance.tag]),
                }
            ]
        if new:
            for name in ("category", "library"):
                if getattr(instance, f"{name}_id") is None and name not in errors:
                    errors[name] = [_("This field is required.")]
            if (
                instance.library_id is None
                and errors.get("library")
                and not text_of(row.get("library"))
            ):
                errors["library"] = [
                    _(
                        "The row names no library. Choose the library of the rows without "
                        "one: on the preview, or with --library on the command line."
                    )
                ]
        self._import_relations(instance, row, errors)
        self._import_status(instance, row, errors)
        self._import_extras(instance, row, errors)
        services.set_derived(instance, replacement_due_given="replacement_due" in row)
        if errors:
            raise ValidationError(errors)

    def _row_fields(self, row) -> list[tuple]:
        """(name, widget, whether an empty cell empties the field) of the file's columns."""
        if self._fields_of_file is None:
            self._fields_of_file = [
                (name, field.widget, field.saves_null_values)
                for name, field in self.fields.items()
                if name in row and not field.readonly
            ]
        return self._fields_of_file

    def _import_relations(self, instance, row, errors) -> None:
        """Manufacturer, model, place and kit: looked up with what else the row says."""

        def set_related(name, find):
            if self._leaves_alone(instance, name, row):
                return
            text = text_of(row[name])
            try:
                found = find(text) if text else None
            except ValueError as exc:
                errors[name] = [str(exc)]
                self._unknown(name, exc)
                return
            # An empty cell on a new row leaves the empty field alone.
            if found is not None or getattr(instance, f"{name}_id") is not None:
                setattr(instance, name, found)

        if "manufacturer" in row:
            set_related("manufacturer", self._manufacturer)
        if "model" in row and "manufacturer" not in errors:
            set_related("model", lambda name: self._model(name, instance.manufacturer))
        if "location" in row and "library" not in errors:
            set_related("location", lambda name: self._location(name, instance.library))
        if "parent" in row:
            set_related("parent", self._parent)
        if "features" in row and not self._leaves_alone(instance, "features", row):
            found, unknown = [], []
            for name in re.split(r"[,;]", text_of(row["features"])):
                name = name.strip()
                if not name:
                    continue
                feature = self._features.find(name)
                if feature is None or feature is AMBIGUOUS:
                    unknown.append(name)
                else:
                    found.append(feature)
            if unknown:
                errors["features"] = [
                    _("Unknown features: %(names)s.") % {"names": ", ".join(unknown)}
                ]
            instance._import_features = sorted(set(found), key=lambda f: f.pk)

    def _import_status(self, instance, row, errors) -> None:
        new = instance._import_new
        if "status" not in row and not new:
            return
        code = None
        if "status" in row:
            try:
                code = self.fields["status"].widget.clean(row["status"])
            except ValueError as exc:
                errors["status"] = [str(exc)]
                self._unknown("status", exc)
                return
        if new:
            # Registering equipment that exists is not a move: any status it has today.
            if not code:
                code = self.default_status
                self.defaulted_status += 1
            try:
                services.check_initial_status(code, source=ChangeSource.IMPORT)
            except ValidationError as exc:
                errors["status"] = exc.message_dict["status"]
                return
            instance.status = code
            instance.status_changed_at = self.now
            return
        if not code or code == instance.status:
            return
        try:
            services.check_bulk_move(code, field="status")
            services.apply_status_move(instance, to_status=code, actor=self.actor, on=self.today)
        except ValidationError as exc:
            errors["status"] = [m for messages in exc.message_dict.values() for m in messages]

    def _import_extras(self, instance, row, errors) -> None:
        """Columns of other systems that fill in our fields."""
        if "warranty_months" in row:
            text = text_of(row["warranty_months"])
            if text:
                try:
                    months = int(parse_decimal(text))
                    if months < 0:
                        raise ValueError
                except (ValueError, ArithmeticError):
                    errors["warranty_months"] = [
                        _("Write the warranty as a whole number of months.")
                    ]
                else:
                    if instance.purchase_date and "purchase_date" not in errors:
                        instance.warranty_end = add_months(instance.purchase_date, months)
                    elif "purchase_date" not in errors:
                        errors["warranty_months"] = [
                            _("A warranty in months needs a purchase date to count from.")
                        ]
        extra = [(key, text_of(row[key])) for key in ("model_number", "supplier") if key in row]
        extra = [(key, value) for key, value in extra if value]
        if extra:
            # In the deployment's language, so that the same file gives the same notes
            # whoever imports it; a line already in the notes is not added again.
            with translation.override(settings.LANGUAGE_CODE):
                lines = [f"{EXTRA_COLUMNS[key]}: {value}" for key, value in extra]
            kept = instance.notes.splitlines()
            instance.notes = "\n".join(
                [instance.notes, *(line for line in lines if line not in kept)]
            ).strip()

    # Lookups ------------------------------------------------------------------------

    def _manufacturer(self, name: str) -> Manufacturer:
        key = name.casefold()
        if self._manufacturers is not None:
            found = self._manufacturers.get(key)
        else:
            found = Manufacturer.objects.filter(name__iexact=name).first()
        if found is None:
            if not self.create_missing:
                raise ValueError(
                    _(
                        "Unknown manufacturer “%(name)s”. Add it first, or import with "
                        "“create missing”."
                    )
                    % {"name": name}
                )
            found = self._create(Manufacturer(name=name), "manufacturer")
            if self._manufacturers is not None:
                self._manufacturers[key] = found
        return found

    def _model(self, name: str, manufacturer: Manufacturer | None) -> ProductModel:
        key = name.casefold()
        if manufacturer is not None:
            if self._models is not None:
                found = self._models.get((manufacturer.pk, key))
            else:
                found = ProductModel.objects.filter(
                    manufacturer=manufacturer, name__iexact=name
                ).first()
            if found is None:
                if not self.create_missing:
                    raise ValueError(
                        _(
                            "Unknown model “%(name)s” by %(manufacturer)s. Add it first, or "
                            "import with “create missing”."
                        )
                        % {"name": name, "manufacturer": manufacturer}
                    )
                found = self._create(ProductModel(manufacturer=manufacturer, name=name), "model")
                if self._models is not None:
                    self._models[(manufacturer.pk, key)] = found
                    self._models_by_name[key].append(found)
            return found
        if self._models_by_name is not None:
            candidates = self._models_by_name.get(key, [])
        else:
            candidates = list(
                ProductModel.objects.select_related("manufacturer").filter(name__iexact=name)[:2]
            )
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            raise ValueError(
                _("More than one manufacturer makes a model “%(name)s”; name the manufacturer.")
                % {"name": name}
            )
        raise ValueError(
            _("Unknown model “%(name)s”. Name its manufacturer to create it.") % {"name": name}
            if self.create_missing
            else _("Unknown model “%(name)s”.") % {"name": name}
        )

    def _location(self, name: str, library: Library | None) -> Location | None:
        if library is None:
            return None
        key = (library.pk, name.casefold())
        if self._locations is not None:
            found = self._locations.get(key)
        else:
            found = Location.objects.filter(library=library, name__iexact=name).first()
        if found is None:
            if not self.create_missing and compact(name) not in self.create_values.get(
                "location", ()
            ):
                raise UnknownValue(
                    "location",
                    name,
                    _(
                        "Unknown location “%(name)s” in %(library)s. Add it first, or import "
                        "with “create missing”."
                    )
                    % {"name": name, "library": library},
                )
            found = self._create(Location(library=library, name=name), "location")
            if self._locations is not None:
                self._locations[key] = found
        return found

    def _parent(self, tag: str) -> Asset:
        if self._parents is not None:
            found = self._parents.get(tag)
        else:
            found = Asset.objects.select_related("category").filter(tag=tag).first()
        if found is None:
            raise ValueError(
                _("No asset has the tag %(tag)s; a kit must be registered before its parts.")
                % {"tag": tag}
            )
        return found

    def _create(self, obj, kind: str):
        try:
            obj.full_clean()
        except ValidationError as exc:
            raise ValueError(" ".join(exc.messages)) from None
        obj.save()
        self.created[kind].append(str(obj) if kind != "location" else f"{obj.library.code} {obj}")
        return obj

    # Unchanged rows, validation, saving ------------------------------------------------

    def _current_features(self, instance) -> list[Feature]:
        if not instance.pk:
            return []
        if self.bulk_checks:
            features = self._by_pk[Feature]
            return [features[pk] for pk in self._feature_ids.get(instance.pk, ())]
        return list(instance.features.all())

    def _feature_names(self, instance) -> list[str]:
        return sorted(str(f) for f in self._current_features(instance))

    def _snapshot(self, instance, features: list[str]) -> dict:
        """history.snapshot() of the tracked fields, with each related row's text taken
        once per import: the same few categories, libraries and places recur on every row,
        and their names are looked up in the active language each time."""
        values = {}
        for field in _TRACKED:
            if field.many_to_many:
                values[field.name] = features
            elif field.is_relation:
                related = getattr(instance, field.name)
                if related is None:
                    values[field.name] = None
                else:
                    key = (field.name, related.pk)
                    text = self._texts.get(key)
                    if text is None:
                        text = self._texts[key] = str(related)
                    values[field.name] = text
            else:
                value = getattr(instance, field.attname)
                if isinstance(value, Decimal):
                    value = str(value)
                elif isinstance(value, datetime | date):
                    value = value.isoformat()
                values[field.name] = value
        return values

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors:
            return False
        if instance._import_features is not None:
            features = sorted(str(f) for f in instance._import_features)
        else:
            features = instance._import_before.get("features", [])
        after = self._snapshot(instance, features)
        if instance._import_new:
            changes = history.diff({}, services.non_empty(after))
        else:
            changes = history.diff(instance._import_before, after)
        instance._import_changes = changes
        self.row_changes[self._row_number] = (instance.tag, changes)
        return not instance._import_new and not changes

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if not self.bulk_checks:
            return super().validate_instance(instance, errors, validate_unique=True)
        try:
            instance.full_clean(
                exclude=_NOT_CLEANED | set(errors),
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if instance.serial_number and instance.manufacturer_id and "serial_number" not in errors:
            key = (instance.manufacturer_id, instance.serial_number)
            other = self._serial_owners.get(key) or self._serials_seen.get(key)
            if other and other != instance.tag:
                errors["serial_number"] = [
                    _("%(tag)s from the same manufacturer has this serial number.") % {"tag": other}
                ]
            else:
                self._serials_seen[key] = instance.tag
        if errors:
            self._failed = True
            raise ValidationError(errors)

    def before_save_instance(self, instance, row, **kwargs):
        if instance._import_new:
            instance.created_by = self.actor
            instance.updated_by = self.actor
        else:
            instance.version = instance._import_version + 1
            instance.updated_by = self.actor
            instance.updated_at = self.now

    def after_save_instance(self, instance, row, **kwargs):
        if self._meta.use_bulk or kwargs.get("dry_run"):
            return
        # The default path: each row saved on its own, with its features and history.
        if instance._import_features is not None:
            instance.features.set(instance._import_features)
        self._history([instance])[0].save()

    def _history(self, instances) -> list[ChangeRecord]:
        return [
            history.build(
                instance,
                actor=self.actor,
                action=ChangeAction.CREATED if instance._import_new else ChangeAction.CHANGED,
                changes=instance._import_changes,
                source=ChangeSource.IMPORT,
                source_detail=self.source_detail,
                content_type=self.content_type,
            )
            for instance in instances
        ]

    def _write_features(self, instances) -> None:
        """Give each asset whose features the file sets exactly those features."""
        through = Asset.features.through
        changed = [
            instance
            for instance in instances
            if instance._import_features is not None
            and (instance._import_new or "features" in instance._import_changes)
        ]
        for part in chunks([i.pk for i in changed if not i._import_new]):
            through.objects.filter(asset_id__in=part).delete()
        through.objects.bulk_create(
            [
                through(asset_id=instance.pk, feature_id=feature.pk)
                for instance in changed
                for feature in instance._import_features
            ],
            batch_size=CHUNK,
        )

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        try:
            if self.create_instances and not dry_run and not self._failed:
                insert_rows(self.create_instances)
                self._write_features(self.create_instances)
                ChangeRecord.objects.bulk_create(
                    self._history(self.create_instances), batch_size=CHUNK
                )
        except Exception as exc:
            self._failed = True
            self.handle_import_error(result, exc, raise_errors)
        finally:
            self.create_instances.clear()

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        try:
            if self.update_instances and not dry_run and not self._failed:
                groups = defaultdict(list)
                for instance in self.update_instances:
                    written = set(ASSET_FIELDS.stamps)
                    for name in instance._import_changes:
                        if name != "features":
                            written.update(ASSET_FIELDS.written_by(name))
                    groups[frozenset(written)].append(instance)
                for written, group in groups.items():
                    update_rows(group, sorted(written))
                self._write_features(self.update_instances)
                ChangeRecord.objects.bulk_create(
                    self._history(self.update_instances), batch_size=CHUNK
                )
        except Exception as exc:
            self._failed = True
            self.handle_import_error(result, exc, raise_errors)
        finally:
            self.update_instances.clear()

    def after_import(self, dataset, result, **kwargs):
        # The library resets the id sequences here, for files that carry ids; ours never do.
        pass

    def import_row(self, row, instance_loader, **kwargs):
        row_result = super().import_row(row, instance_loader, **kwargs)
        if row_result.errors:
            self._failed = True
        self.rows_done += 1
        if self.progress is not None and self.rows_done % PROGRESS_EVERY == 0:
            self.progress(self.rows_done)
        return row_result


def error_messages(error: ValidationError) -> list[tuple[str, str]]:
    """(field or "", message) of a row's ValidationError."""
    if not hasattr(error, "error_dict"):
        return [("", message) for message in error.messages]
    return [
        ("" if name == NON_FIELD_ERRORS else name, message)
        for name, messages in error.message_dict.items()
        for message in messages
    ]


def export_queryset(assets):
    """What the export reads, in a constant number of queries per chunk."""
    return assets.select_related(
        "category", "manufacturer", "model", "library", "location", "parent"
    ).prefetch_related(Prefetch("features", queryset=Feature.objects.order_by("name_sv")))
