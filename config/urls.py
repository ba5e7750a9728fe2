from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config.health import healthz
from inventory.views import set_language_view
from reports.views import DashboardView

handler403 = "config.errors.permission_denied"
handler500 = "config.errors.server_error"

admin.site.site_header = "Inventera"
admin.site.site_title = "Inventera"

urlpatterns = [
    path("", DashboardView.as_view(), name="dashboard"),
    path("healthz", healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
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
    path("i18n/setlang/", set_language_view, name="set_language"),
    path("inventory/", include("inventory.urls")),
    path("procurement/", include("procurement.urls")),
    path("reports/", include("reports.urls")),
    path("admin/", admin.site.urls),
]
