from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config.health import healthz
from config.views import (
    AccessibilityStatementView,
    FaviconView,
    InventeraLoginView,
    InventeraLogoutView,
    InventeraPasswordResetView,
)
from inventory.views import set_language_view
from reports.views import DashboardView

handler403 = "config.errors.permission_denied"
handler500 = "config.errors.server_error"

admin.site.site_header = "Inventera"
admin.site.site_title = "Inventera"

urlpatterns = [
    path("", DashboardView.as_view(), name="dashboard"),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
    path("accessibility/", AccessibilityStatementView.as_view(), name="accessibility"),
    path("accounts/login/", InventeraLoginView.as_view(), name="login"),
    path("accounts/logout/", InventeraLogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "accounts/password/reset/",
        InventeraPasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("i18n/setlang/", set_language_view, name="set_language"),
    path("inventory/", include("inventory.urls")),
    path("procurement/", include("procurement.urls")),
    path("reports/", include("reports.urls")),
    path("admin/", admin.site.urls),
]
