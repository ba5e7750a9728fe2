"""Forms of the reports pages: what a report is made for, budgets, subscriptions."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from inventory.forms import DateInput, SekField

from .choices import FileFormat, Frequency
from .models import Budget, ReportSubscription


class ReportForm(forms.Form):
    """The choices a report is made with; read from the query string."""

    # Offered as the libraries the user may see; whether the one asked for is visible is
    # decided where every report's scope is (reports.selectors.report_scope: a 404).
    library = forms.CharField(label=_("Library"), required=False, widget=forms.Select)
    as_of = forms.DateField(
        label=_("As of"), required=False, widget=DateInput(), help_text=_("Default: today.")
    )
    period_start = forms.DateField(
        label=_("Period from"),
        required=False,
        widget=DateInput(),
        help_text=_("Default: twelve months before the as-of date."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, required=False)

    def __init__(self, *args, libraries, uses_period: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["library"].widget.choices = [
            ("", _("All libraries you may see")),
            *((library.code, f"{library.name} ({library.code})") for library in libraries),
        ]
        if not uses_period:
            del self.fields["period_start"]

    def clean(self):
        data = super().clean()
        as_of, start = data.get("as_of"), data.get("period_start")
        for name in ("as_of", "period_start"):
            day = data.get(name)
            if day is not None and not 2000 <= day.year <= 2100:
                self.add_error(name, _("Give a date between the years 2000 and 2100."))
        if as_of and start and start > as_of:
            self.add_error("period_start", _("The period cannot start after the as-of date."))
        return data


class BudgetForm(forms.ModelForm):
    class Meta:
        model = Budget
        fields = ["library", "year", "category", "amount", "notes"]
        field_classes = {"amount": SekField}

    def __init__(self, *args, libraries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["library"].queryset = libraries
        self.fields["category"].empty_label = _("All categories (the whole budget)")


class SubscriptionForm(forms.ModelForm):
    class Meta:
        model = ReportSubscription
        fields = ["frequency", "file_format", "library"]
        widgets = {
            "frequency": forms.RadioSelect,
            "file_format": forms.RadioSelect,
        }

    def __init__(self, *args, libraries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["library"].queryset = libraries
        self.fields["library"].empty_label = _("All libraries you may see")
        self.fields["frequency"].initial = Frequency.WEEKLY
        self.fields["file_format"].initial = FileFormat.PDF

    def validate_unique(self):
        # The user and report are set by the view; the service checks the uniqueness.
        pass
