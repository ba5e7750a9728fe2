"""Fixtures of procurement, for every test folder (registered in tests/conftest.py)."""

from datetime import date
from decimal import Decimal

import pytest

from procurement import services
from procurement.models import FrameworkAgreement, PurchasingRuleSet, Supplier


@pytest.fixture
def ruleset(db):
    """The demo rule set (docs/purchasing-rules.md); the 2026 EU threshold's SEK unconfirmed."""
    return PurchasingRuleSet.objects.create(
        name="LOU och kommunens riktlinjer 2026",
        effective_from=date(2026, 1, 1),
        direct_award_limit=Decimal("700000"),
        documentation_threshold=Decimal("100000"),
        eu_threshold=None,
        eu_threshold_eur=Decimal("216000"),
        eu_threshold_confirmed=False,
        quote_tiers=[["0", 1], ["100000", 3]],
        approval_levels=[
            ["0", "Bibliotekschef"],
            ["100000", "Kultur- och fritidschef"],
            ["700000", "Kultur- och fritidsnämnden"],
        ],
    )


@pytest.fixture
def suppliers(db):
    return [
        Supplier.objects.create(name=name)
        for name in ("Atea Sverige AB", "Dustin Sverige AB", "Misco AB")
    ]


@pytest.fixture
def framework(db, suppliers):
    """A joined framework agreement for tablets, valid 2025–2028."""
    from tests.factories import CategoryFactory

    tablet = CategoryFactory(code="tablet", name_sv="Surfplatta", name_en="Tablet")
    agreement = FrameworkAgreement.objects.create(
        name="Surfplattor 2025",
        body="adda",
        valid_from=date(2025, 1, 1),
        valid_to=date(2028, 12, 31),
        call_off_method="ranking",
    )
    agreement.categories.add(tablet)
    agreement.suppliers.add(suppliers[0])
    return agreement


@pytest.fixture
def make_case(ruleset, workstation):
    """make_case(actor, library, value=..., **fields): a case opened through the service."""

    def make(actor, library, value="50000", **fields):
        fields.setdefault("title", "Nya publika datorer")
        fields.setdefault("need", "Datorerna vid informationsdisken är för gamla.")
        fields.setdefault("category", workstation)
        return services.case_create(
            actor=actor, library=library, estimated_value=Decimal(value), **fields
        )

    return make
