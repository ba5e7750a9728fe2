"""Fixtures of the inventory tests."""

import pytest

from tests.factories import FeatureFactory, ManufacturerFactory, ProductModelFactory


@pytest.fixture
def register(hb_floor2, hb_store, no_public, workstation, vr_kit, it_user):
    """The reference data an import needs: libraries, places, categories, a model,
    features."""
    lenovo = ManufacturerFactory(name="Lenovo")
    ProductModelFactory(manufacturer=lenovo, name="ThinkCentre M70q")
    FeatureFactory()
    FeatureFactory(code="headphones", name_sv="Hörlurar", name_en="Headphones")
    return it_user
