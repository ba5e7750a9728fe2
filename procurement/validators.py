"""Checks of Swedish identifiers that procurement documents carry."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Ten digits, with or without the hyphen before the last four: 556036-0793, 5560360793.
# Skatteverket's format for organisationsnummer; the last digit is a Luhn check digit.
_ORGANISATION_NUMBER = re.compile(r"^(\d{6})-?(\d{4})$")


def luhn_valid(digits: str) -> bool:
    """The Luhn (modulus 10) check over a string of digits, as Skatteverket uses it."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def validate_organisation_number(value: str) -> None:
    """A Swedish organisation number: NNNNNN-NNNN with a valid check digit."""
    match = _ORGANISATION_NUMBER.match((value or "").strip())
    if not match:
        raise ValidationError(
            _("Write the organisation number as ten digits, e.g. 556036-0793."),
            code="format",
        )
    if not luhn_valid(match[1] + match[2]):
        raise ValidationError(
            _("%(value)s is not a valid organisation number: its check digit is wrong."),
            params={"value": value},
            code="check_digit",
        )


def organisation_number_digits(value: str) -> str:
    """The ten digits of an organisation number, however it is written (for comparing)."""
    return "".join(char for char in value if char.isdigit())
