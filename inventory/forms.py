"""Forms of the register. They check input; the services apply the rules."""

from datetime import date
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import (
    AssetStatus,
    ChangeSource,
    DisposalMethod,
    FaultUrgency,
    MaintenanceKind,
)
from .fieldlists import ASSET_FIELDS, FORM
from .formatting import parse_decimal
from .formchoices import CachedChoiceIterator
from .labels import LAYOUTS
from .loans import status_page_moves
from .models import Asset, Feature, Location, MaintenanceEntry
from .services import initial_statuses


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")

    def format_value(self, value):
        # A date field can only hold a date: text that is not one (typed into a query
        # string, say) is shown as empty, with the field's error beside it.
        formatted = super().format_value(value)
        if isinstance(formatted, str) and formatted:
            try:
                date.fromisoformat(formatted)
            except ValueError:
                return None
        return formatted


# The years a date typed on a form may fall in. Beyond them it is a slip of the keyboard
# (9999 for 2029), and the dates computed from it would leave the calendar: a replacement
# 48 months after 9999-12-01, or a standstill's working days after 9999-12-31, are errors
# (500s) rather than dates.
FIRST_YEAR, LAST_YEAR = 1900, 2100


class DateRangeMixin:
    """Every date field of the form refuses a date outside FIRST_YEAR..LAST_YEAR."""

    def clean(self):
        data = super().clean()
        for name, field in self.fields.items():
            day = data.get(name)
            if (
                isinstance(field, forms.DateField)
                and isinstance(day, date)
                and not FIRST_YEAR <= day.year <= LAST_YEAR
            ):
                self.add_error(
                    name,
                    ValidationError(
                        _("Give a date between the years %(first)d and %(last)d."),
                        code="date_range",
                        params={"first": FIRST_YEAR, "last": LAST_YEAR},
                    ),
                )
        return data


class SekField(forms.DecimalField):
    """An amount typed the way people write it: `8 495,50` or `8495.50`."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, Decimal):
            return value
        try:
            return parse_decimal(value)
        except ValueError:
            raise ValidationError(
                _("Enter an amount in kronor, for example 8 495,50."), code="invalid"
            ) from None

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            # Shown back the way Swedes write it, and parsed again by to_python.
            return f"{value:.2f}".replace(".", ",")
        return value


class LocationChoiceField(forms.ModelChoiceField):
    # The same hundred-odd places on every asset form and list (inventory/formchoices.py).
    iterator = CachedChoiceIterator

    def label_from_instance(self, obj):
        return f"{obj.library.code} – {obj.name}"


class AssetForm(DateRangeMixin, forms.ModelForm):
    """Create or edit an asset. On edit, `version` carries the version the user loaded."""

    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(s, AssetStatus(s).label) for s in initial_statuses(ChangeSource.WEB)],
        initial=AssetStatus.IN_STOCK,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    features = forms.ModelMultipleChoiceField(
        label=_("Features"),
        queryset=Feature.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Asset
        fields = ASSET_FIELDS.names(FORM)
        field_classes = {"purchase_price": SekField, "location": LocationChoiceField}
        widgets = {
            "lease_end": DateInput(),
            "trial_return_by": DateInput(),
            "purchase_date": DateInput(),
            "warranty_end": DateInput(),
            "replacement_due": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, libraries=None, may_change_library=True, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not may_change_library:
            # The service refuses the change; say so before it is tried.
            self.fields["library"].help_text = _(
                "Only IT staff and administrators can move an asset to another library."
            )
        if libraries is not None:
            self.fields["library"].queryset = libraries
            self.fields["location"].queryset = Location.objects.filter(
                library__in=libraries
            ).select_related("library")
        else:
            self.fields["location"].queryset = Location.objects.select_related("library")
        self.fields["model"].queryset = self.fields["model"].queryset.select_related("manufacturer")
        self.fields["parent"].queryset = Asset.objects.filter(category__is_kit=True).exclude(
            pk=self.instance.pk
        )
        self.fields["replacement_due"].help_text = _(
            "Leave empty to compute it from the purchase date and the category's lifecycle."
        )
        if self.instance.pk:
            # Status moves have their own form, with the rules of each move.
            del self.fields["status"]
            self.fields["version"].initial = self.instance.version
            self.fields["version"].required = True
            if not self.instance.replacement_due_manual:
                self.initial["replacement_due"] = None

    def clean_tag(self):
        return self.cleaned_data["tag"].strip()

    def clean_hostname(self):
        return self.cleaned_data["hostname"].strip().lower()


class AssetStatusForm(DateRangeMixin, forms.Form):
    to_status = forms.ChoiceField(label=_("New status"))
    borrower = forms.CharField(label=_("Borrower"), max_length=200, required=False)
    loan_due = forms.DateField(label=_("Loan due"), required=False, widget=DateInput())
    disposal_method = forms.ChoiceField(
        label=_("Disposal method"),
        choices=[("", "---------"), *DisposalMethod.choices],
        required=False,
    )
    wipe_certificate = forms.CharField(
        label=_("Data-wipe certificate"), max_length=100, required=False
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, asset: Asset, **kwargs):
        super().__init__(*args, **kwargs)
        self.asset = asset
        # A lendable asset is lent from its loans page, and comes back by its loan's
        # return (docs/loans.md): inventory.loans says which moves are left here.
        self.fields["to_status"].choices = [
            (s, AssetStatus(s).label) for s in status_page_moves(asset)
        ]
        self.fields["version"].initial = asset.version

    def details(self) -> dict:
        """The move's details as the service takes them."""
        data = self.cleaned_data
        target = data["to_status"]
        if target == AssetStatus.ON_LOAN:
            return {"borrower": data["borrower"], "loan_due": data["loan_due"]}
        if target == AssetStatus.DISPOSED:
            return {
                "disposal_method": data["disposal_method"],
                "wipe_certificate": data["wipe_certificate"],
            }
        return {}


class MaintenanceForm(DateRangeMixin, forms.ModelForm):
    class Meta:
        model = MaintenanceEntry
        fields = ["date", "kind", "description", "cost", "performed_by"]
        field_classes = {"cost": SekField}
        widgets = {"date": DateInput(), "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day > timezone.localdate():
            raise ValidationError(_("Maintenance cannot be logged for a future date."))
        return day


class TagListField(forms.Field):
    """Asset tags carried in hidden inputs, one input per tag."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        return [str(tag).strip() for tag in value if str(tag).strip()]


class BulkActionForm(forms.Form):
    """Move or change the status of the assets ticked on the list.

    A move that takes assets to another library is confirmed on a second page, which
    posts the same fields again with `confirmed` (the tags it listed) and the tick in
    `confirm_library_change`.
    """

    MOVE = "move"
    STATUS = "status"

    action = forms.ChoiceField(
        label=_("Action"),
        choices=[("", "---------"), (MOVE, _("Move to location")), (STATUS, _("Change status"))],
    )
    location = LocationChoiceField(
        label=_("Location"), queryset=Location.objects.none(), required=False
    )
    to_status = forms.ChoiceField(
        label=_("New status"),
        choices=[
            ("", "---------"),
            *[
                (s, AssetStatus(s).label)
                for s in (
                    AssetStatus.IN_STOCK,
                    AssetStatus.IN_USE,
                    AssetStatus.IN_REPAIR,
                    AssetStatus.RETIRED,
                )
            ],
        ],
        required=False,
    )
    assets = forms.ModelMultipleChoiceField(
        label=_("Assets"),
        queryset=Asset.objects.none(),
        to_field_name="tag",
        error_messages={"required": _("Select at least one asset.")},
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)
    confirmed = TagListField(required=False)
    confirm_library_change = forms.BooleanField(
        label=_("Yes, move these assets to another library"), required=False
    )

    def __init__(self, *args, assets, locations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assets"].queryset = assets
        self.fields["location"].queryset = locations

    def confirmed_library_changes(self) -> list[str]:
        """The tags whose move to another library the user has confirmed."""
        data = self.cleaned_data
        return data["confirmed"] if data.get("confirm_library_change") else []

    def clean(self):
        data = super().clean()
        if data.get("action") == self.MOVE and not data.get("location"):
            self.add_error("location", _("Choose the location to move the assets to."))
        if data.get("action") == self.STATUS and not data.get("to_status"):
            self.add_error("to_status", _("Choose the new status."))
        return data


class LabelForm(forms.Form):
    """The sheet to print asset labels on, and where on the first sheet to start.

    `assets` are the tags ticked on the list (a `selection`); without one, the labels
    are of the list's filtered rows, which the view reads with the list's FilterSet.
    """

    layout = forms.ChoiceField(
        label=_("Label sheet"),
        choices=[(key, layout.name) for key, layout in LAYOUTS.items()],
        initial="3x8",
        widget=forms.RadioSelect,
    )
    start = forms.IntegerField(
        label=_("Start at label"),
        min_value=1,
        initial=1,
        required=False,
        help_text=_(
            "To use up a sheet that is partly used: the number of its first free label, "
            "counted along the rows from the top left."
        ),
    )
    assets = forms.ModelMultipleChoiceField(
        label=_("Assets"),
        queryset=Asset.objects.none(),
        to_field_name="tag",
        required=False,
        widget=forms.MultipleHiddenInput,
    )

    def __init__(self, *args, assets, selection: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assets"].queryset = assets
        self.selection = selection

    def clean(self):
        data = super().clean()
        layout = LAYOUTS.get(data.get("layout") or "")
        start = data.get("start") or 1
        data["start"] = start
        if layout and start > layout.per_sheet:
            self.add_error(
                "start",
                _("A sheet of this kind has %(count)s labels.") % {"count": layout.per_sheet},
            )
        if self.selection and "assets" in data and not data["assets"]:
            self.add_error(None, _("Select at least one asset."))
        return data


class FaultReportForm(forms.Form):
    """What a patron's or staff member's fault report says; the service checks the photo."""

    description = forms.CharField(
        label=_("What is wrong?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For example: the screen stays black, the scanner does not start."),
    )
    urgency = forms.ChoiceField(
        label=_("How urgent is it?"), choices=FaultUrgency.choices, widget=forms.RadioSelect
    )
    photo = forms.FileField(
        label=_("Photo (optional)"),
        required=False,
        help_text=_("JPEG, PNG or WebP, at most 8 MB. The photo's location data is removed."),
        widget=forms.ClearableFileInput(
            # No `capture`: a phone then offers both the camera and its photos.
            attrs={"accept": "image/jpeg,image/png,image/webp"}
        ),
    )


class FaultCloseForm(DateRangeMixin, forms.Form):
    """What IT did about a fault, logged as maintenance on the asset."""

    resolution = forms.CharField(
        label=_("What was done"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    kind = forms.ChoiceField(
        label=_("Kind of work"), choices=MaintenanceKind.choices, initial=MaintenanceKind.REPAIR
    )
    on = forms.DateField(label=_("Date"), widget=DateInput, initial=timezone.localdate)
    cost = SekField(label=_("Cost (SEK excl. VAT)"), required=False, min_value=0)
    performed_by = forms.CharField(
        label=_("Performed by"), max_length=200, required=False, help_text=_("Person or company.")
    )
    back_in_use = forms.BooleanField(
        label=_("Put the asset back in use"),
        required=False,
        initial=True,
        help_text=_("It is in repair now; untick if it stays there."),
    )

    def __init__(self, *args, asset=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Offered only for an asset in repair; otherwise there is nothing to move back.
        if asset is None or asset.status != AssetStatus.IN_REPAIR:
            del self.fields["back_in_use"]

    def clean_on(self):
        day = self.cleaned_data["on"]
        if day > timezone.localdate():
            raise ValidationError(_("Maintenance cannot be logged for a future date."))
        return day
