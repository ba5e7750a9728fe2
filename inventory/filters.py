"""One FilterSet per listed model; the list page, its export and the reports share it."""

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import AssetStatus, Usage
from .formchoices import cache_choices
from .models import Asset, Category, Feature, Library, Location
from .search import search_assets
from .selectors import libraries_visible_to, locations_visible_to, warranty_ending


def _libraries(request):
    return libraries_visible_to(request.user) if request else Library.objects.none()


def _locations(request):
    return locations_visible_to(request.user) if request else Location.objects.none()


class ListFilterSet(django_filters.FilterSet):
    """What the lists' FilterSets share: the free-text `q` filter, whose search the
    subclass writes in `search()`, and an order that is total, so that pages never show
    a row twice or skip one (the chosen order, the model's by default, then the id)."""

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return self.search(queryset, value) if value else queryset

    def search(self, queryset, value):
        raise NotImplementedError

    @property
    def form(self):
        # The options of the model filters are the same for every page of a reader's
        # list: read through the cache (inventory/formchoices.py).
        return cache_choices(super().form)

    @property
    def qs(self):
        queryset = super().qs
        order = list(queryset.query.order_by) or list(self._meta.model._meta.ordering)
        # The tie-breaker runs the same way as the first key, so that one index can
        # serve the whole ORDER BY.
        return queryset.order_by(*order, "-id" if order[0].startswith("-") else "id")


class AssetFilterSet(ListFilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_q",
        help_text=_("Asset tag, serial number, model or hostname."),
    )
    library = django_filters.ModelMultipleChoiceFilter(
        label=_("Library"),
        queryset=_libraries,
        field_name="library__code",
        to_field_name="code",
        distinct=False,
        widget=forms.CheckboxSelectMultiple,
    )
    location = django_filters.ModelMultipleChoiceFilter(
        label=_("Location"), queryset=_locations, field_name="location", distinct=False
    )
    category = django_filters.ModelMultipleChoiceFilter(
        label=_("Category"),
        queryset=Category.objects.all(),
        field_name="category__code",
        to_field_name="code",
        distinct=False,
        widget=forms.CheckboxSelectMultiple,
    )
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"),
        choices=AssetStatus.choices,
        distinct=False,
        widget=forms.CheckboxSelectMultiple,
    )
    usage = django_filters.ChoiceFilter(
        label=_("Public or staff"), choices=Usage.choices, empty_label=_("All")
    )
    feature = django_filters.ModelMultipleChoiceFilter(
        label=_("Features"),
        queryset=Feature.objects.all(),
        field_name="features__code",
        to_field_name="code",
        conjoined=True,
        widget=forms.CheckboxSelectMultiple,
        distinct=False,  # each selected feature is its own join on a unique code
    )
    warranty_within = django_filters.NumberFilter(
        label=_("Warranty ends within (days)"),
        method="filter_warranty_within",
        min_value=0,
        max_value=3650,
    )
    replacement_before = django_filters.DateFilter(
        label=_("Replacement due before"),
        field_name="replacement_due",
        lookup_expr="lt",
    )
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(
            ("tag", "tag"),
            ("category__name_sv", "category"),
            ("model__name", "model"),
            ("library__name", "library"),
            ("location__name", "location"),
            ("status", "status"),
            ("purchase_date", "purchase_date"),
            ("warranty_end", "warranty_end"),
            ("replacement_due", "replacement_due"),
        ),
    )

    class Meta:
        model = Asset
        fields = []

    def search(self, queryset, value):
        # Through each database's trigram index; one or two characters are the start
        # of a tag or serial number (docs/search.md).
        return search_assets(queryset, value)

    def filter_warranty_within(self, queryset, name, value):
        if value is None:
            return queryset
        return warranty_ending(queryset, today=timezone.localdate(), days=int(value))
