"""System checks of procurement's settings, run by `manage.py check --deploy`."""

from django.conf import settings
from django.core.checks import Warning, register
from django.core.exceptions import ValidationError

from .validators import validate_organisation_number


@register(deploy=True)
def municipality_named(app_configs, **kwargs):
    """The documentation of a direct award names the municipality and its organisation
    number (LOU 19 a kap. 11 §); without them no such case can be ordered."""
    problems = []
    if not settings.INVENTERA_MUNICIPALITY_NAME.strip():
        problems.append(
            Warning(
                "MUNICIPALITY_NAME is not set.",
                hint="Set it to the municipality's name, e.g. Exempelkommunen; the "
                "documentation of direct awards needs it.",
                id="inventera.W001",
            )
        )
    number = settings.INVENTERA_MUNICIPALITY_ORG_NUMBER.strip()
    try:
        validate_organisation_number(number)
    except ValidationError:
        what = "not a valid organisation number" if number else "not set"
        problems.append(
            Warning(
                f"MUNICIPALITY_ORG_NUMBER is {what}.",
                hint="Set it to the municipality's organisation number, e.g. 212000-0001.",
                id="inventera.W002",
            )
        )
    return problems
