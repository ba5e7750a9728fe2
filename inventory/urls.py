from django.urls import path
from django.views.generic import RedirectView

from . import views
from .views import loans, stocktakes, trials

app_name = "inventory"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="inventory:asset_list"), name="index"),
    path("assets/", views.AssetListView.as_view(), name="asset_list"),
    path("assets/add/", views.AssetCreateView.as_view(), name="asset_create"),
    path("assets/bulk/", views.AssetBulkView.as_view(), name="asset_bulk"),
    path("assets/export/", views.AssetExportView.as_view(), name="asset_export"),
    # Beside assets/, not under it: any word under assets/ could be an asset's tag.
    path("labels/", views.AssetLabelsView.as_view(), name="asset_labels"),
    path("assets/<str:tag>/", views.AssetDetailView.as_view(), name="asset_detail"),
    path("assets/<str:tag>/edit/", views.AssetUpdateView.as_view(), name="asset_update"),
    path("assets/<str:tag>/status/", views.AssetStatusView.as_view(), name="asset_status"),
    path(
        "assets/<str:tag>/maintenance/add/",
        views.MaintenanceCreateView.as_view(),
        name="maintenance_create",
    ),
    path("assets/<str:tag>/faults/add/", views.FaultCreateView.as_view(), name="fault_create"),
    path("assets/<str:tag>/faults/<int:pk>/", views.FaultDetailView.as_view(), name="fault_detail"),
    path(
        "assets/<str:tag>/faults/<int:pk>/photo/",
        views.FaultPhotoView.as_view(),
        name="fault_photo",
    ),
    path(
        "assets/<str:tag>/faults/<int:pk>/acknowledge/",
        views.FaultAcknowledgeView.as_view(),
        name="fault_acknowledge",
    ),
    path(
        "assets/<str:tag>/faults/<int:pk>/repair/",
        views.FaultRepairView.as_view(),
        name="fault_repair",
    ),
    path(
        "assets/<str:tag>/faults/<int:pk>/close/",
        views.FaultCloseView.as_view(),
        name="fault_close",
    ),
    # Stocktaking (inventory/views/stocktakes.py)
    path("stocktakes/", stocktakes.StocktakeListView.as_view(), name="stocktake_list"),
    path("stocktakes/start/", stocktakes.StocktakeStartView.as_view(), name="stocktake_start"),
    path("stocktakes/<int:pk>/", stocktakes.StocktakeDetailView.as_view(), name="stocktake_detail"),
    path(
        "stocktakes/<int:pk>/found/",
        stocktakes.StocktakeFoundView.as_view(),
        name="stocktake_found",
    ),
    path(
        "stocktakes/<int:pk>/close/",
        stocktakes.StocktakeCloseView.as_view(),
        name="stocktake_close",
    ),
    path("assets/<str:tag>/seen/", stocktakes.AssetSeenView.as_view(), name="asset_seen"),
    # -- end of stocktaking
    # Loans (inventory/views/loans.py)
    path("loans/", loans.LoanListView.as_view(), name="loan_list"),
    path("assets/<str:tag>/loans/", loans.AssetLoansView.as_view(), name="asset_loans"),
    path("assets/<str:tag>/loans/<int:pk>/lend/", loans.LoanLendView.as_view(), name="loan_lend"),
    path(
        "assets/<str:tag>/loans/<int:pk>/return/",
        loans.LoanReturnView.as_view(),
        name="loan_return",
    ),
    path(
        "assets/<str:tag>/loans/<int:pk>/cancel/",
        loans.LoanCancelView.as_view(),
        name="loan_cancel",
    ),
    # -- end of loans
    # Trial logs (inventory/views/trials.py)
    path("assets/<str:tag>/trial/", trials.TrialLogView.as_view(), name="trial_log"),
    # -- end of trial logs
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
