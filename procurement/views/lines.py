"""The lines of a case: add, change and remove them until the order is placed."""

import copy

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView

from inventory.viewmixins import ServiceFormMixin

from .. import services
from ..forms import CaseLineForm
from ..models import CaseLine
from .cases import CaseObjectMixin

# Who may change a case's need may change its lines (services.line_add and the rest check
# the case's library too).
LINES_PERMISSION = "procurement.change_procurementcase"


def lines_url(case) -> str:
    return f"{case.get_absolute_url()}#lines-heading"


class LineFormMixin(ServiceFormMixin, CaseObjectMixin, PermissionRequiredMixin):
    permission_required = LINES_PERMISSION
    form_class = CaseLineForm
    template_name = "procurement/line_form.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            case=self.case, lock_reason=services.line_lock_reason(self.case), **kwargs
        )

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class LineCreateView(LineFormMixin, FormView):
    def call_service(self, form):
        services.line_add(case=self.case, actor=self.request.user, **form.cleaned_data)
        messages.success(self.request, _("The line was added."))
        return redirect(lines_url(self.case))


class LineUpdateView(LineFormMixin, FormView):
    @cached_property
    def line(self) -> CaseLine:
        return get_object_or_404(self.case.lines.select_related("category"), pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        # A copy: the form's model validation must not change the line the page shows.
        return {**super().get_form_kwargs(), "instance": copy.copy(self.line)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(line=self.line, **kwargs)

    def call_service(self, form):
        services.line_update(
            case=self.case, line=self.line, actor=self.request.user, data=form.cleaned_data
        )
        messages.success(self.request, _("The line was saved."))
        return redirect(lines_url(self.case))


class LineRemoveView(CaseObjectMixin, PermissionRequiredMixin, View):
    """Remove a line: a button on the case page; a refusal is a message on the page."""

    permission_required = LINES_PERMISSION
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        case = self.case
        line = get_object_or_404(case.lines.all(), pk=kwargs["pk"])
        try:
            services.line_remove(case=case, line=line, actor=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect(lines_url(case))
        messages.success(
            request, _("The line “%(line)s” was removed.") % {"line": line.description}
        )
        return redirect(lines_url(case))
