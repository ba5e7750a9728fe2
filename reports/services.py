"""The writes of the reports app: budgets and subscriptions, checked on the server."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from inventory.models import Category, Library
from inventory.roles import Actor
from inventory.selectors import libraries_visible_to

from .choices import PERMISSION_OF
from .models import Budget, ReportSubscription


@transaction.atomic
def budget_save(
    *,
    actor: Actor,
    budget: Budget | None = None,
    library: Library,
    year: int,
    category: Category | None,
    amount: Decimal,
    notes: str = "",
) -> Budget:
    """Create a budget, or change `budget`, for a library the actor may see."""
    permission = "reports.change_budget" if budget else "reports.add_budget"
    if not actor.has_perm(permission):
        raise PermissionDenied(permission)
    visible = libraries_visible_to(actor)
    if not visible.filter(pk=library.pk).exists():
        raise PermissionDenied("library outside the user's libraries")
    if budget is not None and not visible.filter(pk=budget.library_id).exists():
        # Moving another library's budget into one's own is changing it too.
        raise PermissionDenied("budget of a library outside the user's libraries")
    budget = Budget() if budget is None else Budget.objects.select_for_update().get(pk=budget.pk)
    budget.library, budget.year, budget.category = library, year, category
    budget.amount, budget.notes, budget.updated_by = amount, notes, actor
    budget.full_clean()
    budget.save()
    return budget


@transaction.atomic
def subscription_create(
    *,
    actor: Actor,
    report: str,
    frequency: str,
    file_format: str,
    library: Library | None = None,
) -> ReportSubscription:
    """Subscribe the actor to a report they may download, for a library they may see."""
    if report not in PERMISSION_OF or not actor.has_perm(PERMISSION_OF[report]):
        raise PermissionDenied(report)
    if not actor.has_perm("reports.add_reportsubscription"):
        raise PermissionDenied("reports.add_reportsubscription")
    if library is not None and not libraries_visible_to(actor).filter(pk=library.pk).exists():
        raise PermissionDenied("library outside the user's libraries")
    subscription = ReportSubscription(
        user=actor, report=report, frequency=frequency, file_format=file_format, library=library
    )
    subscription.full_clean()
    subscription.save()
    return subscription


@transaction.atomic
def subscription_delete(*, actor: Actor, subscription: ReportSubscription) -> None:
    """End one of the actor's own subscriptions."""
    if subscription.user_id != actor.pk:
        raise PermissionDenied("another user's subscription")
    deleted, _rows = ReportSubscription.objects.filter(pk=subscription.pk).delete()
    if not deleted:
        raise ValidationError(_("The subscription was already ended."))
