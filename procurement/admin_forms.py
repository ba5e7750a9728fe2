"""The rule set's form in the admin: the quote tiers and approval levels as rows of
inputs instead of raw JSON, and the sources in boxes wide enough to read.

The rows are cleaned into the JSON the model stores, `[["0", 1], ["100000", 3]]` and
`[["0", "Bibliotekschef"], ...]` (amounts as strings of the exact decimal); the model's
clean() and the rules engine check them as before.
"""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import PurchasingRuleSet

# Empty rows offered below the filled ones, to add tiers without JavaScript.
EXTRA_ROWS = 3
# More rows than any municipality's delegation has; guards against a forged form.
MAX_ROWS = 50
# Spaces as thousands separators, including the no-break spaces of a Swedish figure.
_SPACES = re.compile(r"[\s\u00a0\u202f]")


def _amount_text(amount: Decimal) -> str:
    """The exact amount without exponent or trailing zeros: "100000", "2500.5"."""
    text = format(amount, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class TierRowsWidget(forms.Widget):
    """Rows of two inputs: an amount from which, and what applies from it (a number
    of quotes or an approver), as a table; its value is a list of (from, value) pairs."""

    def __init__(self, value_label, value_input="text", attrs=None):
        super().__init__(attrs)
        self.value_label = value_label
        self.value_input = value_input

    def value_from_datadict(self, data, files, name):
        try:
            count = min(int(data.get(f"{name}-rows", 0)), MAX_ROWS)
        except (TypeError, ValueError):
            count = 0
        return [
            (data.get(f"{name}-{index}-from", ""), data.get(f"{name}-{index}-value", ""))
            for index in range(max(count, 0))
        ]

    def value_omitted_from_data(self, data, files, name):
        return f"{name}-rows" not in data

    def id_for_label(self, id_):
        return f"{id_}-0-from" if id_ else id_

    def render(self, name, value, attrs=None, renderer=None):
        rows = [
            (str(pair[0]), "" if pair[1] is None else str(pair[1]))
            for pair in (value if isinstance(value, list | tuple) else [])
            if isinstance(pair, list | tuple) and len(pair) == 2
        ]
        rows += [("", "")] * EXTRA_ROWS
        id_ = (attrs or {}).get("id") or f"id_{name}"
        amount_header = f"{id_}-from-header"
        value_header = f"{id_}-value-header"
        value_attrs = ' min="1" step="1"' if self.value_input == "number" else ' size="30"'

        def cells(index, low, item):
            row_header = f"{id_}-row-{index}"
            return format_html(
                '<tr><th scope="row" id="{row}">{number}</th>'
                '<td><input type="text" inputmode="decimal" name="{name}-{i}-from" '
                'id="{id}-{i}-from" value="{low}" size="14" '
                'aria-labelledby="{amount_header} {row}"></td>'
                '<td><input type="{kind}" name="{name}-{i}-value" id="{id}-{i}-value" '
                'value="{item}"{extra} '
                'aria-labelledby="{value_header} {row}"></td></tr>',
                row=row_header,
                number=index + 1,
                name=name,
                id=id_,
                i=index,
                low=low,
                item=item,
                kind=self.value_input,
                extra=mark_safe(value_attrs),  # noqa: S308 - a constant of this module
                amount_header=amount_header,
                value_header=value_header,
            )

        body = format_html_join(
            "", "{}", ((cells(index, low, item),) for index, (low, item) in enumerate(rows))
        )
        return format_html(
            '<table class="tier-rows"><thead><tr><th scope="col">{row_label}</th>'
            '<th scope="col" id="{amount_header}">{amount_label}</th>'
            '<th scope="col" id="{value_header}">{value_label}</th></tr></thead>'
            "<tbody>{body}</tbody></table>"
            '<input type="hidden" name="{name}-rows" value="{count}">',
            row_label=gettext("Row"),
            amount_header=amount_header,
            amount_label=gettext("Amount from (SEK)"),
            value_header=value_header,
            value_label=self.value_label,
            body=body,
            name=name,
            count=len(rows),
        )


class TierRowsField(forms.Field):
    """(from amount, value) rows cleaned into the model's JSON list, ascending by amount.

    Empty rows are left out; a row with only one of its two filled in is an error, as is
    an amount that is not a number or is negative, or the same amount twice. `whole`
    makes the value a whole number of at least 1 (quotes); otherwise it is text.
    """

    def __init__(self, *, value_label, whole=False, **kwargs):
        self.whole = whole
        kwargs.setdefault(
            "widget", TierRowsWidget(value_label, value_input="number" if whole else "text")
        )
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        pairs = []
        errors = []
        for number, (low, item) in enumerate(value or [], start=1):
            try:
                pair = self.clean_row(number, low, item)
            except ValidationError as exc:
                errors.append(exc)
                continue
            if pair is not None:
                pairs.append(pair)
        if errors:
            raise ValidationError(errors)
        pairs.sort(key=lambda pair: pair[0])
        amounts = [amount for amount, _item in pairs]
        if len(set(amounts)) != len(amounts):
            raise ValidationError(_("Each amount may be given only once."))
        return [[_amount_text(amount), item] for amount, item in pairs]

    def clean_row(self, number: int, low, item) -> tuple[Decimal, object] | None:
        """One row as (amount, value), None when it is empty."""
        low = _SPACES.sub("", str(low)).replace(",", ".")
        item = str(item).strip()
        if not low and not item:
            return None
        params = {"row": number}
        if not low or not item:
            raise ValidationError(
                _("Row %(row)s: fill in both the amount and the value, or neither."),
                params=params,
            )
        try:
            amount = Decimal(low)
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite() or amount < 0:
            raise ValidationError(
                _("Row %(row)s: the amount must be a number of at least 0."), params=params
            )
        if not self.whole:
            return amount, item
        if not item.isdigit() or int(item) < 1:
            raise ValidationError(
                _("Row %(row)s: the number of quotes must be a whole number of at least 1."),
                params=params,
            )
        return amount, int(item)

    def has_changed(self, initial, data):
        try:
            return self.to_python(data) != (initial or [])
        except ValidationError:
            return True


class SourceField(forms.CharField):
    """A source, in a box wide enough to read it whole; written on one line."""

    def __init__(self, **kwargs):
        kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "class": "source-text"})
        super().__init__(**kwargs)

    def to_python(self, value):
        return " ".join(super().to_python(value).split())


class PurchasingRuleSetAdminForm(forms.ModelForm):
    quote_tiers = TierRowsField(
        label=capfirst(_("quote tiers")),
        value_label=_("Written quotes"),
        whole=True,
        help_text=_(
            "From which amount how many written quotes are needed. Leave a row empty to "
            "remove it; the rows are put in order of their amounts when saved."
        ),
    )
    approval_levels = TierRowsField(
        label=capfirst(_("approval levels")),
        value_label=_("Approver"),
        help_text=_(
            "From which amount who approves a purchase. Leave a row empty to remove it; "
            "the rows are put in order of their amounts when saved."
        ),
    )

    class Meta:
        model = PurchasingRuleSet
        fields = [
            "name",
            "effective_from",
            "notes",
            "direct_award_limit",
            "direct_award_limit_confirmed",
            "direct_award_limit_source",
            "documentation_threshold",
            "documentation_threshold_confirmed",
            "documentation_threshold_source",
            "eu_threshold",
            "eu_threshold_eur",
            "eu_threshold_confirmed",
            "eu_threshold_source",
            "quote_tiers",
            "approval_levels",
        ]
        field_classes = {
            "direct_award_limit_source": SourceField,
            "documentation_threshold_source": SourceField,
            "eu_threshold_source": SourceField,
        }
