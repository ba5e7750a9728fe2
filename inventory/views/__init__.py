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
from .imports import (
    AssetExportView,
    AssetImportCancelView,
    AssetImportConfirmView,
    AssetImportPreviewView,
    AssetImportRejectedView,
    AssetImportView,
)
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
    "AssetListView",
    "AssetStatusView",
    "AssetUpdateView",
    "MaintenanceCreateView",
    "set_language_view",
]
