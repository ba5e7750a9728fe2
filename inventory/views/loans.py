"""Loans of lendable equipment: the list of loans, an asset's loans with the booking
form, and the steps on a loan (lend out, return with the checklist, cancel)."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from .. import loans
from ..choices import LoanState
from ..formatting import format_date
from ..loan_forms import LoanBookForm, LoanReturnForm
from ..models import Loan
from ..viewmixins import ServiceFormMixin
from .assets import AssetObjectMixin


def asset_loans_url(asset, anchor: str = "") -> str:
    url = reverse("inventory:asset_loans", args=[asset.tag])
    return f"{url}#{anchor}" if anchor else url


class LoanObjectMixin(AssetObjectMixin):
    """The loan named in the URL, of the asset named in it: 404 unless the user sees the
    asset and the loan is that asset's (checked before the permission)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.loan  # noqa: B018 -- Http404 before the permission check
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def loan(self) -> Loan:
        try:
            return self.asset.loans.select_related("asset__category").get(pk=self.kwargs["pk"])
        except Loan.DoesNotExist:
            raise Http404 from None


class LoanListView(PermissionRequiredMixin, TemplateView):
    """Current, overdue and upcoming loans of every lendable asset the user sees."""

    permission_required = loans.VIEW_PERMISSION
    template_name = "inventory/loan_list.html"
    http_method_names = ["get", "head", "options"]

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        user = self.request.user
        return super().get_context_data(
            today=today,
            schedules=loans.loan_overview(user, today=today),
            overdue=loans.overdue_loans(loans.loans_visible_to(user), today=today)
            .select_related("asset", "asset__library")
            .order_by("due_on", "pk"),
            **kwargs,
        )


class AssetLoansView(ServiceFormMixin, AssetObjectMixin, PermissionRequiredMixin, FormView):
    """An asset's loans, and the booking form for those who may book."""

    permission_required = loans.VIEW_PERMISSION
    form_class = LoanBookForm
    template_name = "inventory/asset_loans.html"

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm(loans.ADD_PERMISSION):
            raise PermissionDenied(loans.ADD_PERMISSION)
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            asset=self.asset,
            loans=loans.asset_loans(self.asset, today=timezone.localdate()),
            may_book=user.has_perm(loans.ADD_PERMISSION),
            may_change=user.has_perm(loans.CHANGE_PERMISSION),
            **kwargs,
        )

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def call_service(self, form):
        data = form.cleaned_data
        loan = loans.loan_book(
            actor=self.request.user,
            asset=self.asset,
            borrower=data["borrower"],
            starts_on=data["starts_on"],
            due_on=data["due_on"],
            note=data["note"],
        )
        messages.success(
            self.request,
            _("%(tag)s is booked for %(borrower)s from %(starts)s to %(due)s.")
            % {
                "tag": self.asset.tag,
                "borrower": loan.borrower,
                "starts": format_date(loan.starts_on),
                "due": format_date(loan.due_on),
            },
        )
        return redirect(asset_loans_url(self.asset, f"loan-{loan.pk}"))


class LoanStepView(LoanObjectMixin, PermissionRequiredMixin, View):
    """A step on a loan taken with one button (lend out, cancel)."""

    permission_required = loans.CHANGE_PERMISSION
    http_method_names = ["post"]

    def step(self) -> str:
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        try:
            messages.success(request, self.step())
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect(asset_loans_url(self.asset, f"loan-{self.loan.pk}"))


class LoanLendView(LoanStepView):
    def step(self) -> str:
        loan = loans.loan_lend(actor=self.request.user, loan=self.loan)
        return _("%(tag)s is lent to %(borrower)s until %(due)s.") % {
            "tag": self.asset.tag,
            "borrower": loan.borrower,
            "due": format_date(loan.due_on),
        }


class LoanCancelView(LoanStepView):
    def step(self) -> str:
        loans.loan_cancel(actor=self.request.user, loan=self.loan)
        return _("The booking is cancelled.")


class LoanReturnView(ServiceFormMixin, LoanObjectMixin, PermissionRequiredMixin, FormView):
    """The return of a loan that is out, with the checklist of the asset's category."""

    permission_required = loans.CHANGE_PERMISSION
    form_class = LoanReturnForm
    template_name = "inventory/loan_return_form.html"

    def get(self, request, *args, **kwargs):
        return self.not_out() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self.not_out() or super().post(request, *args, **kwargs)

    def not_out(self):
        """A loan that is not out has nothing to return: back to the asset's loans."""
        if self.loan.state == LoanState.OUT:
            return None
        messages.error(
            self.request,
            _("This loan is “%(state)s”: only a loan that is lent out can be returned.")
            % {"state": self.loan.get_state_display()},
        )
        return redirect(asset_loans_url(self.asset, f"loan-{self.loan.pk}"))

    @cached_property
    def items(self) -> list[str]:
        return loans.checklist_items(self.asset.category)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "items": self.items}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            asset=self.asset,
            loan=self.loan,
            overdue=loans.loan_is_overdue(self.loan, today=timezone.localdate()),
            **kwargs,
        )

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def call_service(self, form):
        data = form.cleaned_data
        loan = loans.loan_return(
            actor=self.request.user,
            loan=self.loan,
            ticked=form.ticked_items(),
            note=data["note"],
            on=data["on"],
        )
        if loan.fault_report is not None:
            messages.warning(
                self.request,
                _(
                    "%(tag)s is back, with something missing or wrong: a fault report is "
                    "made for IT."
                )
                % {"tag": self.asset.tag},
            )
        else:
            messages.success(self.request, _("%(tag)s is back.") % {"tag": self.asset.tag})
        return redirect(asset_loans_url(self.asset, f"loan-{loan.pk}"))
