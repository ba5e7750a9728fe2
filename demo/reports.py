"""Demo budgets: each library's equipment budget for last year and this year, with parts
set aside for the categories it plans to buy. Loading twice changes nothing."""

from datetime import date
from decimal import Decimal

from inventory.models import Category, Library
from reports.models import Budget

# library, years back (0 = this year), category code or None, amount
BUDGETS = [
    ("HB", 1, None, "250000"),
    ("HB", 0, None, "650000"),
    ("HB", 0, "workstation", "150000"),
    ("HB", 0, "staff_pc", "400000"),
    ("NO", 1, None, "60000"),
    ("NO", 0, None, "80000"),
    ("SO", 1, None, "90000"),
    ("SO", 0, None, "420000"),
    ("SO", 0, "staff_pc", "300000"),
]


def seed_budgets(today: date, actor=None) -> int:
    """Create the demo budgets that do not exist yet; return how many were created."""
    created = 0
    for code, years_back, category, amount in BUDGETS:
        _budget, made = Budget.objects.get_or_create(
            library=Library.objects.get(code=code),
            year=today.year - years_back,
            category=Category.objects.get(code=category) if category else None,
            defaults={"amount": Decimal(amount), "updated_by": actor},
        )
        created += made
    return created
