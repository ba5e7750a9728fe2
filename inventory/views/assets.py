"""Pages of the register. Thin: a queryset from the selectors, a form, a service call."""

import copy

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import DetailView, FormView
from django_filters.views import FilterView

from .. import services, stocktakes, trials
from ..filters import AssetFilterSet
from ..forms import AssetForm, AssetStatusForm, BulkActionForm, MaintenanceForm
from ..history import rows as history_rows
from ..loans import asset_loan_panel, open_loan
from ..models import Asset, Feature
from ..pagination import CappedCountPaginator
from ..selectors import (
    asset_get,
    asset_history,
    asset_list,
    assets_visible_to,
    libraries_visible_to,
    locations_visible_to,
)
from ..viewmixins import PageSizeMixin, ServiceFormMixin, StaleEditMixin


class AssetListView(PermissionRequiredMixin, PageSizeMixin, FilterView):
    permission_required = "inventory.view_asset"
    filterset_class = AssetFilterSet
    template_name = "inventory/asset_list.html"
    context_object_name = "assets"
    paginator_class = CappedCountPaginator
    # A search is counted up to this many assets; above, the page says "more than"
    # (docs/search.md, "Counting").
    search_count_cap = 1000

    def get_queryset(self):
        return asset_list(self.request.user).prefetch_related(
            Prefetch("features", queryset=Feature.objects.order_by("name_sv"))
        )

    def get_paginator(self, queryset, per_page, **kwargs):
        form = self.filterset.form
        searching = self.filterset.is_valid() and bool((form.cleaned_data.get("q") or "").strip())
        cap = self.search_count_cap if searching else None
        return super().get_paginator(queryset, per_page, count_cap=cap, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if user.has_perm("inventory.bulk_change_asset"):
            context["bulk_form"] = BulkActionForm(
                assets=Asset.objects.none(),
                locations=locations_visible_to(user),
                initial={"next": self.request.get_full_path()},
                # The filter form beside it has a location field too: ids must differ.
                auto_id="bulk_%s",
            )
        return context


class AssetObjectMixin:
    """The asset named in the URL, looked up before the permission check.

    An asset the user may not see (another library's, for a library manager) is a 404
    on every asset URL, whatever the method and the user's permissions, as a case is on
    every case URL: its existence is not leaked. A visible asset the user may not act on
    is a 403.
    """

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.asset  # noqa: B018 -- Http404 before the permission check
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def asset(self) -> Asset:
        return asset_get(self.request.user, self.kwargs["tag"])


class AssetDetailView(AssetObjectMixin, PermissionRequiredMixin, DetailView):
    permission_required = "inventory.view_asset"
    template_name = "inventory/asset_detail.html"
    context_object_name = "asset"

    def get_object(self, queryset=None):
        return self.asset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        asset = self.object
        context["history"] = [
            (entry, history_rows(Asset, entry)) for entry in asset_history(asset)[:200]
        ]
        context["maintenance"] = asset.maintenance.select_related("created_by")
        context["components"] = (
            assets_visible_to(self.request.user)
            .filter(parent=asset)
            .select_related("category", "model", "manufacturer")
        )
        context["features"] = asset.features.all()
        # The panels of the work on the floor, each from its own module:
        # stocktaking
        context.update(stocktakes.asset_panel(self.request.user, asset))
        # loans
        context["loans_panel"] = asset_loan_panel(self.request.user, asset)
        # trial log
        context.update(trials.asset_panel(self.request.user, asset))
        return context


class AssetFormMixin:
    form_class = AssetForm
    template_name = "inventory/asset_form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["libraries"] = libraries_visible_to(self.request.user)
        kwargs["may_change_library"] = services.may_move_between_libraries(self.request.user)
        return kwargs


class AssetCreateView(ServiceFormMixin, PermissionRequiredMixin, AssetFormMixin, FormView):
    permission_required = "inventory.add_asset"

    def call_service(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("features", "version")}
        asset = services.asset_create(
            actor=self.request.user, features=form.cleaned_data["features"], **data
        )
        messages.success(self.request, _("Asset %(tag)s was created.") % {"tag": asset.tag})
        return redirect(asset)


class AssetUpdateView(
    StaleEditMixin, AssetObjectMixin, PermissionRequiredMixin, AssetFormMixin, FormView
):
    permission_required = "inventory.change_asset"
    stale_error = services.ConcurrentEditError
    stale_message = gettext_lazy(
        "%(who)s saved this asset at %(when)s, after you opened it. Your changes "
        "have not been saved. Check the asset's history below the form, then "
        "save again to replace their version with yours."
    )

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        # A copy: the form's model validation sets what was typed on its instance, and
        # the page around a refused form shows the asset as it is (a typed tag with a
        # slash in it has no URL: the breadcrumb's link would fail the page).
        kwargs["instance"] = copy.copy(self.asset)
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(asset=self.asset, **kwargs)

    def call_service(self, form):
        data = {
            name: value
            for name, value in form.cleaned_data.items()
            if name in services.EDITABLE_FIELDS
        }
        asset = services.asset_update(
            asset=self.asset,
            actor=self.request.user,
            expected_version=form.cleaned_data["version"],
            data=data,
            features=form.cleaned_data["features"],
        )
        messages.success(self.request, _("Asset %(tag)s was saved.") % {"tag": asset.tag})
        return redirect(asset)


class AssetStatusView(ServiceFormMixin, AssetObjectMixin, PermissionRequiredMixin, FormView):
    permission_required = "inventory.change_asset_status"
    stale_error = services.ConcurrentEditError
    form_class = AssetStatusForm
    template_name = "inventory/asset_status_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "asset": self.asset}

    def get_context_data(self, **kwargs):
        # Lending a lendable asset, and taking back one lent on a loan, are the loan
        # pages' (docs/loans.md); the page links to them.
        return super().get_context_data(
            asset=self.asset,
            open_loan=open_loan(self.asset),
            **kwargs,
        )

    def call_service(self, form):
        asset = services.asset_change_status(
            asset=self.asset,
            to_status=form.cleaned_data["to_status"],
            actor=self.request.user,
            expected_version=form.cleaned_data["version"],
            comment=form.cleaned_data["comment"],
            **form.details(),
        )
        messages.success(
            self.request,
            _("%(tag)s is now “%(status)s”.")
            % {"tag": asset.tag, "status": asset.get_status_display()},
        )
        return redirect(asset)

    def form_stale(self, form, error):
        form.add_error(
            None, _("Someone else changed this asset after you opened it. Nothing was saved.")
        )
        return self.render_to_response(self.get_context_data(form=form), status=409)


class MaintenanceCreateView(ServiceFormMixin, AssetObjectMixin, PermissionRequiredMixin, FormView):
    permission_required = "inventory.add_maintenanceentry"
    form_class = MaintenanceForm
    template_name = "inventory/maintenance_form.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(asset=self.asset, **kwargs)

    def call_service(self, form):
        services.maintenance_add(asset=self.asset, actor=self.request.user, **form.cleaned_data)
        messages.success(self.request, _("The maintenance was logged."))
        return redirect(self.asset)


class AssetBulkView(PermissionRequiredMixin, FormView):
    """Move or change the status of the assets ticked on the list, all or none.

    A move that would take assets to another library is not applied at once: a page
    lists those assets and asks for an explicit confirmation first.
    """

    permission_required = ("inventory.bulk_change_asset", "inventory.change_asset_status")
    form_class = BulkActionForm
    http_method_names = ["post"]
    template_name = "inventory/asset_bulk_confirm.html"

    def get_form_kwargs(self):
        user = self.request.user
        return {
            **super().get_form_kwargs(),
            "assets": assets_visible_to(user),
            "locations": locations_visible_to(user),
        }

    def back_url(self, form) -> str:
        target = form.data.get("next") or ""
        if not url_has_allowed_host_and_scheme(
            target, {self.request.get_host()}, require_https=self.request.is_secure()
        ):
            target = reverse("inventory:asset_list")
        return target

    def back(self, form):
        return redirect(self.back_url(form))

    def labelled_errors(self, form, errors: dict[str, list[str]]) -> list[str]:
        """Each error as a message, led by the name of its field."""
        result = []
        for name, messages_of_field in errors.items():
            field = form.fields.get(name)
            for message in messages_of_field:
                result.append(f"{field.label}: {message}" if field and field.label else message)
        return result

    def form_invalid(self, form):
        for error in self.labelled_errors(form, form.errors):
            messages.error(self.request, error)
        return self.back(form)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            if data["action"] == BulkActionForm.MOVE:
                count = services.assets_bulk_move(
                    assets=data["assets"],
                    location=data["location"],
                    actor=self.request.user,
                    confirmed_library_changes=form.confirmed_library_changes(),
                )
                message = ngettext(
                    "%(count)d asset was moved to %(location)s.",
                    "%(count)d assets were moved to %(location)s.",
                    count,
                ) % {"count": count, "location": data["location"]}
            else:
                count = services.assets_bulk_change_status(
                    assets=data["assets"], to_status=data["to_status"], actor=self.request.user
                )
                message = ngettext(
                    "%(count)d asset changed status.", "%(count)d assets changed status.", count
                ) % {"count": count}
        except services.LibraryChangeNotConfirmed as exc:
            return self.ask_to_confirm(form, exc.changes)
        except ValidationError as exc:
            messages.error(self.request, _("Nothing was changed:"))
            errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
            for error in self.labelled_errors(form, errors):
                messages.error(self.request, error)
            return self.back(form)
        messages.success(self.request, message)
        return self.back(form)

    def ask_to_confirm(self, form, changes: list[services.LibraryChange]):
        """The page that lists the assets a move takes to another library."""
        data = form.cleaned_data
        if data["confirm_library_change"] and data["confirmed"]:
            # Ticked, but for another list: someone moved assets in the meantime.
            form.add_error(
                None,
                _(
                    "Which assets would change library has changed since this page was "
                    "shown. Nothing was moved: check the list again and confirm."
                ),
            )
        elif data["confirmed"]:
            form.add_error(
                "confirm_library_change",
                _("Tick the box to confirm the move to another library, or cancel."),
            )
        # Every confirmation is given for the list on the page it is given on.
        form.data = form.data.copy()
        form.data.pop("confirm_library_change", None)
        location = data["location"]
        context = self.get_context_data(
            form=form,
            changes=changes,
            location=location,
            to_library=location.library,
            selected_tags=[asset.tag for asset in data["assets"]],
            next_url=data["next"],
            back_url=self.back_url(form),
        )
        return self.render_to_response(context)
