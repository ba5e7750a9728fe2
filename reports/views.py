"""Pages of the reports: the dashboard, the catalogue, each report's preview and files,
a case on paper, budgets and subscriptions. Thin: a scope from the selectors, a document
from the catalogue, a renderer, a response."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from config.security import log_event
from inventory.roles import role_labels
from inventory.selectors import libraries_visible_to
from inventory.viewmixins import ServiceFormMixin
from procurement.views import CaseObjectMixin

from . import services
from .catalogue import REPORTS, ROW_LIMITS, build_document, reports_for
from .choices import FileFormat
from .dashboards import dashboard_panels
from .forms import BudgetForm, ReportForm, SubscriptionForm
from .layouts import case_sheet_document, direct_award_document_layout
from .models import Budget, ReportSubscription
from .render import CONTENT_TYPES, render
from .render.html import html_sections
from .selectors import (
    asset_dashboard,
    case_dashboard,
    case_sheet,
    direct_award_document,
    is_direct_award,
    report_scope,
)


class DashboardView(TemplateView):
    """`/`: what each role needs to see first, scoped to what the user may see."""

    template_name = "reports/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["roles"] = role_labels(user)
        # Everything below the heading is the same for every user of a role with the same
        # libraries on a day, until the data changes: the template keeps it rendered
        # (inventory/figures.py), and these are made only when it is not.
        context["today"] = timezone.localdate()
        if user.has_perm("inventory.view_asset"):
            context["assets"] = SimpleLazyObject(lambda: asset_dashboard(user))
        if user.has_perm("procurement.view_procurementcase"):
            context["cases"] = SimpleLazyObject(lambda: case_dashboard(user))
        context["panels"] = SimpleLazyObject(lambda: dashboard_panels(user))
        return context


def file_response(content: bytes, file_format: str, filename: str) -> HttpResponse:
    """A report file, always as a download."""
    response = HttpResponse(content, content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


class ReportCatalogueView(TemplateView):
    """`/reports/`: the reports the user may download, and their subscriptions."""

    template_name = "reports/catalogue.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            reports=reports_for(user),
            subscriptions=ReportSubscription.objects.filter(user=user).select_related("library"),
            report_titles={name: spec.title for name, spec in REPORTS.items()},
            can_keep_budgets=user.has_perm("reports.view_budget"),
            **kwargs,
        )


class ReportMixin(PermissionRequiredMixin):
    """The report named in the URL (404 when there is none), with its permission."""

    @cached_property
    def spec(self):
        try:
            return REPORTS[self.kwargs["name"]]
        except KeyError:
            raise Http404 from None

    def get_permission_required(self):
        return [self.spec.permission]

    @cached_property
    def libraries(self):
        return libraries_visible_to(self.request.user).order_by("code")

    def report_form(self) -> ReportForm:
        return ReportForm(
            self.request.GET or None,
            libraries=self.libraries,
            uses_period=self.spec.uses_period,
            initial={"language": translation.get_language()},
        )

    def document(self, form: ReportForm, file_format: str):
        data = form.cleaned_data if form.is_bound else {}
        scope = report_scope(
            self.request.user,
            library_code=data.get("library") or None,
            as_of=data.get("as_of"),
            period_start=data.get("period_start"),
        )
        language = data.get("language") or translation.get_language()
        with translation.override(language):
            return build_document(self.spec.name, scope, file_format=file_format)


class ReportView(ReportMixin, TemplateView):
    """`/reports/<name>/`: choose the library, dates and language; see the figures; download."""

    template_name = "reports/report.html"

    def get(self, request, *args, **kwargs):
        form = self.report_form()
        context = self.get_context_data(form=form, spec=self.spec, formats=FileFormat.choices)
        if form.is_bound and not form.is_valid():
            return self.render_to_response(context, status=400)
        document = self.document(form, "html")
        context["document"] = document
        with translation.override(document.language):
            context["sections"] = html_sections(document, ROW_LIMITS["html"])
        context["query"] = request.GET.urlencode()
        context["subscription_form"] = SubscriptionForm(
            libraries=self.libraries, prefix="subscribe"
        )
        return self.render_to_response(context)


class ReportDownloadView(ReportMixin, View):
    """`/reports/<name>/download/?format=pdf|xlsx|csv&…`: the report as a file."""

    def get(self, request, *args, **kwargs):
        file_format = request.GET.get("format", FileFormat.PDF)
        if file_format not in CONTENT_TYPES:
            raise Http404
        form = self.report_form()
        if form.is_bound and not form.is_valid():
            messages.error(request, _("The report could not be made; check the choices below."))
            return redirect(
                f"{reverse('reports:report', args=[self.spec.name])}?{request.GET.urlencode()}"
            )
        document = self.document(form, file_format)
        log_event("report_download", request, report=self.spec.name, query=request.GET.urlencode())
        return file_response(
            render(document, file_format), file_format, document.filename(file_format)
        )


class CaseSheetView(CaseObjectMixin, PermissionRequiredMixin, View):
    """The case status sheet (PDF) of a case the user may see; another's is a 404."""

    permission_required = "procurement.view_procurementcase"

    def get(self, request, *args, **kwargs):
        user = request.user
        document = case_sheet_document(
            case_sheet(self.case, author=user.get_full_name() or user.get_username(), reader=user)
        )
        log_event("report_download", request, report="case-sheet", case=self.case.reference)
        return file_response(render(document, "pdf"), "pdf", document.filename("pdf"))


class DirectAwardDocumentView(CaseObjectMixin, PermissionRequiredMixin, View):
    """The documentation of a direct award (PDF); 404 for a case that is not one."""

    permission_required = "procurement.view_procurementcase"

    def get(self, request, *args, **kwargs):
        if not is_direct_award(self.case):
            raise Http404
        user = request.user
        document = direct_award_document_layout(
            direct_award_document(self.case, author=user.get_full_name() or user.get_username())
        )
        log_event("report_download", request, report="direct-award", case=self.case.reference)
        return file_response(render(document, "pdf"), "pdf", document.filename("pdf"))


class BudgetListView(PermissionRequiredMixin, ListView):
    """`/reports/budgets/`: the budgets of the libraries the user may see."""

    permission_required = "reports.view_budget"
    template_name = "reports/budget_list.html"
    context_object_name = "budgets"

    def get_queryset(self):
        return Budget.objects.filter(
            library__in=libraries_visible_to(self.request.user)
        ).select_related("library", "category")


class BudgetFormView(ServiceFormMixin, PermissionRequiredMixin, FormView):
    """Add a budget, or change one (`pk` in the URL)."""

    form_class = BudgetForm
    template_name = "reports/budget_form.html"

    def get_permission_required(self):
        return ["reports.change_budget" if "pk" in self.kwargs else "reports.add_budget"]

    def dispatch(self, request, *args, **kwargs):
        # Another library's budget is a 404 before the permission check, as an asset or
        # a case of another library is: its existence is not leaked.
        if request.user.is_authenticated:
            self.budget  # noqa: B018
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def budget(self) -> Budget | None:
        if "pk" not in self.kwargs:
            return None
        return get_object_or_404(
            Budget.objects.filter(library__in=libraries_visible_to(self.request.user)),
            pk=self.kwargs["pk"],
        )

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["libraries"] = libraries_visible_to(self.request.user)
        if self.budget is not None:
            kwargs["instance"] = Budget.objects.get(pk=self.budget.pk)
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(budget=self.budget, **kwargs)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def call_service(self, form):
        data = form.cleaned_data
        budget = services.budget_save(
            actor=self.request.user,
            budget=self.budget,
            library=data["library"],
            year=data["year"],
            category=data["category"],
            amount=data["amount"],
            notes=data["notes"],
        )
        messages.success(self.request, _("The budget %(budget)s was saved.") % {"budget": budget})
        return redirect("reports:budget_list")


class SubscriptionCreateView(ServiceFormMixin, ReportMixin, View):
    """Subscribe to the report named in the URL."""

    http_method_names = ["post"]

    def get_permission_required(self):
        return [self.spec.permission, "reports.add_reportsubscription"]

    def post(self, request, *args, **kwargs):
        form = SubscriptionForm(request.POST, libraries=self.libraries, prefix="subscribe")
        return self.form_valid(form) if form.is_valid() else self.form_invalid(form)

    def form_invalid(self, form):
        # The form is on the report's page: its errors go there as messages.
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(self.request, f"{label}: {error}" if label else error)
        return redirect("reports:report", name=self.spec.name)

    def call_service(self, form):
        services.subscription_create(
            actor=self.request.user,
            report=self.spec.name,
            frequency=form.cleaned_data["frequency"],
            file_format=form.cleaned_data["file_format"],
            library=form.cleaned_data["library"],
        )
        messages.success(
            self.request,
            _("You subscribe to the %(report)s. It is mailed to %(email)s.")
            % {"report": self.spec.title, "email": self.request.user.email or _("(no address)")},
        )
        return redirect("reports:catalogue")


class SubscriptionDeleteView(View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        subscription = get_object_or_404(
            ReportSubscription.objects.filter(user=request.user), pk=kwargs["pk"]
        )
        try:
            services.subscription_delete(actor=request.user, subscription=subscription)
        except (ValidationError, PermissionDenied):
            raise Http404 from None
        messages.success(request, _("The subscription was ended."))
        return redirect("reports:catalogue")
