"""The FilterSet of procurement cases; the list page, exports and reports share it."""

from itertools import product

import django_filters
from django import forms
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inventory.filters import ListFilterSet
from inventory.models import Category, Library
from inventory.selectors import libraries_visible_to

from .choices import DELIVERED_OR_ENDED, STAGE_ORDER, Party, Procedure, Stage, waits_on
from .models import ProcurementCase

# A case still waiting for its delivery; expected delivery in the past makes it late.
NOT_YET_DELIVERED = tuple(stage for stage in Stage.values if stage not in DELIVERED_OR_ENDED)
# The order stages are sorted in: the main line, then on hold and cancelled.
STAGE_RANK = {
    stage: rank for rank, stage in enumerate((*STAGE_ORDER, Stage.ON_HOLD, Stage.CANCELLED))
}


def waits_on_q(party: str) -> Q:
    """The cases that wait on `party`, as a query built from `choices.waits_on` itself,
    so the list filter and the page never disagree about who acts next."""
    procedures = ["", *Procedure.values]
    matches: dict[str, list[str]] = {}
    for stage, procedure in product(Stage.values, procedures):
        if waits_on(stage, procedure) == party:
            matches.setdefault(stage, []).append(procedure)
    query = Q(pk__in=[])
    for stage, matching in matches.items():
        if len(matching) == len(procedures):
            query |= Q(stage=stage)
        else:
            query |= Q(stage=stage, procedure__in=matching)
    return query


def _libraries(request):
    return libraries_visible_to(request.user) if request else Library.objects.none()


class CaseOrderingFilter(django_filters.OrderingFilter):
    """Sorting by days waiting runs opposite to the date the case entered its stage."""

    INVERTED = {"days_waiting"}

    def get_ordering_value(self, param):
        descending = param.startswith("-")
        name = param[1:] if descending else param
        if name in self.INVERTED:
            descending = not descending
        return ("-" if descending else "") + self.param_map[name]


class CaseFilterSet(ListFilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method="filter_q", help_text=_("Reference or title.")
    )
    stage = django_filters.MultipleChoiceFilter(
        label=_("Stage"),
        choices=Stage.choices,
        distinct=False,
        widget=forms.CheckboxSelectMultiple,
    )
    library = django_filters.ModelMultipleChoiceFilter(
        label=_("Library"),
        queryset=_libraries,
        field_name="library__code",
        to_field_name="code",
        distinct=False,
        widget=forms.CheckboxSelectMultiple,
    )
    waits_on = django_filters.ChoiceFilter(
        label=_("Who acts next"),
        choices=Party.choices,
        method="filter_waits_on",
        empty_label=_("Anyone"),
    )
    procedure = django_filters.MultipleChoiceFilter(
        label=_("Procedure"),
        choices=Procedure.choices,
        distinct=False,
        widget=forms.CheckboxSelectMultiple,
    )
    category = django_filters.ModelMultipleChoiceFilter(
        label=_("Category"),
        queryset=Category.objects.all(),
        field_name="category__code",
        to_field_name="code",
        distinct=False,
        widget=forms.CheckboxSelectMultiple,
    )
    year = django_filters.NumberFilter(
        label=_("Year"), field_name="year", min_value=2000, max_value=2100
    )
    overdue = django_filters.BooleanFilter(
        label=_("Delivery overdue"),
        method="filter_overdue",
        widget=forms.CheckboxInput,
    )
    ordering = CaseOrderingFilter(
        label=_("Sort by"),
        fields=(
            ("reference", "reference"),
            ("title", "title"),
            ("library__name", "library"),
            ("stage_rank", "stage"),
            ("stage_changed_at", "days_waiting"),
            ("estimated_value", "estimated_value"),
            ("procedure", "procedure"),
            ("expected_delivery", "expected_delivery"),
        ),
    )

    class Meta:
        model = ProcurementCase
        fields = []

    def search(self, queryset, value):
        # A reference is written `HB 2026/0042` on the page and `HB-2026-0042` in URLs.
        as_written = (
            value.replace("-", " ", 1).replace("-", "/", 1) if value.count("-") == 2 else value
        )
        return queryset.filter(
            Q(reference__icontains=value)
            | Q(reference__icontains=as_written)
            | Q(title__icontains=value)
        )

    def filter_waits_on(self, queryset, name, value):
        return queryset.filter(waits_on_q(value)) if value else queryset

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            expected_delivery__lt=timezone.localdate(), stage__in=NOT_YET_DELIVERED
        )

    def filter_queryset(self, queryset):
        queryset = queryset.annotate(
            stage_rank=Case(
                *[When(stage=stage, then=Value(rank)) for stage, rank in STAGE_RANK.items()],
                default=Value(len(STAGE_RANK)),
                output_field=IntegerField(),
            )
        )
        return super().filter_queryset(queryset)
