"""The list of cases and the case page, with what is done from it: edit, move, decide,
comment."""

import copy
from dataclasses import fields

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, FormView
from django_filters.views import FilterView

from inventory.figures import cached_figures
from inventory.pagination import KeysFirstPaginator
from inventory.selectors import libraries_visible_to, reader_key
from inventory.viewmixins import PageSizeMixin, ServiceFormMixin, StaleEditMixin

from .. import selectors, services
from ..choices import CLOSED_STAGES, Procedure
from ..filters import CaseFilterSet
from ..forms import (
    CaseCreateForm,
    CaseDecideForm,
    CaseLineFormSet,
    CaseMoveForm,
    CaseUpdateForm,
    CommentForm,
    editable_fields,
)
from ..models import ProcurementCase

DETAIL_TEMPLATE = "procurement/case_detail.html"


class CaseListView(PermissionRequiredMixin, PageSizeMixin, FilterView):
    permission_required = "procurement.view_procurementcase"
    filterset_class = CaseFilterSet
    template_name = "procurement/case_list.html"
    context_object_name = "cases"
    paginator_class = KeysFirstPaginator

    def get_queryset(self):
        return selectors.case_list(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        context["today"] = timezone.localdate(now)
        # Made only when the table is not in the cache of fragments (case_list.html).
        context["rows"] = SimpleLazyObject(
            lambda: [
                {
                    "case": case,
                    "waits_on": selectors.case_waits_on_label(case),
                    "days": selectors.days_waiting(case, now=now)
                    if case.stage not in CLOSED_STAGES
                    else None,
                    "procedure": Procedure(case.procedure).label if case.procedure else "",
                }
                for case in context["cases"]
            ]
        )
        return context


class CaseObjectMixin:
    """The case named in the URL, looked up before the permission check.

    A case the user may not see is a 404 on every case URL, whatever the user's
    permissions (its existence is not leaked); a visible case the user may
    not act on is a 403.
    """

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.case  # noqa: B018 -- Http404 before the permission check
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def case(self) -> ProcurementCase:
        return selectors.case_get(self.request.user, self.kwargs["reference"])


class CasePageMixin(CaseObjectMixin):
    """Renders the case page, also after a refused move, decision or comment."""

    def case_context(self, case: ProcurementCase, **forms) -> dict:
        """The page's data (selectors.case_page) and the forms the user may use on it;
        a refused form is given, to be shown again."""
        user = self.request.user
        if forms:  # a refused form: the page as it is now, with what was typed
            page = selectors.case_page(case=case, user=user)
        else:
            # The same for every reader of a role with the same libraries on a day, until
            # the data changes (inventory/figures.py).
            page = cached_figures(
                "case_page",
                (case.pk, reader_key(user), timezone.localdate()),
                lambda: selectors.case_page(case=case, user=user),
            )
        context = {field.name: getattr(page, field.name) for field in fields(page)}
        if page.moves:
            context["move_form"] = forms.get("move_form") or CaseMoveForm(
                case=case, may_override=user.has_perm("procurement.override_guard")
            )
        if page.may_decide:
            context["decide_form"] = forms.get("decide_form") or self.decide_form(case)
        if page.may_comment:
            context["comment_form"] = forms.get("comment_form") or CommentForm()
        return context

    def decide_form(self, case, data=None) -> CaseDecideForm:
        ruleset = selectors.ruleset_in_force(timezone.localdate())
        try:
            initial_level = selectors.case_assessment(case).approval_level
        except selectors.NoRuleSet:
            initial_level = 0
        return CaseDecideForm(
            data,
            level_names=ruleset.level_names if ruleset else [],
            initial_level=initial_level,
        )

    def render_case(self, *, status: int = 200, **forms):
        # Fetched again: a refused service call may have been based on an older row.
        case = selectors.case_get(self.request.user, self.kwargs["reference"])
        return TemplateResponse(
            self.request, DETAIL_TEMPLATE, self.case_context(case, **forms), status=status
        )


class CaseDetailView(CasePageMixin, PermissionRequiredMixin, DetailView):
    permission_required = "procurement.view_procurementcase"
    template_name = DETAIL_TEMPLATE
    context_object_name = "case"

    def get_object(self, queryset=None):
        return self.case

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.case_context(self.object))
        return context


class CaseCreateView(ServiceFormMixin, PermissionRequiredMixin, FormView):
    permission_required = "procurement.add_procurementcase"
    form_class = CaseCreateForm
    template_name = "procurement/case_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "libraries": libraries_visible_to(self.request.user)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if "formset" not in context:
            context["formset"] = CaseLineFormSet(
                self.request.POST if self.request.method == "POST" else None
            )
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        self.formset = CaseLineFormSet(request.POST)
        if form.is_valid() and self.formset.is_valid():
            return self.form_valid(form)
        return self.form_invalid(form)

    def form_invalid(self, form):
        return self.render_to_response(
            self.get_context_data(form=form, formset=self.formset), status=400
        )

    def call_service(self, form):
        data = form.case_fields()
        case = services.case_create(
            actor=self.request.user,
            library=data.pop("library"),
            title=data.pop("title"),
            need=data.pop("need"),
            category=data.pop("category"),
            estimated_value=data.pop("estimated_value"),
            lines=self.formset.lines(),
            **data,
        )
        messages.success(
            self.request, _("Case %(reference)s was opened.") % {"reference": case.reference}
        )
        return redirect(case)


class CaseUpdateView(StaleEditMixin, CaseObjectMixin, PermissionRequiredMixin, FormView):
    permission_required = "procurement.change_procurementcase"
    form_class = CaseUpdateForm
    template_name = "procurement/case_form.html"
    stale_error = services.ConcurrentEditError
    stale_message = gettext_lazy(
        "%(who)s changed this case at %(when)s, after you opened it. Your changes "
        "have not been saved. Check what they changed below, then save again to "
        "replace their version with yours."
    )

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            # A copy: the form's model validation must not change the case on the page.
            "instance": copy.copy(self.case),
            "editable": editable_fields(self.request.user),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(case=self.case, **kwargs)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def call_service(self, form):
        case = services.case_update(
            case=self.case,
            actor=self.request.user,
            expected_version=form.cleaned_data["version"],
            data=form.changes(),
        )
        messages.success(
            self.request, _("Case %(reference)s was saved.") % {"reference": case.reference}
        )
        return redirect(case)

    def stale_author(self, current, latest):
        # Who saved the case last, as the case itself records it.
        return current.updated_by


class CaseMoveView(ServiceFormMixin, CasePageMixin, PermissionRequiredMixin, View):
    """Move the case to another stage; a refused move (MoveRefused, a ValidationError)
    is shown on the case page."""

    permission_required = "procurement.view_procurementcase"
    http_method_names = ["post"]
    stale_error = services.ConcurrentEditError

    def post(self, request, *args, **kwargs):
        form = CaseMoveForm(
            request.POST,
            case=self.case,
            may_override=request.user.has_perm("procurement.override_guard"),
        )
        return self.form_valid(form) if form.is_valid() else self.form_invalid(form)

    def form_invalid(self, form):
        return self.render_case(move_form=form, status=400)

    def call_service(self, form):
        data = form.cleaned_data
        moved = services.case_transition(
            case=self.case,
            to_stage=data["to_stage"],
            actor=self.request.user,
            comment=data["comment"],
            override_reason=data.get("override_reason", ""),
            expected_version=data["version"],
        )
        messages.success(
            self.request,
            _("%(reference)s is now at “%(stage)s”.")
            % {"reference": moved.reference, "stage": moved.get_stage_display()},
        )
        return redirect(moved)

    def form_stale(self, form, error):
        form.add_error(
            None,
            _(
                "Someone else moved or changed this case after you opened it, so it "
                "was not moved. Check where it stands now and try again."
            ),
        )
        return self.render_case(move_form=self.rebound(form), status=409)

    def rebound(self, form):
        """The user's form with the case's current version, for a deliberate retry."""
        fresh = selectors.case_get(self.request.user, self.kwargs["reference"])
        form.data = form.data.copy()
        form.data["version"] = fresh.version
        return form


class CaseDecideView(ServiceFormMixin, CasePageMixin, PermissionRequiredMixin, View):
    """Approve or reject a case at the approval stage."""

    permission_required = "procurement.approve_case"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = self.decide_form(self.case, request.POST)
        return self.form_valid(form) if form.is_valid() else self.form_invalid(form)

    def form_invalid(self, form):
        return self.render_case(decide_form=form, status=400)

    def call_service(self, form):
        decided = services.case_decide(
            case=self.case,
            actor=self.request.user,
            decision=form.cleaned_data["decision"],
            level=form.cleaned_data["level"],
            comment=form.cleaned_data["comment"],
        )
        messages.success(
            self.request,
            _("%(reference)s is now at “%(stage)s”.")
            % {"reference": decided.reference, "stage": decided.get_stage_display()},
        )
        return redirect(decided)


class CommentCreateView(ServiceFormMixin, CasePageMixin, PermissionRequiredMixin, View):
    permission_required = "procurement.add_comment"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = CommentForm(request.POST)
        return self.form_valid(form) if form.is_valid() else self.form_invalid(form)

    def form_invalid(self, form):
        return self.render_case(comment_form=form, status=400)

    def call_service(self, form):
        case = self.case
        services.comment_add(case=case, actor=self.request.user, text=form.cleaned_data["text"])
        messages.success(self.request, _("Your comment was added."))
        return redirect(f"{case.get_absolute_url()}#comments-heading")
