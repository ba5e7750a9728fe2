"""Administration of the rule sets, suppliers and framework agreements. Cases are worked
in the app, where the services guard their stages; here they can only be read."""

from django.contrib import admin

from .admin_forms import PurchasingRuleSetAdminForm
from .models import (
    FrameworkAgreement,
    ProcurementCase,
    PurchasingRuleSet,
    StageChange,
    Supplier,
)


@admin.register(PurchasingRuleSet)
class PurchasingRuleSetAdmin(admin.ModelAdmin):
    form = PurchasingRuleSetAdminForm
    list_display = (
        "name",
        "effective_from",
        "direct_award_limit",
        "documentation_threshold",
        "eu_threshold",
        "eu_threshold_confirmed",
    )
    fieldsets = (
        (None, {"fields": ("name", "effective_from", "notes")}),
        (
            "LOU",
            {
                "fields": (
                    ("direct_award_limit", "direct_award_limit_confirmed"),
                    "direct_award_limit_source",
                    ("documentation_threshold", "documentation_threshold_confirmed"),
                    "documentation_threshold_source",
                    ("eu_threshold", "eu_threshold_eur", "eu_threshold_confirmed"),
                    "eu_threshold_source",
                )
            },
        ),
        (None, {"fields": ("quote_tiers", "approval_levels")}),
    )

    class Media:
        css = {"all": ["css/admin.css"]}


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation_number", "email", "phone")
    search_fields = ("name", "organisation_number")


@admin.register(FrameworkAgreement)
class FrameworkAgreementAdmin(admin.ModelAdmin):
    list_display = ("name", "body", "valid_from", "valid_to", "call_off_method", "joined")
    list_filter = ("body", "joined")
    filter_horizontal = ("suppliers", "categories")
    search_fields = ("name", "reference")


class StageChangeInline(admin.TabularInline):
    model = StageChange
    extra = 0
    can_delete = False
    readonly_fields = ("at", "actor", "from_stage", "to_stage", "comment", "overridden")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ProcurementCase)
class ProcurementCaseAdmin(admin.ModelAdmin):
    list_display = ("reference", "title", "library", "stage", "procedure", "estimated_value")
    list_filter = ("stage", "library", "procedure")
    search_fields = ("reference", "title")
    inlines = [StageChangeInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
