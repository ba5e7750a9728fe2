"""Fault reports: report one from the asset's page, follow it, and IT's steps on it."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from config.security import log_event

from .. import faults
from ..forms import FaultCloseForm, FaultReportForm
from ..history import records_for
from ..history import rows as history_rows
from ..models import FaultReport
from ..viewmixins import ServiceFormMixin
from .assets import AssetObjectMixin


class FaultObjectMixin(AssetObjectMixin):
    """The fault report named in the URL, of the asset named in it: 404 unless the user
    sees the asset (checked before the permission, as for the asset's own pages)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.fault  # noqa: B018 -- Http404 before the permission check
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def fault(self) -> FaultReport:
        try:
            return self.asset.fault_reports.select_related(
                "reported_by", "acknowledged_by", "closed_by", "maintenance_entry"
            ).get(pk=self.kwargs["pk"])
        except FaultReport.DoesNotExist:
            raise Http404 from None


class FaultCreateView(ServiceFormMixin, AssetObjectMixin, PermissionRequiredMixin, FormView):
    permission_required = "inventory.add_faultreport"
    form_class = FaultReportForm
    template_name = "inventory/fault_form.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(asset=self.asset, **kwargs)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def call_service(self, form):
        faults.fault_report(
            asset=self.asset,
            actor=self.request.user,
            description=form.cleaned_data["description"],
            urgency=form.cleaned_data["urgency"],
            photo=form.cleaned_data["photo"] or None,
        )
        messages.success(
            self.request,
            _("Thank you. The fault is reported to IT; you can follow it on this page."),
        )
        return redirect(f"{self.asset.get_absolute_url()}#faults-heading")


class FaultDetailView(FaultObjectMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "inventory.view_faultreport"
    template_name = "inventory/fault_detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            asset=self.asset,
            fault=self.fault,
            history=[
                (entry, history_rows(FaultReport, entry)) for entry in records_for(self.fault)
            ],
            **kwargs,
        )


class FaultPhotoView(FaultObjectMixin, PermissionRequiredMixin, View):
    """The photo of a fault report, only to those who may see the asset. It was
    re-encoded when it was received, so it is shown in the page, not downloaded."""

    permission_required = "inventory.view_faultreport"

    def get(self, request, *args, **kwargs):
        if not self.fault.photo:
            raise Http404
        try:
            handle = self.fault.photo.open("rb")
        except (FileNotFoundError, ValueError):
            raise Http404 from None
        response = FileResponse(
            handle, content_type=self.fault.photo_content_type or "application/octet-stream"
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        log_event("fault_photo", request, asset=self.asset.tag, fault_id=self.fault.pk)
        return response


class FaultStepView(FaultObjectMixin, PermissionRequiredMixin, View):
    """A step IT takes on a report with one button (acknowledge, send to repair)."""

    permission_required = "inventory.change_faultreport"
    http_method_names = ["post"]

    def step(self) -> str:
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        try:
            messages.success(request, self.step())
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect(self.fault)


class FaultAcknowledgeView(FaultStepView):
    def step(self) -> str:
        faults.fault_acknowledge(fault=self.fault, actor=self.request.user)
        return _("The fault report is acknowledged.")


class FaultRepairView(FaultStepView):
    def step(self) -> str:
        faults.fault_send_to_repair(fault=self.fault, actor=self.request.user)
        return _("%(tag)s is sent to repair.") % {"tag": self.asset.tag}


class FaultCloseView(ServiceFormMixin, FaultObjectMixin, PermissionRequiredMixin, FormView):
    permission_required = "inventory.change_faultreport"
    form_class = FaultCloseForm
    template_name = "inventory/fault_close_form.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(asset=self.asset, fault=self.fault, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "asset": self.asset}

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def call_service(self, form):
        data = form.cleaned_data
        faults.fault_close(
            back_in_use=data.get("back_in_use", False),
            fault=self.fault,
            actor=self.request.user,
            resolution=data["resolution"],
            kind=data["kind"],
            on=data["on"],
            cost=data["cost"],
            performed_by=data["performed_by"],
        )
        messages.success(
            self.request, _("The fault report is closed and the work is logged as maintenance.")
        )
        return redirect(self.fault)
