"""Administration of the reference data. Assets are edited in the app, where the
services keep their history; here they are read-only."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from . import services
from .models import (
    Asset,
    Category,
    ChangeRecord,
    Feature,
    Library,
    Location,
    Manufacturer,
    ProductModel,
    Profile,
)


class LocationInline(admin.TabularInline):
    model = Location
    extra = 1


@admin.register(Library)
class LibraryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "address")
    search_fields = ("code", "name")
    inlines = [LocationInline]


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ("name", "library")
    list_filter = ("library",)
    search_fields = ("name",)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name_sv", "name_en", "lifecycle_months", "is_kit", "stores_data")
    search_fields = ("code", "name_sv", "name_en")

    def save_model(self, request, obj, form, change):
        if change and "lifecycle_months" in form.changed_data:
            # Computed replacement dates follow the new lifecycle, with history.
            months = obj.lifecycle_months
            obj.lifecycle_months = form.initial["lifecycle_months"]
            super().save_model(request, obj, form, change)
            services.category_set_lifecycle(category=obj, months=months, actor=request.user)
        else:
            super().save_model(request, obj, form, change)


@admin.register(Feature)
class FeatureAdmin(admin.ModelAdmin):
    list_display = ("code", "name_sv", "name_en")


class ProductModelInline(admin.TabularInline):
    model = ProductModel
    extra = 1


@admin.register(Manufacturer)
class ManufacturerAdmin(admin.ModelAdmin):
    search_fields = ("name",)
    inlines = [ProductModelInline]


@admin.register(ProductModel)
class ProductModelAdmin(admin.ModelAdmin):
    list_display = ("name", "manufacturer")
    list_filter = ("manufacturer",)
    search_fields = ("name", "manufacturer__name")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Asset)
class AssetAdmin(ReadOnlyAdmin):
    list_display = ("tag", "category", "library", "location", "status")
    list_filter = ("library", "category", "status")
    search_fields = ("tag", "serial_number", "hostname")
    list_select_related = ("category", "library", "location")


@admin.register(ChangeRecord)
class ChangeRecordAdmin(ReadOnlyAdmin):
    list_display = ("at", "content_type", "object_id", "actor", "action", "source")
    list_filter = ("content_type", "source", "action")
    list_select_related = ("content_type", "actor")


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    filter_horizontal = ("libraries",)


admin.site.unregister(User)


@admin.register(User)
class InventeraUserAdmin(UserAdmin):
    inlines = [ProfileInline]
