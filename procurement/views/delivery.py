"""Registering a case's delivery as assets of the register."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models import Count
from django.shortcuts import redirect
from django.utils.translation import ngettext
from django.views.generic import FormView

from inventory.models import Manufacturer, ProductModel
from inventory.selectors import locations_visible_to
from inventory.viewmixins import ServiceFormMixin

from .. import selectors, services
from ..choices import Stage
from ..forms import DeliveryForm
from .cases import CaseObjectMixin


class CaseDeliveryView(ServiceFormMixin, CaseObjectMixin, PermissionRequiredMixin, FormView):
    """Register the delivered lines as assets in one step, all of them or none."""

    permission_required = "procurement.register_delivery"
    form_class = DeliveryForm
    template_name = "procurement/case_delivery.html"

    def lines(self):
        return self.case.lines.select_related("category").annotate(
            delivered=Count("delivered_assets")
        )

    def get_form_kwargs(self):
        lines = list(self.lines())
        return {
            **super().get_form_kwargs(),
            "lines": lines,
            "locations": locations_visible_to(self.request.user).filter(
                library_id=self.case.library_id
            ),
            "defaults": selectors.delivery_defaults(lines),
        }

    def get_context_data(self, **kwargs):
        case = self.case
        return super().get_context_data(
            case=case,
            at_delivered=case.stage == Stage.DELIVERED,
            delivered_assets=case.delivered_assets.select_related("asset", "line").order_by(
                "asset__tag"
            ),
            # Suggestions for the manufacturer and model fields.
            manufacturer_names=Manufacturer.objects.values_list("name", flat=True),
            model_names=ProductModel.objects.values_list("name", flat=True)
            .order_by("name")
            .distinct(),
            **kwargs,
        )

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def call_service(self, form):
        assets = services.assets_register_delivery(
            case=self.case,
            actor=self.request.user,
            items=form.items(),
            location=form.cleaned_data["location"],
            delivered_on=form.cleaned_data["delivered_on"],
            create_missing=form.cleaned_data["create_missing"],
        )
        messages.success(
            self.request,
            ngettext(
                "%(count)d asset was registered from the delivery.",
                "%(count)d assets were registered from the delivery.",
                len(assets),
            )
            % {"count": len(assets)},
        )
        return redirect(self.case)

    def service_error_field(self, form, key):
        # The service keys a line's messages `line_<id>`; they go beside that line's
        # serial numbers. The others are keyed by their field.
        if key.startswith("line_"):
            key = f"serials_{key[5:]}"
        return super().service_error_field(form, key)
