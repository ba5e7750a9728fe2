"""Trials with patrons as evidence of a case's need: attach one, remove one (from the
case page)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from inventory.models import Asset
from inventory.selectors import assets_visible_to
from inventory.viewmixins import ServiceFormMixin

from .. import evidence, selectors
from ..models import TrialEvidence
from .cases import DETAIL_TEMPLATE, CasePageMixin


class TrialAttachForm(forms.Form):
    """The equipment whose trial is attached, by its tag (the case page's select)."""

    prefix = "trial"

    asset = forms.CharField(label=gettext_lazy("Equipment on trial"), max_length=32)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_asset(self) -> Asset:
        found = assets_visible_to(self.user).filter(tag=self.cleaned_data["asset"]).first()
        if found is None:
            raise forms.ValidationError(_("Choose the equipment from the list."))
        return found


def trials_anchor(case) -> str:
    return f"{case.get_absolute_url()}#trials-heading"


class CaseTrialAttachView(ServiceFormMixin, CasePageMixin, PermissionRequiredMixin, View):
    permission_required = evidence.ADD_PERMISSION
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = TrialAttachForm(request.POST, user=request.user)
        return self.form_valid(form) if form.is_valid() else self.form_invalid(form)

    def form_invalid(self, form):
        # The case page again, with the refused choice and why (rendered here: the case
        # page's own forms are made by CasePageMixin).
        case = selectors.case_get(self.request.user, self.kwargs["reference"])
        context = {**self.case_context(case), "trial_form": form}
        return TemplateResponse(self.request, DETAIL_TEMPLATE, context, status=400)

    def call_service(self, form):
        asset = form.cleaned_data["asset"]
        evidence.case_attach_trial(actor=self.request.user, case=self.case, asset=asset)
        messages.success(
            self.request,
            _("The trial of %(tag)s is attached as evidence of the need.") % {"tag": asset.tag},
        )
        return redirect(trials_anchor(self.case))


class CaseTrialDetachView(CasePageMixin, PermissionRequiredMixin, View):
    permission_required = evidence.DELETE_PERMISSION
    http_method_names = ["post"]

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.case  # noqa: B018 -- Http404 before the permission check
            self.evidence  # noqa: B018
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def evidence(self) -> TrialEvidence:
        """The case's trial named in the URL, if the user sees its equipment."""
        found = (
            evidence.case_evidence_visible(self.case, self.request.user)
            .select_related("case", "asset")
            .filter(pk=self.kwargs["pk"])
            .first()
        )
        if found is None:
            raise Http404
        return found

    def post(self, request, *args, **kwargs):
        evidence.case_detach_trial(actor=request.user, evidence=self.evidence)
        messages.success(
            request,
            _("The trial of %(tag)s is no longer attached to this case.")
            % {"tag": self.evidence.asset.tag},
        )
        return redirect(trials_anchor(self.case))
