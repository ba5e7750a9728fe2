"""The equipment register: libraries and places, categories, assets and their history."""

import uuid
from datetime import date
from pathlib import PurePath
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .choices import (
    TRIAL_RATINGS,
    AssetStatus,
    ChangeAction,
    ChangeSource,
    DisposalMethod,
    FaultStatus,
    FaultUrgency,
    ImportState,
    LoanState,
    MaintenanceKind,
    Ownership,
    StocktakeOutcome,
    Usage,
)
from .dates import add_months

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.db.models.expressions import Combinable


def user_stamp(
    verbose_name: str | Promise | None = None, *, blank: bool = False
) -> "models.ForeignKey[User | Combinable | None, User | None]":
    """Who did something (created, changed, uploaded). The row outlives the user: when a
    user is deleted, what they did stays, without the name."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=blank,
        related_name="+",
        **({"verbose_name": verbose_name} if verbose_name is not None else {}),
    )


class TranslatedName(models.Model):
    """A name kept in both UI languages, for data an administrator edits."""

    name_sv = models.CharField(_("name (Swedish)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if (get_language() or "sv").startswith("en"):
            return self.name_en or self.name_sv
        return self.name_sv or self.name_en


class Library(models.Model):
    """An organisational unit and site of the municipality, e.g. HB Stadsbiblioteket."""

    code = models.CharField(
        _("code"),
        max_length=10,
        unique=True,
        validators=[RegexValidator(r"^[A-Z0-9]+$", _("Use capital letters A–Z and digits."))],
    )
    name = models.CharField(_("name"), max_length=100, unique=True)
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("library")
        verbose_name_plural = _("libraries")
        permissions = [("access_all_libraries", _("Can access every library"))]

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    """A place inside a library, e.g. "Plan 2 – vid vuxeninformationen"."""

    library = models.ForeignKey(
        Library, on_delete=models.PROTECT, related_name="locations", verbose_name=_("library")
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["library__name", "name"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        constraints = [
            models.UniqueConstraint(fields=["library", "name"], name="location_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Profile(models.Model):
    """What the user model does not hold: the libraries a user belongs to, the language."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    libraries = models.ManyToManyField(
        Library, blank=True, related_name="profiles", verbose_name=_("libraries")
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="sv"
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return str(self.user)


class Category(TranslatedName):
    """A kind of equipment with its default life before replacement."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    lifecycle_months = models.PositiveSmallIntegerField(
        _("lifecycle (months)"),
        default=48,
        validators=[MinValueValidator(1)],
        help_text=_("Used to compute when an asset is due for replacement."),
    )
    is_kit = models.BooleanField(
        _("is a kit"), default=False, help_text=_("Assets of this category can have components.")
    )
    stores_data = models.BooleanField(
        _("stores data"),
        default=False,
        help_text=_("Disposal needs a data-wipe certificate (computers, tablets)."),
    )
    loan_checklist = models.TextField(
        _("return checklist"),
        blank=True,
        help_text=_(
            "What is checked when a lent asset of this category comes back, one item per "
            "line (for example: all controllers present, cleaned, charged)."
        ),
    )

    class Meta:
        ordering = ["name_sv"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")


class Feature(TranslatedName):
    """Something patrons and staff ask for: screen reader, scanner attached, …"""

    code = models.SlugField(_("code"), max_length=30, unique=True)

    class Meta:
        ordering = ["name_sv"]
        verbose_name = _("feature")
        verbose_name_plural = _("features")


class Manufacturer(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("manufacturer")
        verbose_name_plural = _("manufacturers")

    def __str__(self) -> str:
        return self.name


class ProductModel(models.Model):
    """A manufacturer's model, e.g. Lenovo ThinkCentre M70q."""

    manufacturer = models.ForeignKey(
        Manufacturer,
        on_delete=models.PROTECT,
        related_name="models",
        verbose_name=_("manufacturer"),
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["manufacturer__name", "name"]
        verbose_name = _("model")
        verbose_name_plural = _("models")
        constraints = [
            models.UniqueConstraint(fields=["manufacturer", "name"], name="model_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


# A record of equipment that lacks something IT needs: a serial number, a place, a
# purchase date or price (docs/reports.md, "Data gaps"). A partial index holds just these
# rows, so the reports count and list them without reading the whole register.
INCOMPLETE_RECORD = (
    Q(serial_number="")
    | Q(location__isnull=True)
    | Q(purchase_date__isnull=True)
    | Q(purchase_price__isnull=True)
)


asset_tag_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
    _("Use letters, digits, dots, hyphens and underscores, starting with a letter or digit."),
)
# Words that name pages under /inventory/assets/ and so cannot be asset tags.
RESERVED_TAGS = frozenset({"add", "bulk", "export"})


def validate_not_reserved(value: str) -> None:
    if value.lower() in RESERVED_TAGS:
        raise ValidationError(
            _("“%(value)s” is reserved and cannot be an asset tag."), params={"value": value}
        )


class Asset(models.Model):
    """One piece of equipment, identified by the municipality's inventory number (tag).

    `status` changes only through `inventory.services.asset_change_status`, and every
    change of any field is recorded in `ChangeRecord` by the services.
    """

    tag = models.CharField(
        _("asset tag"),
        max_length=32,
        unique=True,
        validators=[asset_tag_validator, validate_not_reserved],
        help_text=_("The municipality's inventory number."),
    )
    serial_number = models.CharField(_("serial number"), max_length=100, blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="assets", verbose_name=_("category")
    )
    manufacturer = models.ForeignKey(
        Manufacturer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assets",
        verbose_name=_("manufacturer"),
    )
    model = models.ForeignKey(
        ProductModel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assets",
        verbose_name=_("model"),
    )
    library = models.ForeignKey(
        Library, on_delete=models.PROTECT, related_name="assets", verbose_name=_("library")
    )
    location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assets",
        verbose_name=_("location"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=AssetStatus.choices, default=AssetStatus.IN_STOCK
    )
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    usage = models.CharField(_("use"), max_length=8, choices=Usage.choices, default=Usage.PUBLIC)
    ownership = models.CharField(
        _("ownership"), max_length=8, choices=Ownership.choices, default=Ownership.OWNED
    )
    lease_end = models.DateField(_("lease end"), null=True, blank=True)
    trial_return_by = models.DateField(
        _("return trial unit by"),
        null=True,
        blank=True,
        help_text=_("For a supplier's demo unit that is being tried with patrons."),
    )
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    purchase_price = models.DecimalField(
        _("purchase price (SEK excl. VAT)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    warranty_end = models.DateField(_("warranty end"), null=True, blank=True)
    replacement_due = models.DateField(
        _("replacement due"),
        null=True,
        blank=True,
        help_text=_(
            "Computed from the purchase date and the category's lifecycle unless set by hand."
        ),
    )
    replacement_due_manual = models.BooleanField(_("replacement date set by hand"), default=False)
    hostname = models.CharField(_("hostname"), max_length=253, blank=True)
    it_reference = models.CharField(
        _("IT reference"), max_length=100, blank=True, help_text=_("Ticket or CMDB id.")
    )
    features = models.ManyToManyField(
        Feature, blank=True, related_name="assets", verbose_name=_("features")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="components",
        verbose_name=_("part of kit"),
    )
    notes = models.TextField(_("notes"), blank=True)
    lendable = models.BooleanField(
        _("lendable"),
        default=False,
        help_text=_("Can be lent to another library, an event or a course (a VR kit, say)."),
    )
    # Loans and disposal: filled in by the status moves that need them.
    loan_borrower = models.CharField(_("borrower"), max_length=200, blank=True)
    loan_due = models.DateField(_("loan due"), null=True, blank=True)
    status_before_loan = models.CharField(
        max_length=16, choices=AssetStatus.choices, blank=True, editable=False
    )
    disposed_on = models.DateField(_("disposed on"), null=True, blank=True)
    disposal_method = models.CharField(
        _("disposal method"), max_length=16, choices=DisposalMethod.choices, blank=True
    )
    wipe_certificate = models.CharField(_("data-wipe certificate"), max_length=100, blank=True)
    last_seen_on = models.DateField(_("last seen in stocktaking"), null=True, blank=True)
    last_seen_by = user_stamp(_("last seen by"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = user_stamp(_("created by"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = user_stamp(_("updated by"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        ordering = ["tag"]
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        permissions = [
            ("change_asset_status", _("Can change the status of assets")),
            ("bulk_change_asset", _("Can change many assets at once")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(purchase_price__isnull=True) | Q(purchase_price__gte=0),
                name="asset_price_not_negative",
            ),
            models.UniqueConstraint(
                fields=["manufacturer", "serial_number"],
                condition=~Q(serial_number=""),
                name="asset_unique_serial_per_manufacturer",
                violation_error_message=_(
                    "Another asset from this manufacturer has this serial number."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["library", "status"], name="asset_library_status"),
            models.Index(fields=["status", "status_changed_at"], name="asset_status_since"),
            # Lets a count of a status (and use) filter read the index alone, and the
            # public digital access figures (per library and category) too.
            models.Index(
                fields=["status", "usage", "library", "category"], name="asset_status_usage"
            ),
            # The replacement forecast, read from the index alone (docs/reports.md).
            models.Index(
                fields=["status", "replacement_due", "category", "model"],
                name="asset_replacement_plan",
            ),
            models.Index(fields=["status"], condition=INCOMPLETE_RECORD, name="asset_incomplete"),
            # A model's latest purchase: the forecast's price of a model.
            models.Index(fields=["model", "purchase_date"], name="asset_model_purchases"),
            # A category's purchase prices over a period: the forecast's median prices.
            models.Index(
                fields=["category", "purchase_date", "purchase_price"], name="asset_category_prices"
            ),
            # With the status, the dashboard counts are answered from the index alone.
            models.Index(fields=["warranty_end", "status"], name="asset_warranty_end"),
            models.Index(fields=["replacement_due", "status"], name="asset_replacement_due"),
            models.Index(fields=["serial_number"], name="asset_serial"),
            # The few units on trial, by the day they go back (reminders, trial logs).
            models.Index(
                fields=["trial_return_by"],
                condition=Q(ownership=Ownership.TRIAL),
                name="asset_on_trial",
            ),
            models.Index(fields=["hostname"], name="asset_hostname"),
        ]

    def __str__(self) -> str:
        return f"{self.tag} {self.short_name}".strip()

    def get_absolute_url(self) -> str:
        return reverse("inventory:asset_detail", kwargs={"tag": self.tag})

    @property
    def short_name(self) -> str:
        if self.model_id:
            return f"{self.manufacturer or ''} {self.model}".strip()
        return str(self.category)

    def computed_replacement_due(self) -> date | None:
        """Purchase date plus the category's lifecycle; None without a purchase date."""
        if not self.purchase_date or not self.category_id:
            return None
        return add_months(self.purchase_date, self.category.lifecycle_months)

    def clean(self) -> None:
        errors = {}
        if self.location_id and self.library_id and self.location.library_id != self.library_id:
            errors["location"] = _("The location must be in the asset's library.")
        if (
            self.model_id
            and self.manufacturer_id
            and (self.model.manufacturer_id != self.manufacturer_id)
        ):
            errors["model"] = _("The model is made by another manufacturer.")
        if self.ownership == Ownership.LEASED and not self.lease_end:
            errors["lease_end"] = _("A leased asset needs a lease end date.")
        if self.ownership == Ownership.TRIAL and not self.trial_return_by:
            errors["trial_return_by"] = _("A unit on trial needs a date to return it by.")
        if self.parent_id:
            if self.pk and self.parent_id == self.pk:
                errors["parent"] = _("An asset cannot be part of itself.")
            elif self.parent.parent_id:
                errors["parent"] = _("A component cannot itself be part of a kit component.")
            elif not self.parent.category.is_kit:
                errors["parent"] = _("Only a kit can have components.")
        if self.purchase_date and self.warranty_end and self.warranty_end < self.purchase_date:
            errors["warranty_end"] = _("The warranty cannot end before the purchase date.")
        if errors:
            raise ValidationError(errors)


class MaintenanceEntry(models.Model):
    """A repair, re-imaging, inspection or other work done on an asset."""

    asset = models.ForeignKey(
        Asset, on_delete=models.CASCADE, related_name="maintenance", verbose_name=_("asset")
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=MaintenanceKind.choices)
    description = models.TextField(_("description"))
    cost = models.DecimalField(
        _("cost (SEK excl. VAT)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    performed_by = models.CharField(
        _("performed by"), max_length=200, blank=True, help_text=_("Person or company.")
    )
    created_by = user_stamp(_("logged by"))
    created_at = models.DateTimeField(_("logged"), auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("maintenance entry")
        verbose_name_plural = _("maintenance entries")
        constraints = [
            models.CheckConstraint(
                condition=Q(cost__isnull=True) | Q(cost__gte=0),
                name="maintenance_cost_not_negative",
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class ChangeRecord(models.Model):
    """One change of one object: who, when, from where, and each field's old -> new value.

    The single history mechanism of the project (see inventory.history); assets and
    procurement cases both record here, including bulk actions and imports.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    at = models.DateTimeField(_("when"), default=timezone.now)
    actor = user_stamp(_("who"), blank=True)
    action = models.CharField(_("action"), max_length=8, choices=ChangeAction.choices)
    source = models.CharField(_("source"), max_length=16, choices=ChangeSource.choices)
    source_detail = models.CharField(_("source detail"), max_length=255, blank=True)
    changes = models.JSONField(_("changes"), default=dict)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("change")
        verbose_name_plural = _("changes")
        indexes = [
            models.Index(fields=["content_type", "object_id", "at"], name="change_object_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"


def _import_upload_to(instance: "AssetImport", filename: str) -> str:
    # The stored name is random: the user's file name is kept in the row, never trusted
    # as a path.
    suffix = "".join(c for c in PurePath(filename).suffix.lower() if c.isalnum() or c == ".")
    return f"imports/{uuid.uuid4().hex}{suffix[:10]}"


class AssetImport(models.Model):
    """An uploaded asset file, kept between its preview and the user's confirmation.

    The file lives under MEDIA_ROOT/imports/, where every web worker can read it; it is
    removed when the import is confirmed or cancelled, and stale ones are swept away.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    file = models.FileField(_("file"), upload_to=_import_upload_to)
    file_name = models.CharField(_("file name"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    mapping = models.CharField(_("column mapping"), max_length=20, blank=True)
    create_missing = models.BooleanField(_("create missing"), default=False)
    # Columns the user mapped by hand: {column number as text: field key or ""}.
    columns = models.JSONField(_("columns"), default=dict, blank=True)
    encoding = models.CharField(_("character encoding"), max_length=20, blank=True)
    blank_clears = models.BooleanField(_("blank cells clear the field"), default=False)
    library = models.CharField(_("library of rows without one"), max_length=20, blank=True)
    # Values the user mapped: {field key: {value in the file: the value it means}}.
    values = models.JSONField(_("values"), default=dict, blank=True)
    # Values to create: {field key: [value, ...]} (locations only).
    create = models.JSONField(_("values to create"), default=dict, blank=True)
    # A large file is imported in the background (inventory.imports.jobs).
    state = models.CharField(_("state"), max_length=10, choices=ImportState.choices, blank=True)
    leave_out_errors = models.BooleanField(_("leave out rows with errors"), default=False)
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # What the background import did: counts, rows left out, or why it failed.
    result = models.JSONField(_("result"), default=dict, blank=True)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("asset import")
        verbose_name_plural = _("asset imports")

    def __str__(self) -> str:
        return self.file_name


class ImportMapping(models.Model):
    """How files from one system are read, saved from a preview for the next file: the
    preset, columns by their header, values and the other options
    (inventory.imports.options)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    options = models.JSONField(_("options"), default=dict)
    saved_by = user_stamp(_("saved by"))
    saved_at = models.DateTimeField(_("saved"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("import mapping")
        verbose_name_plural = _("import mappings")

    def __str__(self) -> str:
        return self.name


def _fault_photo_path(instance: "FaultReport", filename: str) -> str:
    # The stored name is random and the suffix ours (the photo is re-encoded): the
    # user's file name is never used as a path.
    suffix = PurePath(filename).suffix.lower()
    suffix = suffix if suffix in {".jpg", ".png", ".webp"} else ""
    return f"faults/{instance.asset_id}/{uuid.uuid4().hex}{suffix}"


class FaultReport(models.Model):
    """Something wrong with an asset, reported by whoever stands in front of it.

    `status` moves only through the services in `inventory.faults`; closing a report
    logs what was done as a `MaintenanceEntry`. The photo is stored privately (it is
    re-encoded, without its EXIF data, when it is received) and served only through a
    view that checks who may see the asset.
    """

    asset = models.ForeignKey(
        Asset, on_delete=models.CASCADE, related_name="fault_reports", verbose_name=_("asset")
    )
    reported_by = user_stamp(_("reported by"))
    reported_at = models.DateTimeField(_("reported"), default=timezone.now)
    description = models.TextField(_("what is wrong"), max_length=2000)
    urgency = models.CharField(_("how urgent"), max_length=12, choices=FaultUrgency.choices)
    photo = models.FileField(_("photo"), upload_to=_fault_photo_path, max_length=255, blank=True)
    photo_content_type = models.CharField(max_length=20, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=12, choices=FaultStatus.choices, default=FaultStatus.OPEN
    )
    acknowledged_by = user_stamp(_("acknowledged by"), blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    closed_by = user_stamp(_("closed by"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    resolution = models.TextField(_("what was done"), blank=True)
    maintenance_entry = models.OneToOneField(
        MaintenanceEntry,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="fault_report",
        verbose_name=_("maintenance entry"),
    )

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = _("fault report")
        verbose_name_plural = _("fault reports")
        indexes = [
            models.Index(fields=["status", "reported_at"], name="fault_status_reported"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=FaultStatus.CLOSED) | ~Q(resolution=""),
                name="fault_closed_has_resolution",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.asset.tag} {self.reported_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("inventory:fault_detail", kwargs={"tag": self.asset.tag, "pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status != FaultStatus.CLOSED


class Loan(models.Model):
    """A lendable asset booked for, or lent to, a borrower from one date to another.

    Written only by `inventory.loans`: the asset's status goes to "on loan" and back
    through `services.apply_status_move`, and a loan that holds the asset (booked or out)
    never overlaps another that does (checked under the asset's row lock).
    """

    asset = models.ForeignKey(
        Asset, on_delete=models.PROTECT, related_name="loans", verbose_name=_("asset")
    )
    borrower = models.CharField(
        _("borrower"),
        max_length=200,
        help_text=_("Another library, an event or a course; not a patron's name."),
    )
    starts_on = models.DateField(_("from"))
    due_on = models.DateField(_("due back"))
    note = models.TextField(_("note"), blank=True, max_length=2000)
    state = models.CharField(
        _("state"), max_length=10, choices=LoanState.choices, default=LoanState.BOOKED
    )
    booked_by = user_stamp(_("booked by"))
    booked_at = models.DateTimeField(_("booked"), default=timezone.now)
    lent_by = user_stamp(_("lent out by"), blank=True)
    lent_at = models.DateTimeField(_("lent out"), null=True, blank=True)
    returned_by = user_stamp(_("received back by"), blank=True)
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    # The return checklist's items as they were ticked: [{"item": ..., "ok": bool}, ...].
    return_checklist = models.JSONField(_("return checklist"), default=list, blank=True)
    return_note = models.TextField(_("note on the return"), blank=True, max_length=2000)
    fault_report = models.OneToOneField(
        FaultReport,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="loan",
        verbose_name=_("fault report"),
    )

    class Meta:
        ordering = ["starts_on", "id"]
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        indexes = [
            models.Index(fields=["asset", "starts_on"], name="loan_asset_starts"),
            models.Index(fields=["state", "due_on"], name="loan_state_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("starts_on")), name="loan_due_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.asset.tag} {self.starts_on:%Y-%m-%d}–{self.due_on:%Y-%m-%d}"

    @property
    def missing_items(self) -> list[str]:
        """The checklist items that were not ticked when the asset came back."""
        return [str(row["item"]) for row in self.return_checklist if not row.get("ok")]


class Stocktake(models.Model):
    """A count of one library's equipment (or some of its locations) on the floor.

    Written only by `inventory.stocktakes`. Starting one lists what the register expects
    there; at most one stocktake of a library is open at a time.
    """

    library = models.ForeignKey(
        Library, on_delete=models.PROTECT, related_name="stocktakes", verbose_name=_("library")
    )
    locations = models.ManyToManyField(
        Location,
        blank=True,
        related_name="stocktakes",
        verbose_name=_("locations"),
        help_text=_("Leave empty to count the whole library."),
    )
    started_by = user_stamp(_("started by"))
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    closed_by = user_stamp(_("closed by"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("stocktake")
        verbose_name_plural = _("stocktakes")
        constraints = [
            models.UniqueConstraint(
                fields=["library"],
                condition=Q(closed_at__isnull=True),
                name="stocktake_one_open_per_library",
                violation_error_message=_("A stocktake of this library is already open."),
            ),
        ]
        indexes = [
            models.Index(fields=["library", "closed_at"], name="stocktake_library_closed"),
        ]

    def __str__(self) -> str:
        return f"{self.library.code} {timezone.localdate(self.started_at):%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("inventory:stocktake_detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class StocktakeLine(models.Model):
    """One asset in a stocktake: expected there (from the register when it started) or
    found there unexpectedly; seen or not, and what was done about it at the close."""

    stocktake = models.ForeignKey(
        Stocktake, on_delete=models.CASCADE, related_name="lines", verbose_name=_("stocktake")
    )
    asset = models.ForeignKey(
        Asset, on_delete=models.PROTECT, related_name="stocktake_lines", verbose_name=_("asset")
    )
    expected = models.BooleanField(_("expected"), default=True)
    expected_location = models.ForeignKey(
        Location,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("location in the register"),
    )
    seen_at = models.DateTimeField(_("seen"), null=True, blank=True)
    seen_by = user_stamp(_("seen by"), blank=True)
    found_location = models.ForeignKey(
        Location,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("found at"),
    )
    outcome = models.CharField(
        _("outcome"),
        max_length=8,
        choices=StocktakeOutcome.choices,
        default=StocktakeOutcome.OPEN,
        blank=True,
    )

    class Meta:
        ordering = ["asset__tag"]
        verbose_name = _("stocktake line")
        verbose_name_plural = _("stocktake lines")
        constraints = [
            models.UniqueConstraint(
                fields=["stocktake", "asset"], name="stocktake_line_unique_asset"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stocktake} {self.asset.tag}"


class TrialSession(models.Model):
    """A session in which staff tried equipment on trial with patrons, and how it went.

    The group is a kind of group ("seniors' course"), never a person's name.
    """

    asset = models.ForeignKey(
        Asset, on_delete=models.CASCADE, related_name="trial_sessions", verbose_name=_("asset")
    )
    held_on = models.DateField(_("date"))
    tried = models.CharField(_("what was tried"), max_length=200)
    group = models.CharField(
        _("with whom"),
        max_length=100,
        help_text=_("A kind of group, for example “seniors' course”; never a name."),
    )
    rating = models.PositiveSmallIntegerField(
        _("how it went (1–5)"),
        validators=[MinValueValidator(TRIAL_RATINGS[0]), MaxValueValidator(TRIAL_RATINGS[-1])],
    )
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    logged_by = user_stamp(_("logged by"))
    logged_at = models.DateTimeField(_("logged"), default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("trial session")
        verbose_name_plural = _("trial sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=TRIAL_RATINGS[0]) & Q(rating__lte=TRIAL_RATINGS[-1]),
                name="trial_session_rating_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.asset.tag} {self.held_on:%Y-%m-%d}"


class DataVersion(models.Model):
    """One slot of the data version the cached figures are keyed on; written only by
    database triggers (inventory/figures.py, docs/architecture.md)."""

    slot = models.PositiveSmallIntegerField(primary_key=True)
    value = models.BigIntegerField()

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data versions")
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.slot}: {self.value}"
