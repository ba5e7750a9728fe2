"""Quotes and tenders of a case: add one, choose the winning one."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView

from inventory.viewmixins import ServiceFormMixin

from .. import services
from ..forms import QuoteForm
from .cases import CaseObjectMixin


class QuoteCreateView(ServiceFormMixin, CaseObjectMixin, PermissionRequiredMixin, FormView):
    permission_required = "procurement.add_quote"
    form_class = QuoteForm
    template_name = "procurement/quote_form.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(case=self.case, **kwargs)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def call_service(self, form):
        services.quote_add(case=self.case, actor=self.request.user, **form.cleaned_data)
        messages.success(self.request, _("The quote was added."))
        return redirect(self.case)


class QuoteChooseView(CaseObjectMixin, PermissionRequiredMixin, View):
    permission_required = "procurement.advance_technical"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        case = self.case
        quote = get_object_or_404(case.quotes.select_related("supplier"), pk=kwargs["pk"])
        try:
            services.quote_choose(case=case, quote=quote, actor=request.user)
        except ValidationError as exc:
            # A button on the case page, no form: the refusal is a message on the page.
            for message in exc.messages:
                messages.error(request, message)
            return redirect(case)
        messages.success(
            request,
            _("The quote from %(supplier)s is chosen.") % {"supplier": quote.supplier},
        )
        return redirect(case)
