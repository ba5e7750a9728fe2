from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "inventory"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="inventory:asset_list"), name="index"),
    path("assets/", views.AssetListView.as_view(), name="asset_list"),
    path("assets/add/", views.AssetCreateView.as_view(), name="asset_create"),
    path("assets/bulk/", views.AssetBulkView.as_view(), name="asset_bulk"),
    path("assets/export/", views.AssetExportView.as_view(), name="asset_export"),
    path("assets/<str:tag>/", views.AssetDetailView.as_view(), name="asset_detail"),
    path("assets/<str:tag>/edit/", views.AssetUpdateView.as_view(), name="asset_update"),
    path("assets/<str:tag>/status/", views.AssetStatusView.as_view(), name="asset_status"),
    path(
        "assets/<str:tag>/maintenance/add/",
        views.MaintenanceCreateView.as_view(),
        name="maintenance_create",
    ),
    path("import/", views.AssetImportView.as_view(), name="asset_import"),
    path(
        "import/<uuid:pk>/",
        views.AssetImportPreviewView.as_view(),
        name="asset_import_preview",
    ),
    path(
        "import/<uuid:pk>/confirm/",
        views.AssetImportConfirmView.as_view(),
        name="asset_import_confirm",
    ),
    path(
        "import/<uuid:pk>/rejected/",
        views.AssetImportRejectedView.as_view(),
        name="asset_import_rejected",
    ),
    path(
        "import/<uuid:pk>/cancel/",
        views.AssetImportCancelView.as_view(),
        name="asset_import_cancel",
    ),
]
