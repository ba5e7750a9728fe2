"""The forms of the loan pages: a booking, and a return with its checklist.

They only read what was typed; the rules (free days, the checklist's note) are the
services' in inventory.loans.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .forms import DateInput, DateRangeMixin
from .models import Loan

BORROWER_HELP = Loan._meta.get_field("borrower").help_text


class LoanBookForm(DateRangeMixin, forms.Form):
    borrower = forms.CharField(label=_("Borrower"), max_length=200, help_text=BORROWER_HELP)
    starts_on = forms.DateField(label=_("From"), widget=DateInput, initial=timezone.localdate)
    due_on = forms.DateField(
        label=_("Due back"), widget=DateInput, help_text=_("The last day of the loan.")
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example what the loan is for, or who fetches the kit."),
    )


class LoanReturnForm(DateRangeMixin, forms.Form):
    """The return of a loan: the category's checklist (when it has one), a note, and
    the day it came back."""

    ticked = forms.MultipleChoiceField(
        label=_("Tick what is in order"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when something is not ticked: what is missing or wrong."),
    )
    on = forms.DateField(label=_("Returned on"), widget=DateInput, initial=timezone.localdate)

    def __init__(self, *args, items: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        if items:
            self.fields["ticked"].choices = [(item, item) for item in items]
        else:
            del self.fields["ticked"]
            self.fields["note"].help_text = ""

    def ticked_items(self) -> list[str]:
        return list(self.cleaned_data.get("ticked") or [])
