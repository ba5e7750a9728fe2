"""Forms of procurement cases. They check input; the services apply the rules."""

from dataclasses import dataclass

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inventory.fieldlists import FORM
from inventory.forms import DateInput, DateRangeMixin, LocationChoiceField, SekField

from .choices import Decision, DocumentKind, Stage
from .fieldlists import CASE_FIELDS, NEED
from .models import CaseLine, ProcurementCase, Quote
from .selectors import DeliveryDefaults, agreements_open, editable_case_fields
from .services import (
    CREATE_MISSING_LABEL,
    EDITABLE_FIELDS,
    DeliveryItem,
)
from .validators import validate_organisation_number

CASE_WIDGETS = {
    "need": forms.Textarea(attrs={"rows": 4}),
    "analysis": forms.Textarea(attrs={"rows": 4}),
    "grant_spend_by": DateInput(),
    "expected_delivery": DateInput(),
    "award_notice_sent_on": DateInput(),
    "suppliers_asked": forms.CheckboxSelectMultiple(),
    "award_reason": forms.Textarea(attrs={"rows": 3}),
    "contract_start": DateInput(),
    "contract_end": DateInput(),
}


FIELDSETS = (
    (
        _("The need"),
        (
            "library",
            "title",
            "need",
            "analysis",
            "category",
            "estimated_value",
            "expected_delivery",
        ),
    ),
    (_("Funding"), ("funding", "grant_name", "grant_spend_by")),
    (
        _("Procurement"),
        (
            "handler",
            "framework_agreement",
            "advertisement_id",
            "award_notice_sent_on",
            "award_notice_electronic",
            "order_reference",
        ),
    ),
    (
        _("Documentation of the direct award"),
        (
            "competition_method",
            "suppliers_asked",
            "award_reason",
            "contract_start",
            "contract_end",
        ),
    ),
)


AGREEMENT_HELP = _("Only agreements the municipality has joined and that are in force today.")


def limit_agreements(form: forms.ModelForm) -> None:
    """Offer the agreements a case may name today, and the one it names already."""
    field = form.fields.get("framework_agreement")
    if field is None:
        return
    offered = agreements_open(timezone.localdate())
    current = form.instance.framework_agreement_id if form.instance.pk else None
    if current is not None:
        offered = offered | field.queryset.filter(pk=current)
    field.queryset = offered.distinct()
    field.help_text = AGREEMENT_HELP


class FieldsetsMixin:
    def fieldsets(self):
        """(legend, bound fields) for the template, leaving out the fields not on this form."""
        groups = []
        for legend, names in FIELDSETS:
            fields = [self[name] for name in names if name in self.fields]
            if fields:
                groups.append((legend, fields))
        return groups


class HandlerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


def handlers():
    """People who can handle a case's technical stages."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(groups__permissions__codename="advance_technical")
            | Q(user_permissions__codename="advance_technical")
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class CaseCreateForm(DateRangeMixin, FieldsetsMixin, forms.ModelForm):
    """Open a case for a need, in one of the user's own libraries."""

    class Meta:
        model = ProcurementCase
        fields = ["library", *CASE_FIELDS.names(FORM, NEED)]
        field_classes = {"estimated_value": SekField}
        widgets = CASE_WIDGETS

    def __init__(self, *args, libraries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["library"].queryset = libraries
        if libraries.count() == 1:
            self.fields["library"].initial = libraries.first()
        limit_agreements(self)

    def case_fields(self) -> dict:
        """Keyword arguments for services.case_create, lines apart."""
        return dict(self.cleaned_data)


class CaseUpdateForm(DateRangeMixin, FieldsetsMixin, forms.ModelForm):
    """Change a case's facts; `fields` are the ones this user may change."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = ProcurementCase
        fields = CASE_FIELDS.names(FORM)
        field_classes = {"estimated_value": SekField, "handler": HandlerChoiceField}
        widgets = CASE_WIDGETS

    def __init__(self, *args, editable: frozenset, **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name != "version" and name not in editable:
                del self.fields[name]
        if "handler" in self.fields:
            self.fields["handler"].queryset = handlers()
        limit_agreements(self)
        self.fields["version"].initial = self.instance.version

    def changes(self) -> dict:
        """The fields as services.case_update takes them."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name in EDITABLE_FIELDS and name in self.fields
        }


def editable_fields(user) -> frozenset:
    """IT changes every fact of a case, a library manager the library's ones."""
    return frozenset(editable_case_fields(user))


class CaseLineForm(forms.ModelForm):
    """One line of a case. An extra line may be left empty; once anything is typed in
    it, it needs all its fields."""

    class Meta:
        model = CaseLine
        fields = ["category", "description", "quantity", "estimated_unit_price"]
        field_classes = {"estimated_unit_price": SekField}
        widgets = {"quantity": forms.NumberInput(attrs={"min": 1})}

    def __init__(self, *args, optional: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.required_when_used = []
        if optional:
            for name, field in self.fields.items():
                if field.required and name in self._meta.fields:
                    field.required = False
                    self.required_when_used.append(name)

    def clean(self):
        data = super().clean()
        if self.has_changed():
            for name in self.required_when_used:
                if data.get(name) in (None, ""):
                    self.add_error(name, self.fields[name].error_messages["required"])
        return data


class BaseLineFormSet(forms.BaseModelFormSet):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", CaseLine.objects.none())
        kwargs.setdefault("prefix", "lines")
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        # The lines beyond the first may stay empty.
        return {**super().get_form_kwargs(index), "optional": index is None or index >= 1}

    def lines(self) -> list[dict]:
        names = CaseLineForm._meta.fields
        return [
            {name: form.cleaned_data[name] for name in names}
            for form in self.forms
            if form.cleaned_data and form.has_changed()
        ]


CaseLineFormSet = forms.modelformset_factory(
    CaseLine,
    form=CaseLineForm,
    formset=BaseLineFormSet,
    extra=2,
    min_num=1,
    validate_min=True,
    can_delete=False,
)


class CaseMoveForm(forms.Form):
    """Move a case to another stage. The page offers the moves this user may make now;
    whether a move is allowed is the service's to say (a 403 or the reasons)."""

    prefix = "move"

    to_stage = forms.ChoiceField(label=_("Move to"), choices=Stage.choices)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when pausing or cancelling: give the reason."),
    )
    override_reason = forms.CharField(
        label=_("Reason for overriding the rules"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Only if the move must be made although the rules say something is missing. "
            "The reason is shown in the timeline."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, case: ProcurementCase, may_override: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = case.version
        if not may_override:
            del self.fields["override_reason"]


class CaseDecideForm(forms.Form):
    """Approve or reject a case at its approval stage, at a delegation level."""

    prefix = "decide"

    decision = forms.ChoiceField(
        label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect
    )
    level = forms.TypedChoiceField(label=_("Delegation level"), coerce=int)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when rejecting: give the reason."),
    )

    def __init__(self, *args, level_names: list[str], initial_level: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = list(enumerate(level_names)) or [(0, "–")]
        self.fields["level"].initial = initial_level


class QuoteForm(DateRangeMixin, forms.ModelForm):
    """A quote from a registered supplier, or from a new one given by name and
    organisation number (registered with the quote by services.quote_add)."""

    new_supplier_name = forms.CharField(
        label=_("New supplier's name"),
        max_length=200,
        required=False,
        help_text=_("Only if the supplier is not in the list above."),
    )
    new_supplier_organisation_number = forms.CharField(
        label=_("New supplier's organisation number"),
        max_length=20,
        required=False,
        validators=[validate_organisation_number],
        help_text=_("Ten digits, e.g. 556036-0793."),
    )

    class Meta:
        model = Quote
        fields = ["supplier", "amount", "received_on", "valid_until", "notes"]
        field_classes = {"amount": SekField}
        widgets = {"received_on": DateInput(), "valid_until": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate
        self.fields["supplier"].required = False
        self.fields["supplier"].help_text = _(
            "Choose a registered supplier, or give a new one below."
        )

    def new_supplier_fields(self) -> list[forms.BoundField]:
        return [self["new_supplier_name"], self["new_supplier_organisation_number"]]

    def detail_fields(self) -> list[forms.BoundField]:
        """The quote's own fields after the supplier, for the template."""
        return [self[name] for name in self._meta.fields if name != "supplier"]


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of document"), choices=DocumentKind.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, Office documents or images (PNG, JPEG, GIF)."),
    )


class CommentForm(forms.Form):
    prefix = "comment"

    text = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


@dataclass(frozen=True)
class DeliveryLineFields:
    """One case line's fields on the delivery form, for the template."""

    number: int
    line: CaseLine
    manufacturer: forms.BoundField
    model: forms.BoundField
    warranty_end: forms.BoundField
    serials: forms.BoundField
    tags: forms.BoundField


class DeliveryForm(DateRangeMixin, forms.Form):
    """For each case line the serial numbers delivered (one per line) and, if the
    municipality's tags are already on the items, the tags in the same order; and what
    was delivered: manufacturer, model and warranty end, proposed from `defaults`."""

    location = LocationChoiceField(label=_("Location"), queryset=None)
    delivered_on = forms.DateField(label=_("Delivered on"), widget=DateInput())
    create_missing = forms.BooleanField(
        label=CREATE_MISSING_LABEL,
        required=False,
        help_text=_(
            "Without it, a manufacturer or model that is not registered is refused, so that "
            "a misspelt name does not become a new one."
        ),
    )

    def __init__(self, *args, lines, locations, defaults=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        defaults = defaults or {}
        self.fields["location"].queryset = locations
        self.fields["delivered_on"].initial = timezone.localdate
        for number, line in enumerate(self.lines, start=1):
            proposed = defaults.get(line.pk, DeliveryDefaults())
            self.fields[f"manufacturer_{line.pk}"] = forms.CharField(
                label=_("Manufacturer"),
                max_length=100,
                required=False,
                initial=proposed.manufacturer,
                widget=forms.TextInput(attrs={"list": "manufacturer-names"}),
            )
            self.fields[f"model_{line.pk}"] = forms.CharField(
                label=_("Model"),
                max_length=100,
                required=False,
                initial=proposed.model,
                widget=forms.TextInput(attrs={"list": "model-names"}),
            )
            self.fields[f"warranty_end_{line.pk}"] = forms.DateField(
                label=_("Warranty end"),
                required=False,
                initial=proposed.warranty_end,
                widget=DateInput(),
                error_messages={
                    "invalid": _(
                        "Line %(n)d: enter the warranty end as a date, for example 2029-06-30."
                    )
                    % {"n": number}
                },
            )
            self.fields[f"serials_{line.pk}"] = forms.CharField(
                label=_("Serial numbers"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
                help_text=_("One per line, pasted or scanned."),
            )
            self.fields[f"tags_{line.pk}"] = forms.CharField(
                label=_("Asset tags (optional)"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
                help_text=_(
                    "One per serial number, in the same order; leave empty to have tags assigned."
                ),
            )

    def line_fields(self) -> list[DeliveryLineFields]:
        return [
            DeliveryLineFields(
                number=number,
                line=line,
                manufacturer=self[f"manufacturer_{line.pk}"],
                model=self[f"model_{line.pk}"],
                warranty_end=self[f"warranty_end_{line.pk}"],
                serials=self[f"serials_{line.pk}"],
                tags=self[f"tags_{line.pk}"],
            )
            for number, line in enumerate(self.lines, start=1)
        ]

    def items(self) -> list[DeliveryItem]:
        """What was delivered of each line, in the order of the lines."""
        data = self.cleaned_data
        return [
            DeliveryItem(
                line=line,
                serial_numbers=data[f"serials_{line.pk}"].splitlines(),
                tags=data[f"tags_{line.pk}"].splitlines(),
                manufacturer=data[f"manufacturer_{line.pk}"],
                model=data[f"model_{line.pk}"],
                warranty_end=data[f"warranty_end_{line.pk}"],
            )
            for line in self.lines
        ]
