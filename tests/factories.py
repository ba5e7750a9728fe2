"""Test data. Factories build rows directly; tests of the services call the services."""

from decimal import Decimal

import factory
from django.contrib.auth.models import Group, User
from factory.django import DjangoModelFactory

from inventory import roles
from inventory.choices import AssetStatus
from inventory.models import (
    Asset,
    Category,
    Feature,
    Library,
    Location,
    Manufacturer,
    ProductModel,
    Profile,
)


class LibraryFactory(DjangoModelFactory):
    class Meta:
        model = Library
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"L{n}")
    name = factory.LazyAttribute(lambda o: f"Bibliotek {o.code}")


class LocationFactory(DjangoModelFactory):
    class Meta:
        model = Location
        django_get_or_create = ("library", "name")

    library = factory.SubFactory(LibraryFactory)
    name = factory.Sequence(lambda n: f"Plats {n}")


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("code",)

    code = "workstation"
    name_sv = "Publik dator"
    name_en = "Public workstation"
    lifecycle_months = 48
    stores_data = True


class FeatureFactory(DjangoModelFactory):
    class Meta:
        model = Feature
        django_get_or_create = ("code",)

    code = "screen_reader"
    name_sv = "Skärmläsare"
    name_en = "Screen reader"


class ManufacturerFactory(DjangoModelFactory):
    class Meta:
        model = Manufacturer
        django_get_or_create = ("name",)

    name = "Lenovo"


class ProductModelFactory(DjangoModelFactory):
    class Meta:
        model = ProductModel
        django_get_or_create = ("manufacturer", "name")

    manufacturer = factory.SubFactory(ManufacturerFactory)
    name = "ThinkCentre M70q"


class AssetFactory(DjangoModelFactory):
    class Meta:
        model = Asset

    tag = factory.Sequence(lambda n: f"T-{n:05}")
    category = factory.SubFactory(CategoryFactory)
    library = factory.SubFactory(LibraryFactory, code="HB", name="Stadsbiblioteket")
    location = factory.LazyAttribute(lambda o: LocationFactory(library=o.library, name="Plan 2"))
    status = AssetStatus.IN_USE
    purchase_price = Decimal("8495.00")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.LazyAttribute(lambda o: o.username.capitalize())
    password = factory.django.Password("pw")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=extracted))

    @factory.post_generation
    def libraries(self, create, extracted, **kwargs):
        profile, _ = Profile.objects.get_or_create(user=self)
        if extracted:
            profile.libraries.add(*extracted)


def make_role_user(role: str, username: str, libraries=()) -> User:
    return UserFactory(username=username, role=role, libraries=list(libraries))


ROLES = {
    "chef": roles.LIBRARY_MANAGER,
    "it": roles.IT_STAFF,
    "strateg": roles.STRATEGIST,
    "admin": roles.ADMINISTRATOR,
}
