"""Pages of procurement cases. Thin: a case from the selectors, a form, a service call.

Refusals from the services come back as messages on the page (never a 500): a
ValidationError on the form, a PermissionDenied as Django's 403.
"""

from .cases import (
    CaseCreateView,
    CaseDecideView,
    CaseDetailView,
    CaseListView,
    CaseMoveView,
    CaseObjectMixin,
    CaseUpdateView,
    CommentCreateView,
)
from .delivery import CaseDeliveryView
from .documents import DocumentCreateView, DocumentDownloadView
from .evidence import CaseTrialAttachView, CaseTrialDetachView
from .lines import LineCreateView, LineRemoveView, LineUpdateView
from .quotes import QuoteChooseView, QuoteCreateView

__all__ = [
    "CaseCreateView",
    "CaseDecideView",
    "CaseDeliveryView",
    "CaseDetailView",
    "CaseListView",
    "CaseMoveView",
    "CaseObjectMixin",
    "CaseTrialAttachView",
    "CaseTrialDetachView",
    "CaseUpdateView",
    "CommentCreateView",
    "DocumentCreateView",
    "DocumentDownloadView",
    "LineCreateView",
    "LineRemoveView",
    "LineUpdateView",
    "QuoteChooseView",
    "QuoteCreateView",
]
