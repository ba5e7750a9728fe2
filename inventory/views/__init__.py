"""The pages of the register (assets), of the import and export, and the language."""

from .assets import (
    AssetBulkView,
    AssetCreateView,
    AssetDetailView,
    AssetListView,
    AssetStatusView,
    AssetUpdateView,
    MaintenanceCreateView,
)
from .faults import (
    FaultAcknowledgeView,
    FaultCloseView,
    FaultCreateView,
    FaultDetailView,
    FaultPhotoView,
    FaultRepairView,
)
from .imports import (
    AssetExportView,
    AssetImportCancelView,
    AssetImportConfirmView,
    AssetImportPreviewView,
    AssetImportRejectedView,
    AssetImportView,
)
from .labels import AssetLabelsView
from .language import set_language_view

__all__ = [
    "AssetBulkView",
    "AssetCreateView",
    "AssetDetailView",
    "AssetExportView",
    "AssetImportCancelView",
    "AssetImportConfirmView",
    "AssetImportPreviewView",
    "AssetImportRejectedView",
    "AssetImportView",
    "AssetLabelsView",
    "AssetListView",
    "AssetStatusView",
    "AssetUpdateView",
    "FaultAcknowledgeView",
    "FaultCloseView",
    "FaultCreateView",
    "FaultDetailView",
    "FaultPhotoView",
    "FaultRepairView",
    "MaintenanceCreateView",
    "set_language_view",
]
