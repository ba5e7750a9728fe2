"""Documents of a case: upload one, download one."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView

from config.security import log_event
from inventory.viewmixins import ServiceFormMixin

from .. import services
from ..choices import DocumentKind
from ..forms import DocumentForm
from .cases import CaseObjectMixin


class DocumentCreateView(ServiceFormMixin, CaseObjectMixin, PermissionRequiredMixin, FormView):
    permission_required = "procurement.add_casedocument"
    form_class = DocumentForm
    template_name = "procurement/document_form.html"

    def get_initial(self):
        # A link from the case page's "still missing" names the kind of document.
        kind = self.request.GET.get("kind", "")
        return {"kind": kind} if kind in DocumentKind.values else {}

    def get_context_data(self, **kwargs):
        return super().get_context_data(case=self.case, **kwargs)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def call_service(self, form):
        document = services.document_add(
            case=self.case,
            actor=self.request.user,
            kind=form.cleaned_data["kind"],
            upload=form.cleaned_data["file"],
        )
        messages.success(
            self.request, _("%(name)s was uploaded.") % {"name": document.original_name}
        )
        return redirect(self.case)


class DocumentDownloadView(CaseObjectMixin, PermissionRequiredMixin, View):
    """A case document, only to those who may see the case, always as a download."""

    permission_required = "procurement.view_casedocument"

    def get(self, request, *args, **kwargs):
        document = get_object_or_404(self.case.documents, pk=kwargs["pk"])
        try:
            handle = document.file.open("rb")
        except (FileNotFoundError, ValueError):
            raise Http404 from None
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=document.original_name,
            content_type=document.content_type or "application/octet-stream",
        )
        response["X-Content-Type-Options"] = "nosniff"
        log_event(
            "document_download",
            request,
            case=self.case.reference,
            document_id=document.pk,
            file_name=document.original_name,
        )
        return response
