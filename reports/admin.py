"""Administration of budgets and report subscriptions."""

from django.contrib import admin

from .models import Budget, ReportSubscription


@admin.register(Budget)
class BudgetAdmin(admin.ModelAdmin):
    list_display = ("year", "library", "category", "amount", "updated_by", "updated_at")
    list_filter = ("year", "library", "category")
    readonly_fields = ("updated_by", "updated_at")

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ReportSubscription)
class ReportSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("user", "report", "frequency", "file_format", "library", "created_at")
    list_filter = ("report", "frequency", "file_format")
    search_fields = ("user__username", "user__email")
