"""Pages of procurement cases. Thin: a case from the selectors, a form, a service call.

Refusals from the services come back as messages on the page (never a 500): a
ValidationError on the form, a PermissionDenied as Django's 403.
"""

import copy

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, prefetch_related_objects
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import DetailView, FormView
from django_filters.views import FilterView

from config.security import log_event
from inventory.formatting import format_date, format_sek
from inventory.history import records_for
from inventory.history import rows as history_rows
from inventory.models import Manufacturer, ProductModel
from inventory.pagination import KeysFirstPaginator
from inventory.selectors import libraries_visible_to, locations_visible_to
from inventory.views import PageSizeMixin, apply_form_errors

from . import selectors, services
from .choices import CLOSED_STAGES, Party, Procedure, Stage
from .filters import CaseFilterSet
from .forms import (
    CaseCreateForm,
    CaseDecideForm,
    CaseLineFormSet,
    CaseMoveForm,
    CaseUpdateForm,
    CommentForm,
    DeliveryForm,
    DocumentForm,
    QuoteForm,
    editable_fields,
)
from .models import (
    Approval,
    CaseDocument,
    CaseLine,
    Comment,
    DeliveredAsset,
    ProcurementCase,
    Quote,
    StageChange,
)

DETAIL_TEMPLATE = "procurement/case_detail.html"


def party_label(case: ProcurementCase) -> str:
    party = selectors.case_waits_on(case)
    return str(Party(party).label) if party else ""


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
        context["rows"] = [
            {
                "case": case,
                "waits_on": party_label(case),
                "days": selectors.days_waiting(case, now=now)
                if case.stage not in CLOSED_STAGES
                else None,
                "procedure": Procedure(case.procedure).label if case.procedure else "",
            }
            for case in context["cases"]
        ]
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
        user = self.request.user
        prefetch_related_objects(
            [case],
            Prefetch("lines", CaseLine.objects.select_related("category")),
            Prefetch("quotes", Quote.objects.select_related("supplier")),
            Prefetch("documents", CaseDocument.objects.select_related("uploaded_by")),
            Prefetch("comments", Comment.objects.select_related("author")),
            "suppliers_asked",
            Prefetch("approvals", Approval.objects.select_related("decided_by")),
            Prefetch("timeline", StageChange.objects.select_related("actor")),
            Prefetch(
                "delivered_assets",
                DeliveredAsset.objects.select_related("asset", "line").order_by("asset__tag"),
            ),
        )
        context = {
            "case": case,
            "waits_on": party_label(case),
            "days_waiting": selectors.days_waiting(case),
            "is_open": case.stage not in CLOSED_STAGES,
            "standstill_end": selectors.standstill_end(case),
            "procedure_label": Procedure(case.procedure).label if case.procedure else "",
        }
        try:
            assessment = selectors.case_assessment(case)
        except selectors.NoRuleSet:
            assessment = None
        context["assessment"] = assessment
        if assessment is not None:
            context["assessed_procedure"] = Procedure(assessment.procedure).label
            context["warnings"] = [w.render(_, format_sek) for w in assessment.warnings]
            context["reasons"] = [r.render(_, format_sek) for r in assessment.reasons]
            context["checklist"] = [
                {
                    "label": row.text(_),
                    "before": Stage(row.before_stage).label,
                    "done": row.done,
                    "count": row.count,
                    "have": row.have,
                    "counted": row.code == "quotes",
                }
                for row in selectors.case_checklist(case, assessment)
            ]

        options = services.case_move_options(case, user)
        context["moves"] = [
            {
                "to_stage": option.to_stage,
                "label": Stage(option.to_stage).label,
                "missing": [row.text(_) for row in option.missing],
            }
            for option in options
        ]
        if options:
            context["move_form"] = forms.get("move_form") or CaseMoveForm(
                case=case, may_override=user.has_perm("procurement.override_guard")
            )
        if user.has_perm("procurement.approve_case") and case.stage == Stage.APPROVAL:
            context["decide_form"] = forms.get("decide_form") or self.decide_form(case)
        if user.has_perm("procurement.add_comment"):
            context["comment_form"] = forms.get("comment_form") or CommentForm()
        context["can_choose_quote"] = services.quote_choice_open(case, user)
        context["history"] = [
            (entry, history_rows(ProcurementCase, entry)) for entry in records_for(case)[:100]
        ]
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


class CaseCreateView(PermissionRequiredMixin, FormView):
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
        formset = CaseLineFormSet(request.POST)
        if not (form.is_valid() and formset.is_valid()):
            return self.render_to_response(
                self.get_context_data(form=form, formset=formset), status=400
            )
        data = form.case_fields()
        try:
            case = services.case_create(
                actor=request.user,
                library=data.pop("library"),
                title=data.pop("title"),
                need=data.pop("need"),
                category=data.pop("category"),
                estimated_value=data.pop("estimated_value"),
                lines=formset.lines(),
                **data,
            )
        except ValidationError as exc:
            apply_form_errors(form, exc)
            return self.render_to_response(
                self.get_context_data(form=form, formset=formset), status=400
            )
        messages.success(
            request, _("Case %(reference)s was opened.") % {"reference": case.reference}
        )
        return redirect(case)


class CaseUpdateView(CaseObjectMixin, PermissionRequiredMixin, FormView):
    permission_required = "procurement.change_procurementcase"
    form_class = CaseUpdateForm
    template_name = "procurement/case_form.html"

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

    def form_valid(self, form):
        try:
            case = services.case_update(
                case=self.case,
                actor=self.request.user,
                expected_version=form.cleaned_data["version"],
                data=form.changes(),
            )
        except services.ConcurrentEditError as exc:
            return self.refuse_stale(form, exc.current)
        except ValidationError as exc:
            apply_form_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request, _("Case %(reference)s was saved.") % {"reference": case.reference}
        )
        return redirect(case)

    def refuse_stale(self, form, current: ProcurementCase):
        """Keep what the user typed, say who changed the case, and let them decide."""
        latest = records_for(current).first()
        who = _("Someone else")
        if current.updated_by:
            who = current.updated_by.get_full_name() or current.updated_by.username
        form.add_error(
            None,
            _(
                "%(who)s changed this case at %(when)s, after you opened it. Your changes "
                "have not been saved. Check what they changed below, then save again to "
                "replace their version with yours."
            )
            % {"who": who, "when": format_date(current.updated_at)},
        )
        # The next save is a deliberate choice made after reading the message.
        form.data = form.data.copy()
        form.data["version"] = current.version
        context = self.get_context_data(form=form)
        context["stale_changes"] = history_rows(ProcurementCase, latest) if latest else []
        return self.render_to_response(context, status=409)


class CaseMoveView(CasePageMixin, PermissionRequiredMixin, View):
    """Move the case to another stage; a refused move is shown on the case page."""

    permission_required = "procurement.view_procurementcase"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        case = self.case
        user = request.user
        form = CaseMoveForm(
            request.POST, case=case, may_override=user.has_perm("procurement.override_guard")
        )
        if not form.is_valid():
            return self.render_case(move_form=form, status=400)
        data = form.cleaned_data
        try:
            moved = services.case_transition(
                case=case,
                to_stage=data["to_stage"],
                actor=user,
                comment=data["comment"],
                override_reason=data.get("override_reason", ""),
                expected_version=data["version"],
            )
        except services.ConcurrentEditError:
            form.add_error(
                None,
                _(
                    "Someone else moved or changed this case after you opened it, so it "
                    "was not moved. Check where it stands now and try again."
                ),
            )
            return self.render_case(move_form=self.rebound(form), status=409)
        except ValidationError as exc:  # MoveRefused among them
            apply_form_errors(form, exc)
            return self.render_case(move_form=form, status=400)
        messages.success(
            request,
            _("%(reference)s is now at “%(stage)s”.")
            % {"reference": moved.reference, "stage": moved.get_stage_display()},
        )
        return redirect(moved)

    def rebound(self, form):
        """The user's form with the case's current version, for a deliberate retry."""
        fresh = selectors.case_get(self.request.user, self.kwargs["reference"])
        form.data = form.data.copy()
        form.data["version"] = fresh.version
        return form


class CaseDecideView(CasePageMixin, PermissionRequiredMixin, View):
    """Approve or reject a case at the approval stage."""

    permission_required = "procurement.approve_case"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        case = self.case
        form = self.decide_form(case, request.POST)
        if not form.is_valid():
            return self.render_case(decide_form=form, status=400)
        try:
            decided = services.case_decide(
                case=case,
                actor=request.user,
                decision=form.cleaned_data["decision"],
                level=form.cleaned_data["level"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            apply_form_errors(form, exc)
            return self.render_case(decide_form=form, status=400)
        messages.success(
            request,
            _("%(reference)s is now at “%(stage)s”.")
            % {"reference": decided.reference, "stage": decided.get_stage_display()},
        )
        return redirect(decided)


class CommentCreateView(CasePageMixin, PermissionRequiredMixin, View):
    permission_required = "procurement.add_comment"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        case = self.case
        form = CommentForm(request.POST)
        if form.is_valid():
            try:
                services.comment_add(case=case, actor=request.user, text=form.cleaned_data["text"])
            except ValidationError as exc:
                apply_form_errors(form, exc)
        if form.errors:
            return self.render_case(comment_form=form, status=400)
        messages.success(request, _("Your comment was added."))
        return redirect(f"{case.get_absolute_url()}#comments-heading")


class QuoteCreateView(CaseObjectMixin, PermissionRequiredMixin, FormView):
    permission_required = "procurement.add_quote"
    form_class = QuoteForm
    template_name = "procurement/quote_form.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(case=self.case, **kwargs)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def form_valid(self, form):
        try:
            services.quote_add(case=self.case, actor=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_form_errors(form, exc)
            return self.form_invalid(form)
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
            for message in exc.messages:
                messages.error(request, message)
            return redirect(case)
        messages.success(
            request,
            _("The quote from %(supplier)s is chosen.") % {"supplier": quote.supplier},
        )
        return redirect(case)


class DocumentCreateView(CaseObjectMixin, PermissionRequiredMixin, FormView):
    permission_required = "procurement.add_casedocument"
    form_class = DocumentForm
    template_name = "procurement/document_form.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(case=self.case, **kwargs)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def form_valid(self, form):
        try:
            document = services.document_add(
                case=self.case,
                actor=self.request.user,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
            )
        except ValidationError as exc:
            apply_form_errors(form, exc)
            return self.form_invalid(form)
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


class CaseDeliveryView(CaseObjectMixin, PermissionRequiredMixin, FormView):
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

    def form_valid(self, form):
        try:
            assets = services.assets_register_delivery(
                case=self.case,
                actor=self.request.user,
                items=form.items(),
                location=form.cleaned_data["location"],
                delivered_on=form.cleaned_data["delivered_on"],
                create_missing=form.cleaned_data["create_missing"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for key, errors in exc.error_dict.items():
                    # The service keys a line's messages `line_<id>`; they go beside
                    # that line's serial numbers. The others are keyed by their field.
                    field = f"serials_{key[5:]}" if key.startswith("line_") else key
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
            return self.form_invalid(form)
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
